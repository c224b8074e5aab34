"""Altair charts of the probes stage (synthetic RoPE results, frequency probes, p-RoPE training).
Each function takes result tables and returns a chart; nothing is computed beyond reshaping."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

__all__ = [
    "FIGURES",
    "attention_examples_chart",
    "figure2_chart",
    "freq_norms_heads_chart",
    "freq_norms_layers_chart",
    "positional_heads_chart",
    "positional_scores_chart",
    "prop31_chart",
    "prope_chart",
    "paired_chart",
    "archived_figures",
    "probes_figures",
]


def figure2_chart(df: pd.DataFrame, head_dim: int, base: float) -> Any:
    """Paper Figure 2: all-ones q, k (decay) beside Gaussian q, k (mean, 5-95% band, one draw).
    Datasets exceed Altair's default 5,000-row limit: save inside ``alt.data_transformers.disable_max_rows()``."""
    df = df[["kind", "distance", "mean", "q05", "q95", "example", "n"]]
    ones = df[df.kind == "all-ones"]
    g = df[df.kind == "gaussian"]
    n = int(g["n"].iloc[0])
    x = alt.X("distance:Q", title="relative distance r (positions)")
    a = (
        alt.Chart(ones)
        .mark_line(strokeWidth=1)
        .encode(x, alt.Y("mean:Q", title="q^T R^-r k"))
        .properties(title="(a) constant all-ones q, k", width=320, height=220)
    )
    band = (
        alt.Chart(g)
        .mark_area(opacity=0.25, color="#4c78a8")
        .encode(x, alt.Y("q05:Q", title="q^T R^-r k"), alt.Y2("q95:Q"))
    )
    ex = alt.Chart(g).mark_line(strokeWidth=0.6, color="#f58518", opacity=0.8).encode(x, alt.Y("example:Q"))
    mean = alt.Chart(g).mark_line(strokeWidth=1.2, color="#4c78a8").encode(x, alt.Y("mean:Q"))
    b = (band + ex + mean).properties(
        title=f"(b) Gaussian q, k: mean of {n} draws (blue), 5-95% band, one draw (orange)",
        width=320,
        height=220,
    )
    return alt.hconcat(a, b).properties(
        title=f"RoPE activation against distance, d = {head_dim}, base = {base:g}"
    )


def prop31_chart(df: pd.DataFrame) -> Any:
    """Proposition 3.1: activation / |q|^2 against distance for keys built for each target distance."""
    return (
        alt.Chart(df)
        .mark_line(strokeWidth=1)
        .encode(
            alt.X("distance:Q", title="relative distance (positions)"),
            alt.Y("normalised:Q", title="q^T R^-r k / |q|^2"),
            alt.Color("target:N", title="target r"),
        )
        .properties(title="Proposition 3.1: the key k = R^r q peaks at distance r", width=520, height=240)
    )


def _attention_map_encoding() -> tuple[Any, ...]:
    """x = key, y = query, colour = attention weight in [0, 1]: the encoding of every attention map."""
    return (
        alt.X("key:O", title="key position", axis=alt.Axis(labels=False, ticks=False)),
        alt.Y("query:O", title="query position", axis=alt.Axis(labels=False, ticks=False)),
        alt.Color("weight:Q", scale=alt.Scale(scheme="viridis", domain=[0, 1]), title="attention"),
    )


def positional_heads_chart(df: pd.DataFrame) -> Any:
    """Attention maps of the diagonal and previous-token heads built from the highest frequency."""
    return (
        alt.Chart(df)
        .mark_rect()
        .encode(
            *_attention_map_encoding(),
            alt.Row("head:N", title=None),
            alt.Column("logit_scale:O", title="|q| |k| (logit scale)"),
        )
        .properties(
            width=150, height=150, title="Positional heads from the highest RoPE frequency (constructed)"
        )
    )


def _freq_norm_heatmap(d: pd.DataFrame, y: Any, width: int, height: int, title: str) -> Any:
    """Mean chunk 2-norm (colour) by frequency (x) and ``y``, queries and keys side by side."""
    d = d.copy()
    d["kind"] = d["kind"].map({"q": "queries", "k": "keys"})
    return (
        alt.Chart(d)
        .mark_rect()
        .encode(
            alt.X("freq_index:O", title="frequency index (0 = highest)"),
            y,
            alt.Color("norm:Q", scale=alt.Scale(scheme="viridis"), title="mean 2-norm"),
            alt.Column("kind:N", title=None, sort=["queries", "keys"]),
        )
        .properties(width=width, height=height, title=title)
    )


