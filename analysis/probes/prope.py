"""p-RoPE at small scale: held-out losses of the trained variants over seeds, beside the paper's
Table 2, and the orderings judged against the seed spread.

Our perplexities are per byte (byte-level models on Python source), the paper's per token (Gemma 2B
on Wiki / FlanV2): only orderings are comparable. Each variant is trained with several seeds; its
*spread* is the range (min .. max) of the held-out loss over the seeds. An ordering of two variants
counts only where it exceeds the spread (:func:`compare_pair`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.stats import CI, MIN_SEEDS, N_BOOT

__all__ = [
    "BASELINE", "ORDER_CRITERION", "PAIRED_CRITERION", "paired_comparisons", "removed_rotation", "compare_pair", "prope_outputs", "prope_results", "prope_runs",
    "prope_table", "training_curves",
]

BASELINE = "rope10k"  # every other variant is compared with RoPE base 10k, as in the paper's Table 2
# the rule that decides an ordering verdict, fixed before any training run was measured
ORDER_CRITERION = (
    "reproduced when every seed of the variant the paper ranks better has a lower held-out loss than every "
    "seed of the other (the seed ranges do not overlap); differs when the ranges separate the other way; "
    "inconclusive when they overlap or a variant has fewer than 2 seeds. Power: a p-RoPE variant "
    "evaluated with its removed frequencies restored is judged only when restoring them changes its held-out "
    "loss by more than the seed range of RoPE base 10k; otherwise the trained model does not use the removed "
    "frequencies at this window and the ordering is inconclusive whatever the ranges (criterion added after "
    "seeing the data: restoring them changed the loss by 2e-5 nats/byte at 100 steps)"
)


# the rule of the archived full run (5 seeds), written while that run trained and before any of its numbers
# were read (issue 23; a one-seed pilot of 0.75-RoPE had been seen): paired by seed
PAIRED_CRITERION = (
    "per seed, the variant's held-out loss minus RoPE base 10k's (same seed: same initialisation and batches); "
    f"reproduced when the {CI:.0%} paired-bootstrap interval of the mean difference ({N_BOOT:,} resamples of the seeds) "
    "excludes zero on the side of the paper's ordering, differs when it excludes zero on the other side, "
    f"inconclusive when it contains zero or fewer than {MIN_SEEDS} seeds are paired. Power: a p-RoPE variant evaluated with "
    "its removed frequencies restored is judged only when restoring them changes its held-out loss by more than "
    "the seed range of RoPE base 10k (the quick run's power rule)"
)


def removed_rotation(keep_fraction: float, reversed_: bool, base: float, head_dim: int,
                     seq_len: int) -> float | None:
    """The largest angle (rad) any removed frequency turns over a window of ``seq_len`` positions,
    ``L * max(theta_removed)``; None when nothing is removed. Far below pi/2 the removed frequencies
    are nearly constant rotations inside the window, so removing them cannot change what the model
    can compute there: the ordering has no power at that window."""
    from analysis.probes.model import frequency_keep_mask

    n = int(head_dim) // 2
    keep = frequency_keep_mask(n, keep_fraction, reversed_)
    theta = float(base) ** (-2.0 * np.arange(n) / int(head_dim))
    removed = theta[~keep]
    return float(seq_len * removed.max()) if removed.size else None


def prope_runs(results: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per (variant, seed): held-out loss (nats/byte), perplexity, bits per byte, and the loss
    with every frequency restored where it was measured (NaN elsewhere)."""
    rows = []
    for r in results:
        for run in r["runs"]:
            restored = run.get("restored_val_loss")
            rows.append({
                "variant": r["variant"], "label": r["label"], "seed": int(run["seed"]),
                "val_loss": run["val_loss"], "val_perplexity": run["val_perplexity"],
                "val_bits_per_byte": run["val_bits_per_byte"], "val_bytes": int(run["val_bytes"]),
                "restored_val_loss": math.nan if restored is None else float(restored),
            })
    if not rows:
        raise InputError("no trained variants to tabulate")
    return pd.DataFrame(rows)


