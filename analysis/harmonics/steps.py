"""The harmonics stage's steps: each result of ``results/harmonics/`` and the function that computes it.

Rule ``harmonics_<step>`` of ``workflow/rules/harmonics.smk`` runs step ``<step>`` through
:func:`analysis.core.step.run_step` (keyword arguments: the rule's named inputs, read by suffix, and
the settings below).
"""

from __future__ import annotations

from analysis.core.step import Step


def _keys(prefix: str, *names: str, rename: str = "") -> dict[str, str]:
    """``{rename + name: prefix + name}`` for settings of one config section."""
    return {rename + n: f"{prefix}.{n}" for n in names}


# the synthetic embedding every synthetic step builds
SYNTHETIC_EMBEDDING_SETTINGS = _keys("harmonics", "base", "head_dim", "n_positions", "window")

STEPS: dict[str, Step] = {
    "spectra": Step(
        "analysis.harmonics.synthetic.harmonics_synthetic_tables",
        outputs=("embedding_lines", "harmonics", "intermod", "ffn_summary", "ffn_lines", "embedding_spectrum",
                 "ffn_spectra", "summary"),
        settings={**SYNTHETIC_EMBEDDING_SETTINGS,
                  **_keys("harmonics", "activations", "biases", "tone_amplitude", "max_harmonic", "ffn_hidden",
                          "max_line_order", "seed"),
                  **_keys("harmonics.intermod", "amplitudes", "bias", "max_order", rename="intermod_"),
                  "torus_grid": "harmonics.intermod.torus_grid",
                  **_keys("harmonics.swiglu", "gate_amplitude", "up_amplitude", "gate_bias", "max_harmonic",
                          rename="swiglu_")}),
    "phase_sweep": Step(
        "analysis.harmonics.sweep.sweep_results", outputs=("sweep", "summary"),
        settings={**_keys("harmonics", "base", "head_dim", "ffn_hidden", "activations", "n_positions", "seed"),
                  **_keys("harmonics.sweep", "n_offsets", "attn_head_dim", "attn_window")}),
    "figure_data": Step(
        "analysis.harmonics.figure_data.figure_tables",
        inputs=("embedding_spectrum", "embedding_lines", "harmonics", "intermod", "ffn_spectra", "ffn_lines", "sweep"),
        outputs=("embedding_spectrum", "embedding_lines", "harmonics", "intermod", "ffn_spectra", "ffn_lines",
                 "sweep_activation", "sweep_entropy"),
        settings=_keys("harmonics", "activations", "plot_points")),
    "real_model": Step(
        "analysis.harmonics.real_model.real_model_results", inputs=("model_file", "text_file"),
        outputs=("spectra", "lines", "summary", "plot_spectra", "plot_lines"),
        settings={"text_name": "harmonics.real_model.text",
                  **_keys("harmonics.real_model", "max_positions", "window", "max_line_order"),
                  "plot_points": "harmonics.plot_points"}),
    "figures": Step(
        "analysis.harmonics.charts.harmonics_figures",
        inputs=("embedding_spectrum", "embedding_lines", "harmonics", "intermod", "ffn_spectra", "ffn_lines",
                "sweep_activation", "sweep_entropy", "real_spectra", "real_lines", "real_summary"),
        outputs=("embedding_spectrum", "harmonics", "intermod", "ffn_spectra", "phase_sweep", "real_spectra"),
        settings={**SYNTHETIC_EMBEDDING_SETTINGS, "tone_amplitude": "harmonics.tone_amplitude",
                  **_keys("harmonics.sweep", "attn_head_dim", "attn_window"),
                  "subject_variant": "probes.subject_variant"}),
    "scorecard": Step(
        "analysis.harmonics.claims.claim_rows", inputs=("summary", "harmonics", "sweep", "real"), outputs=("scorecard",),
        settings={**_keys("harmonics", "activations", "amplitude_tolerance", "tone_amplitude"),
                  "line_ratio_threshold": "harmonics.real_model.line_ratio_threshold"}),
    "findings": Step(
        "analysis.harmonics.findings.harmonics_findings",
        inputs=("summary", "harmonics", "intermod", "ffn_summary", "sweep", "sweep_summary", "scorecard", "real"),
        outputs=("findings", "ffn_power", "scorecard"), sources={"ffn_power": "ffn_summary", "scorecard": "scorecard"}),
}
