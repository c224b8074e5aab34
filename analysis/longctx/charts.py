"""Altair charts of the longctx stage; each draws result tables only (no computation beyond reshaping).
Every title names the profile (cpu / gpu), head dim, training length and number of seeds."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

__all__ = ["profile_text", "perplexity_chart", "distance_panels", "men_B_chart", "longctx_charts", "ARCHIVED_FIGURES", "archived_charts"]

_NEG = "#d62728"


def profile_text(summary: dict[str, Any]) -> str:
    s = summary["scale"]
    return (f"{s['profile']} profile ({s['device']}): d = {s['head_dim']}, L = {s['seq_len']}, "
            f"{s['layers']} layer(s), {len(s['seeds'])} seeds")


def _bound_rules(summary: dict[str, Any]) -> pd.DataFrame:
    ph = summary["phase"]
    rows = [("Men et al. minimum base", summary["men"]["min_base"]),
            ("DC-stability bound (exact)", ph["dc_stability"]["exact"])]
    if ph["depth_compounded"]["exact"] != ph["dc_stability"]["exact"]:
        rows.append(("depth-compounded bound (exact)", ph["depth_compounded"]["exact"]))
    return pd.DataFrame(rows, columns=["bound", "base"])


def perplexity_chart(by_base: pd.DataFrame, summary: dict[str, Any]) -> Any:
    """Held-out perplexity per byte against the base (seed mean, min-max bar), bounds as rules."""
    df = by_base[["base", "label", "val_perplexity_mean", "val_perplexity_min", "val_perplexity_max"]]
    x = alt.X("base:Q", scale=alt.Scale(type="log"), title="RoPE base (log scale)")
    pts = alt.Chart(df).mark_line(point=True).encode(
        x, alt.Y("val_perplexity_mean:Q", title="held-out perplexity per byte", scale=alt.Scale(zero=False)),
        tooltip=["label", "base", "val_perplexity_mean", "val_perplexity_min", "val_perplexity_max"])
    bars = alt.Chart(df).mark_errorbar().encode(
        x, alt.Y("val_perplexity_min:Q", title="held-out perplexity per byte"), alt.Y2("val_perplexity_max:Q"))
    rules = alt.Chart(_bound_rules(summary)).mark_rule(strokeDash=[4, 3]).encode(
        x, alt.Color("bound:N", title=None, legend=alt.Legend(orient="bottom", columns=1)))
    return (rules + bars + pts).properties(
        title=f"Perplexity on plain held-out text vs base — {profile_text(summary)}", width=480, height=260)


def _panel(df: pd.DataFrame, neg: pd.DataFrame, col: str, ytitle: str, ref: float | None,
           domain: list[float] | None, L: int) -> Any:
    x = alt.X("distance:Q", title="distance m (bytes)", scale=alt.Scale(domain=[0, L]))
    ys = alt.Scale(domain=domain) if domain else alt.Scale(zero=False)
    band = alt.Chart(df).mark_area(opacity=0.25).encode(x, alt.Y(f"{col}_min:Q", scale=ys, title=ytitle),
                                                        alt.Y2(f"{col}_max:Q"))
    line = alt.Chart(df).mark_line(point=True).encode(x, alt.Y(f"{col}_mean:Q", scale=ys, title=ytitle))
    layers = [band, line]
    if ref is not None:
        layers.append(alt.Chart(pd.DataFrame({"y": [ref]})).mark_rule(strokeDash=[2, 2], color="gray")
                      .encode(y="y:Q"))
    if len(neg):
        layers.append(alt.Chart(neg).mark_tick(color=_NEG, thickness=2, size=10).encode(
            x, alt.Y("y:Q", scale=ys)))
    title = f"{df['label'].iloc[0]} (base {df['base'].iloc[0]:.4g})"
    return alt.layer(*layers).properties(title=title, width=190, height=140)


def distance_panels(by_distance: pd.DataFrame, curves: pd.DataFrame, by_base: pd.DataFrame,
                    summary: dict[str, Any], col: str, ytitle: str, what: str,
                    ref: float | None = None, domain: list[float] | None = None) -> Any:
    """One panel per base of ``col`` (seed mean, min-max band) against distance; red ticks at the
    bottom mark every distance m <= L where that base's B(m) < 0; ``ref`` is a dashed level."""
    L = int(summary["scale"]["seq_len"])
    labels = by_base.set_index("factor")["label"]
    panels = []
    for f, df in by_distance.sort_values(["factor", "distance"]).groupby("factor", sort=True):
        df = df.assign(label=labels[f])
        lo = domain[0] if domain else float(df[f"{col}_min"].min())
        neg = curves[(curves.factor == f) & curves.negative & (curves.m >= 1)][["m"]].rename(columns={"m": "distance"})
        panels.append(_panel(df, neg.assign(y=lo), col, ytitle, ref, domain, L))
    return alt.concat(*panels, columns=4).properties(
        title=f"{what} vs distance per base; red ticks: distances with B(m) < 0 — {profile_text(summary)}")


def men_B_chart(curves: pd.DataFrame, by_base: pd.DataFrame, summary: dict[str, Any]) -> Any:
    """Men et al.'s B(m) for m = 0..L of every trained base."""
    df = curves.merge(by_base[["factor", "label"]], on="factor")[["m", "B", "label", "base"]]
    line = alt.Chart(df).mark_line(strokeWidth=1.2).encode(
        alt.X("m:Q", title="distance m (bytes)"), alt.Y("B:Q", title="B(m) = Σ cos(m θᵢ)"),
        alt.Color("label:N", title="base", sort=list(by_base["label"])))
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
    return (zero + line).properties(title=f"B(m) of the trained bases — {profile_text(summary)}",
                                    width=480, height=260)


def longctx_charts(summary: dict[str, Any], by_base: pd.DataFrame, by_distance: pd.DataFrame,
                   curves: pd.DataFrame) -> dict[str, Any]:
    """Every figure of the stage, by output name."""
    L = int(summary["scale"]["seq_len"])
    chance = float(summary["scale"]["chance"])
    return {
        "perplexity": perplexity_chart(by_base, summary),
        "retrieval": distance_panels(by_distance, curves, by_base, summary, "accuracy", "accuracy",
                                     "Retrieval accuracy", ref=chance, domain=[0.0, 1.0]),
        "attention_mass": distance_panels(by_distance, curves, by_base, summary, "key_mass",
                                          "attention on the key", "Retrieval head's attention on the key",
                                          ref=1.0 / L, domain=[0.0, 1.0]),
        "attention_entropy": distance_panels(by_distance, curves, by_base, summary, "entropy", "entropy (nats)",
                                             "Retrieval head's attention entropy", ref=None, domain=None),
        "men_B": men_B_chart(curves, by_base, summary),
    }


ARCHIVED_FIGURES = ("perplexity", "retrieval", "men_B")


def archived_charts(summary: dict[str, Any], by_base: pd.DataFrame, by_distance: pd.DataFrame,
                    curves: pd.DataFrame) -> dict[str, Any]:
    """The archived run's figures (:data:`ARCHIVED_FIGURES`), named ``archived_<figure>``."""
    charts = longctx_charts(summary, by_base, by_distance, curves)
    return {f"archived_{name}": charts[name] for name in ARCHIVED_FIGURES}
