"""The phase-alignment sweep: FFN activation magnitude and attention sharpness as a phase offset
``phi`` goes from -pi to pi (seed 002: "phase alignment amplifies activations and sharpens attention,
while misalignment weakens activations and disrupts focus").

*Interference through the FFN.* Two RoPE-modulated components carrying the same content ``u`` with
a phase offset ``phi`` in every pair add to ``x_p = R(p theta) u + R(p theta + phi) u`` =
``2 cos(phi/2) R(p theta + phi/2) u``; ``x`` goes through a random ``W`` (``N(0, 1/d)``) and each
nonlinearity; ``act_rms_<name>`` is the RMS activation over units and positions (a Blackman-Harris
weighted time average, which converges quickly to the phase average). For ReLU without
bias the theory is exact: ``rms(phi) = |cos(phi / 2)| rms(0)`` (positive homogeneity; the shift
``phi/2`` only moves the torus phases, which the position average covers when ``N`` spans many
periods of the lowest frequency; finite ``N`` leaves a small asymmetry between ``phi`` and ``-phi``).

*Attention, one aligned key among distractors* (``*_target``). A query ``q`` (``N(0, I)``,
``attn_head_dim`` dims) at position 0 attends causally to a target key with content ``R(phi) q``
at its own position and ``W`` distractor keys with random ``N(0, I)`` content, RoPE-rotated at
positions ``-1 .. -W``. Logits are ``q . R(Delta theta) k / sqrt(d)``; the target's is
``|q|^2 cos(phi) / sqrt(d)``, even in ``phi``, so entropy and target weight are exactly symmetric and
the target weight falls monotonically in ``|phi|``.

*Attention, RoPE kernel* (``*_bi``, ``*_causal``). Every key has content ``R(phi) q``, at relative
positions ``Delta``: logit ``= sum_i |q_i|^2 cos(Delta theta_i + phi) / sqrt(d)``. For the
bidirectional window ``Delta in [-W, W]`` the logit multiset at ``-phi`` equals that at ``phi``
(``Delta -> -Delta``), so entropy and maximum weight are exactly even in ``phi``; the causal window
``Delta in [-W, 0]`` has no such symmetry. Entropies in nats.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from analysis.core.errors import InputError
from analysis.core.rope import apply_rope, inv_freq, validate_head_dim
from analysis.harmonics.spectra import Activation, _positive_int, activation, window

__all__ = ["phase_sweep", "sweep_results", "sweep_symmetry", "sweep_summary", "entropy"]


def entropy(weights: NDArray[np.float64]) -> float:
    """Shannon entropy (nats) of attention weights that sum to 1."""
    return float(-(weights * np.log(np.maximum(weights, 1e-300))).sum())


def _ffn_row(
    phi: float, ang: NDArray[np.float64], w: NDArray[np.float64], acts: Mapping[str, Activation],
    avg_w: NDArray[np.float64],
) -> dict[str, Any]:
    """Input amplitude and RMS activation of each nonlinearity for two components offset by ``phi``."""
    d, hidden = w.shape
    z = np.exp(1j * ang) + np.exp(1j * (ang + phi))
    x = np.empty((ang.shape[0], d))
    x[:, 0::2], x[:, 1::2] = z.real, z.imag
    pre = x @ w
    row: dict[str, Any] = {"phi": phi, "input_amplitude": abs(2 * math.cos(phi / 2))}
    for name, f in acts.items():
        row[f"act_rms_{name}"] = float(np.sqrt(np.sum(avg_w[:, None] * f(pre) ** 2) / hidden))
    return row


def _attention_row(
    phi: float, q2: NDArray[np.float64], distractor_logits: NDArray[np.float64], deltas: NDArray[np.float64],
    theta_a: NDArray[np.float64],
) -> dict[str, float]:
    """Entropy and weights of one phase-offset key among distractors, and of the RoPE kernel."""
    da = 2 * len(q2)
    wts = special.softmax(np.concatenate([[q2.sum() * math.cos(phi) / math.sqrt(da)], distractor_logits]))
    row = {"entropy_target": entropy(wts), "target_weight": float(wts[0])}
    logits = (np.cos(deltas[:, None] * theta_a[None, :] + phi) @ q2) / math.sqrt(da)
    for label, mask in (("bi", np.ones(len(deltas), bool)), ("causal", deltas <= 0)):
        wts = special.softmax(logits[mask])
        row[f"entropy_{label}"] = entropy(wts)
        row[f"max_weight_{label}"] = float(wts.max())
        row[f"weight_at_zero_{label}"] = float(wts[np.flatnonzero(deltas[mask] == 0)[0]])
    return row


def phase_sweep(
    base: float,
    d: int,
    hidden: int,
    activations: Iterable[str],
    n_positions: int,
    n_offsets: int,
    attn_head_dim: int,
    attn_window: int,
    seed: int,
) -> pd.DataFrame:
    """Activation magnitude and attention sharpness for ``n_offsets`` phase offsets ``phi`` evenly
    spaced in [-pi, pi] (the three set-ups of the module docstring). One row per ``phi``: ``phi``,
    ``input_amplitude``, ``act_rms_<activation>``, ``entropy_target``, ``target_weight``, and
    ``entropy_``/``max_weight_``/``weight_at_zero_`` of the RoPE kernel (``bi``, ``causal``)."""
    rng = np.random.default_rng(seed)
    d = validate_head_dim(d)
    n_offsets = _positive_int(n_offsets, "n_offsets")
    attn_window = _positive_int(attn_window, "attention window")
    da = validate_head_dim(attn_head_dim, "attention head dim")
    theta, theta_a = inv_freq(base, d), inv_freq(base, da)
    u_phase = rng.uniform(0, 2 * np.pi, d // 2)
    w = rng.normal(0, 1 / math.sqrt(d), (d, hidden))
    q = rng.normal(0, 1, da)
    q2 = q[0::2] ** 2 + q[1::2] ** 2
    distractors = apply_rope(rng.normal(0, 1, (attn_window, da)), -np.arange(1.0, attn_window + 1), base)
    distractor_logits = distractors @ q / math.sqrt(da)
    p = np.arange(_positive_int(n_positions, "number of positions"), dtype=np.float64)
    acts = {name: activation(name) for name in activations}
    deltas = np.arange(-attn_window, attn_window + 1, dtype=np.float64)
    # weighted time average (Blackman-Harris weights summing to 1): for quasi-periodic signals it
    # converges to the torus average far faster than the plain mean over a record of finite length
    avg_w = window("blackman_harris", len(p))
    avg_w = avg_w / avg_w.sum()
    ang = p[:, None] * theta[None, :] + u_phase[None, :]
    rows = [
        {**_ffn_row(phi, ang, w, acts, avg_w), **_attention_row(phi, q2, distractor_logits, deltas, theta_a)}
        for phi in np.linspace(-np.pi, np.pi, n_offsets)
    ]
    return pd.DataFrame(rows)


def sweep_results(
    *,
    base: float,
    head_dim: int,
    ffn_hidden: int,
    activations: Iterable[str],
    n_positions: int,
    n_offsets: int,
    attn_head_dim: int,
    attn_window: int,
    seed: int,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The stage's sweep: :func:`phase_sweep` and its :func:`sweep_summary`. ``n_offsets`` must be odd
    so that ``phi = 0`` is sampled (harmonics.sweep.n_offsets)."""
    if int(n_offsets) % 2 == 0:
        raise InputError(f"sweep.n_offsets must be odd so that phi = 0 is sampled, got {n_offsets}")
    df = phase_sweep(
        float(base), int(head_dim), int(ffn_hidden), activations, int(n_positions), int(n_offsets),
        int(attn_head_dim), int(attn_window), int(seed),
    )
    return df, sweep_summary(df)


