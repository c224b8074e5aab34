"""The precision stage's steps: each result of ``results/precision/`` and the function that computes it.

Rule ``precision_<step>`` of ``workflow/rules/precision.smk`` runs step ``<step>`` through
:func:`analysis.core.step.run_step` (keyword arguments: the rule's named inputs, read by suffix, and
the settings below). The measuring steps choose their device from ``precision.device``
(:func:`analysis.core.device.choose_device`) and return the one they ran on: every row of their tables
records it (name, type, torch version), and the runner records its name in every sidecar.
"""

from __future__ import annotations

from analysis.core.step import Step


def _keys(prefix: str, *names: str) -> dict[str, str]:
    """``{name: prefix.name}`` for settings of one config section."""
    return {n: f"{prefix}.{n}" for n in names}


DEVICE = {"device_setting": "precision.device", "head_dim": "physics.head_dim"}
TABLES = ("collisions", "logit_error", "invariance", "throughput", "walls", "erasure")  # datasets.TABLES

STEPS: dict[str, Step] = {
    "collisions": Step(
        "analysis.precision.collisions.collision_results", outputs=("table",),
        settings={**DEVICE, **_keys("precision.collisions", "formats", "base_log10_min", "base_log10_max",
                                    "bases_per_decade", "context_length", "max_position", "chunk_positions")}),
    "logits": Step(
        "analysis.precision.logits.logit_results", outputs=("logit_error", "invariance"),
        settings={**DEVICE, "formats": "physics.dtypes", "seed": "precision.seed",
                  **_keys("precision.logits", "base", "delta", "n_vectors", "log2_max_position", "dense_until",
                          "per_octave", "chunk_positions")}),
    "throughput": Step(
        "analysis.precision.throughput.throughput_results", outputs=("table",),
        settings={**DEVICE, "formats": "physics.dtypes", "base": "precision.logits.base",
                  **_keys("precision.throughput", "batch", "heads", "seq", "repeats")}),
    "summary": Step(
        "analysis.precision.summary.precision_summary_tables",
        inputs=("collisions", "logit_error", "invariance", "throughput"), params=("folders",),
        outputs=("walls", "erasure", *(f"devices_{t}" for t in TABLES)),
        settings={"head_dim": "physics.head_dim"}),
    "scorecard": Step(
        "analysis.precision.claims.precision_scorecard", inputs=("collisions", "walls", "logit_error", "published"),
        outputs=("scorecard",)),
    "figures": Step(
        "analysis.precision.charts.precision_figures", inputs=("collisions", "logit_error", "invariance", "throughput"),
        outputs=("collisions", "distinct_fraction", "logit_error", "invariance", "throughput")),
    "findings": Step(
        "analysis.precision.findings.precision_findings",
        inputs=("collisions", "logit_error", "invariance", "walls", "erasure", "scorecard", "devices_walls"),
        outputs=("findings", "walls", "erasure", "wang"),
        sources={"walls": "walls", "erasure": "erasure", "wang": "scorecard"},
        settings={"head_dim": "physics.head_dim", "logits_base": "precision.logits.base",
                  "delta": "precision.logits.delta", "n_vectors": "precision.logits.n_vectors",
                  "bases_per_decade": "precision.collisions.bases_per_decade"}),
}
