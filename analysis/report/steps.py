"""The report stage's steps (``workflow/rules/report.smk``): the reproduction scorecard and the
provenance appendix. Two rules have scripts of their own: the captions of `snakemake --report` (a
folder of files) and the render, which runs Quarto (analysis.report.quarto.render_book) over every
result."""

from __future__ import annotations

from analysis.core.step import Step

STEPS: dict[str, Step] = {
    "scorecard": Step(
        "analysis.report.summary.scorecard_results", inputs=("scorecards",), paths=("scorecards",), params=("titles",),
        outputs=("table", "parquet", "summary", "detail", "changes", "findings"), copies={"parquet": "table"}),
    "provenance": Step(
        "analysis.report.appendix.build_appendix", settings={"results_dir": "results_dir"},
        outputs=("appendix", "compact", "table")),
}
