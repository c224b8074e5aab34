"""Altair chart builders for the bounds chapter. Each takes the result tables made by
:mod:`analysis.bounds` (never recomputes) and returns a chart for :func:`analysis.core.figures.save_chart`."""

from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = ["collision_horizon_chart", "men_B_chart", "goldilocks_chart", "bounds_figures"]

_W, _H = 620, 320


def collision_horizon_chart(curve: pd.DataFrame, marks: pd.DataFrame, base: float, d: int) -> alt.LayerChart:
    """Similarity between positions 0 and p against p, one line per series, with vertical rules at
    the marked positions (``marks``: columns ``label, position``)."""
    lines = (
        alt.Chart(curve)
        .mark_line(strokeWidth=1)
        .encode(
            x=alt.X("position:Q", title="position p (tokens)", axis=alt.Axis(format="~s")),
            y=alt.Y("similarity:Q", title="similarity of positions 0 and p", scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=["series:N", alt.Tooltip("position:Q", format=",.0f"), alt.Tooltip("similarity:Q", format=".3f")],
        )
    )
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[5, 3], color="firebrick")
        .encode(x="position:Q", tooltip=["label:N", alt.Tooltip("position:Q", format=",.0f")])
    )
    # first mark labelled right of its rule, the others left of theirs, at different heights
    first = marks.iloc[:1].assign(y=-0.8)
    rest = marks.iloc[1:].assign(y=-0.92)
    label_r = alt.Chart(first).mark_text(align="left", dx=4, color="firebrick", fontSize=11)
    label_l = alt.Chart(rest).mark_text(align="right", dx=-4, color="firebrick", fontSize=11)
    labels = label_r.encode(x="position:Q", y="y:Q", text="label:N") + label_l.encode(
        x="position:Q", y="y:Q", text="label:N"
    )
    return (lines + rules + labels).properties(
        width=_W, height=_H, title=f"Collision horizon, base {base:,.0f}, d = {d}"
    )


def men_B_chart(curves: pd.DataFrame, crossings: pd.DataFrame, d: int) -> alt.LayerChart:
    """``B(m)`` against ``m`` (log axis) for several bases, the zero line and each base's first
    zero crossing (points)."""
    c = curves.assign(base_label=curves["base"].map(lambda b: f"{b:.0e}"))
    x = crossings.dropna(subset=["first_negative_m"]).copy()
    x["base_label"] = x["base"].map(lambda b: f"{b:.0e}")
    x["first_negative_m"] = x["first_negative_m"].astype(float)
    color = alt.Color("base_label:N", title="base", sort=sorted(c["base_label"].unique(), key=float))
    lines = (
        alt.Chart(c)
        .mark_line(strokeWidth=1)
        .encode(
            x=alt.X("m:Q", title="relative distance m (tokens)", scale=alt.Scale(type="log", nice=False), axis=alt.Axis(format="~s")),
            y=alt.Y("B:Q", title="B(m) = Σ cos(m θ_i)"),
            color=color,
        )
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
    pts = (
        alt.Chart(x)
        .mark_point(size=70, filled=True, shape="triangle-down")
        .encode(
            x="first_negative_m:Q",
            y="B_at:Q",
            color=color,
            tooltip=["base_label:N", alt.Tooltip("first_negative_m:Q", format=",.0f", title="first m with B < 0")],
        )
    )
    cross_rules = alt.Chart(x).mark_rule(strokeDash=[4, 3], opacity=0.7).encode(x="first_negative_m:Q", color=color)
    return (lines + zero + cross_rules + pts).properties(width=_W, height=_H, title=f"B(m) and its first zero crossing, d = {d}")


def goldilocks_chart(data: pd.DataFrame, d: int) -> alt.LayerChart:
    """Base against context length (log-log): lower bounds (solid exact, dashed paper form), Men et
    al.'s bound (points) and precision walls (horizontal lines)."""
    axis_x = alt.X("context_length:Q", title="context length L (tokens)", scale=alt.Scale(type="log", nice=False), axis=alt.Axis(format="~s"))
    axis_y = alt.Y("base:Q", title="RoPE base", scale=alt.Scale(type="log"), axis=alt.Axis(format="~e"))
    color = alt.Color("curve:N", title=None, legend=alt.Legend(orient="right"))
    dash = alt.StrokeDash("form:N", title="form", sort=["exact", "paper"])
    lines = (
        alt.Chart(data[data["kind"] != "Men et al."])
        .mark_line(strokeWidth=1.6)
        .encode(x=axis_x, y=axis_y, color=color, strokeDash=dash, detail="form:N",
                tooltip=["curve:N", "form:N", alt.Tooltip("context_length:Q", format=",.0f"), alt.Tooltip("base:Q", format=".3e")])
    )
    men = data[data["kind"] == "Men et al."]
    men_layer = (
        alt.Chart(men).mark_line(point=True, strokeWidth=2).encode(
            x=axis_x, y=axis_y, color=color,
            tooltip=["curve:N", alt.Tooltip("context_length:Q", format=",.0f"), alt.Tooltip("base:Q", format=".4e")],
        )
    )
    return (lines + men_layer).properties(
        width=_W, height=380, title=f"Goldilocks zone: lower bounds on the base vs precision walls (d = {d})"
    )


def bounds_figures(
    collision_curve: pd.DataFrame, collision_marks: pd.DataFrame, men_curves: pd.DataFrame,
    men_crossings: pd.DataFrame, goldilocks: pd.DataFrame, collision_base: float, head_dim: int,
) -> dict[str, alt.TopLevelMixin]:
    """Every figure of the bounds chapter, from the stage's result tables (the step ``bounds.figures``)."""
    d = int(head_dim)
    return {
        "collision_horizon": collision_horizon_chart(collision_curve, collision_marks, float(collision_base), d),
        "men_B_curves": men_B_chart(men_curves, men_crossings, d),
        "goldilocks": goldilocks_chart(goldilocks, d),
    }
