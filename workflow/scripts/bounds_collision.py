"""Adapter: collision-horizon data and figure -> results/bounds/collision_{horizon.parquet,marks.csv}, figures/."""

from analysis import bounds
from analysis.bounds import charts
from analysis.core.adapter import Adapter
from analysis.core.scorecard import published

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    base, d = a.setting("bounds.collision_base"), a.setting("physics.head_dim")
    data = a.call(bounds.collision_figure_data, base, d, a.setting("bounds.collision_max_position"),
                  published(a.input("published")))
    a.table(data["curve"], "curve")
    a.table(data["marks"], "marks")
    a.figure(charts.collision_horizon_chart(data["curve"], data["marks"], float(base), int(d)), "figure")
