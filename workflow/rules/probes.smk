# probes stage: synthetic RoPE results, frequency probes and p-RoPE at small scale (Barbero et al. 2024,
# seed 004). Training is one cached job per variant (the `variant` wildcard; all seeds of the device's
# profile inside it): rebuilding figures or the report never retrains, and editing the synthetic or
# probe settings does not touch the models. Every rule runs a step of analysis/probes/steps.py (stage
# contract: workflow/README.md).
import os

from analysis.core.config import ROOT as PROBES_ROOT

PROBES_VARIANTS = config["probes"]["train"]["variants"]
PROBES_SUBJECT_CKPT = config["probes"].get("subject_checkpoint")
PROBES_SUBJECT = config["probes"]["subject_variant"]
PROBES_FIGURES = ["figure2", "prop31", "positional_heads", "freq_norms_layers", "freq_norms_heads",
                  "positional_scores", "attention_examples", "prope"]
PROBES_DISPLAY = ["prop32", "prope", "scorecard"]
PROBES_STEP = ["probes/steps.py", "core/step.py"]
PROBES_TRAIN_CODE = stage_code(*PROBES_STEP, "probes/train.py", "probes/model.py", "probes/corpus.py",
                               "probes/prope.py", "core/device.py")
# the training profiles a job reads: a forced device reads only its own (step train_cpu / train_cuda),
# so editing the other profile retrains nothing; `auto` decides at run time (torch is not imported here)
PROBES_TRAIN_STEP = "probes." + {"cpu": "train_cpu", "cuda": "train_cuda"}.get(config["probes"]["train"]["device"], "train")
# the archived p-RoPE run (`python -m analysis.probes archive --profile full`), None when none is archived
PROBES_ARCHIVED = archived_run("probes")


def probes_path(name):
    return result_path("probes", name)


def probes_archived(name):
    """The archived run's result ``name`` as an optional input: [path] when a run is archived, else []."""
    return [probes_path(f"archived/{name}")] if PROBES_ARCHIVED is not None else []


rule probes_synthetic:
    """Synthetic RoPE results: Figure 2 (all-ones vs Gaussian q, k), Proposition 3.1 keys, Proposition
    3.2 moments against their closed forms, positional heads built from the highest frequency."""
    input:
        code=stage_code(*PROBES_STEP, "probes/synthetic.py", "core/rope.py"),
    output:
        figure2=result("probes", "synthetic/figure2.parquet"),
        prop31=result("probes", "synthetic/prop31.parquet"),
        prop32=result("probes", "synthetic/prop32.csv"),
        positional_heads=result("probes", "synthetic/positional_heads.parquet"),
        summary=result("probes", "synthetic/summary.json"),
    params:
        step="probes.synthetic",
        settings=step_settings("probes.synthetic"),
    threads: 1
    log:
        log_path("probes", "probes_synthetic"),
    benchmark:
        bench_path("probes", "probes_synthetic")
    script:
        STEP_SCRIPT


rule probes_corpus:
    """The training corpus: sorted standard-library .py files, their train/validation split and sha256."""
    input:
        code=stage_code(*PROBES_STEP, "probes/corpus.py"),
    output:
        corpus=result("probes", "corpus.json"),
    params:
        step="probes.corpus",
        settings=step_settings("probes.corpus"),
    threads: 1
    log:
        log_path("probes", "probes_corpus"),
    benchmark:
        bench_path("probes", "probes_corpus")
    script:
        STEP_SCRIPT


rule probes_train:
    """Train one variant (RoPE 10k / 500k, p-RoPE, reversed p-RoPE, NoPE) of the small byte-level Gemma
    once per seed of the device's profile; save the first seed's model with save_pretrained and every
    seed's held-out loss on the whole validation split. Resumes from its checkpoints if interrupted.
    No corpus file input: the corpus is read from the standard library and its sha256 recorded
    (probes_prope checks it against corpus.json), so rewriting corpus.json never retrains.
    One thread per job: two variants train side by side on two cores (more efficient than one job on
    two threads at this model size), and results never depend on the machine's core count.
    Timings go to the sidecars and the log (they vary from run to run; the result does not)."""
    input:
        code=PROBES_TRAIN_CODE,
    output:
        config=result("probes", "models/{variant}/config.json"),
        weights=result("probes", "models/{variant}/model.safetensors"),
        metrics=result("probes", "train/{variant}.json"),
    params:
        step=PROBES_TRAIN_STEP,
        settings=step_settings(PROBES_TRAIN_STEP),
        variant="{variant}",
        checkpoints=probes_path("checkpoints/{variant}"),
    wildcard_constraints:
        variant="rope10k|rope500k|p025|p075|p075rev|nope",
    threads: 1
    log:
        log_path("probes", "probes_train_{variant}"),
    benchmark:
        bench_path("probes", "probes_train_{variant}")
    script:
        STEP_SCRIPT


