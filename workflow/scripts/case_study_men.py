"""Adapter: Men et al.'s minimum base per (context, rotary dims) pair -> results/case_study/men_bounds.parquet.

The params are the pairs only, so edits to other model fields do not redo this (slow) search."""

from analysis.case_study import men_bounds_frame
from analysis.logs import log_to
from analysis.results import write_table

pairs = snakemake.params.pairs  # noqa: F821 (injected by Snakemake)
with log_to(snakemake.log[0]) as log:  # noqa: F821
    df = men_bounds_frame(pairs)
    log.info("Men et al. bounds for %d (context, rotary dims) pairs", len(df))
    write_table(df, snakemake.output[0], {"pairs": pairs})  # noqa: F821
