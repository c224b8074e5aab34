# probes stage: synthetic RoPE results, frequency probes and p-RoPE at small scale (Barbero et al. 2024,
# seed 004). Training is one cached job per variant (the `variant` wildcard; all seeds of the device's
# profile inside it): rebuilding figures or the report never retrains, and editing the synthetic or
# probe settings does not touch the models.

from analysis.core.config import ROOT as PROBES_ROOT

PROBES_VARIANTS = config["probes"]["train"]["variants"]
PROBES_SUBJECT_CKPT = config["probes"].get("subject_checkpoint")
PROBES_SUBJECT = config["probes"]["subject_variant"]
PROBES_FIGURES = ["figure2", "prop31", "positional_heads", "freq_norms_layers", "freq_norms_heads",
                  "positional_scores", "attention_examples", "prope"]
PROBES_SYNTHETIC_KEYS = ["base", "max_distance", "n_seeds", "prop32_samples", "prop32_distances", "z_tolerance",
                         "var_tolerance", "prop31_targets", "prop31_max_distance", "head_seq_len",
                         "head_logit_scales", "seed"]
PROBES_TRAIN_CODE = stage_code("probes/train.py", "probes/model.py", "probes/corpus.py", "core/device.py")
# the training profiles a job may read: a forced device reads only its own, so editing the other
# profile retrains nothing; `auto` decides at run time (torch is not imported here)
PROBES_PROFILES = {"cpu": ["cpu"], "cuda": ["gpu"]}.get(config["probes"]["train"]["device"], ["cpu", "gpu"])


rule probes_synthetic:
    """Synthetic RoPE results: Figure 2 (all-ones vs Gaussian q, k), Proposition 3.1 keys, Proposition
    3.2 moments against their closed forms, positional heads built from the highest frequency."""
    input:
        code=stage_code("probes/synthetic.py", "core/rope.py"),
    output:
        figure2=result("probes", "synthetic/figure2.parquet"),
        prop31=result("probes", "synthetic/prop31.parquet"),
        prop32=result("probes", "synthetic/prop32.csv"),
        positional_heads=result("probes", "synthetic/positional_heads.parquet"),
        summary=result("probes", "synthetic/summary.json"),
    params:
        settings=settings("physics.head_dim", *(f"probes.synthetic.{k}" for k in PROBES_SYNTHETIC_KEYS)),
    threads: 1
    log:
        log_path("probes", "probes_synthetic"),
    benchmark:
        bench_path("probes", "probes_synthetic")
    script:
        "../scripts/probes_synthetic.py"


rule probes_corpus:
    """The training corpus: sorted standard-library .py files, their train/validation split and sha256."""
    input:
        code=stage_code("probes/corpus.py"),
    output:
        corpus=result("probes", "corpus.json"),
    params:
        settings=settings("probes.train.corpus_bytes", "probes.train.val_every"),
    threads: 1
    log:
        log_path("probes", "probes_corpus"),
    benchmark:
        bench_path("probes", "probes_corpus")
    script:
        "../scripts/probes_corpus.py"


rule probes_train:
    """Train one variant (RoPE 10k / 500k, p-RoPE, reversed p-RoPE, NoPE) of the small byte-level Gemma
    once per seed of the device's profile; save the first seed's model with save_pretrained and every
    seed's held-out loss on the whole validation split. Resumes from its checkpoints if interrupted.
    No corpus file input: the corpus is read from the standard library and its sha256 recorded
    (probes_prope checks it against corpus.json), so rewriting corpus.json never retrains.
    One thread per job: two variants train side by side on two cores (more efficient than one job on
    two threads at this model size), and results never depend on the machine's core count."""
    input:
        code=PROBES_TRAIN_CODE,
    output:
        config=result("probes", "models/{variant}/config.json"),
        weights=result("probes", "models/{variant}/model.safetensors"),
        metrics=result("probes", "train/{variant}.json"),
    params:
        settings=settings("probes.train.device", "probes.train.corpus_bytes", "probes.train.val_every",
                          "probes.train.restore_check", *(f"probes.train.{p}" for p in PROBES_PROFILES)),
        checkpoints=lambda wc: res("probes", f"checkpoints/{wc.variant}"),
    wildcard_constraints:
        variant="rope10k|rope500k|p025|p075|p075rev|nope",
    threads: 1
    log:
        log_path("probes", "probes_train_{variant}"),
    benchmark:
        bench_path("probes", "probes_train_{variant}")
    script:
        "../scripts/probes_train.py"


def probes_subject_inputs(wc):
    """The trained subject model's files, unless a local checkpoint is probed instead."""
    if PROBES_SUBJECT_CKPT:
        return []
    return [res("probes", f"models/{PROBES_SUBJECT}/config.json"), res("probes", f"models/{PROBES_SUBJECT}/model.safetensors")]