def compare_pair(a: Sequence[float], b: Sequence[float], paper_a: float, paper_b: float) -> dict[str, Any]:
    """Judge "variant a has a lower loss than b" as the paper orders them (``paper_a``, ``paper_b``:
    its perplexities) against our per-seed losses ``a`` and ``b`` by :data:`ORDER_CRITERION`."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    paper_a_better = paper_a < paper_b
    better, worse = (a, b) if paper_a_better else (b, a)
    if min(len(a), len(b)) < 2:
        verdict = "inconclusive"
    elif better.max() < worse.min():
        verdict = "reproduced"
    elif worse.max() < better.min():
        verdict = "differs"
    else:
        verdict = "inconclusive"
    return {"paper_a_better": bool(paper_a_better), "diff_mean": float(a.mean() - b.mean()),
            "spread_a": float(a.max() - a.min()), "spread_b": float(b.max() - b.min()), "verdict": verdict}


def _variant_row(g: pd.DataFrame, paper: Mapping[str, float]) -> dict[str, Any]:
    loss = g.val_loss.to_numpy()
    rest = g.restored_val_loss.dropna()
    return {
        "variant": g.variant.iloc[0], "label": g.label.iloc[0], "seeds": len(g),
        "val_loss_mean": float(loss.mean()), "val_loss_std": float(loss.std(ddof=1)) if len(g) > 1 else math.nan,
        "val_loss_min": float(loss.min()), "val_loss_max": float(loss.max()),
        "val_perplexity": float(math.exp(loss.mean())), "val_perplexity_min": float(math.exp(loss.min())),
        "val_perplexity_max": float(math.exp(loss.max())), "val_bits_per_byte": float(loss.mean() / math.log(2)),
        "restored_val_loss_mean": float(rest.mean()) if len(rest) else math.nan,
        "restored_max_abs_change": float((g.restored_val_loss - g.val_loss).abs().max()) if len(rest) else math.nan,
        "paper_wiki": paper.get("wiki"), "paper_flanv2": paper.get("flanv2"),
    }


def prope_table(
    results: Sequence[Mapping[str, Any]], paper: Mapping[str, Mapping[str, float]]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Per variant (rows in our order, best first): mean, sample standard deviation, min and max over
    seeds of the held-out loss, perplexity ``exp(mean loss)``, the paper's Table 2 values and ranks.
    Also the per-seed table (:func:`prope_runs`) and a summary: both orderings, Kendall's tau of our
    mean losses against the paper's Wiki column, and each variant compared with RoPE base 10k."""
    from scipy.stats import kendalltau

    runs = prope_runs(results)
    t = pd.DataFrame([_variant_row(g, paper.get(g.label.iloc[0], {})) for _, g in runs.groupby("variant", sort=False)])
    t["our_rank"] = t.val_loss_mean.rank(method="min").astype(int)
    t["paper_rank"] = t.paper_wiki.rank(method="min")
    t = t.sort_values(["our_rank", "variant"]).reset_index(drop=True)
    both = t.dropna(subset=["paper_wiki"])
    tau = float(kendalltau(both.val_loss_mean, both.paper_wiki).statistic) if len(both) >= 2 else math.nan
    ours = list(both.sort_values("val_loss_mean").label)
    theirs = list(both.sort_values("paper_wiki").label)
    summary = {
        "our_order": ours, "paper_order": theirs, "same_order": ours == theirs, "kendall_tau": tau,
        "n_variants": len(both), "seeds": sorted(set(runs.seed)), "min_seeds": int(t.seeds.min()),
        "nope_worst_ours": bool(ours and ours[-1] == "NoPE"), "nope_worst_paper": bool(theirs and theirs[-1] == "NoPE"),
        "devices": sorted({r["device"] for r in results}), "profile": _profile(results),
        "parameters": int(results[0]["parameters"]), "val_bytes": int(runs.val_bytes.iloc[0]),
        "comparisons": _comparisons(runs, t),
    }
    return t, runs, summary


