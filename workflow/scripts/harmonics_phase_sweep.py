"""Adapter: phase-alignment sweep -> results/harmonics/phase_sweep.csv."""

from analysis.harmonics import sweep_results, sweep_symmetry
from analysis.logs import log_to
from analysis.results import write_table

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
with log_to(snakemake.log[0]) as log:  # noqa: F821
    df = sweep_results(cfg)
    log.info("entropy_bi symmetry |y(phi) - y(-phi)| max %.3g", sweep_symmetry(df, "entropy_bi"))
    write_table(df, snakemake.output[0], cfg)  # noqa: F821
