"""Adapter: Goldilocks-zone data and figure -> results/bounds/goldilocks.parquet, figures/."""

from analysis import bounds
from analysis.bounds import charts
from analysis.core.adapter import Adapter
from analysis.core.results import read_table

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    gold = a.call(bounds.goldilocks_curves, read_table(a.input("phase")), read_table(a.input("men")),
                  a.setting("bounds.goldilocks_dtypes"))
    a.table(gold, "data")
    a.figure(charts.goldilocks_chart(gold, int(a.setting("physics.head_dim"))), "figure")
