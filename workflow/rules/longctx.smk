# longctx stage: do the bounds predict anything? The same small byte-level model trained with bases
# around Men et al.'s minimum base and the phase-modulation DC/depth bounds for its head dim and
# training length, measured on a retrieval probe at known distances (issue 12).
# Training is one cached job per base (all seeds of that base, resumable from checkpoints); evaluation
# is a separate job per base, so editing the measurement, the figures or the page never retrains.
# Rule longctx_<step> runs step "longctx.<step>" of analysis/longctx/steps.py with STEP_SCRIPT.
import os
import re

LONGCTX_CFG = config["longctx"]
if LONGCTX_CFG["profile"] == "auto":  # cheap test at parse time (no torch import): an NVIDIA device node
    LONGCTX_PROFILE = "gpu" if os.path.exists("/dev/nvidiactl") else "cpu"
else:
    LONGCTX_PROFILE = LONGCTX_CFG["profile"]
LONGCTX_PROFILE_KEY = f"longctx.{LONGCTX_PROFILE}"
LONGCTX_FACTORS = [f"{float(f):g}" for f in LONGCTX_CFG[LONGCTX_PROFILE]["base_factors"]]
LONGCTX_SEEDS = list(LONGCTX_CFG[LONGCTX_PROFILE]["seeds"])
LONGCTX_FIGURES = ["perplexity", "retrieval", "attention_mass", "attention_entropy", "men_B"]
# the archived run (`python -m analysis.longctx archive --profile full`), None when none is archived
LONGCTX_ARCHIVED = archived_run("longctx")
LONGCTX_ARCHIVED_FIGURES = ["archived_perplexity", "archived_retrieval", "archived_men_B"]
LONGCTX_CODE = ["longctx/steps.py", "core/step.py"]
LONGCTX_FACTOR = "|".join(re.escape(f) for f in LONGCTX_FACTORS)


def longctx_step(name):
    """The params of a longctx rule: its step and the settings of this build's profile."""
    return {"step": f"longctx.{name}", "settings": step_settings(f"longctx.{name}", profile=LONGCTX_PROFILE)}


rule longctx_bases:
    """Men et al.'s minimum base and the phase DC/depth bounds for the model's head dim and training
    length (the bounds chapter's functions), the trained bases (factor x Men's bound) and their B(m)."""
    input:
        code=stage_code("bounds", "core/rope.py", "core/men.py", "longctx/bases.py", *LONGCTX_CODE),
    output:
        bases=result("longctx", "bases.json"),
        curves=result("longctx", "men_B.parquet"),
    params:
        **longctx_step("bases"),
        profile=LONGCTX_PROFILE,
    threads: 1
    log:
        log_path("longctx", "longctx_bases"),
    benchmark:
        bench_path("longctx", "longctx_bases")
    script:
        STEP_SCRIPT


rule longctx_train:
    """Train the model with one base, every seed (same data, steps and initialisation per seed for
    every base); saves each seed's model and the training losses. Resumes from its checkpoints."""
    input:
        code=stage_code("longctx/task.py", "longctx/train.py", "probes/train.py", *LONGCTX_CODE),
        bases=result_path("longctx", "bases.json"),
    output:
        runs=result("longctx", "train/{factor}.json"),
        models=[result_path("longctx", f"models/{{factor}}/seed{s}/{f}") for s in LONGCTX_SEEDS for f in ("config.json", "model.safetensors")],
    params:
        **longctx_step("train"),
        profile=LONGCTX_PROFILE,
        factor=lambda wc: wc.factor,
        checkpoints=lambda wc: result_path("longctx", f"checkpoints/{wc.factor}"),
    wildcard_constraints:
        factor=LONGCTX_FACTOR,
    threads: 1
    log:
        log_path("longctx", "longctx_train_{factor}"),
    benchmark:
        bench_path("longctx", "longctx_train_{factor}")
    script:
        STEP_SCRIPT


