"""Synthetic RoPE results (Barbero et al. 2024): closed forms against naive references."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.probes import synthetic as syn
from analysis.core.errors import InputError
from analysis.core.rope import inv_freq


def test_vectorised_activation_matches_naive_rotation():
    rng = np.random.default_rng(1)
    q, k = rng.standard_normal(16), rng.standard_normal(16)
    r = np.array([0, 1, 2, 7, 30, 99])
    np.testing.assert_allclose(
        syn.rope_activation(q, k, r, 500.0), syn.rope_activation_naive(q, k, r, 500.0), rtol=1e-10, atol=1e-10
    )


def test_all_ones_closed_form_and_decay():
    d, base = 128, 10_000.0
    t = syn.figure2_table(d, base, 5000, 8, seed=0)
    ones = t[t.kind == "all-ones"].sort_values("distance")
    closed = 2.0 * np.cos(np.outer(ones.distance, inv_freq(base, d))).sum(1)
    np.testing.assert_allclose(ones["mean"], closed, rtol=1e-9, atol=1e-9)
    assert ones["mean"].iloc[0] == pytest.approx(d)  # |1|^2 at distance 0
    # decay: the envelope max_{s >= r} |a(s)| shrinks with r, to under a third of a(0) beyond 1000
    env = [ones["mean"].abs().iloc[r:].max() for r in (10, 100, 1000, 4000)]
    assert all(a > b for a, b in zip(env, env[1:]))
    assert env[2] < d / 3


def test_gaussian_does_not_decay_prop32():
    d = 128
    m = syn.gaussian_moments(d, 10_000.0, [0, 1, 10, 100, 1000, 5000], 20_000, seed=3)
    assert (m.var_closed == d).all()
    assert m.z_mean.abs().max() < 4.5  # E = 0 within sampling error
    assert m.var_rel_diff.abs().max() < 0.08  # variance d sigma^4 at every distance: no decay


def test_gaussian_moments_scale_with_sigma():
    m = syn.gaussian_moments(32, 10_000.0, [0, 50], 20_000, seed=4, sigma=2.0)
    assert (m.var_closed == 32 * 16).all()
    assert m.var_rel_diff.abs().max() < 0.08


@pytest.mark.parametrize("r", [0, 1, 5, 37, 400])
def test_prop31_key_maximises_at_target(r):
    t = syn.prop31_table(128, 10_000.0, [r], 2000, seed=5)
    assert (t.argmax == r).all()
    assert t.normalised.max() == pytest.approx(1.0, abs=1e-12)  # |q|^2 at the target
    assert (t.normalised <= 1 + 1e-12).all()


def test_positional_heads_concentrate_with_scale():
    for off in (0, 1):
        w_small = syn.positional_head(32, off, 64, 10_000.0, 5.0)
        w_big = syn.positional_head(32, off, 64, 10_000.0, 2000.0)
        np.testing.assert_allclose(w_big.sum(1), 1.0)
        assert np.allclose(np.triu(w_big, 1), 0.0)  # causal
        tgt = lambda w, off=off: np.array([w[i, i - off] for i in range(off, 32)])
        assert tgt(w_big).min() > 0.99
        assert tgt(w_big).min() > tgt(w_small).min()
        assert (w_big.argmax(1)[off:] == np.arange(off, 32) - off).all()


def test_single_frequency_aliases_near_44():
    # theta_0 = 1 rad: 44 rad is within 0.02 rad of 7 turns, so the highest frequency alone cannot tell
    # distances r and r + 44 apart without a very large logit scale
    assert 44 in syn.aliasing_distances(1.0, 100, 1e-3)
    assert 1 not in syn.aliasing_distances(1.0, 100, 1e-3)


def test_bad_input():
    with pytest.raises(InputError, match="last dimension"):
        syn.rope_activation(np.ones(3), np.ones(3), [0], 10_000.0)
    with pytest.raises(InputError, match="target distance"):
        syn.prop31_table(8, 10_000.0, [50], 10, 0)
    with pytest.raises(InputError, match="offset"):
        syn.positional_head(8, 9, 8, 10_000.0, 1.0)
