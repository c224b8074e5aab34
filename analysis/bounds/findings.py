"""The numbers, sentence fragments and display tables of report/bounds.qmd.

Everything the bounds page shows that depends on data is built here from the stage's results and
written by rule ``bounds_findings`` (``results/bounds/findings.json`` and ``display/*.parquet``).
Fragments are plain text (no Markdown, no math, no cross-references): the page keeps its markup in
the prose and inserts these values only. A fragment that may be "nothing" has a stated text for
that case (``none``), so no finding is ever empty.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from analysis.core.findings import Finding, computed_in, finding
from analysis.core.numfmt import fmt, fmt_column, sci

__all__ = ["bounds_page", "phase_findings", "collision_findings", "men_findings", "comparison_findings",
           "fit_findings", "phase_display", "men_display", "methods_display"]

NONE = "none"  # the text of an empty list of context lengths


def _lengths(values: Iterable[Any]) -> str:
    """Context lengths as ``1,024, 2,048`` (thousands separators), or ``none``."""
    out = [fmt(int(x)) for x in values]
    return "; ".join(out) if out else NONE


def _walls(phase: pd.DataFrame) -> dict[str, float]:
    w = phase[phase["bound"].str.startswith("precision_wall")]
    return {f"{b.split(':')[1]}_{f}": float(v) for b, f, v in zip(w["bound"], w["form"], w["base"])}


def phase_findings(phase: pd.DataFrame) -> list[Finding]:
    """Head dim, epsilon, the precision walls, and the formats whose wall lies below every lower bound."""
    eps = float(phase["epsilon"].iloc[0])
    out = [finding("head_dim", int(phase["head_dim"].iloc[0]), source="phase"), finding("epsilon", eps, f"{eps:g}", source="phase")]
    for key, v in _walls(phase).items():
        out.append(finding(f"wall_{key}", v, source="phase"))
    lower = phase[phase["bound"].isin(["aliasing", "dc_stability", "depth_compounded"])]
    paper_low = float(lower[lower["form"] == "paper"]["base"].min())
    walls = _walls(phase)
    dts = [k.removesuffix("_paper") for k in walls if k.endswith("_paper")]
    below = [dt for dt in dts if walls[f"{dt}_paper"] <= paper_low]
    shown = ", ".join(dt.replace("_", "-") for dt in below)  # fp8-e4m3: an underscore reads as markup
    out.append(finding("walls_below_every_lower_bound", below, shown or NONE))
    out.append(finding("smallest_lower_bound", paper_low, source="phase"))
    return out


def collision_findings(marks: pd.DataFrame, collision_base: float) -> list[Finding]:
    m = marks.set_index("label")["position"]
    paper, exact = float(m["paper: 2π·base"]), float(m["exact: 2π/θ_min"])
    return [
        finding("collision_base", float(collision_base)),
        finding("collision_paper", round(paper), source="marks"),
        finding("collision_exact", round(exact), source="marks"),
        finding("collision_earlier", 1 - exact / paper, f"{1 - exact / paper:.0%}"),
    ]


def men_findings(crossings: pd.DataFrame, men: pd.DataFrame, published: dict[str, Any]) -> list[Finding]:
    """The B(m) figure's first crossing, the non-monotone example and the search's totals."""
    ex = published["men2024"]["non_monotone_example"]
    row = men[men["context_length"] == int(ex["context_length"])]
    ours = (f"and find that {sci(float(row['min_base'].iloc[0]), 4)} is feasible too" if len(row)
            else "(our table does not include this length)")
    first = crossings.iloc[0]
    m1 = first["first_negative_m"]
    return [
        finding("crossing_base", float(first["base"]), source="crossings"),
        finding("crossing_m", None if pd.isna(m1) else int(m1),
                "no m up to the largest drawn" if pd.isna(m1) else fmt(int(m1)), source="crossings"),
        *computed_in("published", [
            finding("example_length", int(ex["context_length"])),
            finding("example_feasible", float(ex["feasible_base"]), sci(float(ex["feasible_base"]), 2)),
            finding("example_infeasible", float(ex["infeasible_base"]), sci(float(ex["infeasible_base"]), 2))]),
        finding("example_ours", None if not len(row) else float(row["min_base"].iloc[0]), ours, source="men"),
        finding("search_steps", int(men["steps"].sum())),
        finding("search_full_evaluations", int(men["full_evaluations"].sum())),
        finding("search_uncertified", float(men["uncertified"].max()), sci(float(men["uncertified"].max()), 1), source="men"),
    ]


def comparison_findings(compare: pd.DataFrame) -> list[Finding]:
    """How our infima compare with the paper's table and Su's values, by verdict."""
    men = compare.dropna(subset=["men"])
    su = compare.dropna(subset=["su"])
    v = men["verdict_men"]
    rounded_down = men[(v == "match") & (~men["men_feasible"].astype(bool))]
    gap = men.assign(ratio=men["men"] / men["ours"]).sort_values("ratio")
    top = gap.iloc[-1] if len(gap) else None
    gap_text = (f"{top['ratio']:.2f} times ours at L = {fmt(int(top['context_length']))}" if top is not None else NONE)
    return [
        finding("men_matches", int((v == "match").sum())),
        finding("men_lengths", len(men)),
        *computed_in("compare", [  # the lengths of one verdict: the verdicts are the comparison's
            finding("men_not_infimum", _lengths(men[v == "not the infimum"]["context_length"])),
            finding("men_not_infimum_infeasible", _lengths(men[v == "not the infimum, itself infeasible"]["context_length"])),
            finding("men_below_infimum", _lengths(men[v == "below the infimum"]["context_length"])),
            finding("men_rounded_down", _lengths(rounded_down["context_length"]))]),
        finding("men_largest_ratio", None if top is None else float(top["ratio"]), gap_text),
        finding("su_matches", int((su["verdict_su"] == "match").sum())),
        finding("su_lengths", len(su)),
    ]


def fit_findings(fit: dict[str, Any], methods: pd.DataFrame, men: pd.DataFrame, phase: pd.DataFrame) -> list[Finding]:
    """The power-law fits, the Method 1/2 counts, and where Men et al.'s bound meets the fp32 wall."""
    o, p, r = fit["ours"], fit["paper"], fit["paper_table_refit"]
    fp32 = _walls(phase).get("fp32_paper")
    return computed_in("fit", [
        finding("fit_a", o["a"], f"{o['a']:.3g}"), finding("fit_b", o["b"], f"{o['b']:.3f}"),
        finding("fit_b_short", o["b"], f"{o['b']:.2f}"),
        finding("fit_max_dev", o["max_rel_dev"], f"{o['max_rel_dev']:.0%}"),
        finding("paper_fit_a", p["a"], f"{p['a']:g}"), finding("paper_fit_b", p["b"], f"{p['b']:g}"),
        finding("refit_a", r["a"], f"{r['a']:.4f}"), finding("refit_b", r["b"], f"{r['b']:.3f}"),
    ]) + [
        finding("methods_equal", int((methods["negative_count"] == methods["paper_count"]).sum())),
        finding("methods_total", len(methods)),
        finding("men_vs_fp32_wall", None, _fp32_crossing(men, fp32)),
    ]


