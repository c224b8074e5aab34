"""Altair charts of the harmonics stage. Each function takes result tables and returns a chart; the
workflow saves them with :func:`analysis.core.figures.save_chart`."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

__all__ = [
    "embedding_spectrum_chart",
    "harmonics_chart",
    "intermod_chart",
    "ffn_spectra_chart",
    "phase_sweep_chart",
    "real_spectra_chart",
]

FLOOR = 1e-10  # amplitudes below this are drawn at the floor of the log axis

_KIND_COLORS = alt.Scale(
    domain=["fundamental", "harmonic", "intermod"], range=["#1f77b4", "#d62728", "#2ca02c"]
)


def _floor(df: pd.DataFrame, col: str = "amplitude") -> pd.DataFrame:
    out = df.copy()
    out[col] = np.maximum(out[col].to_numpy(dtype=float), FLOOR)
    return out


def embedding_spectrum_chart(spectrum: pd.DataFrame, lines: pd.DataFrame, title: str) -> alt.LayerChart:
    """Amplitude spectra of the even coordinate of every RoPE pair (log-log), with the predicted lines
    ``theta_i / (2 pi)`` as dashed rules."""
    freq = alt.X("freq:Q", scale=alt.Scale(type="log"), title="frequency (cycles/position)")
    spec = (
        alt.Chart(_floor(spectrum))
        .mark_line(strokeWidth=1)
        .encode(
            x=freq,
            y=alt.Y("amplitude:Q", scale=alt.Scale(type="log", domainMin=FLOOR), title="amplitude"),
            color=alt.Color("source:N", title="frequency pair"),
            tooltip=["source", alt.Tooltip("freq:Q", format=".3e"), alt.Tooltip("amplitude:Q", format=".3e")],
        )
    )
    ln = lines.assign(label=[f"θ{i}/(2π)" for i in lines["pair"]])
    rules = (
        alt.Chart(ln)
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


def harmonics_chart(harm: pd.DataFrame, title: str) -> alt.FacetChart:
    """Measured (points) vs Fourier-series predicted (ticks) amplitude of harmonic ``n`` of a single
    tone, per activation (columns) and bias (rows); aliased harmonics drawn hollow."""
    df = _floor(harm, "measured")
    df = _floor(df, "predicted")
    df["tone_bias"] = df["tone"] + ", b=" + df["bias"].map(lambda b: f"{b:g}")
    base = alt.Chart(df).encode(
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


def intermod_chart(inter: pd.DataFrame, title: str) -> alt.LayerChart:
    """Predicted vs measured amplitude of every harmonic and intermodulation line of two tones (and
    of the SwiGLU unit), log-log, with the identity line."""
    df = _floor(_floor(inter, "measured"), "predicted")
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


def ffn_spectra_chart(spectra: pd.DataFrame, lines: pd.DataFrame, title: str) -> alt.VConcatChart:
    """RMS amplitude spectrum of each source (embedding, activations, SwiGLU) with the predicted
    combination lines (folded) as rules coloured by kind; one row per source."""
    sp = _floor(spectra)
    sources = list(dict.fromkeys(sp["source"]))
    ln = pd.concat([lines.assign(source=s) for s in sources], ignore_index=True)
    ln = ln[ln["folded_freq"] > 0]
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


def phase_sweep_chart(sweep: pd.DataFrame, activations: list[str], title: str) -> alt.HConcatChart:
    """Left: RMS FFN activation vs phase offset (normalised to phi = 0) for each nonlinearity, with the
    input amplitude |cos(phi/2)| (ReLU's exact law). Right: attention entropy vs phase offset for one
    phase-offset key among random distractors, and for all keys phase-offset (RoPE kernel) in a
    bidirectional and a causal window."""
    s = sweep.sort_values("phi")
    i0 = int(s["phi"].abs().argmin())
    act = pd.concat(
        [
            pd.DataFrame(
                {"phi": s["phi"], "value": s[f"act_rms_{a}"] / s[f"act_rms_{a}"].iloc[i0], "series": a}
            )
            for a in activations
        ]
        + [
            pd.DataFrame({"phi": s["phi"], "value": s["input_amplitude"] / 2, "series": "|cos(φ/2)| (input)"})
        ],
        ignore_index=True,
    )
    x = alt.X("phi:Q", title="phase offset φ (rad)", scale=alt.Scale(domain=[-np.pi, np.pi]))
    left = (
        alt.Chart(act)
        .mark_line(point=alt.OverlayMarkDef(size=12))
        .encode(
            x=x,
            y=alt.Y("value:Q", title="RMS activation / RMS at φ = 0"),
            color=alt.Color("series:N", title="activation"),
            strokeDash=alt.condition(
                alt.datum.series == "|cos(φ/2)| (input)", alt.value([4, 3]), alt.value([1, 0])
            ),
            tooltip=["series", alt.Tooltip("phi:Q", format=".3f"), alt.Tooltip("value:Q", format=".4f")],
        )
        .properties(width=300, height=240, title="FFN activation (constructive ↔ destructive)")
    )
    ent = pd.concat(
        [
            pd.DataFrame({"phi": s["phi"], "entropy": s[f"entropy_{w}"], "window": name})
            for w, name in (
                ("target", "one aligned key + W distractors"),
                ("bi", "RoPE kernel, bidirectional (−W..W)"),
                ("causal", "RoPE kernel, causal (−W..0)"),
            )
        ],
        ignore_index=True,
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


def real_spectra_chart(spectra: pd.DataFrame, lines: pd.DataFrame, title: str) -> alt.LayerChart:
    """RMS spectra of a trained model's MLP activations per layer (layer -1: token embeddings, the
    control) with its RoPE combination lines as rules."""
    sp = _floor(spectra)
    sp = sp.assign(
        series=np.where(sp["layer"] < 0, "embeddings (control)", "MLP layer " + sp["layer"].astype(str))
    )
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
    ln = lines[lines["folded_freq"] > 0]
    rules = (
        alt.Chart(ln)
        .mark_rule(strokeDash=[4, 3], opacity=0.6)
        .encode(
            x="folded_freq:Q",
            color=alt.value("black"),
            tooltip=["label", "kind", alt.Tooltip("folded_freq:Q", format=".4f")],
        )
    )
    return (rules + spec).properties(width=620, height=300, title=title)
