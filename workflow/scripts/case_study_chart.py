"""Adapter: case-study table -> results/case_study/figures/goldilocks_models.*."""

from pathlib import Path

from analysis.case_study.charts import goldilocks_models_chart
from analysis.core.figures import save_chart
from analysis.core.logs import log_to
from analysis.core.results import read_table

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
with log_to(snakemake.log[0]) as log:  # noqa: F821
    table = read_table(snakemake.input[0])  # noqa: F821
    chart = goldilocks_models_chart(table, cfg)
    stem = Path(snakemake.output.svg).with_suffix("")  # noqa: F821
    save_chart(chart, stem, cfg)
    log.info("Goldilocks chart with %d models -> %s", len(table), stem)
