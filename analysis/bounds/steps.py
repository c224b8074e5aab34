"""The bounds stage's steps: each result of ``results/bounds/`` and the function that computes it.

Rule ``bounds_<step>`` of ``workflow/rules/bounds.smk`` runs step ``<step>`` through
:func:`analysis.core.step.run_step`: the keyword arguments are the rule's named inputs (read by
suffix) and the settings below (dotted keys of ``config/config.yaml``); the function returns the
named outputs.
"""

from __future__ import annotations

from analysis.core.step import Step

HEAD_DIM_SETTING = {"head_dim": "physics.head_dim"}  # the rotary dims every bounds step reads

STEPS: dict[str, Step] = {
    "phase_grid": Step(
        "analysis.bounds.phase.phase_bound_grid", outputs=("table", "csv"), copies={"csv": "table"},
        settings={**HEAD_DIM_SETTING, "epsilon": "physics.epsilon", "layers": "bounds.layers",
                  "dtypes": "physics.dtypes", "log2_context_min": "bounds.log2_context_min", "log2_context_max": "bounds.log2_context_max"}),
    "men_table": Step(
        "analysis.bounds.men.men_min_base_table", outputs=("table", "csv"), copies={"csv": "table"}, constants={"progress": True},
        settings={**HEAD_DIM_SETTING, "context_lengths": "bounds.men_context_lengths"}),
    "men_checks": Step(
        "analysis.bounds.claims.men_checks", inputs=("table", "published"), settings=HEAD_DIM_SETTING,
        outputs=("compare", "compare_csv", "fit", "counts"), copies={"compare_csv": "compare"}),
    "scorecard": Step(
        "analysis.bounds.claims.bounds_scorecard", inputs=("compare", "fit", "counts", "published"),
        outputs=("scorecard",)),
    "curve_check": Step(
        "analysis.bounds.curve.curve_check", inputs=("men_table",), outputs=("check",),
        settings={**HEAD_DIM_SETTING, "spot_lengths": "bounds.curve_spot_lengths", "segment_checks": "bounds.curve_segment_checks"}),
    "collision": Step(
        "analysis.bounds.figure_data.collision_figure_data", inputs=("published",), outputs=("curve", "marks"),
        settings={"base": "bounds.collision_base", **HEAD_DIM_SETTING, "max_position": "bounds.collision_max_position"}),
    "men_curves": Step(
        "analysis.bounds.figure_data.men_B_curves", outputs=("curves", "crossings"),
        settings={"bases": "bounds.men_curve_bases", "d": "physics.head_dim",
                  "max_position": "bounds.men_curve_max_position"}),
    "goldilocks": Step(
        "analysis.bounds.figure_data.goldilocks_curves", inputs=("phase_grid", "men_table"), outputs=("data",),
        settings={"wall_dtypes": "bounds.goldilocks_dtypes"}),
    "figures": Step(
        "analysis.bounds.charts.bounds_figures", inputs=("collision_curve", "collision_marks", "men_curves", "men_crossings", "goldilocks"),
        outputs=("collision_horizon", "men_B_curves", "goldilocks"),
        settings={"collision_base": "bounds.collision_base", **HEAD_DIM_SETTING}),
    "findings": Step(
        "analysis.bounds.findings.bounds_page", inputs=("phase", "marks", "crossings", "men", "compare", "fit", "methods", "published"),
        outputs=("findings", "phase_table", "men_table", "methods_table"),
        sources={"phase_table": "phase", "men_table": "compare", "methods_table": "methods"},
        settings={"collision_base": "bounds.collision_base"}),
}
