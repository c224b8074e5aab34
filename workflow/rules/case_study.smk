# case_study stage: the models of config/models.yaml (key case_study.models_file) classified against the
# bounds on the RoPE base (analysis/case_study.py). Editing one model reruns only these rules: the stage
# reads no upstream result, and Men et al.'s (slow) bound is cached per (context, rotary dims) pair.
import os

from analysis.case_study import load_models, men_pairs
from analysis.core.errors import InputError

CASE_CFG = config["case_study"]
CASE_MODELS = CASE_CFG["models_file"]
if not os.path.isabs(CASE_MODELS):
    CASE_MODELS = os.path.join(workflow.basedir, CASE_MODELS)
try:  # a bad models file stops here with one line naming the model and the key
    CASE_MEN_PAIRS = men_pairs(load_models(CASE_MODELS, CASE_CFG["include"]), CASE_CFG["men_max_context"])
except InputError as err:
    sys.exit(f"rope-bounds: {err}")


def case_men_file(L, d):
    return res("case_study", f"men/L{L}_d{d}.json")


rule case_study_men_bound:
    """Men et al.'s minimum base for one (context length L, rotary dims d) pair, searched by the bounds
    module. One file per pair: editing a model's base, layers or labels never redoes a search, and a
    new context length or head size searches only the new pair (pairs run in parallel)."""
    output:
        with_prov(res("case_study", "men/L{L}_d{d}.json")),
    wildcard_constraints:
        L=r"\d+",
        d=r"\d+",
    log:
        log_path("case_study", "case_study_men_bound_L{L}_d{d}"),
    benchmark:
        bench_path("case_study", "case_study_men_bound_L{L}_d{d}")
    script:
        "../scripts/case_study_men.py"


rule case_study_table:
    """Every model at its claimed context: transformers-derived effective frequencies, phase bounds
    (paper and exact), Men et al.'s bound and B(m) check, both precision walls, margins and labels;
    written as Parquet, CSV, Markdown, LaTeX, plus the scorecard rows for the paper's labels."""
    input:
        models=CASE_MODELS,
        men=[case_men_file(L, d) for L, d in CASE_MEN_PAIRS],
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