rule longctx_eval:
    """Evaluate every seed's model of one base: perplexity on plain held-out text, retrieval accuracy
    by distance, attention mass on the key and attention entropy per layer and head."""
    input:
        code=stage_code("longctx/task.py", "longctx/measure.py", "probes/train.py", *LONGCTX_CODE),
        bases=result_path("longctx", "bases.json"),
        runs=result_path("longctx", "train/{factor}.json"),
        models=[result_path("longctx", f"models/{{factor}}/seed{s}/{f}") for s in LONGCTX_SEEDS for f in ("config.json", "model.safetensors")],
    output:
        perplexity=result("longctx", "eval/{factor}/perplexity.csv"),
        retrieval=result("longctx", "eval/{factor}/retrieval.parquet"),
        attention=result("longctx", "eval/{factor}/attention.parquet"),
    params:
        **longctx_step("eval"),
        profile=LONGCTX_PROFILE,
        factor=lambda wc: wc.factor,
        models_dir=lambda wc: result_path("longctx", f"models/{wc.factor}"),
    wildcard_constraints:
        factor=LONGCTX_FACTOR,
    threads: 1
    log:
        log_path("longctx", "longctx_eval_{factor}"),
    benchmark:
        bench_path("longctx", "longctx_eval_{factor}")
    script:
        STEP_SCRIPT


rule longctx_summary:
    """Seed means and spreads by base and distance, the quick run's scorecard rows and the display tables."""
    input:
        code=stage_code("longctx/summary.py", "longctx/claims.py", "core/scorecard.py", "core/stats.py", *LONGCTX_CODE),
        bases=result_path("longctx", "bases.json"),
        curves=result_path("longctx", "men_B.parquet"),
        runs=expand(result_path("longctx", "train/{factor}.json"), factor=LONGCTX_FACTORS),
        perplexity=expand(result_path("longctx", "eval/{factor}/perplexity.csv"), factor=LONGCTX_FACTORS),
        retrieval=expand(result_path("longctx", "eval/{factor}/retrieval.parquet"), factor=LONGCTX_FACTORS),
        attention=expand(result_path("longctx", "eval/{factor}/attention.parquet"), factor=LONGCTX_FACTORS),
    output:
        summary=result("longctx", "summary.json"),
        by_base=result("longctx", "by_base.csv"),
        by_distance=result("longctx", "by_distance.parquet"),
        bases_table=result("longctx", "display/bases.parquet"),
        scorecard=result("longctx", "quick_scorecard.csv"),
    params:
        **longctx_step("summary"),
    threads: 1
    log:
        log_path("longctx", "longctx_summary"),
    benchmark:
        bench_path("longctx", "longctx_summary")
    script:
        STEP_SCRIPT


rule longctx_figures:
    """Every longctx figure (perplexity vs base, retrieval / attention mass / entropy vs distance per
    base with the distances where B(m) < 0 marked, B(m) of the trained bases)."""
    input:
        code=stage_code("longctx/charts.py", "core/figures.py", *LONGCTX_CODE),
        summary=result_path("longctx", "summary.json"),
        by_base=result_path("longctx", "by_base.csv"),
        by_distance=result_path("longctx", "by_distance.parquet"),
        curves=result_path("longctx", "men_B.parquet"),
    output:
        **{name: figure_files("longctx", name) for name in LONGCTX_FIGURES},
    params:
        **longctx_step("figures"),
    threads: 1
    log:
        log_path("longctx", "longctx_figures"),
    benchmark:
        bench_path("longctx", "longctx_figures")
    script:
        STEP_SCRIPT


