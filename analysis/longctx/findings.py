"""The numbers and data-dependent phrases of report/longctx.qmd (results/longctx/findings.json)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.archive import record_findings
from analysis.core.findings import Finding, computed_in, finding
from analysis.core.numfmt import fmt

__all__ = ["longctx_findings"]

_SUPPORT = {
    "reproduced": "supports the claim at this scale",
    "differs": "contradicts the claim at this scale",
    "inconclusive": "cannot decide the claim at this scale",
    "not reproducible offline": "cannot be tested offline",
}


def _scale(s: dict[str, Any], p: str, src: str) -> list[Finding]:
    """The run's scale, as the summary step (``src``: ``summary`` or ``archived``) recorded it."""
    n = len(s["seeds"])
    seeds_note = (f"{n} seeds per base; bands and bars show the range over the seeds" if n >= 3 else
                  f"only {n} seed(s) per base (the budget of this profile allows no more): orderings are not "
                  "separated from the seed spread")
    return [
        *computed_in(src, [
            finding(p + "profile", s["profile"]), finding(p + "device", s["device"]),
            finding(p + "head_dim", s["head_dim"]), finding(p + "seq_len", s["seq_len"]), finding(p + "layers", s["layers"]),
            finding(p + "parameters", s["parameters"]), finding(p + "steps", s["steps"])]),
        finding(p + "n_seeds", n), finding(p + "seeds_note", seeds_note),
        *computed_in(src, [
            finding(p + "n_records", s["n_records"]), finding(p + "chance", s["chance"], fmt(s["chance"])),
            finding(p + "source", s["source"]), finding(p + "n_distances", s["n_distances"])]),
    ]


def _bounds(grid: dict[str, Any], p: str, src: str) -> list[Finding]:
    """The bounds at the trained scale, from the base grid (``src``: the bases step's ``bases``, which
    computed them, or the archived run's summary)."""
    ph = grid["phase"]
    return computed_in(src, [
        finding(p + "men_min_base", grid["men"]["min_base"], fmt(grid["men"]["min_base"], 6)),
        finding(p + "dc_exact", ph["dc_stability"]["exact"], fmt(ph["dc_stability"]["exact"], 4)),
        finding(p + "dc_paper", ph["dc_stability"]["paper"], fmt(ph["dc_stability"]["paper"], 4)),
        finding(p + "depth_exact", ph["depth_compounded"]["exact"], fmt(ph["depth_compounded"]["exact"], 4)),
        finding(p + "depth_paper", ph["depth_compounded"]["paper"], fmt(ph["depth_compounded"]["paper"], 4)),
        finding(p + "aliasing_exact", ph["aliasing"]["exact"], fmt(ph["aliasing"]["exact"], 4)),
        finding(p + "epsilon", grid["epsilon"]),
    ])


def _ci(ci: dict[str, Any], pct: bool = False) -> str:
    if not ci or ci["n"] == 0:
        return "no paired seed"
    f = (lambda x: f"{x:+.1%}".replace("-", "−")) if pct else (lambda x: fmt(x, 2))
    return f"{f(ci['mean'])} (95% interval {f(ci['lo'])} to {f(ci['hi'])}, {ci['n']} seeds)"


def _learned_text(learned: dict[str, dict[str, int]]) -> str:
    return "; ".join(f"{k}×: {v['learned']} of {v['seeds']}" for k, v in learned.items())


def _untestable_why(status: str, ci: dict[str, Any]) -> str:
    """Why a part is untestable and what would decide it (plain text, empty when it was tested)."""
    from analysis.longctx.claims import MIN_SEEDS

    if status != "untestable":
        return ""
    return (f" (only {ci['n'] if ci else 0} paired seeds learned short-range retrieval, {MIN_SEEDS} needed: deciding "
            "it needs a scale at which this base learns the task at short range, i.e. more steps or a wider model)")


def _men(men: dict[str, Any], p: str, src: str) -> list[Finding]:
    parts = []
    for t in men["bases"]:
        ret = ("not measured (no evaluated distance with B(m) < 0)" if not t["evaluated_negative"] else
               f"accuracy drop at the {t['evaluated_negative']} evaluated distances with B(m) < 0 "
               f"{_ci(t['retrieval'])}: {t['retrieval_status']}{_untestable_why(t['retrieval_status'], t['retrieval'])}")
        parts.append(f"{t['factor']:g}× ({t['share']['learned']} of {t['share']['seeds']} seeds learned): perplexity "
                     f"{_ci(t['ppl'], True)} against the feasible bases: {t['ppl_status']}; {ret}")
    return [
        finding(p + "men_verdict", men["verdict"], source=src), finding(p + "men_support", _SUPPORT[men["verdict"]]),
        finding(p + "men_details", "; ".join(parts) if parts else "no trained base lies below the bound"),
        *computed_in(src, [
            finding(p + "men_reference", men["reference_factors"],
                    ", ".join(f"{f:g}×" for f in men["reference_factors"]) or "none"),
            finding(p + "learned", men["learned"], _learned_text(men["learned"]))]),
    ]


