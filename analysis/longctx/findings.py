"""The numbers and data-dependent phrases of report/longctx.qmd (results/longctx/findings.json)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.findings import Finding, finding
from analysis.core.numfmt import fmt

__all__ = ["longctx_findings"]

_SUPPORT = {
    "reproduced": "supports the claim at this scale",
    "differs": "contradicts the claim at this scale",
    "inconclusive": "cannot decide the claim at this scale (the seeds disagree or the reference did not learn)",
    "not reproducible offline": "cannot be tested offline",
}


def _scale(s: dict[str, Any]) -> list[Finding]:
    n = len(s["seeds"])
    seeds_note = (f"{n} seeds per base; bands and bars show the range over the seeds" if n >= 3 else
                  f"only {n} seed(s) per base (the budget of this profile allows no more): orderings are not "
                  "separated from the seed spread")
    return [
        finding("profile", s["profile"]), finding("device", s["device"]),
        finding("head_dim", s["head_dim"]), finding("seq_len", s["seq_len"]), finding("layers", s["layers"]),
        finding("parameters", s["parameters"]), finding("steps", s["steps"]), finding("n_seeds", n),
        finding("seeds_note", seeds_note), finding("n_records", s["n_records"]),
        finding("chance", s["chance"], fmt(s["chance"])),
    ]


def _bounds(summary: dict[str, Any]) -> list[Finding]:
    ph = summary["phase"]
    return [
        finding("men_min_base", summary["men"]["min_base"], fmt(summary["men"]["min_base"], 6)),
        finding("dc_exact", ph["dc_stability"]["exact"], fmt(ph["dc_stability"]["exact"], 4)),
        finding("dc_paper", ph["dc_stability"]["paper"], fmt(ph["dc_stability"]["paper"], 4)),
        finding("depth_exact", ph["depth_compounded"]["exact"], fmt(ph["depth_compounded"]["exact"], 4)),
        finding("depth_paper", ph["depth_compounded"]["paper"], fmt(ph["depth_compounded"]["paper"], 4)),
        finding("aliasing_exact", ph["aliasing"]["exact"], fmt(ph["aliasing"]["exact"], 4)),
        finding("epsilon", summary["epsilon"]),
    ]


def _men(men: dict[str, Any]) -> list[Finding]:
    parts = []
    for t in men["bases"]:
        acc = ("not measured (no evaluated distance beyond it)" if t["accuracy"] is None else
               f"accuracy {fmt(t['accuracy'], 2)} against {fmt(t['reference_accuracy'], 2)} for the feasible bases")
        parts.append(f"{t['factor']:g}× (first B(m) < 0 at m = {t['first_negative_m']}): perplexity "
                     f"{t['ppl_ratio_mean']:+.1%} from the best, {acc} at m ≥ {t['first_negative_m']}")
    ratios = [t["ppl_ratio_mean"] for t in men["bases"]]
    return [
        finding("men_verdict", men["verdict"]), finding("men_support", _SUPPORT[men["verdict"]]),
        finding("men_details", "; ".join(parts) if parts else "no trained base lies below the bound"),
        finding("best_factor", men["best_factor"], f"{men['best_factor']:g}× Men's bound"),
        finding("ref_ppl_ratio", men["reference_ppl_ratio"],
                "no base at or above the bound is feasible" if men["reference_ppl_ratio"] is None
                else f"{men['reference_ppl_ratio']:+.1%}"),
        finding("men_ppl_worst", max(ratios) if ratios else None,
                f"{max(ratios):+.1%}" if ratios else "no base below the bound"),
    ]


def _phase(ph: dict[str, Any]) -> list[Finding]:
    parts = [f"{t['factor']:g}×: attention on the key {fmt(t['key_mass'], 2)} against {fmt(t['reference_key_mass'], 2)}, "
             f"entropy {fmt(t['entropy'], 3)} against {fmt(t['reference_entropy'], 3)} nats, accuracy "
             f"{fmt(t['accuracy'], 2)} against {fmt(t['reference_accuracy'], 2)}" for t in ph["bases"]]
    viol = ", ".join(f"{f:g}×" for f in ph["violating"]) or "none"
    return [
        finding("phase_verdict", ph["verdict"]), finding("phase_support", _SUPPORT[ph["verdict"]]),
        finding("phase_violating", viol),
        finding("phase_details", "; ".join(parts) if parts else "no trained base violates the bounds"),
        finding("phase_forms_agree", ph["same_set_paper_form"],
                "the paper form marks the same bases" if ph["same_set_paper_form"]
                else "the paper form marks a different set of bases"),
    ]


def longctx_findings(summary: dict[str, Any], scorecard: pd.DataFrame) -> list[Finding]:
    """Every finding of the page (the scorecard rows' verdicts come from the same claims)."""
    c = summary["claims"]
    out = _scale(summary["scale"]) + _bounds(summary) + _men(c["men"]) + _phase(c["phase"])
    out.append(finding("scorecard_rows", len(scorecard)))
    out.append(finding("paper_scale_men", summary["paper_scale"]["men2024"]))
    out.append(finding("paper_scale_phase", summary["paper_scale"]["liu2026"]))
    return out
