"""Adapter: the case-study table and reference curves -> results/case_study/figures/goldilocks_models.*."""

from analysis.case_study.charts import goldilocks_models_chart
from analysis.core.adapter import Adapter
from analysis.core.results import read_table

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    chart = a.call(goldilocks_models_chart, read_table(a.input("table")), read_table(a.input("curves")),
                   epsilon=a.setting("physics.epsilon"))
    a.figure(chart, "figure")
