"""Adapter: all-device precision tables -> results/precision/figures/*."""

from pathlib import Path

from analysis.precision.charts import CHARTS
from analysis.core.figures import save_chart
from analysis.core.logs import log_to
from analysis.core.results import read_table

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
with log_to(snakemake.log[0]) as log:  # noqa: F821
    tables = {Path(p).name.removeprefix("devices_").removesuffix(".parquet"): read_table(p)
              for p in snakemake.input}  # noqa: F821
    for svg in snakemake.output[: len(CHARTS)]:  # noqa: F821
        name = Path(svg).name.removesuffix(".svg")
        table, make = CHARTS[name]
        save_chart(make(tables[table]), str(Path(svg).with_suffix("")), cfg, figure=name)
        log.info("figure %s", name)
