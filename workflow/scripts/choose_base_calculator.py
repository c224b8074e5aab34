"""Adapter: the shipped minimum-base curves, machine epsilons and defaults -> the calculator's data."""

from analysis.choose_base.calculator import calculator_data
from analysis.core.adapter import Adapter

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    a.json(a.call(calculator_data, dtypes=a.setting("physics.dtypes"),
                  defaults=a.setting("choose_base.calculator_defaults")), "data")
