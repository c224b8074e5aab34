"""Adapter: figure data and the three bounds figures (collision horizon, B(m) curves, Goldilocks
zone) -> results/bounds/{collision_horizon,men_B_curves,men_B_crossings,goldilocks}.parquet and figures/."""

import math

import pandas as pd

from analysis import bounds
from analysis.bounds import charts as charts_bounds
from analysis.core.figures import save_chart
from analysis.core.logs import log_to
from analysis.core.results import read_table, write_table
from analysis.core.scorecard import published

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
out = snakemake.output  # noqa: F821
with log_to(snakemake.log[0]) as log:  # noqa: F821
    d = int(cfg["head_dim"])
    pub = published(snakemake.input.published)  # noqa: F821
    base = float(cfg["collision_base"])
    curve = bounds.collision_horizon_curve(base, d, int(cfg["collision_max_position"]))
    h = bounds.collision_horizon(base, d)
    marks = pd.DataFrame({
        "label": ["paper: 2π·base", "exact: 2π/θ_min"],
        "position": [h["paper"], h["exact"]],
    })
    if base == 10000 and not math.isclose(h["paper"], pub["liu2026"]["collision_horizon_base10k"], rel_tol=1e-5):
        raise RuntimeError("collision horizon disagrees with the paper's 62,832 (check rope/bounds)")
    write_table(curve, out.collision_data, cfg)
    write_table(marks, out.collision_marks, cfg)
    save_chart(charts_bounds.collision_horizon_chart(curve, marks, base, d), out.collision_fig[0].removesuffix(".vl.json"), cfg)
    log.info("collision horizon: %d points; paper %.1f exact %.1f", len(curve), h["paper"], h["exact"])

    curves, crossings = bounds.men_B_curves(cfg["men_curve_bases"], d, int(cfg["men_curve_max_position"]))
    write_table(curves, out.curves_data, cfg)
    write_table(crossings, out.crossings, cfg)
    save_chart(charts_bounds.men_B_chart(curves, crossings, d), out.curves_fig[0].removesuffix(".vl.json"), cfg)
    log.info("B(m) crossings:\n%s", crossings.to_string())

    gold = bounds.goldilocks_curves(
        read_table(snakemake.input.phase), read_table(snakemake.input.men), cfg["goldilocks_dtypes"]  # noqa: F821
    )
    write_table(gold, out.goldilocks_data, cfg)
    save_chart(charts_bounds.goldilocks_chart(gold, d), out.goldilocks_fig[0].removesuffix(".vl.json"), cfg)
