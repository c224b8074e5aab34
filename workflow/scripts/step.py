"""The one script of every step rule: run the step named in ``params.step`` (analysis.core.step)."""

from analysis.core.step import run_step

run_step(snakemake, snakemake.params.step)  # noqa: F821 (injected by Snakemake)
