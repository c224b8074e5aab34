"""Charts of the case study: every model's RoPE layer groups on the Goldilocks plot (context length x
RoPE base). Draws only data of result files (the table and the reference curves)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.case_study.labels import LABELS

__all__ = ["goldilocks_models_chart", "readable_labels", "case_study_figures"]

# the chart's plot area (px) and its label font: what readable_labels lays out against
WIDTH, HEIGHT, LABEL_FONT = 600, 420, 9

LABEL_COLOURS = {
    "very stable": "#1a9850", "stable": "#91cf60", "unstable": "#fc8d59", "infeasible": "#d73027",
}
# marker of each RoPE scaling type (the triangle-up is kept for Men et al.'s bound)
SCALING_SHAPES = {"none": "circle", "linear": "square", "dynamic": "triangle-down", "yarn": "diamond",
                  "llama3": "cross", "longrope": "triangle-right"}


def _reference(ref: pd.DataFrame, x: Any) -> Any:
    """The reference curves: lower bounds in greys (aliasing dashed), walls in red."""
    import altair as alt

    curves = list(dict.fromkeys(ref["curve"]))
    greys = ["#252525", "#525252", "#737373", "#969696", "#bdbdbd", "#d9d9d9"]
    walls = ["#b2182b", "#ef8a62"]
    n_low = sum(not c.startswith("wall") for c in curves)
    return alt.Chart(ref).mark_line(strokeWidth=1.4).encode(
        x=x,
        y=alt.Y("base:Q", scale=alt.Scale(type="log"), title="RoPE base (effective, exact form)"),
        color=alt.Color("curve:N", title=f"reference (d = {int(ref['head_dim'].iloc[0])}, exact)",
                        scale=alt.Scale(domain=curves, range=(greys * 4)[:n_low] + walls[: len(curves) - n_low])),
        strokeDash=alt.condition(alt.datum.curve == "aliasing", alt.value([5, 3]), alt.value([1, 0])),
    )


def _points(t: pd.DataFrame, x: Any) -> Any:
    """Each RoPE layer group at (judged length, effective base): colour = label, shape = scaling."""
    import altair as alt

    tooltip = [
        "name:N", "group:N", "scaling:N", alt.Tooltip("rope_theta:Q", format=".3g"),
        alt.Tooltip("effective_base:Q", format=".3g"), alt.Tooltip("lower_bound:Q", format=".3g"),
        alt.Tooltip("men_min_base:Q", format=".3g"), alt.Tooltip("margin_low:Q", format=".3g"),
        alt.Tooltip("epsilon_star_depth:Q", format=".2g"), "label:N", "men_text:N", "rotary_dims:Q",
        "depth_layers:Q",
    ]
    return alt.Chart(t).mark_point(filled=True, size=90, stroke="black", strokeWidth=0.5).encode(
        x=x, y="effective_base:Q", tooltip=tooltip,
        color=alt.Color("label:N", title="label",
                        scale=alt.Scale(domain=list(LABELS), range=[LABEL_COLOURS[k] for k in LABELS])),
        shape=alt.Shape("scaling:N", title="RoPE scaling",
                        scale=alt.Scale(domain=list(SCALING_SHAPES), range=list(SCALING_SHAPES.values()))),
    )


def _log_px(v: pd.Series, lo: float, hi: float, size: float) -> pd.Series:
    import numpy as np

    return (np.log10(v.astype(float)) - np.log10(lo)) / (np.log10(hi) - np.log10(lo)) * size


def _decades(lo: float, hi: float) -> tuple[float, float]:
    """A log axis' domain as Vega draws it ("nice": out to whole powers of ten)."""
    import math

    return 10.0 ** math.floor(math.log10(lo)), 10.0 ** math.ceil(math.log10(hi))


