"""Adapter: B(m) curves, first negative distances and figure -> results/bounds/men_B_{curves.parquet,crossings.csv}, figures/."""

from analysis import bounds
from analysis.bounds import charts
from analysis.core.adapter import Adapter

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    d = a.setting("physics.head_dim")
    curves, crossings = a.call(bounds.men_B_curves, a.setting("bounds.men_curve_bases"), int(d),
                               int(a.setting("bounds.men_curve_max_position")))
    a.log.info("B(m) crossings:\n%s", crossings.to_string())
    a.table(curves, "curves")
    a.table(crossings, "crossings")
    a.figure(charts.men_B_chart(curves, crossings, int(d)), "figure")