def _phase(ph: dict[str, Any], p: str, src: str) -> list[Finding]:
    parts = [f"{t['factor']:g}× ({t['share']['learned']} of {t['share']['seeds']} seeds learned): long-range accuracy "
             f"drop {_ci(t['accuracy_drop'])}, attention-on-key drop {_ci(t['key_mass_drop'])}: {t['status']}"
             f"{_untestable_why(t['status'], t['accuracy_drop'])}"
             for t in ph["bases"]]
    sep = [f"{t['factor']:g}× (meets the DC bound, violates Men's; {t['share']['learned']} of {t['share']['seeds']} "
           f"seeds learned): long-range accuracy drop {_ci(t['accuracy_drop'])}" for t in ph.get("separating", [])]
    viol = ", ".join(f"{f:g}×" for f in ph["violating"]) or "none"
    return [
        finding(p + "phase_verdict", ph["verdict"], source=src), finding(p + "phase_support", _SUPPORT[ph["verdict"]]),
        *computed_in(src, [
            finding(p + "phase_violating", viol),
            finding(p + "phase_reference", ph["reference"], ", ".join(f"{f:g}×" for f in ph["reference"]) or "none")]),
        finding(p + "phase_details", "; ".join(parts) if parts else "no trained base violates the bounds"),
        finding(p + "phase_separating", "; ".join(sep) if sep else "no trained base meets the DC bound but not Men's"),
        finding(p + "phase_forms_agree", ph["same_set_paper_form"],
                "the paper form marks the same bases" if ph["same_set_paper_form"]
                else "the paper form marks a different set of bases", source=src),
    ]


def rule_text() -> str:
    """The decision rule in words: the paired bootstrap of :func:`analysis.core.stats.rule_text`, then
    the constants of :mod:`analysis.longctx.claims`."""
    from analysis.core.stats import rule_text as paired_rule
    from analysis.longctx import claims as C

    return (f"{paired_rule()}, must exclude zero on the side the claim predicts (holds); it is contradicted when it lies below zero "
            f"or within ±{C.EQUIVALENCE:g}; otherwise mixed; with fewer paired seeds untestable. "
            f"A seed learned the task when its accuracy at distances m ≤ L/{round(1 / C.SHORT_FRACTION)} is at least "
            f"{C.LEARNED_ACCURACY:g}; retrieval is compared only on seeds where the base and every reference base "
            f"learned. Perplexity must stay within +{C.PPL_TOLERANCE:.0%} of the reference's")


def longctx_findings(summary: dict[str, Any], bases: dict[str, Any], scorecard: pd.DataFrame,
                     archived: dict[str, Any] | None = None) -> list[Finding]:
    """Every finding of the page: the quick run's (no prefix) and the archived run's (``full_``). Each
    value copied from an input names it as its source (the bounds: ``bases``, the step that computed
    them; the archived run: ``archived``)."""
    c = summary["claims"]
    out = (_scale(summary["scale"], "", "summary") + _bounds(bases, "", "bases") + _men(c["men"], "", "summary")
           + _phase(c["phase"], "", "summary"))
    out.append(finding("scorecard_rows", len(scorecard)))
    out.append(finding("rule_text", True, rule_text()))
    out.append(finding("paper_scale_men", summary["paper_scale"]["men2024"], source="summary"))
    out.append(finding("paper_scale_phase", summary["paper_scale"]["liu2026"], source="summary"))
    if archived is not None:
        a = archived["claims"]
        out += (_scale(archived["scale"], "full_", "archived") + _bounds(archived, "full_", "archived")
                + _men(a["men"], "full_", "archived") + _phase(a["phase"], "full_", "archived")
                + computed_in("archived", record_findings(archived["record"], "full_")))
        out.append(finding("scorecard_source", True, "the archived run below (the run with the most seeds and steps)"))
    else:
        out.append(finding("scorecard_source", False, "this build's quick run (no run is archived)"))
    # the Summary page states the verdicts the scorecard shows: the archived run's when one is committed
    head, src = (archived, "the archived full run") if archived is not None else (summary, "this build's quick run")
    s = head["scale"]
    out += [
        *computed_in("archived" if archived is not None else "summary", [
            finding("headline_men_verdict", head["claims"]["men"]["verdict"]),
            finding("headline_phase_verdict", head["claims"]["phase"]["verdict"])]),
        finding("headline_source", archived is not None,
                f"{src}: {len(s['seeds'])} seeds, L = {s['seq_len']}, d = {s['head_dim']}, {s['steps']:,} steps"),
    ]
    return out
