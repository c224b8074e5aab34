"""The numbers and data-dependent phrases of report/probes.qmd (results/probes/findings.json) and
its display tables (:mod:`analysis.probes.display`). The page only shows them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.core.findings import Finding, computed_in, finding
from analysis.core.numfmt import fmt, fmt_fixed
from analysis.probes.display import prop32_display, prope_display, scorecard_display

__all__ = ["probes_findings", "uniform_prev_score"]


def _list(xs: Any) -> str:
    return ", ".join(fmt(x) for x in xs) if len(xs) else "none"


def uniform_prev_score(tokens_per_text: list[int]) -> float:
    """Previous-token score of uniform causal attention: mean over texts of the mean over queries
    ``t >= 1`` of ``1 / (t + 1)`` (the chance level of :func:`analysis.probes.positional_scores`)."""
    return sum(sum(1 / (t + 1) for t in range(1, n)) / (n - 1) for n in tokens_per_text) / len(tokens_per_text)


def _intro(score: pd.DataFrame, subject: Mapping[str, Any]) -> list[Finding]:
    n = {v: int((score.verdict == v).sum()) for v in ("reproduced", "differs", "inconclusive", "not reproducible offline")}
    trained = subject["trained_by_pipeline"]
    return [
        finding("n_rows", len(score)), finding("n_reproduced", n["reproduced"]), finding("n_differs", n["differs"]),
        finding("n_inconclusive", n["inconclusive"]), finding("n_offline", n["not reproducible offline"]),
        *computed_in("subject", [
            finding("subject_name", subject["name"]),
            finding("subject_origin", trained, "trained by this pipeline" if trained else "a local checkpoint named in the config"),
        ]),
    ]


def _synthetic(syn: Mapping[str, Any]) -> list[Finding]:
    hw = {(h["head"], h["logit_scale"]): h["min_target_weight"] for h in syn["positional_heads"]}
    scales = sorted({h["logit_scale"] for h in syn["positional_heads"]})
    return computed_in("synthetic", [
        finding("syn_head_dim", syn["head_dim"]), finding("syn_base", syn["base"]),
        finding("ones_at_zero", syn["ones_at_zero"]), finding("max_distance", syn["max_distance"]),
        finding("ones_decay_ratio", syn["ones_decay_ratio"], digits=2),
        finding("gauss_n_seeds", syn["gauss_n_seeds"]),
        finding("gauss_far_std", syn["gauss_far_std_over_sqrt_d"], digits=2),
        finding("prop32_samples", syn["prop32_samples"]), finding("prop32_max_z", syn["prop32_max_abs_z"], digits=2),
        finding("prop32_var_pct", 100 * syn["prop32_max_abs_var_rel_diff"], digits=2),
        finding("prop32_var_closed", syn["prop32_var_closed"]),
        finding("prop31_targets", syn["prop31_targets"], _list(syn["prop31_targets"])),
        finding("head_seq_len", syn["head_seq_len"]),
        finding("scale_small", scales[0]), finding("scale_large", scales[-1]),
        finding("prev_weight_small", hw[("previous-token", scales[0])], digits=2),
        finding("prev_weight_large", hw[("previous-token", scales[-1])], digits=4),
        finding("near_returns_64", syn["highest_freq_near_returns_64"], _list(syn["highest_freq_near_returns_64"])),
        finding("near_returns_seq", syn["highest_freq_near_returns"], _list(syn["highest_freq_near_returns"])),
    ])


def _probes(subject: Mapping[str, Any], heads: pd.DataFrame) -> list[Finding]:
    band = int(subject["band_size"])
    q_low, q_high = float(heads.q_low_share.mean()), float(heads.q_high_share.mean())
    bp, bd = heads.loc[heads.prev_score.idxmax()], heads.loc[heads.diag_score.idxmax()]
    like = (
        "Like Gemma 7B, this small model puts more norm in the lowest frequencies than in the highest."
        if q_low > q_high else
        "Unlike Gemma 7B, this small model does not put more query norm in the lowest frequencies than in the highest."
    )
    return [
        *computed_in("subject", [finding("texts", subject["texts"]),
                                 finding("max_text_tokens", max(subject["tokens_per_text"])), finding("band_size", band)]),
        finding("q_low", q_low, digits=2), finding("q_high", q_high, digits=2),
        finding("k_low", float(heads.k_low_share.mean()), digits=2),
        finding("k_high", float(heads.k_high_share.mean()), digits=2),
        finding("uniform_share", band / (int(subject["head_dim"]) // 2), digits=2),
        finding("low_vs_high_sentence", q_low > q_high, like),
        *computed_in("heads", [finding("prev_layer", int(bp.layer)), finding("prev_head", int(bp["head"])),
                               finding("prev_score", float(bp.prev_score), digits=2)]),
        finding("prev_chance", uniform_prev_score(subject["tokens_per_text"]), digits=2),
        *computed_in("heads", [finding("prev_q_high", float(bp.q_high_share), digits=2),
                               finding("diag_layer", int(bd.layer)), finding("diag_head", int(bd["head"])),
                               finding("diag_score", float(bd.diag_score), digits=2)]),
    ]


def _seeds_sentence(n: int, seeds: list[int]) -> str:
    if n >= 3:
        return f"Each variant was trained with {n} seeds ({_list(seeds)})."
    return (f"Each variant was trained with only {n} seed{'s' if n != 1 else ''} ({_list(seeds)}) in this run, fewer "
            "than the 3 of the GPU profile: the spread below is a weak estimate of the seed noise.")


def _comparisons_text(summary: Mapping[str, Any]) -> str:
    parts = [f"{c['label']} against {c['baseline']}: {c['verdict']} (mean difference {fmt(c['diff_mean'], 2)} "
             f"nats/byte; seed ranges {fmt(c['spread_a'], 2)} and {fmt(c['spread_b'], 2)})"
             for c in summary["comparisons"]]
    return "; ".join(parts) + "." if parts else "No variant could be compared with RoPE base 10k in this run."


def _power_text(comparisons: list[dict[str, Any]], prof: Mapping[str, Any]) -> str:
    """Which orderings had power and, where none, the window that would decide them."""
    from analysis.probes.model import variant_spec
    from analysis.probes.prope import removed_rotation

    parts = []
    for c in comparisons:
        if c.get("power") is not False:
            continue
        spec = variant_spec(c["variant"])
        ang = removed_rotation(spec["keep_fraction"], spec["reversed"], spec["base"], prof["head_dim"], prof["seq_len"])
        need = math.ceil(math.pi / 2 * prof["seq_len"] / ang) if ang else None
        parts.append(f"{c['label']}: restoring its removed frequencies changes the loss by {fmt(c['restored_change'], 2)} "
                     f"nats/byte, less than RoPE base 10k's seed range {fmt(c['baseline_range'], 2)}, so its ordering is "
                     f"inconclusive: within a {fmt(prof['seq_len'])}-byte window its removed frequencies turn by at most "
                     f"{fmt(ang, 2)} rad, less than a quarter turn; a window of at least {fmt(need)} positions (a quarter "
                     f"turn of the fastest removed frequency), as in the paper's 8,192-token training, would decide it")
    return "; ".join(parts) + "." if parts else "Every judged ordering had power (or no restore check was run)."


def _restored_text(prope: pd.DataFrame, n_freq: int) -> str:
    rows = prope[prope.restored_val_loss_mean.notna()]
    parts = [f"{r.label} evaluated with all {n_freq} frequencies restored has a held-out loss of "
             f"{fmt(r.restored_val_loss_mean, 4)} nats/byte against {fmt(r.val_loss_mean, 4)} as trained (largest "
             f"change over its seeds {fmt(r.restored_max_abs_change, 2)}; its seed range "
             f"{fmt(r.val_loss_max - r.val_loss_min, 2)})" for r in rows.itertuples()]
    return "; ".join(parts) + "." if parts else "No variant was evaluated with its frequencies restored in this run."


def _prope(summary: Mapping[str, Any], prope: pd.DataFrame, corpus: Mapping[str, Any],
           subject: Mapping[str, Any]) -> list[Finding]:
    prof = summary["profile"]
    theta = [t for t in (subject["inv_freq"] or []) if t > 0] if subject["trained_by_pipeline"] else []
    n_long = sum(2 * math.pi / t > prof["seq_len"] for t in theta)
    verdicts = [c["verdict"] for c in summary["comparisons"]]
    return [
        *computed_in("summary", [
            *(finding(f"prof_{k}", prof[k]) for k in ("layers", "hidden", "heads", "head_dim", "seq_len", "steps", "batch")),
            finding("n_seeds", summary["min_seeds"]), finding("seeds_sentence", summary["seeds"],
                                                              _seeds_sentence(summary["min_seeds"], summary["seeds"]))]),
        *computed_in("corpus", [
            finding("train_bytes", corpus["train_bytes"]), finding("n_files", len(corpus["files"])),
            finding("corpus_root", corpus["root"]), finding("corpus_sha", corpus["sha256"][:12]),
            finding("val_every", corpus["val_every"]), finding("val_bytes", corpus["val_bytes"])]),
        *computed_in("summary", [
            finding("eval_bytes", summary["val_bytes"]), finding("devices", summary["devices"], ", ".join(summary["devices"])),
            finding("our_order", summary["our_order"], " < ".join(summary["our_order"])),
            finding("paper_order", summary["paper_order"], " < ".join(summary["paper_order"])),
            finding("order_word", summary["same_order"], "agrees with" if summary["same_order"] else "does not agree with"),
            finding("kendall_tau", summary["kendall_tau"], digits=2), finding("n_variants", summary["n_variants"]),
            finding("parameters", summary["parameters"])]),
        finding("n_long", n_long), finding("n_theta", len(theta)),
        finding("n_compared", len(verdicts)),
        *(finding(f"n_order_{v}", verdicts.count(v)) for v in ("reproduced", "inconclusive", "differs")),
        finding("comparisons_text", summary["comparisons"], _comparisons_text(summary), source="summary"),
        finding("restored_text", True, _restored_text(prope, int(prof["head_dim"]) // 2)),
        finding("power_text", True, _power_text(summary["comparisons"], prof)),
    ]


def _paired_text(paired: list[dict[str, Any]]) -> str:
    parts = [f"{c['label']}: {c['verdict']} (mean difference {fmt_fixed(c['mean'])} nats/byte over {c['n']} paired seeds, "
             f"95% interval {fmt_fixed(c['lo'])} to {fmt_fixed(c['hi'])}; the paper ranks it "
             f"{'better' if c['paper_a_better'] else 'worse'})" if c["n"] else f"{c['label']}: no paired seeds"
             for c in paired]
    return "; ".join(parts) + "." if parts else "No variant could be compared with RoPE base 10k."


def _headline(summary: Mapping[str, Any], archived: Mapping[str, Any] | None) -> str:
    """The Summary page's sentence: the orderings the scorecard judges (the archived run's when one is
    committed, else the quick run's)."""
    if archived is None:
        return "p-RoPE in this build's quick run: " + _comparisons_text(summary)
    paired = archived["paired"]
    verdicts = [c["verdict"] for c in paired]
    counts = ", ".join(f"{verdicts.count(v)} {v}" for v in ("reproduced", "inconclusive", "differs") if v in verdicts)
    each = "; ".join(f"{c['label']} {c['verdict']}" for c in paired)
    return (f"p-RoPE in the archived full run ({archived['min_seeds']} seeds, each variant paired by seed with RoPE "
            f"base 10k): of the paper's {len(paired)} orderings against RoPE base 10k, {counts} ({each})."
            if paired else "p-RoPE in the archived full run: no variant could be compared with RoPE base 10k.")