def sweep_symmetry(sweep: pd.DataFrame, column: str) -> float:
    """Largest ``|y(phi) - y(-phi)|`` of a sweep column (the offsets are symmetric about 0)."""
    y = sweep.sort_values("phi")[column].to_numpy()
    return float(np.max(np.abs(y - y[::-1])))


def sweep_summary(sweep: pd.DataFrame) -> dict[str, Any]:
    """Headline numbers of the sweep: ``symmetry`` (``|y(phi) - y(-phi)|`` max per column),
    ``relu_cos_law_max_error`` (``max |rms(phi)/rms(0) - |cos(phi/2)||`` for ReLU, NaN without ReLU)
    and the aligned/opposed values of every column."""
    s = sweep.sort_values("phi").reset_index(drop=True)
    cols = [c for c in s.columns if c != "phi"]
    i0 = int(s["phi"].abs().argmin())
    law = math.nan
    if "act_rms_relu" in s:
        law = float(
            (s["act_rms_relu"] / s.loc[i0, "act_rms_relu"] - np.abs(np.cos(s["phi"] / 2))).abs().max()
        )
    return {
        "symmetry": {c: sweep_symmetry(s, c) for c in cols},
        "relu_cos_law_max_error": law,
        "aligned": {c: float(s.loc[i0, c]) for c in cols},
        "opposed": {c: float(s.iloc[-1][c]) for c in cols},
    }


