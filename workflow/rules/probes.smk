# probes stage: synthetic RoPE results, frequency probes and p-RoPE at small scale (Barbero et al. 2024,
# seed 004). Training is one cached job per variant (the `variant` wildcard): rebuilding figures or the
# report never retrains, and editing the synthetic or probe settings does not touch the models.

from analysis.core.config import ROOT as PROBES_ROOT

PROBES_CFG = config["probes"]
PROBES_TRAIN_CFG = PROBES_CFG["train"]
PROBES_VARIANTS = PROBES_TRAIN_CFG["variants"]
PROBES_SUBJECT_CKPT = PROBES_CFG.get("subject_checkpoint")
PROBES_SUBJECT = PROBES_CFG["subject_variant"]
PROBES_FIGURES = ["figure2", "prop31", "positional_heads", "freq_norms_layers", "freq_norms_heads",
                  "positional_scores", "attention_examples", "prope"]


def probes_report(path, name):
    """`path` wrapped for `snakemake --report` with its RST caption (workflow/report/probes/)."""
    return report(path, caption=f"../report/probes/{name}.rst", category="Probes")


def probes_table(name, caption):
    """A result table and its provenance sidecar, the table wrapped for `snakemake --report`."""
    path, side = with_prov(res("probes", name))
    return [probes_report(path, caption), side]


def probes_fig(name):
    """All renderings of figure `name`, the SVG wrapped for `snakemake --report`."""
    return [probes_report(f, name) if f.endswith(".svg") else f for f in fig("probes", name)]


rule probes_synthetic:
    """Synthetic RoPE results: Figure 2 (all-ones vs Gaussian q, k), Proposition 3.1 keys, Proposition
    3.2 moments against their closed forms, positional heads built from the highest frequency."""
    output:
        with_prov(res("probes", "synthetic/figure2.parquet")),
        with_prov(res("probes", "synthetic/prop31.parquet")),
        with_prov(res("probes", "synthetic/prop32.csv")),
        with_prov(res("probes", "synthetic/positional_heads.parquet")),
        with_prov(res("probes", "synthetic/summary.json")),
    params:
        cfg=PROBES_CFG["synthetic"],
    log:
        log_path("probes", "probes_synthetic"),
    benchmark:
        bench_path("probes", "probes_synthetic")
    script:
        "../scripts/probes_synthetic.py"


rule probes_corpus:
    """The training corpus: sorted standard-library .py files, their train/validation split and sha256."""
    output:
        with_prov(res("probes", "corpus.json")),
    params:
        cfg=PROBES_TRAIN_CFG,
    log:
        log_path("probes", "probes_corpus"),
    benchmark:
        bench_path("probes", "probes_corpus")
    script:
        "../scripts/probes_corpus.py"


rule probes_train:
    """Train one variant (RoPE 10k / 500k, p-RoPE, reversed p-RoPE, NoPE) of the small byte-level Gemma;
    save it with save_pretrained and its held-out perplexity. Resumes from its checkpoint if interrupted.
    No file input: the corpus is read from the standard library and its sha256 recorded (probes_prope
    checks it against corpus.json), so rewriting corpus.json never retrains."""
    output:
        res("probes", "models/{variant}/config.json"),
        res("probes", "models/{variant}/model.safetensors"),
        with_prov(res("probes", "train/{variant}.json")),
    params:
        cfg=PROBES_TRAIN_CFG,
        checkpoints=lambda wc: res("probes", f"checkpoints/{wc.variant}"),
    wildcard_constraints:
        variant="rope10k|rope500k|p025|p075|p075rev|nope",
    threads: 2
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
        texts=os.path.join(str(PROBES_ROOT), PROBES_CFG["texts"]),
    output:
        with_prov(res("probes", "freq_norms.parquet")),
        with_prov(res("probes", "head_summary.csv")),
        with_prov(res("probes", "attention_examples.parquet")),
        with_prov(res("probes", "subject.json")),
    params:
        cfg={k: v for k, v in PROBES_CFG.items() if k not in ("synthetic", "train")},
        model_dir=res("probes", f"models/{PROBES_SUBJECT}"),
    log:
        log_path("probes", "probes_measure"),
    benchmark:
        bench_path("probes", "probes_measure")
    script:
        "../scripts/probes_measure.py"


rule probes_prope:
    """p-RoPE at small scale: held-out perplexity of every trained variant beside the paper's Table 2,
    the ordering comparison, and the stage's scorecard rows."""
    input:
        runs=expand(res("probes", "train/{variant}.json"), variant=PROBES_VARIANTS),
        corpus=res("probes", "corpus.json"),
        synthetic=res("probes", "synthetic/summary.json"),
        heads=res("probes", "head_summary.csv"),
        subject=res("probes", "subject.json"),
    output:
        probes_table("prope.csv", "prope_table"),
        with_prov(res("probes", "prope_summary.json")),
        probes_table("scorecard.csv", "scorecard"),
    params:
        cfg=PROBES_CFG,
    log:
        log_path("probes", "probes_prope"),
    benchmark:
        bench_path("probes", "probes_prope")
    script:
        "../scripts/probes_prope.py"


rule probes_figures:
    """Every probes figure (Altair: Vega-Lite JSON, SVG, PNG, HTML) from the result tables."""
    input:
        figure2=res("probes", "synthetic/figure2.parquet"),
        prop31=res("probes", "synthetic/prop31.parquet"),
        heads_syn=res("probes", "synthetic/positional_heads.parquet"),
        norms=res("probes", "freq_norms.parquet"),
        heads=res("probes", "head_summary.csv"),
        examples=res("probes", "attention_examples.parquet"),
        subject=res("probes", "subject.json"),
        prope=res("probes", "prope.csv"),
        runs=expand(res("probes", "train/{variant}.json"), variant=PROBES_VARIANTS),
    output:
        [f for name in PROBES_FIGURES for f in probes_fig(name)],
    params:
        cfg=PROBES_CFG,
    log:
        log_path("probes", "probes_figures"),
    benchmark:
        bench_path("probes", "probes_figures")
    script:
        "../scripts/probes_figures.py"


ALL_TARGETS.extend(
    [
        res("probes", "scorecard.csv"),
        res("probes", "prope.csv"),
        res("probes", "figures/prope.svg"),
        res("probes", "figures/figure2.svg"),
    ]
)
