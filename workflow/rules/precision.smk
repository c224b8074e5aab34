# precision stage: measured floating-point erasure of RoPE positions (seeds 000/001, Wang et al. 2024)
# on the device at hand (CUDA when present, else CPU), beside committed measurements of other devices
# in data/measurements/<device>/ (written by `python -m analysis.precision export`).
from pathlib import Path

PRECISION_DATA = sorted(
    str(p.parent) for p in Path(workflow.basedir, "data", "measurements").glob("*/provenance.json")
)
PRECISION_TABLES = ["collisions", "logit_error", "invariance", "throughput", "walls", "erasure"]
PRECISION_COLLISIONS = [f"precision.collisions.{k}" for k in (
    "formats", "base_log10_min", "base_log10_max", "bases_per_decade", "context_length", "max_position",
    "chunk_positions")]
# the analysis sources each rule runs (editing one reruns exactly the results it feeds)
PRECISION_MODULES = {m: f"precision/{m}.py" for m in ("device", "collisions", "walls", "logits", "throughput",
                                                      "claims", "datasets", "summary", "findings")}
PRECISION_CODE = {
    "collisions": stage_code(PRECISION_MODULES["device"], "core/device.py", PRECISION_MODULES["collisions"], "core/rope.py"),
    "logits": stage_code(PRECISION_MODULES["device"], "core/device.py", PRECISION_MODULES["logits"], "core/rope.py"),
    "throughput": stage_code(PRECISION_MODULES["device"], "core/device.py", PRECISION_MODULES["logits"], PRECISION_MODULES["throughput"], "core/rope.py"),
    "summary": stage_code(PRECISION_MODULES["walls"], PRECISION_MODULES["claims"], PRECISION_MODULES["datasets"], PRECISION_MODULES["summary"], "core/scorecard.py"),
    "findings": stage_code(PRECISION_MODULES["findings"], "core/findings.py", "core/numfmt.py"),
}
PRECISION_LOGITS = [f"precision.logits.{k}" for k in (
    "base", "delta", "n_vectors", "log2_max_position", "dense_until", "per_octave", "chunk_positions")]


rule precision_collisions:
    """First position whose lowest-frequency pair, and whose whole RoPE vector, equals the previous
    position's, and the distinct fraction among 0..L, per format, path and base."""
    input:
        code=PRECISION_CODE["collisions"],
    output:
        table=result("precision", "collisions.csv", caption="collisions.csv"),
    params:
        settings=settings("physics.head_dim", "precision.device", *PRECISION_COLLISIONS),
    threads: 1
    log:
        log_path("precision", "precision_collisions"),
    benchmark:
        bench_path("precision", "precision_collisions")
    script:
        "../scripts/precision_collisions.py"


rule precision_logits:
    """Attention-logit error against the exact value and relative-position invariance (spread over
    absolute positions) for the hf / native / fp32 RoPE implementations."""
    input:
        code=PRECISION_CODE["logits"],
    output:
        error=result("precision", "logit_error.csv"),
        invariance=result("precision", "invariance.csv"),
    params:
        settings=settings("physics.head_dim", "physics.dtypes", "precision.device", "precision.seed",
                          *PRECISION_LOGITS),
    threads: 1
    log:
        log_path("precision", "precision_logits"),
    benchmark:
        bench_path("precision", "precision_logits")
    script:
        "../scripts/precision_logits.py"


rule precision_throughput:
    """Tokens per second of applying RoPE (Hugging Face style) per format on this device."""
    input:
        code=PRECISION_CODE["throughput"],
    output:
        table=result("precision", "throughput.csv"),
    params:
        settings=settings("physics.head_dim", "physics.dtypes", "precision.device", "precision.logits.base",
                          *[f"precision.throughput.{k}" for k in ("batch", "heads", "seq", "repeats")]),
    threads: 1
    log:
        log_path("precision", "precision_throughput"),
    benchmark:
        bench_path("precision", "precision_throughput")
    script:
        "../scripts/precision_throughput.py"


rule precision_summary:
    """Predicted vs measured walls (a base with a base), both erasure definitions, the scorecard of
    this run and every table stacked with the committed measurements of other devices (`source`)."""
    input:
        code=PRECISION_CODE["summary"],
        collisions=res("precision", "collisions.csv"),
        error=res("precision", "logit_error.csv"),
        invariance=res("precision", "invariance.csv"),
        throughput=res("precision", "throughput.csv"),
        published=PUBLISHED_VALUES,
        committed=[f"{d}/{t}.csv" for d in PRECISION_DATA for t in PRECISION_TABLES],
    output:
        walls=result("precision", "walls.csv", caption="walls.csv"),
        erasure=result("precision", "erasure.csv", caption="erasure.csv"),
        scorecard=result("precision", "scorecard.csv"),
        **{f"devices_{t}": result("precision", f"devices_{t}.parquet") for t in PRECISION_TABLES},
    params:
        settings=settings("physics.head_dim"),
        folders=PRECISION_DATA,
    threads: 1
    log:
        log_path("precision", "precision_summary"),
    benchmark:
        bench_path("precision", "precision_summary")
    script:
        "../scripts/precision_summary.py"


rule precision_findings:
    """The page's numbers, sentence fragments and display tables (results/precision/findings.json)."""
    input:
        code=PRECISION_CODE["findings"],
        collisions=res("precision", "collisions.csv"),
        error=res("precision", "logit_error.csv"),
        invariance=res("precision", "invariance.csv"),
        walls=res("precision", "walls.csv"),
        erasure=res("precision", "erasure.csv"),
        scorecard=res("precision", "scorecard.csv"),
        devices_walls=res("precision", "devices_walls.parquet"),
    output:
        findings=result("precision", "findings.json"),
        walls_display=result("precision", "walls_display.parquet"),
        erasure_display=result("precision", "erasure_display.parquet"),
        wang_display=result("precision", "wang_display.parquet"),
    params:
        settings=settings("physics.head_dim", "precision.logits.base", "precision.logits.delta",
                          "precision.logits.n_vectors", "precision.collisions.bases_per_decade"),
    threads: 1
    log:
        log_path("precision", "precision_findings"),
    benchmark:
        bench_path("precision", "precision_findings")
    script:
        "../scripts/precision_findings.py"


rule precision_figures:
    """Figures of every measurement, each device (committed data sets and this run) side by side."""
    input:
        code=stage_code("precision/charts.py"),
        collisions=res("precision", "devices_collisions.parquet"),
        logit_error=res("precision", "devices_logit_error.parquet"),
        invariance=res("precision", "devices_invariance.parquet"),
        throughput=res("precision", "devices_throughput.parquet"),
    output:
        collisions=figure_files("precision", "collisions"),
        distinct_fraction=figure_files("precision", "distinct_fraction"),
        logit_error=figure_files("precision", "logit_error"),
        invariance=figure_files("precision", "invariance"),
        throughput=figure_files("precision", "throughput"),
    threads: 1
    log:
        log_path("precision", "precision_figures"),
    benchmark:
        bench_path("precision", "precision_figures")
    script:
        "../scripts/precision_figures.py"


ALL_TARGETS.extend(
    [
        res("precision", "walls.csv"),
        res("precision", "erasure.csv"),
        res("precision", "scorecard.csv"),
        res("precision", "findings.json"),
        res("precision", "walls_display.parquet"),
        res("precision", "erasure_display.parquet"),
        res("precision", "wang_display.parquet"),
        *[f"{RESULTS}/precision/figures/{n}.svg" for n in
          ("collisions", "distinct_fraction", "logit_error", "invariance", "throughput")],
    ]
)