def _fp32_crossing(men: pd.DataFrame, fp32_wall: float | None) -> str:
    """Where Men et al.'s bound meets the fp32 wall (paper form), and what follows: a plain sentence."""
    if fp32_wall is None:
        return "The fp32 wall is not among the formats computed, so Men et al.'s bound is not set against it"
    wall = fmt(fp32_wall)
    below = men[men["min_base"] < fp32_wall]
    above = men[men["min_base"] >= fp32_wall]
    if len(below) and len(above):
        return (f"Men et al.'s bound crosses the fp32 wall ({wall}, paper form) between "
                f"L = {fmt(int(below['context_length'].max()))} and L = {fmt(int(above['context_length'].min()))}: "
                "by these two criteria together, fp32 RoPE phases cannot serve the longer contexts")
    if len(below):
        return (f"Men et al.'s bound stays below the fp32 wall ({wall}, paper form) over the lengths "
                "computed, so by these two criteria fp32 phases suffice there")
    return (f"Men et al.'s bound lies above the fp32 wall ({wall}, paper form) at every length computed: "
            "by these two criteria together, fp32 RoPE phases serve none of them")


def phase_display(phase: pd.DataFrame) -> pd.DataFrame:
    """Lower bounds at the shortest, middle and longest context length (paper and exact forms)."""
    lower = phase[phase["bound"].isin(["aliasing", "dc_stability", "depth_compounded"])].copy()
    Ls = sorted(lower["context_length"].dropna().unique())
    pick = sorted({Ls[0], Ls[len(Ls) // 2], Ls[-1]})
    lower = lower[lower["context_length"].isin(pick)]
    lower = lower[~((lower["bound"] == "depth_compounded") & (lower["layers"] == 1))]  # N = 1 is the DC bound
    lower["N"] = lower["layers"].astype("string").fillna("any")
    tab = lower.pivot_table(index=["context_length", "bound", "N"], columns="form", values="base", aggfunc="first")
    tab = tab.reset_index()
    names = {"aliasing": "aliasing", "dc_stability": "DC stability", "depth_compounded": "depth-compounded"}
    return pd.DataFrame({
        "L": fmt_column([int(x) for x in tab["context_length"]]),
        "bound": [names[b] for b in tab["bound"]],
        "N": [str(n) for n in tab["N"]],
        "paper form": fmt_column(tab["paper"]),
        "exact form": fmt_column(tab["exact"]),
        "exact / paper": [f"{x:.3f}" for x in tab["exact"] / tab["paper"]],
    })


def _feasible_text(feasible: Any, m: Any) -> str:
    if feasible is None or (isinstance(feasible, float) and math.isnan(feasible)) or pd.isna(feasible):
        return "–"
    if bool(feasible):
        return "yes"
    return "no" if pd.isna(m) else f"no (m = {fmt(int(m))})"


def men_display(compare: pd.DataFrame) -> pd.DataFrame:
    """Our infima beside Men et al.'s and Su's values, with the verdicts and feasibility."""
    t = compare
    return pd.DataFrame({
        "L": fmt_column([int(x) for x in t["context_length"]]),
        "ours": [sci(x, 10) for x in t["ours"]],
        "Men et al.": fmt_column([None if pd.isna(x) else float(x) for x in t["men"]], 2),
        "verdict (Men)": [v if isinstance(v, str) else "–" for v in t["verdict_men"]],
        "Men's base feasible?": [_feasible_text(f, m) for f, m in zip(t["men_feasible"], t["men_first_negative_m"])],
        "Su": fmt_column([None if pd.isna(x) else float(x) for x in t["su"]], 2),
        "verdict (Su)": [v if isinstance(v, str) else "–" for v in t["verdict_su"]],
    })


def methods_display(methods: pd.DataFrame) -> pd.DataFrame:
    """Negative counts of Method 1 and Method 2, ours against the paper's."""
    return pd.DataFrame({
        "method": [str(m) for m in methods["method"]],
        "L": fmt_column([int(x) for x in methods["context_length"]]),
        "m with B(m) < 0, ours": fmt_column([int(x) for x in methods["negative_count"]]),
        "paper": fmt_column([int(x) for x in methods["paper_count"]]),
        "first negative m": fmt_column([None if pd.isna(x) else int(x) for x in methods["first_negative_m"]]),
    })


def bounds_page(
    phase: pd.DataFrame, marks: pd.DataFrame, crossings: pd.DataFrame, men: pd.DataFrame, compare: pd.DataFrame,
    fit: dict[str, Any], methods: pd.DataFrame, published: dict[str, Any], collision_base: float,
) -> dict[str, Any]:
    """Everything report/bounds.qmd shows: ``findings`` (a list of :class:`Finding`) and the display
    tables ``phase_table``, ``men_table`` and ``methods_table`` (text columns, one format each)."""
    items = (phase_findings(phase) + collision_findings(marks, collision_base) + men_findings(crossings, men, published)
             + comparison_findings(compare) + fit_findings(fit, methods, men, phase))
    return {"findings": items, "phase_table": phase_display(phase), "men_table": men_display(compare),
            "methods_table": methods_display(methods)}
