"""Synthetic RoPE results of Barbero et al. 2024 (no model needed): Figure 2, Propositions 3.1 and 3.2,
and positional (diagonal, previous-token) heads built from the highest frequency.

Convention (as :func:`analysis.core.rope.apply_rope`): pair ``i`` of a ``d``-dimensional vector rotates by
``p * theta_i`` radians at position ``p``, ``theta_i = base ** (-2 i / d)``. The relative distance of a
query at position ``m`` and a key at position ``n <= m`` is ``r = m - n`` (positions). The RoPE
activation (pre-softmax logit, without the ``1/sqrt(d)`` scale) is
``a(r) = <R^m q, R^n k> = q^T R^{-r} k = Re(sum_i conj(zq_i) zk_i exp(-j r theta_i))``
in the complex view ``z_i = x_{2i} + j x_{2i+1}``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analysis.core.errors import InputError
from analysis.core.rope import apply_rope, inv_freq, validate_base, validate_head_dim

__all__ = [
    "aliasing_distances",
    "figure2_table",
    "gaussian_moments",
    "key_for_distance",
    "positional_head",
    "positional_head_table",
    "prop31_table",
    "rope_activation",
    "rope_activation_naive",
    "probes_synthetic_tables",
    "synthetic_summary",
]


def _complex(x: NDArray[np.floating]) -> NDArray[np.complex128]:
    x = np.asarray(x, dtype=np.float64)
    validate_head_dim(x.shape[-1], name="last dimension of q/k")
    return x[..., 0::2] + 1j * x[..., 1::2]


def _distances(r: Any) -> NDArray[np.float64]:
    r = np.asarray(r, dtype=np.float64)
    if r.ndim != 1 or r.size == 0:
        raise InputError("distances must be a non-empty 1-D array of positions")
    return r


def rope_activation(
    q: NDArray[np.floating], k: NDArray[np.floating], distances: Any, base: float
) -> NDArray[np.float64]:
    """RoPE activation ``q^T R^{-r} k`` for each distance ``r`` (vectorised, closed form).

    ``q`` and ``k`` are ``[..., d]`` (broadcast against each other); the result is ``[..., len(r)]``.
    """
    zq, zk = _complex(q), _complex(k)
    r = _distances(distances)
    th = inv_freq(base, 2 * zq.shape[-1])
    phase = np.exp(-1j * r[:, None] * th[None, :])  # [R, d/2]
    return np.real((np.conj(zq) * zk) @ phase.T)


def rope_activation_naive(
    q: NDArray[np.floating], k: NDArray[np.floating], distances: Any, base: float
) -> NDArray[np.float64]:
    """Reference for tests: rotate a query at position ``m = max(r)`` and a key at ``m - r`` with
    :func:`analysis.core.rope.apply_rope` and take their dot product, one distance at a time."""
    r = _distances(distances).astype(np.int64)
    m = int(r.max())
    qm = apply_rope(np.asarray(q, dtype=np.float64)[None, :], np.array([m]), base)[0]
    out = []
    for s in r:
        kn = apply_rope(np.asarray(k, dtype=np.float64)[None, :], np.array([m - s]), base)[0]
        out.append(float(qm @ kn))
    return np.array(out)


def figure2_table(head_dim: int, base: float, max_distance: int, n_seeds: int, seed: int) -> pd.DataFrame:
    """Figure 2 of the paper: RoPE activation against distance ``0..max_distance`` for constant
    all-ones q, k (one deterministic curve) and for i.i.d. standard Gaussian q, k (``n_seeds``
    independent draws). Columns: ``kind``, ``distance``, ``mean``, ``std``, ``q05``, ``q95``,
    ``example`` (the first draw), ``n``."""
    d = validate_head_dim(head_dim)
    base = validate_base(base)
    if int(max_distance) < 1 or int(n_seeds) < 2:
        raise InputError("figure 2 needs max_distance >= 1 and n_seeds >= 2")
    r = np.arange(int(max_distance) + 1, dtype=np.float64)
    ones = rope_activation(np.ones(d), np.ones(d), r, base)
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((int(n_seeds), d))
    k = rng.standard_normal((int(n_seeds), d))
    g = rope_activation(q, k, r, base)  # [n_seeds, R]
    frames = [
        pd.DataFrame(
            {
                "kind": "all-ones",
                "distance": r.astype(int),
                "mean": ones,
                "std": 0.0,
                "q05": ones,
                "q95": ones,
                "example": ones,
                "n": 1,
            }
        ),
        pd.DataFrame(
            {
                "kind": "gaussian",
                "distance": r.astype(int),
                "mean": g.mean(0),
                "std": g.std(0, ddof=1),
                "q05": np.quantile(g, 0.05, axis=0),
                "q95": np.quantile(g, 0.95, axis=0),
                "example": g[0],
                "n": int(n_seeds),
            }
        ),
    ]
    return pd.concat(frames, ignore_index=True)


def gaussian_moments(
    head_dim: int, base: float, distances: Any, n_samples: int, seed: int, sigma: float = 1.0
) -> pd.DataFrame:
    """Proposition 3.2 checked numerically: for independent ``q, k ~ N(0, sigma^2 I_d)`` the activation
    ``q^T R^{-r} k`` has mean 0 and variance ``d sigma^4`` at every distance ``r`` (R is orthogonal:
    ``E[(q^T R k)^2] = sigma^2 E[|R^T q|^2] = d sigma^4``), so it does not decay.

    Returns one row per distance: empirical ``mean``, ``var``, the closed forms ``mean_closed`` (0)
    and ``var_closed``, the standard error of the mean ``sem``, ``z_mean = mean / sem`` and
    ``var_rel_diff = var / var_closed - 1``."""
    d = validate_head_dim(head_dim)
    r = _distances(distances)
    if int(n_samples) < 10 or not sigma > 0:
        raise InputError("gaussian_moments needs n_samples >= 10 and sigma > 0")
    rng = np.random.default_rng(seed)
    q = sigma * rng.standard_normal((int(n_samples), d))
    k = sigma * rng.standard_normal((int(n_samples), d))
    a = rope_activation(q, k, r, base)
    mean, var = a.mean(0), a.var(0, ddof=1)
    var_closed = d * sigma**4
    sem = np.sqrt(var / a.shape[0])
    return pd.DataFrame(
        {
            "distance": r.astype(int),
            "mean": mean,
            "var": var,
            "mean_closed": 0.0,
            "var_closed": var_closed,
            "sem": sem,
            "z_mean": mean / sem,
            "var_rel_diff": var / var_closed - 1.0,
            "n": int(n_samples),
        }
    )


def key_for_distance(q: NDArray[np.floating], r: int, base: float) -> NDArray[np.float64]:
    """Proposition 3.1: the key ``k = R^r q`` whose activation with ``q`` is largest at distance
    ``r`` (there it equals ``|q|^2``, the Cauchy-Schwarz maximum over all rotations)."""
    q = np.asarray(q, dtype=np.float64)
    return apply_rope(q[None, :], np.array([r]), base)[0]


def prop31_table(
    head_dim: int, base: float, targets: list[int], max_distance: int, seed: int
) -> pd.DataFrame:
    """Activation against distance ``0..max_distance`` of a random Gaussian query with the key
    :func:`key_for_distance` built for each target distance; columns ``target``, ``distance``,
    ``activation``, ``normalised`` (activation / |q|^2), ``argmax`` (distance of the maximum)."""
    d = validate_head_dim(head_dim)
    q = np.random.default_rng(seed).standard_normal(d)
    r = np.arange(int(max_distance) + 1)
    rows = []
    for t in targets:
        if not 0 <= int(t) <= int(max_distance):
            raise InputError(f"prop 3.1 target distance {t} outside 0..{max_distance}")
        a = rope_activation(q, key_for_distance(q, int(t), base), r, base)
        rows.append(
            pd.DataFrame(
                {
                    "target": int(t),
                    "distance": r,
                    "activation": a,
                    "normalised": a / float(q @ q),
                    "argmax": int(np.argmax(a)),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def positional_head(
    seq_len: int, offset: int, head_dim: int, base: float, logit_scale: float
) -> NDArray[np.float64]:
    """Causal attention weights ``[query, key]`` of a purely positional head built from the highest
    frequency (the paper's Figure 1 / Theorem 5.3): every key is the same vector ``k`` with only pair 0
    non-zero, every query is ``R^{-offset} k`` (so ``k = R^offset q``, Proposition 3.1), scaled so that ``|q| |k| = logit_scale``; ``offset = 0``
    gives a diagonal head, ``offset = 1`` a previous-token head. Queries with fewer than ``offset``
    earlier keys attend as the softmax says (nothing is masked beyond causality)."""
    d = validate_head_dim(head_dim)
    T = int(seq_len)
    if T < 2 or not 0 <= int(offset) < T:
        raise InputError(
            f"positional head needs seq_len >= 2 and 0 <= offset < seq_len, got {seq_len}, {offset}"
        )
    k = np.zeros(d)
    k[0] = math.sqrt(float(logit_scale))
    q = key_for_distance(k, -int(offset), base)
    pos = np.arange(T)
    qs = apply_rope(np.broadcast_to(q, (T, d)), pos, base)
    ks = apply_rope(np.broadcast_to(k, (T, d)), pos, base)
    logits = qs @ ks.T
    logits[np.triu_indices(T, 1)] = -np.inf
    logits -= logits.max(1, keepdims=True)
    w = np.exp(logits)
    return w / w.sum(1, keepdims=True)


def positional_head_table(
    seq_len: int, head_dim: int, base: float, logit_scales: list[float]
) -> pd.DataFrame:
    """Diagonal and previous-token heads (:func:`positional_head`) as long tables with columns
    ``head``, ``logit_scale``, ``query``, ``key``, ``weight``, ``on_target`` (key = query - offset)."""
    rows = []
    for name, off in (("diagonal", 0), ("previous-token", 1)):
        for c in logit_scales:
            w = positional_head(seq_len, off, head_dim, base, c)
            qi, ki = np.nonzero(np.tril(np.ones_like(w)))
            rows.append(
                pd.DataFrame(
                    {
                        "head": name,
                        "logit_scale": float(c),
                        "query": qi,
                        "key": ki,
                        "weight": w[qi, ki],
                        "on_target": (qi - ki) == off,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def aliasing_distances(theta: float, max_distance: int, tol: float) -> NDArray[np.int64]:
    """Integer distances ``s`` in ``1..max_distance`` at which one frequency ``theta`` nearly returns
    to phase 0 (``1 - cos(s theta) < tol``): the keys a single-frequency positional head can confuse."""
    s = np.arange(1, int(max_distance) + 1)
    return s[(1.0 - np.cos(s * float(theta))) < float(tol)]


def synthetic_summary(
    fig2: pd.DataFrame, p31: pd.DataFrame, p32: pd.DataFrame, heads: pd.DataFrame, *, head_dim: int,
    base: float, z_tolerance: float, var_tolerance: float, head_seq_len: int,
) -> dict[str, Any]:
    """The numbers the scorecard and the report quote from the synthetic tables:

    * ``ones_at_zero``, ``ones_far_envelope`` (``max |a(r)|`` over the far half of the distances) and
      their ratio ``ones_decay_ratio``; ``gauss_far_std_over_sqrt_d`` (spread of the Gaussian
      activations in the far half, in units of the closed-form ``sqrt(d)``: about 1 if no decay);
    * Proposition 3.2: ``prop32_max_abs_z``, ``prop32_max_abs_var_rel_diff`` and pass flags against
      ``z_tolerance`` / ``var_tolerance``;
    * Proposition 3.1: ``prop31_all_argmax_at_target``;
    * positional heads: minimum attention weight on the target key per head and logit scale
      (queries with a target only), and the near-return distances of the highest frequency
      (``1 - cos(s) < 0.01``) within the sequence."""
    ones = fig2[fig2.kind == "all-ones"].sort_values("distance")
    gauss = fig2[fig2.kind == "gaussian"].sort_values("distance")
    half = int(ones.distance.max()) // 2
    d = int(head_dim)
    a0 = float(ones["mean"].iloc[0])
    far = float(ones[ones.distance >= half]["mean"].abs().max())
    hw = []
    for (name, scale), g in heads.groupby(["head", "logit_scale"]):
        tgt = g[g.on_target]
        hw.append(
            {
                "head": name,
                "logit_scale": float(scale),
                "min_target_weight": float(tgt.weight.min()),
                "mean_target_weight": float(tgt.weight.mean()),
            }
        )
    max_z = float(p32.z_mean.abs().max())
    max_v = float(p32.var_rel_diff.abs().max())
    return {
        "head_dim": d,
        "base": float(base),
        "max_distance": int(ones.distance.max()),
        "ones_at_zero": a0,
        "ones_far_envelope": far,
        "ones_decay_ratio": far / a0,
        "gauss_far_std_over_sqrt_d": float(gauss[gauss.distance >= half]["std"].mean() / np.sqrt(d)),
        "gauss_n_seeds": int(gauss["n"].iloc[0]),
        "prop32_max_abs_z": max_z,
        "prop32_max_abs_var_rel_diff": max_v,
        "prop32_var_closed": float(p32.var_closed.iloc[0]),
        "prop32_samples": int(p32["n"].iloc[0]),
        "prop32_mean_ok": max_z < float(z_tolerance),
        "prop32_var_ok": max_v < float(var_tolerance),
        "z_tolerance": float(z_tolerance),
        "var_tolerance": float(var_tolerance),
        "prop31_targets": [int(t) for t in sorted(p31.target.unique())],
        "prop31_all_argmax_at_target": bool((p31.argmax == p31.target).all()),
        "positional_heads": hw,
        "head_seq_len": int(head_seq_len),
        "highest_freq_near_returns": aliasing_distances(1.0, int(head_seq_len) - 1, 0.01).tolist(),
        "highest_freq_near_returns_64": aliasing_distances(1.0, 64, 0.05).tolist(),
    }


def probes_synthetic_tables(
    *, head_dim: int, base: float, max_distance: int, n_seeds: int, prop32_samples: int,
    prop32_distances: list[int], z_tolerance: float, var_tolerance: float, prop31_targets: list[int],
    prop31_max_distance: int, head_seq_len: int, head_logit_scales: list[float], seed: int,
) -> dict[str, Any]:
    """Every synthetic result of the stage: the tables ``figure2``, ``prop31``, ``prop32``,
    ``positional_heads`` and their ``summary`` (:func:`synthetic_summary`)."""
    fig2 = figure2_table(head_dim, base, max_distance, n_seeds, seed)
    p31 = prop31_table(head_dim, base, prop31_targets, prop31_max_distance, seed)
    p32 = gaussian_moments(head_dim, base, prop32_distances, prop32_samples, seed)
    heads = positional_head_table(head_seq_len, head_dim, base, head_logit_scales)
    summary = synthetic_summary(fig2, p31, p32, heads, head_dim=head_dim, base=base, z_tolerance=z_tolerance,
                                var_tolerance=var_tolerance, head_seq_len=head_seq_len)
    return {"figure2": fig2, "prop31": p31, "prop32": p32, "positional_heads": heads, "summary": summary}
