"""Adapter: Men et al.'s minimum base for the pair (L, d) of the wildcards -> results/case_study/men/L{L}_d{d}.json."""

from analysis.case_study import men_bound
from analysis.core.logs import log_to
from analysis.core.results import write_json

wc = snakemake.wildcards  # noqa: F821 (injected by Snakemake)
with log_to(snakemake.log[0]) as log:  # noqa: F821
    rec = men_bound(int(wc.L), int(wc.d))
    log.info("Men et al. minimum base for L=%s, d=%s: %.10g", wc.L, wc.d, rec["min_base"])
    write_json(rec, snakemake.output[0], {"context_length": int(wc.L), "head_dim": int(wc.d)})  # noqa: F821
