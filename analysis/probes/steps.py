"""The probes stage's steps: each result of ``results/probes/`` and the function that computes it.

Rule ``probes_<step>`` of ``workflow/rules/probes.smk`` runs step ``<step>`` through
:func:`analysis.core.step.run_step` (keyword arguments: the rule's named inputs, read by suffix, its
``params`` named below and the settings). Training is one job per variant (the rule's ``variant``
wildcard, passed as ``params``); the training profile it reads depends on ``probes.train.device``: a
forced device reads only its own profile (``train_cpu``, ``train_cuda``), so editing the other one
retrains nothing; ``auto`` decides at run time and reads both (``train``).
"""

from __future__ import annotations

from analysis.core.step import Step


def _keys(prefix: str, *names: str) -> dict[str, str]:
    """``{name: prefix.name}`` for settings of one config section."""
    return {n: f"{prefix}.{n}" for n in names}


SYNTHETIC_KEYS = ("base", "max_distance", "n_seeds", "prop32_samples", "prop32_distances", "z_tolerance",
                  "var_tolerance", "prop31_targets", "prop31_max_distance", "head_seq_len", "head_logit_scales", "seed")
TRAIN_KEYS = _keys("probes.train", "device", "corpus_bytes", "val_every", "restore_check")


def _train(*profiles: str) -> Step:
    return Step("analysis.probes.train.train_results", params=("variant", "checkpoints"), written=("config", "weights"),
                outputs=("config", "weights", "metrics"), settings={**TRAIN_KEYS, **_keys("probes.train", *profiles)})


STEPS: dict[str, Step] = {
    "synthetic": Step(
        "analysis.probes.synthetic.probes_synthetic_tables",
        outputs=("figure2", "prop31", "prop32", "positional_heads", "summary"),
        settings={"head_dim": "physics.head_dim", **_keys("probes.synthetic", *SYNTHETIC_KEYS)}),
    "corpus": Step(
        "analysis.probes.corpus.corpus_info", outputs=("corpus",),
        settings=_keys("probes.train", "corpus_bytes", "val_every")),
    "train": _train("cpu", "gpu"),
    "train_cpu": _train("cpu"),
    "train_cuda": _train("gpu"),
    "measure": Step(
        "analysis.probes.measure.measure_results", inputs=("model", "texts"), paths=("model", "texts"),
        outputs=("norms", "heads", "examples", "subject"),
        settings={"subject_checkpoint": "probes.subject_checkpoint",
                  **_keys("probes", "max_tokens", "band_fraction", "example_tokens")}),
    "prope": Step(
        "analysis.probes.prope.prope_outputs", inputs=("runs", "corpus", "published"), paths=("runs",),
        outputs=("table", "runs", "curves", "summary")),
    "prope_archived": Step(
        "analysis.probes.archive.archived_prope", inputs=("published",), params=("folder",),
        outputs=("table", "runs", "curves", "summary", "prope_display", "paired_display")),
    "archived_figures": Step(
        "analysis.probes.charts.archived_figures", inputs=("table", "curves", "summary"),
        outputs=("archived_prope",)),
    "scorecard": Step(
        "analysis.probes.claims.probes_scorecard",
        inputs=("published", "prope", "summary", "synthetic", "heads", "subject", "archived", "archived_table"),
        outputs=("scorecard",)),
    "figures": Step(
        "analysis.probes.charts.probes_figures",
        inputs=("figure2", "prop31", "heads_syn", "synthetic", "norms", "heads", "examples", "subject", "prope",
                "curves"),
        outputs=("figure2", "prop31", "positional_heads", "freq_norms_layers", "freq_norms_heads",
                 "positional_scores", "attention_examples", "prope")),
    "findings": Step(
        "analysis.probes.findings.probes_findings",
        inputs=("synthetic", "prop32", "subject", "heads", "corpus", "prope", "summary", "scorecard", "archived",
                "archived_table"),
        outputs=("findings", "prop32", "prope", "scorecard"),
        sources={"prop32": "prop32", "prope": "prope", "scorecard": "scorecard"}),
}
