# precision stage: measured floating-point erasure of RoPE positions (seeds 000/001, Wang et al. 2024)
# on the device at hand (CUDA when present, else CPU), beside committed measurements of other devices
# in data/measurements/<device>/ (written by `python -m analysis.precision export`). Every rule runs a
# step of analysis/precision/steps.py (stage contract: workflow/README.md).
from pathlib import Path

PRECISION_DATA = sorted(
    str(p.parent) for p in Path(workflow.basedir, "data", "measurements").glob("*/provenance.json")
)
PRECISION_TABLES = ["collisions", "logit_error", "invariance", "throughput", "walls", "erasure"]
PRECISION_FIGURES = ["collisions", "distinct_fraction", "logit_error", "invariance", "throughput"]
PRECISION_DISPLAY = ["walls", "erasure", "wang"]
# the analysis sources each rule runs (editing one reruns exactly the results it feeds)
PRECISION_STEP = ["precision/steps.py", "core/step.py"]
PRECISION_MEASURE = [*PRECISION_STEP, "precision/device.py", "core/device.py", "core/rope.py"]
PRECISION_CODE = {
    "collisions": stage_code(*PRECISION_MEASURE, "precision/collisions.py"),
    "logits": stage_code(*PRECISION_MEASURE, "precision/logits.py"),
    "throughput": stage_code(*PRECISION_MEASURE, "precision/logits.py", "precision/throughput.py"),
    "summary": stage_code(*PRECISION_STEP, "precision/walls.py", "precision/datasets.py", "precision/summary.py"),
    "scorecard": stage_code(*PRECISION_STEP, "precision/claims.py", "core/scorecard.py"),
    "figures": stage_code(*PRECISION_STEP, "precision/charts.py", "core/figures.py"),
    "findings": stage_code(*PRECISION_STEP, "precision/findings.py", "core/findings.py", "core/numfmt.py"),
}


def precision_path(name):
    return result_path("precision", name)


rule precision_collisions:
    """First position whose lowest-frequency pair, and whose whole RoPE vector, equals the previous
    position's, and the distinct fraction among 0..L, per format, path and base."""
    input:
        code=PRECISION_CODE["collisions"],
    output:
        table=result("precision", "collisions.csv", caption="collisions.csv"),
    params:
        step="precision.collisions",
        settings=step_settings("precision.collisions"),
    threads: 1
    log:
        log_path("precision", "precision_collisions"),
    benchmark:
        bench_path("precision", "precision_collisions")
    script:
        STEP_SCRIPT


rule precision_logits:
    """Attention-logit error against the exact value and relative-position invariance (spread over
    absolute positions) for the hf / native / fp32 RoPE implementations."""
    input:
        code=PRECISION_CODE["logits"],
    output:
        logit_error=result("precision", "logit_error.csv"),
        invariance=result("precision", "invariance.csv"),
    params:
        step="precision.logits",
        settings=step_settings("precision.logits"),
    threads: 1
    log:
        log_path("precision", "precision_logits"),
    benchmark:
        bench_path("precision", "precision_logits")
    script:
        STEP_SCRIPT


rule precision_throughput:
    """Tokens per second of applying RoPE (Hugging Face style) per format on this device."""
    input:
        code=PRECISION_CODE["throughput"],
    output:
        table=result("precision", "throughput.csv"),
    params:
        step="precision.throughput",
        settings=step_settings("precision.throughput"),
    threads: 1
    log:
        log_path("precision", "precision_throughput"),
    benchmark:
        bench_path("precision", "precision_throughput")
    script:
        STEP_SCRIPT


rule precision_summary:
    """Predicted vs measured walls (a base with a base), both erasure definitions and every table
    stacked with the committed measurements of other devices (`source`)."""
    input:
        code=PRECISION_CODE["summary"],
        collisions=precision_path("collisions.csv"),
        logit_error=precision_path("logit_error.csv"),
        invariance=precision_path("invariance.csv"),
        throughput=precision_path("throughput.csv"),
        committed=[f"{d}/{t}.csv" for d in PRECISION_DATA for t in PRECISION_TABLES],
    output:
        walls=result("precision", "walls.csv", caption="walls.csv"),
        erasure=result("precision", "erasure.csv", caption="erasure.csv"),
        **{f"devices_{t}": result("precision", f"devices_{t}.parquet") for t in PRECISION_TABLES},
    params:
        step="precision.summary",
        settings=step_settings("precision.summary"),
        folders=PRECISION_DATA,
    threads: 1
    log:
        log_path("precision", "precision_summary"),
    benchmark:
        bench_path("precision", "precision_summary")
    script:
        STEP_SCRIPT


rule precision_scorecard:
    """Scorecard of this run's device: the predicted walls against the measured ones and Wang et al.'s
    claims against the logit errors, each with its criterion, verdict and reason."""
    input:
        code=PRECISION_CODE["scorecard"],
        collisions=precision_path("collisions.csv"),
        walls=precision_path("walls.csv"),
        logit_error=precision_path("logit_error.csv"),
        published=PUBLISHED_VALUES,
    output:
        scorecard=result("precision", "scorecard.csv"),
    params:
        step="precision.scorecard",
        settings=step_settings("precision.scorecard"),
    threads: 1
    log:
        log_path("precision", "precision_scorecard"),
    benchmark:
        bench_path("precision", "precision_scorecard")
    script:
        STEP_SCRIPT


rule precision_findings:
    """The page's numbers and sentence fragments (results/precision/findings.json) and its display
    tables (display/*.parquet)."""
    input:
        code=PRECISION_CODE["findings"],
        collisions=precision_path("collisions.csv"),
        logit_error=precision_path("logit_error.csv"),
        invariance=precision_path("invariance.csv"),
        walls=precision_path("walls.csv"),
        erasure=precision_path("erasure.csv"),
        scorecard=precision_path("scorecard.csv"),
        devices_walls=precision_path("devices_walls.parquet"),
    output:
        findings=result("precision", "findings.json"),
        **{name: result("precision", f"display/{name}.parquet") for name in PRECISION_DISPLAY},
    params:
        step="precision.findings",
        settings=step_settings("precision.findings"),
    threads: 1
    log:
        log_path("precision", "precision_findings"),
    benchmark:
        bench_path("precision", "precision_findings")
    script:
        STEP_SCRIPT


rule precision_figures:
    """Figures of every measurement, each device (committed data sets and this run) side by side."""
    input:
        code=PRECISION_CODE["figures"],
        collisions=precision_path("devices_collisions.parquet"),
        logit_error=precision_path("devices_logit_error.parquet"),
        invariance=precision_path("devices_invariance.parquet"),
        throughput=precision_path("devices_throughput.parquet"),
    output:
        **{name: figure_files("precision", name) for name in PRECISION_FIGURES},
    params:
        step="precision.figures",
        settings=step_settings("precision.figures"),
    threads: 1
    log:
        log_path("precision", "precision_figures"),
    benchmark:
        bench_path("precision", "precision_figures")
    script:
        STEP_SCRIPT


ALL_TARGETS.extend(
    [precision_path("walls.csv"), precision_path("erasure.csv"), precision_path("scorecard.csv"), precision_path("findings.json")]
    + [precision_path(f"display/{name}.parquet") for name in PRECISION_DISPLAY]
    + [f"{RESULTS}/precision/figures/{n}.svg" for n in PRECISION_FIGURES]
)