rule probes_measure:
    """Hook the subject model's attention layers: per-frequency q/k chunk norms, high/low band shares,
    diagonal and previous-token scores per head, attention maps of the most positional heads."""
    input:
        model=probes_subject_inputs,
        texts=os.path.join(str(PROBES_ROOT), config["probes"]["texts"]),
        code=stage_code("probes/measure.py", "probes/hooks.py", "probes/model.py"),
    output:
        norms=result("probes", "freq_norms.parquet"),
        heads=result("probes", "head_summary.csv"),
        examples=result("probes", "attention_examples.parquet"),
        subject=result("probes", "subject.json"),
    params:
        settings=settings("probes.subject_variant", "probes.subject_checkpoint", "probes.texts", "probes.max_tokens",
                          "probes.band_fraction", "probes.example_tokens"),
        model_dir=res("probes", f"models/{PROBES_SUBJECT}"),
    threads: 1
    log:
        log_path("probes", "probes_measure"),
    benchmark:
        bench_path("probes", "probes_measure")
    script:
        "../scripts/probes_measure.py"


rule probes_prope:
    """p-RoPE at small scale: held-out loss of every trained variant over its seeds (mean, spread) beside
    the paper's Table 2, the per-seed table, the training curves and the orderings against RoPE 10k."""
    input:
        runs=expand(res("probes", "train/{variant}.json"), variant=PROBES_VARIANTS),
        corpus=res("probes", "corpus.json"),
        published=PUBLISHED_VALUES,
        code=stage_code("probes/prope.py"),
    output:
        table=result("probes", "prope.csv"),
        runs=result("probes", "prope_runs.csv"),
        curves=result("probes", "train_curves.parquet"),
        summary=result("probes", "prope_summary.json"),
    threads: 1
    log:
        log_path("probes", "probes_prope"),
    benchmark:
        bench_path("probes", "probes_prope")
    script:
        "../scripts/probes_prope.py"


rule probes_scorecard:
    """The stage's scorecard rows (analysis/probes/claims.py), each with its criterion and verdict."""
    input:
        prope=res("probes", "prope.csv"),
        summary=res("probes", "prope_summary.json"),
        synthetic=res("probes", "synthetic/summary.json"),
        heads=res("probes", "head_summary.csv"),
        subject=res("probes", "subject.json"),
        published=PUBLISHED_VALUES,
        code=stage_code("probes/claims.py", "probes/prope.py", "core/scorecard.py"),
    output:
        table=result("probes", "scorecard.csv"),
    threads: 1
    log:
        log_path("probes", "probes_scorecard"),
    benchmark:
        bench_path("probes", "probes_scorecard")
    script:
        "../scripts/probes_scorecard.py"


rule probes_findings:
    """Every number and data-dependent phrase of report/probes.qmd (findings.json) and its display tables."""
    input:
        synthetic=res("probes", "synthetic/summary.json"),
        prop32=res("probes", "synthetic/prop32.csv"),
        subject=res("probes", "subject.json"),
        heads=res("probes", "head_summary.csv"),
        corpus=res("probes", "corpus.json"),
        prope=res("probes", "prope.csv"),
        summary=res("probes", "prope_summary.json"),
        scorecard=res("probes", "scorecard.csv"),
        code=stage_code("probes/findings.py", "probes/display.py", "core/findings.py", "core/numfmt.py"),
    output:
        findings=result("probes", "findings.json"),
        prop32=result("probes", "display/prop32.parquet", caption="display/prop32.parquet"),
        prope=result("probes", "display/prope.parquet", caption="display/prope.parquet"),
        scorecard=result("probes", "display/scorecard.parquet", caption="display/scorecard.parquet"),
    threads: 1
    log:
        log_path("probes", "probes_findings"),
    benchmark:
        bench_path("probes", "probes_findings")
    script:
        "../scripts/probes_findings.py"


rule probes_figures:
    """Every probes figure (Altair: Vega-Lite JSON, SVG, PNG, HTML) from the result tables."""
    input:
        figure2=res("probes", "synthetic/figure2.parquet"),
        prop31=res("probes", "synthetic/prop31.parquet"),
        heads_syn=res("probes", "synthetic/positional_heads.parquet"),
        synthetic=res("probes", "synthetic/summary.json"),
        norms=res("probes", "freq_norms.parquet"),
        heads=res("probes", "head_summary.csv"),
        examples=res("probes", "attention_examples.parquet"),
        subject=res("probes", "subject.json"),
        prope=res("probes", "prope.csv"),
        curves=res("probes", "train_curves.parquet"),
        code=stage_code("probes/charts.py", "core/figures.py"),
    output:
        **{name: figure_files("probes", name) for name in PROBES_FIGURES},
    threads: 1
    log:
        log_path("probes", "probes_figures"),
    benchmark:
        bench_path("probes", "probes_figures")
    script:
        "../scripts/probes_figures.py"


ALL_TARGETS.extend(
    [
        res("probes", "scorecard.csv"),
        res("probes", "findings.json"),
        res("probes", "prope.csv"),
        res("probes", "figures/prope.svg"),
        res("probes", "figures/figure2.svg"),
    ]
)
