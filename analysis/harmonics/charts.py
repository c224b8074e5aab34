"""Altair charts of the harmonics stage. Each function encodes the figure data tables of
:mod:`analysis.harmonics.figure_data` (results/harmonics/plots/) and the settings named in its
signature (for the title) and returns a chart; the workflow saves it with the adapter's ``a.figure``.
No chart computes: every value drawn is in a result file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from analysis.harmonics.figure_data import FLOOR, INPUT_AMPLITUDE

__all__ = [
    "harmonics_figures",
    "embedding_spectrum_chart",
    "harmonics_chart",
    "intermod_chart",
    "ffn_spectra_chart",
    "phase_sweep_chart",
    "real_spectra_chart",
    "unavailable_chart",
]

_KIND_COLORS = alt.Scale(
    domain=["fundamental", "harmonic", "intermod"], range=["#1f77b4", "#d62728", "#2ca02c"]
)


def _setup(base: float, head_dim: int, n_positions: int, window: str) -> str:
    return f"base {base:g}, d = {head_dim}, N = {n_positions}, {window} window"


def embedding_spectrum_chart(
    spectrum: pd.DataFrame, lines: pd.DataFrame, *, base: float, head_dim: int, n_positions: int, window: str
) -> alt.LayerChart:
    """Amplitude spectra of the even coordinate of every RoPE pair (log-log), with the predicted lines
    ``theta_i / (2 pi)`` as dashed rules."""
    title = f"RoPE embedding spectrum, predicted lines dashed ({_setup(base, head_dim, n_positions, window)})"
    freq = alt.X("freq:Q", scale=alt.Scale(type="log"), title="frequency (cycles/position)")
    spec = (
        alt.Chart(spectrum)
        .mark_line(strokeWidth=1)
        .encode(
            x=freq,
            y=alt.Y("amplitude:Q", scale=alt.Scale(type="log", domainMin=FLOOR), title="amplitude"),
            color=alt.Color("source:N", title="frequency pair"),
            tooltip=["source", alt.Tooltip("freq:Q", format=".3e"), alt.Tooltip("amplitude:Q", format=".3e")],
        )
    )
    rules = (
        alt.Chart(lines)
        .mark_rule(strokeDash=[4, 3], color="black", opacity=0.7)
        .encode(
            x="predicted_freq:Q",
            tooltip=[
                "label",
                alt.Tooltip("predicted_freq:Q", format=".4e"),
                alt.Tooltip("error_bins:Q", format=".2f"),
            ],
        )
    )
    return (spec + rules).properties(width=620, height=300, title=title)


def harmonics_chart(harmonics: pd.DataFrame, *, tone_amplitude: float) -> alt.FacetChart:
    """Measured (points) vs Fourier-series predicted (ticks) amplitude of harmonic ``n`` of a single
    tone, per activation (columns) and bias (rows); aliased harmonics drawn hollow."""
    title = f"Harmonics of A cos(θ p) + b: measured (points) vs Fourier series (ticks); A = {tone_amplitude:g}"
    base = alt.Chart(harmonics).encode(
        x=alt.X("n:O", title="harmonic n"),
        y=alt.Y("measured:Q", scale=alt.Scale(type="log", domainMin=FLOOR), title="line amplitude"),
        color=alt.Color("tone_bias:N", title="tone, bias"),
        xOffset="tone_bias:N",
    )
    pts = base.mark_point(size=45, filled=True).encode(
        shape=alt.Shape("aliased:N", title="aliased (folded)"),
        tooltip=[
            "activation",
            "tone",
            "bias",
            "n",
            "aliased",
            alt.Tooltip("folded_freq:Q", format=".4f"),
            alt.Tooltip("predicted:Q", format=".4e"),
            alt.Tooltip("measured:Q", format=".4e"),
        ],
    )
    ticks = base.mark_tick(thickness=2, size=14, color="black").encode(y="predicted:Q")
    return (
        (pts + ticks)
        .properties(width=230, height=200)
        .facet(column=alt.Column("activation:N", title=None))
        .properties(title=title)
    )


def intermod_chart(intermod: pd.DataFrame) -> alt.LayerChart:
    """Predicted vs measured amplitude of every harmonic and intermodulation line of two tones (and
    of the SwiGLU unit), log-log, with the identity line across the drawn range."""
    title = "Two tones θ0, θ1 and a SwiGLU unit: every line, measured vs predicted"
    df = intermod
    lo = float(min(df["predicted"].min(), df["measured"].min()))
    hi = float(max(df["predicted"].max(), df["measured"].max()))
    ident = (
        alt.Chart(pd.DataFrame({"x": [lo, hi], "y": [lo, hi]}))
        .mark_line(color="gray", strokeDash=[3, 3])
        .encode(x="x:Q", y="y:Q")
    )
    pts = (
        alt.Chart(df)
        .mark_point(size=60, filled=True, opacity=0.8)
        .encode(
            x=alt.X(
                "predicted:Q", scale=alt.Scale(type="log"), title="predicted amplitude (Fourier quadrature)"
            ),
            y=alt.Y("measured:Q", scale=alt.Scale(type="log"), title="measured amplitude (windowed DTFT)"),
            color=alt.Color("kind:N", scale=_KIND_COLORS, title="line"),
            shape=alt.Shape("activation:N"),
            tooltip=[
                "activation",
                "label",
                "kind",
                alt.Tooltip("folded_freq:Q", format=".4f"),
                alt.Tooltip("predicted:Q", format=".4e"),
                alt.Tooltip("measured:Q", format=".4e"),
            ],
        )
    )
    return (ident + pts).properties(width=420, height=380, title=title)


def ffn_spectra_chart(
    spectra: pd.DataFrame, lines: pd.DataFrame, *, base: float, head_dim: int, n_positions: int, window: str
) -> alt.VConcatChart:
    """RMS amplitude spectrum of each source (embedding, activations, SwiGLU) with the predicted
    combination lines (folded) as rules coloured by kind; one row per source."""
    setup = _setup(base, head_dim, n_positions, window)
    title = f"Random FFN driven by a RoPE embedding: RMS spectra with predicted lines ({setup})"
    sp, ln = spectra, lines
    sources = list(dict.fromkeys(sp["source"]))
    x = alt.X("freq:Q", scale=alt.Scale(type="log"), title="frequency (cycles/position)")
    spec = (
        alt.Chart(sp)
        .mark_line(strokeWidth=1, color="#333")
        .encode(
            x=x,
            y=alt.Y("amplitude:Q", scale=alt.Scale(type="log", domainMin=FLOOR), title="RMS amplitude"),
            tooltip=["source", alt.Tooltip("freq:Q", format=".3e"), alt.Tooltip("amplitude:Q", format=".3e")],
        )
    )
    rules = (
        alt.Chart(ln)
        .mark_rule(opacity=0.45)
        .encode(
            x=alt.X("folded_freq:Q"),
            color=alt.Color("kind:N", scale=_KIND_COLORS, title="predicted line"),
            tooltip=["label", "kind", "order", alt.Tooltip("folded_freq:Q", format=".4e")],
        )
    )
    rows = [
        alt.layer(
            rules.transform_filter(alt.datum.source == s), spec.transform_filter(alt.datum.source == s)
        ).properties(width=620, height=120, title=s)
        for s in sources
    ]
    return alt.vconcat(*rows).resolve_scale(x="shared").properties(title=title)


def phase_sweep_chart(
    activation: pd.DataFrame, entropy: pd.DataFrame, *, head_dim: int, attn_head_dim: int, attn_window: int
) -> alt.HConcatChart:
    """Left: RMS FFN activation vs phase offset (normalised to phi = 0) for each nonlinearity, with the
    input amplitude |cos(phi/2)| (ReLU's exact law). Right: attention entropy vs phase offset for one
    phase-offset key among random distractors, and for all keys phase-offset (RoPE kernel) in a
    bidirectional and a causal window."""
    title = f"Phase-alignment sweep (FFN: d = {head_dim}; attention: d = {attn_head_dim}, W = {attn_window})"
    act, ent = activation, entropy
    x = alt.X("phi:Q", title="phase offset φ (rad)", scale=alt.Scale(domain=[-np.pi, np.pi]))
    left = (
        alt.Chart(act)
        .mark_line(point=alt.OverlayMarkDef(size=12))
        .encode(
            x=x,
            y=alt.Y("value:Q", title="RMS activation / RMS at φ = 0"),
            color=alt.Color("series:N", title="activation"),
            strokeDash=alt.condition(
                alt.datum.series == INPUT_AMPLITUDE, alt.value([4, 3]), alt.value([1, 0])
            ),
            tooltip=["series", alt.Tooltip("phi:Q", format=".3f"), alt.Tooltip("value:Q", format=".4f")],
        )
        .properties(width=300, height=240, title="FFN activation (constructive ↔ destructive)")
    )
    right = (
        alt.Chart(ent)
        .mark_line(point=alt.OverlayMarkDef(size=12))
        .encode(
            x=x,
            y=alt.Y("entropy:Q", title="attention entropy (nats)", scale=alt.Scale(zero=False)),
            color=alt.Color(
                "window:N", title="keys", scale=alt.Scale(scheme="dark2"), legend=alt.Legend(labelLimit=320)
            ),
            tooltip=["window", alt.Tooltip("phi:Q", format=".3f"), alt.Tooltip("entropy:Q", format=".4f")],
        )
        .properties(width=300, height=240, title="attention entropy (lower = sharper)")
    )
    return alt.hconcat(left, right).resolve_scale(color="independent").properties(title=title)


def real_spectra_chart(spectra: pd.DataFrame, lines: pd.DataFrame, summary: Mapping[str, Any]) -> alt.LayerChart:
    """RMS spectra of a trained model's MLP activations per layer (layer -1: token embeddings, the
    control) with its RoPE combination lines as rules; ``summary`` is real_summary.json (for the title)."""
    title = (f"Subject model MLP activations over {summary['text']} "
             f"({summary['n_positions']} bytes, {summary['layers']} layers, base {summary['base']:g})")
    sp = spectra
    x = alt.X("freq:Q", scale=alt.Scale(type="log"), title="frequency (cycles/byte)")
    spec = (
        alt.Chart(sp)
        .mark_line(strokeWidth=1)
        .encode(
            x=x,
            y=alt.Y("amplitude:Q", scale=alt.Scale(type="log"), title="RMS amplitude (mean removed)"),
            color=alt.Color("series:N", title="activation"),
            tooltip=["series", alt.Tooltip("freq:Q", format=".4f"), alt.Tooltip("amplitude:Q", format=".3e")],
        )
    )
    rules = (
        alt.Chart(lines)
        .mark_rule(strokeDash=[4, 3], opacity=0.6)
        .encode(
            x="folded_freq:Q",
            color=alt.value("black"),
            tooltip=["label", "kind", alt.Tooltip("folded_freq:Q", format=".4f")],
        )
    )
    return (rules + spec).properties(width=620, height=300, title=title)


def unavailable_chart(subject_variant: str | None = None) -> alt.Chart:
    """Stand-in for the real-model figure when no subject model is configured: one line of text."""
    msg = "Not produced in this run: probes.subject_variant is not set, so no trained subject model is available."
    return (
        alt.Chart(pd.DataFrame({"text": [msg], "variant": [str(subject_variant)]}))
        .mark_text(fontSize=13, align="left", x=10, y=20)
        .encode(text="text:N")
        .properties(width=620, height=40)
    )


def harmonics_figures(
    *, embedding_spectrum: pd.DataFrame, embedding_lines: pd.DataFrame, harmonics: pd.DataFrame,
    intermod: pd.DataFrame, ffn_spectra: pd.DataFrame, ffn_lines: pd.DataFrame, sweep_activation: pd.DataFrame,
    sweep_entropy: pd.DataFrame, real_spectra: pd.DataFrame | None = None, real_lines: pd.DataFrame | None = None,
    real_summary: Mapping[str, Any] | None = None, base: float, head_dim: int, n_positions: int, window: str,
    tone_amplitude: float, attn_head_dim: int, attn_window: int, subject_variant: str | None = None,
) -> dict[str, alt.TopLevelMixin]:
    """Every figure of the harmonics chapter from the stage's figure data (the step
    ``harmonics.figures``); the real-model figure is a one-line notice when no subject model is set."""
    setup = {"base": base, "head_dim": head_dim, "n_positions": n_positions, "window": window}
    real = (real_spectra_chart(real_spectra, real_lines, real_summary)
            if real_spectra is not None and real_lines is not None and real_summary is not None
            else unavailable_chart(subject_variant))
    return {
        "embedding_spectrum": embedding_spectrum_chart(embedding_spectrum, embedding_lines, **setup),
        "harmonics": harmonics_chart(harmonics, tone_amplitude=tone_amplitude),
        "intermod": intermod_chart(intermod),
        "ffn_spectra": ffn_spectra_chart(ffn_spectra, ffn_lines, **setup),
        "phase_sweep": phase_sweep_chart(sweep_activation, sweep_entropy, head_dim=head_dim,
                                         attn_head_dim=attn_head_dim, attn_window=attn_window),
        "real_spectra": real,
    }
