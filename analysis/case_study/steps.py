"""The case-study stage's steps (``workflow/rules/case_study.smk``): every model judged per layer group,
the scorecard made from that table, the chart's reference curves, the chapter's figure and its findings."""

from __future__ import annotations

from analysis.case_study.groups import JUDGING_KEYS
from analysis.core.step import Step

# the judging settings, each passed as the keyword of its key's last part (JudgingSettings' fields)
JUDGING = {k.rsplit(".", 1)[1]: k for k in JUDGING_KEYS}

STEPS: dict[str, Step] = {
    "table": Step(
        "analysis.case_study.table.case_study_results", inputs=("models_file",), paths=("models_file",),
        settings={"include": "case_study.include", **JUDGING},
        outputs=("table", "csv", "schema", "display", "columns", "md", "tex"), copies={"csv": "table"}),
    "scorecard": Step(
        "analysis.case_study.claims.case_study_scorecard", inputs=("table",), outputs=("scorecard",),
        settings={"epsilon": "physics.epsilon"}),
    "curves": Step(
        "analysis.case_study.curves.reference_curves", outputs=("curves",),
        settings={"head_dim": "physics.head_dim", "layers": "case_study.chart.layers",
                  "log2_context_min": "case_study.chart.log2_context_min",
                  "log2_context_max": "case_study.chart.log2_context_max", "epsilon": "physics.epsilon",
                  "angle_dtype": "case_study.angle_dtype"}),
    "figures": Step(
        "analysis.case_study.charts.case_study_figures", inputs=("table", "curves"), outputs=("goldilocks_models",),
        settings={"epsilon": "physics.epsilon"}),
    "findings": Step(
        "analysis.case_study.findings.case_study_page", inputs=("table", "models_file"), paths=("models_file",),
        outputs=("findings",),
        settings={"epsilon": "physics.epsilon", "very_stable_margin": "case_study.very_stable_margin",
                  "men_max_context": "case_study.men_max_context"}),
}