def _archived(a: Mapping[str, Any], table: pd.DataFrame) -> list[Finding]:
    """The archived full run's findings (``full_`` names): the values the archived step computed, and
    the counts and sentences made here as for the quick run."""
    from analysis.core.archive import record_findings
    from analysis.core.stats import rule_text

    prof = a["profile"]
    verdicts = [c["verdict"] for c in a["paired"]]
    return computed_in("archived", [
        *(finding(f"full_{k}", prof[k]) for k in ("layers", "hidden", "heads", "head_dim", "seq_len", "steps", "batch")),
        finding("full_n_seeds", a["min_seeds"]), finding("full_seeds", a["seeds"], _list(a["seeds"])),
        finding("full_parameters", a["parameters"]), finding("full_device", a["record"]["device"]),
        finding("full_threads", a["record"].get("threads")),
        *record_findings(a["record"], "full_"),
        finding("full_our_order", a["our_order"], " < ".join(a["our_order"])),
        finding("full_paper_order", a["paper_order"], " < ".join(a["paper_order"])),
        finding("full_order_word", a["same_order"], "agrees with" if a["same_order"] else "does not agree with"),
        finding("full_kendall_tau", a["kendall_tau"], digits=2),
    ]) + [  # counted and worded here, as the quick run's
        finding("full_n_compared", len(verdicts)),
        *(finding(f"full_n_order_{v}", verdicts.count(v)) for v in ("reproduced", "inconclusive", "differs")),
        finding("full_paired_text", a["paired"], _paired_text(a["paired"]), source="archived"),
        finding("full_restored_text", True, _restored_text(table, int(prof["head_dim"]) // 2)),
        finding("full_power_text", True, _power_text(a["paired"], prof)),
        finding("full_rule", True, rule_text()),
    ]


def probes_findings(
    synthetic: Mapping[str, Any], prop32: pd.DataFrame, subject: Mapping[str, Any], heads: pd.DataFrame,
    corpus: Mapping[str, Any], prope: pd.DataFrame, summary: Mapping[str, Any], scorecard: pd.DataFrame,
    archived: Mapping[str, Any] | None = None, archived_table: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The page's ``findings`` and its display tables ``prop32``, ``prope`` and ``scorecard`` (each
    argument is the findings step's input of that name; ``archived`` and ``archived_table``: the archived
    full run's summary and per-variant table, when one is committed)."""
    items = (_intro(scorecard, subject) + _synthetic(synthetic) + _probes(subject, heads)
             + _prope(summary, prope, corpus, subject))
    if archived is not None and archived_table is not None:
        items += _archived(archived, archived_table)
    items.append(finding("scorecard_source", archived is not None,
                         f"the archived full run below ({archived['min_seeds']} seeds, paired by seed)"
                         if archived is not None else "this build's quick run (no run is archived)"))
    items.append(finding("headline_text", archived is not None, _headline(summary, archived)))
    return {"findings": items, "prop32": prop32_display(prop32), "prope": prope_display(prope),
            "scorecard": scorecard_display(scorecard)}
