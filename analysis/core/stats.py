"""The statistical rule every trained comparison of the report uses: a paired bootstrap over seeds.

Two trained settings are compared **paired by seed** (same initialisation and batches): per seed, the
difference of a metric; the mean of those differences is resampled over the seeds ``N_BOOT`` times
(generator seeded ``BOOT_SEED``, so the same inputs give the same interval) and its ``CI`` percentile
interval decides. Fewer than ``MIN_SEEDS`` pairs decide nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["N_BOOT", "CI", "BOOT_SEED", "MIN_SEEDS", "paired_bootstrap", "rule_text"]

N_BOOT = 10000
CI = 0.95
BOOT_SEED = 0
MIN_SEEDS = 5


def paired_bootstrap(diffs: Any) -> dict[str, Any]:
    """Mean of the per-seed differences and its percentile interval over ``N_BOOT`` resamples of the seeds."""
    d = np.asarray(list(diffs), dtype=float)
    if d.size == 0:
        return {"n": 0, "mean": None, "lo": None, "hi": None, "diffs": []}
    rng = np.random.default_rng(BOOT_SEED)
    means = d[rng.integers(0, d.size, size=(N_BOOT, d.size))].mean(axis=1)
    a = (1 - CI) / 2
    return {"n": int(d.size), "mean": float(d.mean()), "lo": float(np.quantile(means, a)),
            "hi": float(np.quantile(means, 1 - a)), "diffs": [float(x) for x in d]}


def rule_text() -> str:
    """The rule in words, for criteria and pages."""
    return (f"the {CI:.0%} interval of the mean per-seed difference ({N_BOOT:,} bootstrap resamples of the "
            f"seeds), with at least {MIN_SEEDS} paired seeds")
