# precision stage: measured floating-point erasure of RoPE positions (seeds 000/001, Wang et al. 2024)
# on the device at hand (CUDA when present, else CPU), beside committed measurements of other devices
# in data/measurements/<device>/ (written by `python -m analysis.precision export`).
from pathlib import Path

PRECISION_CFG = config["precision"]
PRECISION_DATA = sorted(
    str(p.parent) for p in Path(workflow.basedir, "data", "measurements").glob("*/provenance.json")
)
PRECISION_TABLES = ["collisions", "logit_error", "invariance", "throughput", "walls"]
PRECISION_FIGURES = ["collisions", "distinct_fraction", "logit_error", "invariance", "throughput"]


rule precision_collisions:
    """First position where the lowest-frequency angle p*theta_min stops changing, and the fraction
    of distinct angles among 0..L, per format, mode (native / fp32_cast / cos_sin_cast) and base."""
    output:
        report(res("precision", "collisions.csv"), caption="../report/precision/collisions_table.rst",
               category="Precision"),
        sidecar=str(sidecar_path(res("precision", "collisions.csv"))),
    params:
        cfg=PRECISION_CFG,
    log:
        log_path("precision", "precision_collisions"),
    benchmark:
        bench_path("precision", "precision_collisions")
    script:
        "../scripts/precision_collisions.py"


rule precision_logits:
    """Attention-logit error against the exact value and relative-position invariance (spread over
    absolute positions) for the hf / native / fp32 RoPE implementations, positions up to 2^20."""
    output:
        error=with_prov(res("precision", "logit_error.csv")),
        invariance=with_prov(res("precision", "invariance.csv")),
    params:
        cfg=PRECISION_CFG,
    log:
        log_path("precision", "precision_logits"),
    benchmark:
        bench_path("precision", "precision_logits")
    script:
        "../scripts/precision_logits.py"


rule precision_throughput:
    """Tokens per second of applying RoPE (Hugging Face style) per format on this device."""
    output:
        with_prov(res("precision", "throughput.csv")),
    params:
        cfg=PRECISION_CFG,
    log:
        log_path("precision", "precision_throughput"),
    benchmark:
        bench_path("precision", "precision_throughput")
    script:
        "../scripts/precision_throughput.py"


rule precision_summary:
    """Predicted vs measured walls, Wang et al.'s claims and the scorecard for this run; every
    table stacked with the committed measurements of other devices (column `source`)."""
    input:
        collisions=res("precision", "collisions.csv"),
        error=res("precision", "logit_error.csv"),
        invariance=res("precision", "invariance.csv"),
        throughput=res("precision", "throughput.csv"),
        published=os.path.join(workflow.basedir, "config", "published_values.yaml"),
        committed=[f"{d}/{t}.csv" for d in PRECISION_DATA for t in PRECISION_TABLES],
    output:
        walls=report(res("precision", "walls.csv"), caption="../report/precision/walls.rst", category="Precision"),
        walls_prov=str(sidecar_path(res("precision", "walls.csv"))),
        claims=with_prov(res("precision", "wang_claims.csv")),
        scorecard=with_prov(res("precision", "scorecard.csv")),
        devices=[f for t in PRECISION_TABLES for f in with_prov(res("precision", f"devices_{t}.parquet"))],
    params:
        cfg=PRECISION_CFG,
        folders=PRECISION_DATA,
    log:
        log_path("precision", "precision_summary"),
    benchmark:
        bench_path("precision", "precision_summary")
    script:
        "../scripts/precision_summary.py"


rule precision_figures:
    """Figures of every measurement, each device (committed data sets and this run) side by side."""
    input:
        [res("precision", f"devices_{t}.parquet") for t in PRECISION_TABLES],
    output:
        [report(f"{RESULTS}/precision/figures/{n}.svg", caption=f"../report/precision/{n}.rst", category="Precision")
         for n in PRECISION_FIGURES],
        [f for n in PRECISION_FIGURES for f in fig("precision", n) if not f.endswith(".svg")],
    params:
        cfg=PRECISION_CFG,
    log:
        log_path("precision", "precision_figures"),
    benchmark:
        bench_path("precision", "precision_figures")
    script:
        "../scripts/precision_figures.py"


ALL_TARGETS.extend(
    [
        res("precision", "walls.csv"),
        res("precision", "scorecard.csv"),
        res("precision", "wang_claims.csv"),
        *[f"{RESULTS}/precision/figures/{n}.svg" for n in PRECISION_FIGURES],
    ]
)
