"""Adapter: phase-alignment sweep -> results/harmonics/phase_sweep.csv."""

from analysis.harmonics import sweep_results, sweep_summary
from analysis.core.logs import log_to
from analysis.core.results import write_json, write_table

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
with log_to(snakemake.log[0]) as log:  # noqa: F821
    df = sweep_results(cfg)
    summary = sweep_summary(df)
    log.info("symmetry |y(phi) - y(-phi)|: %s", summary["symmetry"])
    write_table(df, snakemake.output[0], cfg)  # noqa: F821
    write_json(summary, snakemake.output[2], cfg)  # noqa: F821