def _profile(results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The training profile shared by every variant (an error if the variants were trained differently)."""
    profs = [dict(r["profile"]) for r in results]
    if any(p != profs[0] for p in profs):
        raise InputError("the variants were trained with different profiles; retrain them with one profile")
    return profs[0]


def _comparisons(runs: pd.DataFrame, t: pd.DataFrame) -> list[dict[str, Any]]:
    """Every trained variant against RoPE base 10k (when both were trained and the paper has both)."""
    base = t[t.variant == BASELINE]
    if base.empty or pd.isna(base.paper_wiki.iloc[0]):
        return []
    b_loss = runs[runs.variant == BASELINE].val_loss
    b_range = float(b_loss.max() - b_loss.min())
    out = []
    for _, r in t[(t.variant != BASELINE) & t.paper_wiki.notna()].iterrows():
        c = compare_pair(runs[runs.variant == r.variant].val_loss, b_loss, float(r.paper_wiki),
                         float(base.paper_wiki.iloc[0]))
        change = r.restored_max_abs_change
        power = None if pd.isna(change) else bool(change > b_range)
        if power is False:
            c["verdict"] = "inconclusive"
        out.append({"variant": r.variant, "label": r.label, "baseline": base.label.iloc[0], **c,
                    "restored_change": None if pd.isna(change) else float(change), "baseline_range": b_range,
                    "power": power})
    return out


def training_curves(results: Sequence[Mapping[str, Any]], window: int = 20) -> pd.DataFrame:
    """Training loss per step of every (variant, seed) with its ``window``-step running mean."""
    frames = []
    for r in results:
        for run in r["runs"]:
            loss = pd.Series(run["train_loss_curve"], dtype=float)
            frames.append(pd.DataFrame({
                "variant": r["variant"], "label": r["label"], "seed": int(run["seed"]),
                "step": np.arange(1, len(loss) + 1), "loss": loss.to_numpy(),
                "loss_mean": loss.rolling(int(window), min_periods=1).mean().to_numpy(),
            }))
    return pd.concat(frames, ignore_index=True)


def prope_results(
    results: Sequence[Mapping[str, Any]], paper: Mapping[str, Mapping[str, float]], corpus_sha256: str,
) -> dict[str, Any]:
    """Everything the p-RoPE rule writes: ``table``, ``runs`` and ``summary`` (:func:`prope_table`) and the
    training ``curves`` (:func:`training_curves`). Variants trained on another corpus than
    ``corpus_sha256`` (results/probes/corpus.json) raise InputError naming them."""
    stale = [r["variant"] for r in results if r["corpus_sha256"] != corpus_sha256]
    if stale:
        raise InputError(f"variants {stale} were trained on another corpus than corpus.json; "
                         "retrain them (snakemake --forcerun probes_train)")
    table, runs, summary = prope_table(results, paper)
    return {"table": table, "runs": runs, "summary": summary, "curves": training_curves(results)}


def prope_outputs(*, runs: Sequence[str], corpus: Mapping[str, Any], published: Mapping[str, Any]) -> dict[str, Any]:
    """The p-RoPE step: :func:`prope_results` of the training results at ``runs`` (one JSON file per
    variant, in the configured order) against the paper's Table 2 (``published``) and the corpus
    record (``corpus.json``)."""
    import json
    from pathlib import Path

    results = [json.loads(Path(p).read_text()) for p in runs]
    return prope_results(results, published["barbero2024"]["prope_perplexity"], corpus_sha256=corpus["sha256"])


def paired_comparisons(runs: pd.DataFrame, t: pd.DataFrame) -> list[dict[str, Any]]:
    """Every trained variant against RoPE base 10k by :data:`PAIRED_CRITERION`: the per-seed loss
    differences (variant - baseline, seeds both trained), their paired-bootstrap interval
    (:func:`analysis.core.stats.paired_bootstrap`), the power check and the verdict. ``runs`` and ``t``
    are :func:`prope_table`'s per-seed and per-variant tables."""
    from analysis.core.stats import paired_bootstrap

    base = t[t.variant == BASELINE]
    if base.empty or pd.isna(base.paper_wiki.iloc[0]):
        return []
    b = runs[runs.variant == BASELINE].set_index("seed").val_loss
    b_range = float(b.max() - b.min())
    out = []
    for _, r in t[(t.variant != BASELINE) & t.paper_wiki.notna()].iterrows():
        a = runs[runs.variant == r.variant].set_index("seed").val_loss
        seeds = sorted(set(a.index) & set(b.index))
        ci = paired_bootstrap((a[seeds] - b[seeds]).to_numpy())
        paper_better = float(r.paper_wiki) < float(base.paper_wiki.iloc[0])
        change = r.restored_max_abs_change
        power = None if pd.isna(change) else bool(change > b_range)
        below, above = ci["n"] > 0 and ci["hi"] < 0, ci["n"] > 0 and ci["lo"] > 0  # interval excludes zero
        if ci["n"] < MIN_SEEDS or power is False or not (below or above):
            verdict = "inconclusive"
        else:  # the paper ranks the variant better: its loss minus the baseline's is predicted below zero
            verdict = "reproduced" if below == paper_better else "differs"
        out.append({"variant": r.variant, "label": r.label, "baseline": base.label.iloc[0],
                    "paper_a_better": bool(paper_better), "seeds": seeds, **{k: ci[k] for k in ("n", "mean", "lo", "hi", "diffs")},
                    "restored_change": None if pd.isna(change) else float(change), "baseline_range": b_range,
                    "power": power, "verdict": verdict})
    return out
