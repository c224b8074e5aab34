"""Adapter: all-device precision tables -> results/precision/figures/*."""

from analysis.core.adapter import Adapter
from analysis.core.results import read_table
from analysis.precision.charts import CHARTS

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    for name, (table, make) in CHARTS.items():
        a.figure(a.call(make, read_table(a.input(table))), name)