def readable_labels(points: pd.DataFrame, x_domain: tuple[float, float], y_domain: tuple[float, float],
                    width: float = WIDTH, height: float = HEIGHT, font: float = LABEL_FONT) -> pd.Series:
    """Which of ``points`` (columns ``context_length``, ``effective_base``, ``name``) get a text label
    on a log-log chart of ``width`` x ``height`` px: greedily, in the given order, a label is kept
    when its box (about 0.55 ``font`` px per character, right of and above the point) overlaps
    neither a kept label's box nor another point's marker. Boolean Series aligned with ``points``."""
    x = _log_px(points["context_length"], *x_domain, width)
    y = height - _log_px(points["effective_base"], *y_domain, height)
    boxes: list[tuple[float, float, float, float]] = []
    marks = list(zip(x, y))
    keep = []
    for i, (px, py, name) in enumerate(zip(x, y, points["name"])):
        box = (px + 6, py - font - 4, px + 6 + 0.55 * font * len(str(name)), py - 2)
        hits_box = any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes)
        hits_mark = any(j != i and box[0] - 5 < mx < box[2] + 5 and box[1] - 5 < my < box[3] + 5
                        for j, (mx, my) in enumerate(marks))
        ok = not hits_box and not hits_mark and box[2] <= width + 40
        keep.append(ok)
        if ok:
            boxes.append(box)
    return pd.Series(keep, index=points.index)


def goldilocks_models_chart(table: pd.DataFrame, ref: pd.DataFrame, epsilon: float) -> Any:
    """Altair chart: reference curves ``ref`` (results/case_study/reference_curves.parquet), every
    RoPE layer group at (judged length, effective base) coloured by its label, joined by a rule to its
    own exact lower bound (tick) and with Men et al.'s minimum base (triangle)."""
    import altair as alt

    t = table[table["group_kind"] != "nope"].copy()
    t["context_length"] = t["judged_length"].astype(float)
    t["name"] = [n if lab else f"{n} ({g})" for n, g, lab in zip(t["name"], t["group"], t["is_label_group"])]
    x = alt.X("context_length:Q", scale=alt.Scale(type="log"), title="context length L (tokens)")
    span = alt.Chart(t).mark_rule(color="#bbbbbb").encode(x=x, y="lower_bound:Q", y2="effective_base:Q")
    low = alt.Chart(t).mark_tick(color="#555555", thickness=2, size=10).encode(x=x, y="lower_bound:Q")
    men = alt.Chart(t).mark_point(shape="triangle-up", color="#7570b3", size=50, filled=False, strokeWidth=1.5).encode(
        x=x, y="men_min_base:Q", tooltip=["name:N", alt.Tooltip("men_min_base:Q", format=".3g")])
    # one label per position (groups with the same length and effective base share it, "A / B"), and
    # only labels that do not overlap another label or point; every point names its model on hover
    names = t.groupby(["context_length", "effective_base"], as_index=False, sort=False)["name"].agg(" / ".join)
    values = pd.concat([ref["base"], t["effective_base"], t["lower_bound"], t["men_min_base"]]).astype(float)
    values = values[values > 0]
    x_dom = (float(min(ref["context_length"].min(), t["context_length"].min())),
             float(max(ref["context_length"].max(), t["context_length"].max())))
    names = names[readable_labels(names, _decades(*x_dom), _decades(float(values.min()), float(values.max())))]
    text = alt.Chart(names).mark_text(align="left", baseline="bottom", dx=6, dy=-2, fontSize=LABEL_FONT).encode(
        x=x, y="effective_base:Q", text="name:N")
    sub = [f"eps = {epsilon:g}; tick: the group's own exact lower bound (its d and N); triangle: Men et al.'s minimum base;",
           "walls exact for the reference d. Labelled where legible; every model is in the table (and on hover)"]
    return (
        alt.layer(_reference(ref, x), span, low, men, _points(t, x), text)
        .resolve_scale(color="independent", shape="independent")
        .properties(width=WIDTH, height=HEIGHT, title=alt.Title("Models on the Goldilocks plot", subtitle=sub))
    )


def case_study_figures(table: pd.DataFrame, curves: pd.DataFrame, epsilon: float) -> dict[str, Any]:
    """Every figure of the case-study chapter (the step ``case_study.figures``)."""
    return {"goldilocks_models": goldilocks_models_chart(table, curves, epsilon)}