if LONGCTX_ARCHIVED is not None:

    rule longctx_archived:
        """The archived run (metrics committed under data/archive/longctx/<run>/): the same summary tables
        and scorecard rows as the quick run, by the same functions; never retrains."""
        input:
            code=stage_code("longctx/summary.py", "longctx/claims.py", "longctx/archive.py", "longctx/bases.py", "core/archive.py", "core/scorecard.py", "core/stats.py", *LONGCTX_CODE),
            files=[str(LONGCTX_ARCHIVED / f) for f in ("bases.json", "runs.json", "perplexity.csv", "models.parquet", "provenance.json")],
        output:
            summary=result("longctx", "archived/summary.json"),
            by_base=result("longctx", "archived/by_base.csv"),
            by_distance=result("longctx", "archived/by_distance.parquet"),
            bases_table=result("longctx", "archived/display/bases.parquet"),
            scorecard=result("longctx", "archived/scorecard.csv"),
            curves=result("longctx", "archived/men_B.parquet"),
        params:
            **longctx_step("archived"),
            folder=str(LONGCTX_ARCHIVED),
        threads: 1
        log:
            log_path("longctx", "longctx_archived"),
        benchmark:
            bench_path("longctx", "longctx_archived")
        script:
            STEP_SCRIPT

    rule longctx_archived_figures:
        """Perplexity vs base, retrieval vs every distance, and B(m) of the archived run."""
        input:
            code=stage_code("longctx/charts.py", "core/figures.py", *LONGCTX_CODE),
            summary=result_path("longctx", "archived/summary.json"),
            by_base=result_path("longctx", "archived/by_base.csv"),
            by_distance=result_path("longctx", "archived/by_distance.parquet"),
            curves=result_path("longctx", "archived/men_B.parquet"),
        output:
            **{name: figure_files("longctx", name) for name in LONGCTX_ARCHIVED_FIGURES},
        params:
            **longctx_step("archived_figures"),
        threads: 1
        log:
            log_path("longctx", "longctx_archived_figures"),
        benchmark:
            bench_path("longctx", "longctx_archived_figures")
        script:
            STEP_SCRIPT


rule longctx_scorecard:
    """The stage's scorecard: the archived run's rows (with the quick run's verdicts) or the quick run's."""
    input:
        code=stage_code("longctx/summary.py", *LONGCTX_CODE),
        quick=result_path("longctx", "quick_scorecard.csv"),
        archived=[result_path("longctx", "archived/scorecard.csv")] if LONGCTX_ARCHIVED is not None else [],
    output:
        scorecard=result("longctx", "scorecard.csv"),
    params:
        **longctx_step("scorecard"),
    threads: 1
    log:
        log_path("longctx", "longctx_scorecard"),
    benchmark:
        bench_path("longctx", "longctx_scorecard")
    script:
        STEP_SCRIPT


rule longctx_findings:
    """Every number and data-dependent phrase of report/longctx.qmd (results/longctx/findings.json)."""
    input:
        code=stage_code("longctx/findings.py", "core/findings.py", "core/numfmt.py", "core/archive.py", "core/stats.py", *LONGCTX_CODE),
        summary=result_path("longctx", "summary.json"),
        bases=result_path("longctx", "bases.json"),
        scorecard=result_path("longctx", "scorecard.csv"),
        archived=[result_path("longctx", "archived/summary.json")] if LONGCTX_ARCHIVED is not None else [],
    output:
        findings=result("longctx", "findings.json"),
    params:
        **longctx_step("findings"),
    threads: 1
    log:
        log_path("longctx", "longctx_findings"),
    benchmark:
        bench_path("longctx", "longctx_findings")
    script:
        STEP_SCRIPT


ALL_TARGETS.extend(
    [result_path("longctx", "scorecard.csv"), result_path("longctx", "findings.json"), result_path("longctx", "display/bases.parquet")]
    + [f for name in LONGCTX_FIGURES for f in figure_files("longctx", name)]
    + ([f for name in LONGCTX_ARCHIVED_FIGURES for f in figure_files("longctx", name)]
       if LONGCTX_ARCHIVED is not None else [])
)
