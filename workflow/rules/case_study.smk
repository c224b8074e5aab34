# case_study stage: the models of config/models.yaml (key case_study.models_file) classified against the
# bounds on the RoPE base (analysis/case_study.py). Editing one model reruns only these rules: the stage
# reads no upstream result, and Men et al.'s (slow) bound is cached per (context, rotary dims) pair.
import os

from analysis.case_study import load_models, men_pairs
from analysis.errors import InputError

CASE_CFG = config["case_study"]
CASE_MODELS = CASE_CFG["models_file"]
if not os.path.isabs(CASE_MODELS):
    CASE_MODELS = os.path.join(workflow.basedir, CASE_MODELS)
try:  # a bad models file stops here with one line naming the model and the key
    CASE_MEN_PAIRS = [list(p) for p in men_pairs(load_models(CASE_MODELS, CASE_CFG["include"]))]
except InputError as err:
    sys.exit(f"rope-bounds: {err}")


rule case_study_men_bounds:
    """Men et al.'s minimum base for every (claimed context, rotary dims) pair of the models. Its params
    are the pairs alone (not the whole section), so editing a model's base, layers or labels does not
    redo this search; a new context length or head size does."""
    output:
        with_prov(res("case_study", "men_bounds.parquet")),
    params:
        pairs=CASE_MEN_PAIRS,
    log:
        log_path("case_study", "case_study_men_bounds"),
    benchmark:
        bench_path("case_study", "case_study_men_bounds")
    script:
        "../scripts/case_study_men.py"


rule case_study_table:
    """Every model at its claimed context: transformers-derived effective frequencies, phase bounds
    (paper and exact), Men et al.'s bound and B(m) check, both precision walls, margins and labels;
    written as Parquet, CSV, Markdown, LaTeX, plus the scorecard rows for the paper's labels."""
    input:
        models=CASE_MODELS,
        men=res("case_study", "men_bounds.parquet"),
    output:
        with_prov(res("case_study", "table.parquet")),
        csv=report(
            res("case_study", "table.csv"),
            caption="../report/case_study/table.rst",
            category="Case study",
        ),
        csv_prov=str(sidecar_path(res("case_study", "table.csv"))),
        md=with_prov(res("case_study", "table.md")),
        tex=with_prov(res("case_study", "table.tex")),
        scorecard=with_prov(res("case_study", "scorecard.csv")),
    params:
        cfg=CASE_CFG,
    log:
        log_path("case_study", "case_study_table"),
    benchmark:
        bench_path("case_study", "case_study_table")
    script:
        "../scripts/case_study_table.py"


rule case_study_chart:
    """The Goldilocks chart: every model's effective base at its claimed context against reference
    lower-bound curves and precision walls."""
    input:
        res("case_study", "table.parquet"),
    output:
        svg=report(
            res("case_study", "figures/goldilocks_models.svg"),
            caption="../report/case_study/goldilocks_models.rst",
            category="Case study",
        ),
        rest=[p for p in fig("case_study", "goldilocks_models") if not p.endswith(".svg")],
    params:
        cfg=CASE_CFG,
    log:
        log_path("case_study", "case_study_chart"),
    benchmark:
        bench_path("case_study", "case_study_chart")
    script:
        "../scripts/case_study_chart.py"


ALL_TARGETS.extend(
    [
        res("case_study", "table.parquet"),
        res("case_study", "table.csv"),
        res("case_study", "table.md"),
        res("case_study", "table.tex"),
        res("case_study", "scorecard.csv"),
        res("case_study", "figures/goldilocks_models.svg"),
    ]
)