def probes_subject_inputs(wc):
    """The trained subject model's files, unless a local checkpoint is probed instead."""
    if PROBES_SUBJECT_CKPT:
        return []
    return [probes_path(f"models/{PROBES_SUBJECT}/config.json"), probes_path(f"models/{PROBES_SUBJECT}/model.safetensors")]


rule probes_measure:
    """Hook the subject model's attention layers: per-frequency q/k chunk norms, high/low band shares,
    diagonal and previous-token scores per head, attention maps of the most positional heads."""
    input:
        code=stage_code(*PROBES_STEP, "probes/measure.py", "probes/hooks.py", "probes/model.py"),
        model=probes_subject_inputs,
        texts=os.path.join(str(PROBES_ROOT), config["probes"]["texts"]),
    output:
        norms=result("probes", "freq_norms.parquet"),
        heads=result("probes", "head_summary.csv"),
        examples=result("probes", "attention_examples.parquet"),
        subject=result("probes", "subject.json"),
    params:
        step="probes.measure",
        settings=step_settings("probes.measure"),
    threads: 1
    log:
        log_path("probes", "probes_measure"),
    benchmark:
        bench_path("probes", "probes_measure")
    script:
        STEP_SCRIPT


rule probes_prope:
    """p-RoPE at small scale: held-out loss of every trained variant over its seeds (mean, spread) beside
    the paper's Table 2, the per-seed table, the training curves and the orderings against RoPE 10k."""
    input:
        code=stage_code(*PROBES_STEP, "probes/prope.py"),
        runs=expand(probes_path("train/{variant}.json"), variant=PROBES_VARIANTS),
        corpus=probes_path("corpus.json"),
        published=PUBLISHED_VALUES,
    output:
        table=result("probes", "prope.csv"),
        runs=result("probes", "prope_runs.csv"),
        curves=result("probes", "train_curves.parquet"),
        summary=result("probes", "prope_summary.json"),
    params:
        step="probes.prope",
        settings=step_settings("probes.prope"),
    threads: 1
    log:
        log_path("probes", "probes_prope"),
    benchmark:
        bench_path("probes", "probes_prope")
    script:
        STEP_SCRIPT


if PROBES_ARCHIVED is not None:

    rule probes_prope_archived:
        """The archived p-RoPE run (metrics committed under data/archive/probes/<run>/): the quick run's
        tables by the same functions, each variant against RoPE 10k paired by seed; never retrains."""
        input:
            code=stage_code(*PROBES_STEP, "probes/prope.py", "probes/archive.py", "probes/display.py",
                            "core/archive.py", "core/stats.py"),
            files=[str(PROBES_ARCHIVED / f) for f in ("results.json", "provenance.json")],
            published=PUBLISHED_VALUES,
        output:
            table=result("probes", "archived/prope.csv"),
            runs=result("probes", "archived/prope_runs.csv"),
            curves=result("probes", "archived/train_curves.parquet"),
            summary=result("probes", "archived/prope_summary.json"),
            prope_display=result("probes", "archived/display/prope.parquet"),
            paired_display=result("probes", "archived/display/paired.parquet"),
        params:
            step="probes.prope_archived",
            settings=step_settings("probes.prope_archived"),
            folder=str(PROBES_ARCHIVED),
        threads: 1
        log:
            log_path("probes", "probes_prope_archived"),
        benchmark:
            bench_path("probes", "probes_prope_archived")
        script:
            STEP_SCRIPT

    rule probes_archived_figures:
        """The archived run's perplexities, training curves and paired differences against RoPE 10k."""
        input:
            code=stage_code(*PROBES_STEP, "probes/charts.py", "core/figures.py"),
            table=probes_path("archived/prope.csv"),
            curves=probes_path("archived/train_curves.parquet"),
            summary=probes_path("archived/prope_summary.json"),
        output:
            archived_prope=figure_files("probes", "archived_prope"),
        params:
            step="probes.archived_figures",
            settings=step_settings("probes.archived_figures"),
        threads: 1
        log:
            log_path("probes", "probes_archived_figures"),
        benchmark:
            bench_path("probes", "probes_archived_figures")
        script:
            STEP_SCRIPT

    ALL_TARGETS.extend([probes_path("archived/display/prope.parquet"), probes_path("archived/display/paired.parquet"),
                        probes_path("figures/archived_prope.svg")])


