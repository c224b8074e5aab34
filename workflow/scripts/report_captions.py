"""Adapter: report/captions/<stage>.yaml -> results/report/captions/<stage>/<name>.rst (the captions
of `snakemake --report`, from the same source as the pages' captions)."""

from analysis.core.adapter import Adapter
from analysis.report import appendix

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    written = a.call(appendix.write_rst_captions, a.input("captions"), a.output("folder"))
    a.log.info("%d captions written", len(written))
