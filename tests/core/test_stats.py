"""The one statistical rule of the trained comparisons: the paired bootstrap over seeds."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analysis.core import stats


def test_paired_bootstrap_matches_exact_enumeration_for_two_seeds():
    """With two seeds the resampled mean takes a (1/4), (a+b)/2 (1/2) or b (1/4): the 2.5% and 97.5%
    quantiles are a and b exactly."""
    ci = stats.paired_bootstrap([0.1, 0.3])
    assert ci["n"] == 2 and ci["mean"] == pytest.approx(0.2)
    assert (ci["lo"], ci["hi"]) == (pytest.approx(0.1), pytest.approx(0.3))


def test_paired_bootstrap_against_naive_resampling_distribution():
    """Five seeds: the bootstrap interval agrees, within Monte Carlo error, with the quantiles of the
    exact resampling distribution enumerated over all 5^5 index tuples."""
    d = np.array([0.16, 0.0, 0.30, 0.005, 0.0])
    means = np.sort([d[list(idx)].mean() for idx in itertools.product(range(5), repeat=5)])
    lo, hi = np.quantile(means, 0.025), np.quantile(means, 0.975)
    ci = stats.paired_bootstrap(d)
    assert ci["lo"] == pytest.approx(lo, abs=0.01) and ci["hi"] == pytest.approx(hi, abs=0.01)
    assert ci["diffs"] == pytest.approx(list(d))


def test_paired_bootstrap_properties():
    d = [0.05, -0.02, 0.11, 0.07, 0.01]
    a, b = stats.paired_bootstrap(d), stats.paired_bootstrap(d)
    assert a == b  # same inputs, same interval
    assert min(d) <= a["lo"] <= a["mean"] <= a["hi"] <= max(d)
    shifted = stats.paired_bootstrap([x + 1.0 for x in d])  # same resamples: the interval moves with the data
    assert shifted["lo"] == pytest.approx(a["lo"] + 1.0) and shifted["hi"] == pytest.approx(a["hi"] + 1.0)
    const = stats.paired_bootstrap([0.2] * 5)
    assert const["lo"] == pytest.approx(0.2) and const["hi"] == pytest.approx(0.2)
    assert stats.paired_bootstrap([]) == {"n": 0, "mean": None, "lo": None, "hi": None, "diffs": []}


def test_rule_text_states_the_constants():
    t = stats.rule_text()
    assert "95%" in t and f"{stats.N_BOOT:,}" in t and str(stats.MIN_SEEDS) in t
