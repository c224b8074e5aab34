"""Adapter: the sidecars of every result -> results/report/provenance.{md,csv} (the appendix)."""

from analysis.core.adapter import Adapter
from analysis.report import appendix

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    markdown, compact, table = a.call(appendix.build_appendix, a.setting("results_dir"))
    a.text(markdown, "appendix")
    a.text(compact, "compact")
    a.table(table, "table")