rule probes_scorecard:
    """The stage's scorecard rows (analysis/probes/claims.py), each with its criterion and verdict."""
    input:
        code=stage_code(*PROBES_STEP, "probes/claims.py", "probes/prope.py", "core/scorecard.py"),
        published=PUBLISHED_VALUES,
        prope=probes_path("prope.csv"),
        summary=probes_path("prope_summary.json"),
        synthetic=probes_path("synthetic/summary.json"),
        heads=probes_path("head_summary.csv"),
        subject=probes_path("subject.json"),
        archived=probes_archived("prope_summary.json"),
        archived_table=probes_archived("prope.csv"),
    output:
        scorecard=result("probes", "scorecard.csv"),
    params:
        step="probes.scorecard",
        settings=step_settings("probes.scorecard"),
    threads: 1
    log:
        log_path("probes", "probes_scorecard"),
    benchmark:
        bench_path("probes", "probes_scorecard")
    script:
        STEP_SCRIPT


rule probes_findings:
    """Every number and data-dependent phrase of report/probes.qmd (findings.json) and its display tables."""
    input:
        code=stage_code(*PROBES_STEP, "probes/findings.py", "probes/display.py", "core/findings.py", "core/numfmt.py", "core/archive.py", "core/stats.py"),
        synthetic=probes_path("synthetic/summary.json"),
        prop32=probes_path("synthetic/prop32.csv"),
        subject=probes_path("subject.json"),
        heads=probes_path("head_summary.csv"),
        corpus=probes_path("corpus.json"),
        prope=probes_path("prope.csv"),
        summary=probes_path("prope_summary.json"),
        scorecard=probes_path("scorecard.csv"),
        archived=probes_archived("prope_summary.json"),
        archived_table=probes_archived("prope.csv"),
    output:
        findings=result("probes", "findings.json"),
        **{name: result("probes", f"display/{name}.parquet", caption=f"display/{name}.parquet") for name in PROBES_DISPLAY},
    params:
        step="probes.findings",
        settings=step_settings("probes.findings"),
    threads: 1
    log:
        log_path("probes", "probes_findings"),
    benchmark:
        bench_path("probes", "probes_findings")
    script:
        STEP_SCRIPT


rule probes_figures:
    """Every probes figure (Altair: Vega-Lite JSON, SVG, PNG, HTML) from the result tables."""
    input:
        code=stage_code(*PROBES_STEP, "probes/charts.py", "core/figures.py"),
        figure2=probes_path("synthetic/figure2.parquet"),
        prop31=probes_path("synthetic/prop31.parquet"),
        heads_syn=probes_path("synthetic/positional_heads.parquet"),
        synthetic=probes_path("synthetic/summary.json"),
        norms=probes_path("freq_norms.parquet"),
        heads=probes_path("head_summary.csv"),
        examples=probes_path("attention_examples.parquet"),
        subject=probes_path("subject.json"),
        prope=probes_path("prope.csv"),
        curves=probes_path("train_curves.parquet"),
    output:
        **{name: figure_files("probes", name) for name in PROBES_FIGURES},
    params:
        step="probes.figures",
        settings=step_settings("probes.figures"),
    threads: 1
    log:
        log_path("probes", "probes_figures"),
    benchmark:
        bench_path("probes", "probes_figures")
    script:
        STEP_SCRIPT


ALL_TARGETS.extend(
    [probes_path("scorecard.csv"), probes_path("findings.json"), probes_path("prope.csv")]
    + [probes_path(f"display/{name}.parquet") for name in PROBES_DISPLAY]
    + [probes_path(f"figures/{name}.svg") for name in PROBES_FIGURES]
)
