"""The bases the models are trained with, placed around the bounds for the model's head dim and length.

For head dim ``d``, training length ``L``, coherence threshold ``eps`` and ``N`` layers, the bounds are
computed by the same functions as the bounds chapter (:mod:`analysis.bounds`):

- Men et al.'s minimum base (:func:`analysis.bounds.men_min_base_search`): the infimum of the bases
  with ``B(m) >= 0`` for every ``m`` in ``0..L``; every smaller base has some ``B(m) < 0``;
- the phase-modulation DC-stability and depth-compounded bounds (:func:`analysis.bounds.dc_min_base`,
  :func:`analysis.bounds.depth_min_base`), exact (``theta_min = base^(-(d-2)/d)``) and paper form
  (``theta_min ~ 1/base``), and the aliasing bound.

The trained bases are ``factor x`` Men's minimum base for the configured factors, so "at the bound"
is the bound itself (rounded up to ten significant digits, where ``B(m) >= 0`` holds exactly) and
the grid follows the bound when ``d`` or ``L`` change. Each base's own ``B(m)`` over ``m = 0..L``
says where it is negative (bases above the bound can be infeasible too: the feasible set is not an
interval).
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd

from analysis import bounds
from analysis.core.errors import InputError
from analysis.core.men import men_B
from analysis.core.rope import inv_freq

__all__ = ["phase_bounds_for", "base_grid", "base_label", "men_curves", "bases_results"]


def phase_bounds_for(seq_len: int, head_dim: int, epsilon: float, layers: int) -> dict[str, dict[str, float]]:
    """The phase-modulation lower bounds (paper and exact form) for training length ``seq_len``."""
    return {
        "aliasing": bounds.aliasing_min_base(seq_len, head_dim),
        "dc_stability": bounds.dc_min_base(seq_len, epsilon, head_dim),
        "depth_compounded": bounds.depth_min_base(seq_len, epsilon, layers, head_dim),
    }


def base_label(factor: float) -> str:
    """Where a base sits relative to Men's bound, in words (``0.7`` -> ``0.7× Men's bound``)."""
    return "Men's bound" if factor == 1.0 else f"{factor:g}× Men's bound"


def _base_row(base: float, factor: float, L: int, d: int, eps: float, phase: dict[str, Any]) -> dict[str, Any]:
    feas = bounds.men_feasibility(L, base, d)
    theta_min = base ** (-(d - 2.0) / d)
    row: dict[str, Any] = {
        "factor": float(factor),
        "base": float(base),
        "label": base_label(factor),
        "men_feasible": feas["feasible"],
        "first_negative_m": feas["first_negative_m"],
        "negative_count": feas["negative_count"],
        "min_B": feas["min_B"],
        "cos_L_theta_min": math.cos(L * theta_min),
        "cos_L_theta_min_paper": math.cos(L / base),
    }
    for name, b in phase.items():
        for form in ("exact", "paper"):
            row[f"meets_{name}_{form}"] = bool(base >= b[form])
    return row


def base_grid(
    seq_len: int, head_dim: int, epsilon: float, layers: int, factors: list[float]
) -> dict[str, Any]:
    """Men's minimum base and the phase bounds for ``(d, L)``, and one row per trained base
    ``factor x men_min_base``: its B(m) feasibility, first negative ``m``, ``cos(L theta_min)`` and
    which phase bounds it meets (exact and paper form)."""
    L, d = int(seq_len), int(head_dim)
    fs = [float(f) for f in factors]
    if not fs or any(f <= 0 for f in fs) or len(set(fs)) != len(fs):
        raise InputError(f"base factors must be distinct positive numbers, got {factors!r}")
    men = bounds.men_min_base_search(L, d)
    phase = phase_bounds_for(L, d, epsilon, layers)
    rows = [_base_row(men.min_base if f == 1.0 else float(f"{f * men.min_base:.10g}"), f, L, d, epsilon, phase)
            for f in sorted(fs)]
    return {
        "seq_len": L,
        "head_dim": d,
        "epsilon": float(epsilon),
        "layers": int(layers),
        "men": asdict(men),
        "phase": phase,
        "bases": rows,
    }


def men_curves(grid: dict[str, Any]) -> pd.DataFrame:
    """``B(m)`` for ``m = 0..L`` of every trained base (columns ``factor, base, m, B, negative``)."""
    L, d = int(grid["seq_len"]), int(grid["head_dim"])
    parts = []
    for row in grid["bases"]:
        B = men_B(inv_freq(row["base"], d), 0, L + 1)
        parts.append(pd.DataFrame({"factor": row["factor"], "base": row["base"], "m": np.arange(L + 1),
                                   "B": B, "negative": B < 0.0}))
    return pd.concat(parts, ignore_index=True)


def bases_results(*, seq_len: int, head_dim: int, epsilon: float, layers: int, factors: list[float],
                  profile: str) -> dict[str, Any]:
    """The stage's bases step: :func:`base_grid` for the ``profile``'s model (``bases``, marked with the
    profile) and the B(m) of every trained base (:func:`men_curves`, ``curves``)."""
    grid = base_grid(seq_len, head_dim, epsilon, layers, factors)
    grid["profile"] = profile
    return {"bases": grid, "curves": men_curves(grid)}
