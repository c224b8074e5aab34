"""The choose_base stage's steps (``workflow/rules/choose_base.smk``): worked examples of `suggest` on
model configs and the data of the page's calculator."""

from __future__ import annotations

from analysis.core.step import Step

STEPS: dict[str, Step] = {
    "examples": Step(
        "analysis.choose_base.examples.examples_results", outputs=("full", "bounds", "settings", "blocks"),
        settings={"examples": "choose_base.examples", "epsilon": "physics.epsilon",
                  "criterion": "choose_base.criterion", "max_factor": "choose_base.max_factor",
                  "grid_per_octave": "choose_base.grid_per_octave", "factor_rtol": "choose_base.factor_rtol",
                  "angle_dtype": "case_study.angle_dtype"}),
    "calculator": Step(
        "analysis.choose_base.calculator.calculator_data", outputs=("data",),
        settings={"dtypes": "physics.dtypes", "defaults": "choose_base.calculator_defaults"}),
}