def freq_norms_layers_chart(norms: pd.DataFrame, model_name: str) -> Any:
    """Paper Figure 3: mean chunk 2-norm by layer and frequency (mean over heads), q and k."""
    d = norms[norms.stage == "pre"].groupby(["kind", "layer", "freq_index"], as_index=False)["norm"].mean()
    return _freq_norm_heatmap(
        d, alt.Y("layer:O", title="layer", sort="descending"), 260, 160,
        f"2-norm of 2-D q/k chunks per frequency, mean over heads ({model_name})",
    )


def freq_norms_heads_chart(norms: pd.DataFrame, model_name: str, layer: int = 0) -> Any:
    """Paper Figure 4: mean chunk 2-norm by head and frequency in one layer, q and k."""
    d = norms[(norms.stage == "pre") & (norms.layer == layer)]
    return _freq_norm_heatmap(
        d, alt.Y("head:O", title="head"), 260, 120,
        f"2-norm per frequency for each head of layer {layer} ({model_name})",
    )


def positional_scores_chart(heads: pd.DataFrame, model_name: str) -> Any:
    """Diagonal and previous-token scores of every head, beside its high-frequency share of q norm."""
    m = heads.melt(
        id_vars=["layer", "head"],
        value_vars=["prev_score", "diag_score", "q_high_share", "k_high_share"],
        var_name="measure",
        value_name="value",
    )
    m["measure"] = m["measure"].map(
        {
            "prev_score": "previous-token score",
            "diag_score": "diagonal score",
            "q_high_share": "q norm share, highest band",
            "k_high_share": "k norm share, highest band",
        }
    )
    return (
        alt.Chart(m)
        .mark_rect()
        .encode(
            alt.X("head:O"),
            alt.Y("layer:O", sort="descending"),
            alt.Color("value:Q", scale=alt.Scale(scheme="viridis", domain=[0, 1])),
            alt.Column("measure:N", title=None),
            tooltip=["layer", "head", "measure", alt.Tooltip("value:Q", format=".3f")],
        )
        .properties(
            width=110,
            height=110,
            title=f"Positional-head scores and high-frequency shares per head ({model_name})",
        )
    )


def attention_examples_chart(ex: pd.DataFrame, model_name: str) -> Any:
    """Attention maps (first passage) of the heads with the highest previous-token / diagonal score."""
    ex = ex.copy()
    ex["title"] = ex.apply(
        lambda r: f"{r['pattern']}: layer {r['layer']} head {r['head']} (score {r['score']:.2f})", axis=1
    )
    return (
        alt.Chart(ex)
        .mark_rect()
        .encode(
            *_attention_map_encoding(),
            alt.Column("title:N", title=None),
        )
        .properties(
            width=220, height=220, title=f"Most positional heads of {model_name} on the first passage"
        )
    )


def prope_chart(table: pd.DataFrame, curves: pd.DataFrame) -> Any:
    """Held-out byte perplexity per variant (exp of the mean loss over seeds; bars from the best to the
    worst seed) and the training-loss curves of every seed (20-step running mean)."""
    y = alt.Y("label:N", title=None, sort=alt.EncodingSortField("val_perplexity"))
    x_title = "held-out perplexity (per byte)"
    bars = alt.Chart(table).mark_point(filled=True, size=60).encode(
        alt.X("val_perplexity:Q", title=x_title, scale=alt.Scale(zero=False)), y,
        tooltip=["label", "seeds", alt.Tooltip("val_perplexity:Q", format=".4f"),
                 alt.Tooltip("val_perplexity_min:Q", format=".4f"), alt.Tooltip("val_perplexity_max:Q", format=".4f")],
    )
    spread = alt.Chart(table).mark_rule(strokeWidth=2).encode(
        alt.X("val_perplexity_min:Q", title=x_title), alt.X2("val_perplexity_max:Q"), y)
    left = (spread + bars).properties(width=280, height=170, title="Held-out perplexity: mean and seed range")
    lines = (
        alt.Chart(curves[["label", "seed", "step", "loss_mean"]])
        .mark_line(strokeWidth=1, opacity=0.8)
        .encode(
            alt.X("step:Q", title="step"),
            alt.Y("loss_mean:Q", title="training loss (nats/byte, 20-step mean)", scale=alt.Scale(zero=False)),
            alt.Color("label:N", title="variant"),
            alt.Detail("seed:N"),
        )
        .properties(width=320, height=170, title="Training loss (one line per seed)")
    )
    return alt.hconcat(left, lines)


