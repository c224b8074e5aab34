"""Adapter: phase-modulation bound grid -> results/bounds/phase_bounds.{parquet,csv}."""

from analysis.bounds import phase_bound_grid
from analysis.core.logs import log_to
from analysis.core.results import write_table

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
with log_to(snakemake.log[0]) as log:  # noqa: F821
    df = phase_bound_grid(cfg)
    log.info("phase bound grid: %d rows", len(df))
    write_table(df, snakemake.output[0], cfg)  # noqa: F821
    write_table(df, snakemake.output[2], cfg)  # noqa: F821
