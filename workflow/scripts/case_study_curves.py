"""Adapter: settings -> results/case_study/reference_curves.parquet (the chart's reference curves)."""

from analysis.case_study.curves import reference_curves
from analysis.core.adapter import Adapter

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    curves = a.call(reference_curves, head_dim=a.setting("physics.head_dim"), layers=a.setting("case_study.chart.layers"),
                    log2_context_min=a.setting("case_study.chart.log2_context_min"),
                    log2_context_max=a.setting("case_study.chart.log2_context_max"),
                    epsilon=a.setting("physics.epsilon"), angle_dtype=a.setting("case_study.angle_dtype"))
    a.table(curves, "curves")
