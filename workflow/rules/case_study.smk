# case_study stage: the models of config/models.yaml (key case_study.models_file), each read from its own
# config.json by the reader of `python -m analysis classify`, judged layer group by layer group against the
# bounds on the RoPE base (analysis/case_study/). The stage reads no upstream result.
# Rule case_study_<step> runs step "case_study.<step>" of analysis/case_study/steps.py (STEP_SCRIPT).
import os
import sys

from analysis.case_study.findings import csv_name
from analysis.case_study.models import config_file, load_models
from analysis.core.errors import InputError
from analysis.report.version import package_version

CASE_MODELS = config["case_study"]["models_file"]
if not os.path.isabs(CASE_MODELS):
    CASE_MODELS = os.path.join(workflow.basedir, CASE_MODELS)
try:  # a bad models file stops here with one line naming the model and the key
    CASE_CONFIGS = [str(p) for m in load_models(CASE_MODELS, config["case_study"]["include"])
                    if (p := config_file(m)) is not None]
except InputError as err:
    sys.exit(f"rope-bounds: {err}")
CASE_CSV = csv_name(package_version())
CASE_CODE = ["case_study/steps.py", "core/step.py"]


rule case_study_table:
    """Every model read from its config.json and judged per layer group (effective frequencies from
    transformers, phase bounds in both forms, ε*, Men et al.'s bound and B(m), walls, labels): the full
    table (Parquet, CSV named with the version, column schema), the page's display table, Markdown
    and LaTeX."""
    input:
        models_file=CASE_MODELS,
        configs=CASE_CONFIGS,
        men_curve=MEN_CURVE_FILE,  # Men et al.'s minimum bases: the bounds stage's shipped curve where it covers
        code=stage_code("case_study", "core/rope.py", "core/men.py", "bounds", *CASE_CODE),
    output:
        table=result("case_study", "table.parquet"),
        csv=result("case_study", CASE_CSV, caption="display/models.parquet"),
        schema=result("case_study", "table.schema.json"),
        display=result("case_study", "display/models.parquet"),
        columns=result("case_study", "display/columns.parquet"),
        md=result("case_study", "table.md"),
        tex=result("case_study", "table.tex"),
    params:
        step="case_study.table",
        settings=step_settings("case_study.table"),
    threads: 1
    log:
        log_path("case_study", "case_study_table"),
    benchmark:
        bench_path("case_study", "case_study_table")
    script:
        STEP_SCRIPT


rule case_study_scorecard:
    """Scorecard: the paper's case study and its claim that the bounds separate stable from unstable
    models, judged on the table, each with its criterion, verdict and reason."""
    input:
        table=result_path("case_study", "table.parquet"),
        code=stage_code("case_study/claims.py", "core/scorecard.py", "core/numfmt.py", *CASE_CODE),
    output:
        scorecard=result("case_study", "scorecard.csv"),
    params:
        step="case_study.scorecard",
        settings=step_settings("case_study.scorecard"),
    threads: 1
    log:
        log_path("case_study", "case_study_scorecard"),
    benchmark:
        bench_path("case_study", "case_study_scorecard")
    script:
        STEP_SCRIPT


rule case_study_curves:
    """Reference curves of the chart (exact aliasing, DC and depth bounds over L = 2^k; precision walls)."""
    input:
        code=stage_code("case_study/curves.py", "bounds", "core/rope.py", "core/men.py", *CASE_CODE),
    output:
        curves=result("case_study", "reference_curves.parquet"),
    params:
        step="case_study.curves",
        settings=step_settings("case_study.curves"),
    threads: 1
    log:
        log_path("case_study", "case_study_curves"),
    benchmark:
        bench_path("case_study", "case_study_curves")
    script:
        STEP_SCRIPT


rule case_study_figures:
    """The chapter's figure: every RoPE layer group at (judged length, effective base) against the
    reference curves (the Goldilocks chart)."""
    input:
        table=result_path("case_study", "table.parquet"),
        curves=result_path("case_study", "reference_curves.parquet"),
        code=stage_code("case_study/charts.py", "core/figures.py", *CASE_CODE),
    output:
        goldilocks_models=figure_files("case_study", "goldilocks_models"),
    params:
        step="case_study.figures",
        settings=step_settings("case_study.figures"),
    threads: 1
    log:
        log_path("case_study", "case_study_figures"),
    benchmark:
        bench_path("case_study", "case_study_figures")
    script:
        STEP_SCRIPT


rule case_study_findings:
    """The page's numbers and sentences (results/case_study/findings.json)."""
    input:
        table=result_path("case_study", "table.parquet"),
        models_file=CASE_MODELS,
        code=stage_code("case_study/findings.py", "case_study/display.py", "core/markdown.py", *CASE_CODE),
    output:
        findings=result("case_study", "findings.json"),
    params:
        step="case_study.findings",
        settings=step_settings("case_study.findings"),
    threads: 1
    log:
        log_path("case_study", "case_study_findings"),
    benchmark:
        bench_path("case_study", "case_study_findings")
    script:
        STEP_SCRIPT


ALL_TARGETS.extend(
    [
        result_path("case_study", "table.parquet"),
        result_path("case_study", CASE_CSV),
        result_path("case_study", "display/models.parquet"),
        result_path("case_study", "display/columns.parquet"),
        result_path("case_study", "scorecard.csv"),
        result_path("case_study", "findings.json"),
        result_path("case_study", "figures/goldilocks_models.vl.json"),
    ]
)