def paired_chart(paired: list[dict[str, Any]]) -> Any:
    """Each variant's held-out loss minus RoPE base 10k's, one point per seed (paired by seed), with the
    95% paired-bootstrap interval of the mean difference and the zero line."""
    pts = pd.DataFrame([{"label": c["label"], "seed": s, "diff": d, "verdict": c["verdict"]}
                        for c in paired for s, d in zip(c["seeds"], c["diffs"], strict=True)])
    ci = pd.DataFrame([{"label": c["label"], "mean": c["mean"], "lo": c["lo"], "hi": c["hi"], "verdict": c["verdict"]}
                       for c in paired if c["n"]])
    x_title = "held-out loss minus RoPE 10k's (nats/byte, same seed)"
    y = alt.Y("label:N", title=None, sort=alt.EncodingSortField("mean"))
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(strokeDash=[4, 3], color="#888").encode(x="x:Q")
    rules = alt.Chart(ci).mark_rule(strokeWidth=3, opacity=0.5).encode(
        alt.X("lo:Q", title=x_title), alt.X2("hi:Q"), y,
        tooltip=["label", "verdict", alt.Tooltip("mean:Q", format="+.4f"), alt.Tooltip("lo:Q", format="+.4f"),
                 alt.Tooltip("hi:Q", format="+.4f")])
    dots = alt.Chart(pts).mark_point(size=30).encode(
        alt.X("diff:Q", title=x_title), alt.Y("label:N", title=None), tooltip=["label", "seed", alt.Tooltip("diff:Q", format="+.4f")])
    mean = alt.Chart(ci).mark_tick(thickness=2, size=14, color="black").encode(alt.X("mean:Q"), y)
    return (zero + rules + dots + mean).properties(
        width=520, height=150, title="Paired by seed: each variant against RoPE base 10k (95% bootstrap interval)")


def archived_figures(*, table: pd.DataFrame, curves: pd.DataFrame, summary: dict[str, Any]) -> dict[str, Any]:
    """The archived full run's figure: perplexity and training curves (:func:`prope_chart`) above the
    paired differences against RoPE base 10k (:func:`paired_chart`)."""
    return {"archived_prope": alt.vconcat(prope_chart(table, curves), paired_chart(summary["paired"]))}


FIGURES: tuple[str, ...] = ("figure2", "prop31", "positional_heads", "freq_norms_layers", "freq_norms_heads",
                            "positional_scores", "attention_examples", "prope")


def probes_figures(
    *, figure2: pd.DataFrame, prop31: pd.DataFrame, heads_syn: pd.DataFrame, synthetic: dict[str, Any],
    norms: pd.DataFrame, heads: pd.DataFrame, examples: pd.DataFrame, subject: dict[str, Any], prope: pd.DataFrame,
    curves: pd.DataFrame,
) -> dict[str, Any]:
    """Every figure of the probes chapter (:data:`FIGURES`) from the stage's result tables, the
    synthetic summary (head dimension, base) and the subject model's record (its name). Lifts
    Altair's 5,000-row limit for the process (Figure 2 and the head maps hold more rows); the
    subject's name goes to the figures' sidecars."""
    alt.data_transformers.disable_max_rows()
    name = subject["name"]
    return {
        "figure2": figure2_chart(figure2, synthetic["head_dim"], synthetic["base"]),
        "prop31": prop31_chart(prop31),
        "positional_heads": positional_heads_chart(heads_syn),
        "freq_norms_layers": freq_norms_layers_chart(norms, name),
        "freq_norms_heads": freq_norms_heads_chart(norms, name),
        "positional_scores": positional_scores_chart(heads, name),
        "attention_examples": attention_examples_chart(examples, name),
        "prope": prope_chart(prope, curves),
        "sidecar": {"subject": name},
    }
