"""Display tables of the probes page: result tables with readable headers, every column formatted
once by :func:`analysis.core.numfmt.fmt_column` (one style per column), all values as text."""

from __future__ import annotations

import pandas as pd

from analysis.core.numfmt import MISSING, fmt_column, fmt_fixed

__all__ = ["prop32_display", "prope_display", "paired_display", "scorecard_display"]


def _text(values: pd.Series) -> list[str]:
    return [MISSING if pd.isna(v) else str(v) for v in values]


def prop32_display(p32: pd.DataFrame) -> pd.DataFrame:
    """Proposition 3.2 checked numerically: one row per distance."""
    cols = {"distance": ("distance r", 6), "mean": ("mean", 3), "sem": ("standard error", 3),
            "z_mean": ("mean / s.e.", 3), "var": ("variance", 4), "var_closed": ("d σ⁴", 4),
            "var_rel_diff": ("relative deviation", 3)}
    return pd.DataFrame({title: fmt_column(p32[c], digits) for c, (title, digits) in cols.items()}, dtype="string")


def prope_display(prope: pd.DataFrame) -> pd.DataFrame:
    """The p-RoPE table: our held-out loss over seeds (mean, s.d., range), perplexity, ranks, the
    paper's Table 2 values, and the loss with every frequency restored where measured."""
    rng = [f"{lo} – {hi}" for lo, hi in zip(fmt_column(prope.val_loss_min, 5), fmt_column(prope.val_loss_max, 5))]
    return pd.DataFrame({
        "variant": _text(prope.label),
        "seeds": fmt_column(prope.seeds),
        "loss, mean (nats/byte)": fmt_column(prope.val_loss_mean, 5),
        "s.d.": fmt_column(prope.val_loss_std, 2),
        "range over seeds": rng,
        "perplexity per byte": fmt_column(prope.val_perplexity, 4),
        "our rank": fmt_column(prope.our_rank),
        "paper Wiki": fmt_column(prope.paper_wiki, 5),
        "paper FlanV2": fmt_column(prope.paper_flanv2, 5),
        "paper rank": fmt_column(prope.paper_rank),
        "loss, all frequencies restored": fmt_column(prope.restored_val_loss_mean, 5),
    }, dtype="string")


def paired_display(paired: list[dict]) -> pd.DataFrame:
    """Each variant against RoPE base 10k, paired by seed (:func:`analysis.probes.prope.paired_comparisons`):
    the paper's ordering, the mean per-seed loss difference and its bootstrap interval, the power
    check and the verdict."""
    p = pd.DataFrame(paired)
    if p.empty:
        return pd.DataFrame({"variant": pd.Series([], dtype="string")})
    interval = [f"{fmt_fixed(lo)} to {fmt_fixed(hi)}" for lo, hi in zip(p["lo"], p["hi"])]
    return pd.DataFrame({
        "variant": _text(p.label),
        "paper: vs RoPE 10k": ["better" if b else "worse" for b in p.paper_a_better],
        "seeds": fmt_column(p.n),
        "loss difference (nats/byte)": [fmt_fixed(v) for v in p["mean"]],
        "95% interval": interval,
        "restored change": fmt_column(p.restored_change, 2),
        "RoPE 10k seed range": fmt_column(p.baseline_range, 2),
        "verdict": _text(p.verdict),
    }, dtype="string")


def scorecard_display(score: pd.DataFrame) -> pd.DataFrame:
    """The stage's scorecard rows as the page shows them."""
    return pd.DataFrame({
        "claim": _text(score["item"]), "paper": _text(score.paper_value), "ours": _text(score.our_value),
        "verdict": _text(score.verdict), "criterion": _text(score.criterion), "reason": _text(score.reason),
    }, dtype="string")
