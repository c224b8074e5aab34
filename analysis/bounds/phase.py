"""Bounds on the RoPE base.

Phase-modulation bounds (Liu, "Rotary Positional Embeddings as Phase Modulation", seeds 000/001):
each is given in the paper's form, which approximates the lowest frequency by ``theta_min ~ 1/base``,
and in the exact form, which uses ``theta_min = base ** (-(d - 2) / d)``.

- aliasing / collision horizon: the lowest oscillator completes a full turn after ``2 pi / theta_min``
  positions (paper: ``2 pi base``), so a context ``L`` needs ``L < 2 pi / theta_min``;
- DC stability: ``cos(L theta_min) >= eps``, i.e. paper ``base >= L / arccos(eps)``;
- depth-compounded: ``eps`` replaced by ``eps ** (1/N)`` for ``N`` layers;
- precision wall: the phase step ``theta_min`` must exceed the machine epsilon of the format,
  paper ``base < 1 / eps_mach``.

The Goldilocks interval is ``[max lower bound, precision wall)``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from analysis.bounds.dtypes import canonical_dtype, machine_epsilon
from analysis.bounds.inputs import min_head_dim as _min_d
from analysis.bounds.inputs import validate_context_length, validate_epsilon, validate_layers
from analysis.core.errors import InputError
from analysis.core.rope import validate_base, validate_head_dim

__all__ = [
    "collision_horizon", "aliasing_min_base", "dc_min_base", "depth_min_base", "precision_wall",
    "PhaseBounds", "phase_bounds", "verdict", "phase_bound_grid",
]


def _exact_from_paper(paper_base: float, d: int) -> float:
    """Invert ``base ** ((d-2)/d) >= X``: the exact base for a paper bound ``base >= X``."""
    return float(paper_base) ** (d / (d - 2.0))


def collision_horizon(base: float, d: int) -> dict[str, float]:
    """Position at which the lowest oscillator has turned once (positions collide).

    ``paper = 2 pi base``; ``exact = 2 pi / theta_min = 2 pi base ** ((d - 2) / d)``.
    """
    base = validate_base(base)
    d = validate_head_dim(d)
    if d == 2:
        raise InputError("head dim must be at least 4 for a lowest frequency below 1")
    return {"paper": 2.0 * math.pi * base, "exact": 2.0 * math.pi * base ** ((d - 2.0) / d)}


def _lower(paper: float, d: int) -> dict[str, float]:
    return {"paper": paper, "exact": _exact_from_paper(paper, d)}


def aliasing_min_base(L: float, d: int) -> dict[str, float]:
    """Smallest base whose collision horizon reaches ``L``: paper ``L / (2 pi)``."""
    L = validate_context_length(L)
    return _lower(L / (2.0 * math.pi), _min_d(d))


def dc_min_base(L: float, eps: float, d: int) -> dict[str, float]:
    """DC-stability bound: paper ``L / arccos(eps)``; exact ``(L / arccos(eps)) ** (d / (d - 2))``."""
    L = validate_context_length(L)
    eps = validate_epsilon(eps)
    return _lower(L / math.acos(eps), _min_d(d))


def depth_min_base(L: float, eps: float, N: int, d: int) -> dict[str, float]:
    """Depth-compounded bound: the DC bound with ``eps ** (1 / N)`` for ``N`` layers."""
    L = validate_context_length(L)
    eps = validate_epsilon(eps)
    N = validate_layers(N)
    return _lower(L / math.acos(eps ** (1.0 / N)), _min_d(d))


def precision_wall(dtype: str, d: int) -> dict[str, float]:
    """Largest base whose lowest phase step exceeds ``eps_mach``: paper ``1 / eps_mach``.

    Exact: ``base ** (-(d - 2) / d) > eps_mach``, i.e. ``base < eps_mach ** (-d / (d - 2))``.
    """
    eps_m = machine_epsilon(dtype)
    d = _min_d(d)
    return {"paper": 1.0 / eps_m, "exact": eps_m ** (-d / (d - 2.0)), "eps_mach": eps_m}


@dataclass(frozen=True)
class PhaseBounds:
    """All phase-modulation bounds for one setting; each bound in paper and exact form."""

    context_length: float
    layers: int
    epsilon: float
    head_dim: int
    dtype: str
    aliasing: dict[str, float]
    dc_stability: dict[str, float]
    depth_compounded: dict[str, float]
    precision_wall: dict[str, float]
    lower_bound: dict[str, float]
    goldilocks: dict[str, dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def phase_bounds(L: float, N: int, eps: float, d: int, dtype: str) -> PhaseBounds:
    """Every phase-modulation bound for context ``L``, ``N`` layers, threshold ``eps``, rotary dims
    ``d`` and number format ``dtype``, plus the Goldilocks interval in both forms."""
    L = validate_context_length(L)
    N = validate_layers(N)
    eps = validate_epsilon(eps)
    d = _min_d(d)
    dtype = canonical_dtype(dtype)
    al, dc, dp = aliasing_min_base(L, d), dc_min_base(L, eps, d), depth_min_base(L, eps, N, d)
    wall = precision_wall(dtype, d)
    lower = {form: max(al[form], dc[form], dp[form]) for form in ("paper", "exact")}
    gold = {
        form: {
            "low": lower[form],
            "high": wall[form],
            "feasible": bool(lower[form] < wall[form]),
        }
        for form in ("paper", "exact")
    }
    return PhaseBounds(L, N, eps, d, dtype, al, dc, dp, wall, lower, gold)


def verdict(base: float, bounds: PhaseBounds, form: str = "exact") -> dict[str, Any]:
    """Where ``base`` sits relative to the Goldilocks interval of ``bounds`` (``form``: paper|exact).

    ``status`` is one of ``infeasible-zone`` (the interval is empty), ``below-lower-bound``,
    ``above-precision-wall`` or ``inside``; ``margin_low`` and ``margin_high`` are the ratios
    ``base / low`` and ``high / base`` (both > 1 inside the zone).
    """
    base = validate_base(base)
    if form not in ("paper", "exact"):
        raise InputError(f"form must be 'paper' or 'exact', got {form!r}")
    g = bounds.goldilocks[form]
    if not g["feasible"]:
        status = "infeasible-zone"
    elif base < g["low"]:
        status = "below-lower-bound"
    elif base >= g["high"]:
        status = "above-precision-wall"
    else:
        status = "inside"
    checks = {
        "aliasing": base >= bounds.aliasing[form],
        "dc_stability": base >= bounds.dc_stability[form],
        "depth_compounded": base >= bounds.depth_compounded[form],
        "precision_wall": base < bounds.precision_wall[form],
    }
    return {
        "base": base,
        "form": form,
        "status": status,
        "checks": {k: bool(v) for k, v in checks.items()},
        "margin_low": base / g["low"],
        "margin_high": g["high"] / base,
    }


def phase_bound_grid(
    head_dim: int, epsilon: float, layers: Any, dtypes: Any, log2_context_min: int, log2_context_max: int
) -> "pd.DataFrame":
    """Long table of every phase-modulation bound over context lengths ``2^k`` (k from
    ``log2_context_min`` to ``log2_context_max``) and the layer counts ``layers``, for ``head_dim``
    rotary dims and coherence threshold ``epsilon``, plus the precision walls of ``dtypes``.

    Columns: ``context_length, layers, bound, form, base`` for the lower bounds (aliasing, dc,
    depth) and the precision walls (``bound = precision_wall:<dtype>``, no context length), then
    ``head_dim, epsilon``.
    """
    import pandas as pd

    d = _min_d(head_dim)
    eps = validate_epsilon(epsilon)
    lo, hi = int(log2_context_min), int(log2_context_max)
    if lo > hi:
        raise InputError(f"log2_context_min ({lo}) must not exceed log2_context_max ({hi})")
    rows: list[dict[str, Any]] = []
    for k in range(lo, hi + 1):
        L = float(2**k)
        for form, v in aliasing_min_base(L, d).items():
            rows.append(dict(context_length=L, layers=None, bound="aliasing", form=form, base=v))
        for form, v in dc_min_base(L, eps, d).items():
            rows.append(dict(context_length=L, layers=1, bound="dc_stability", form=form, base=v))
        for N in layers:
            for form, v in depth_min_base(L, eps, N, d).items():
                rows.append(dict(context_length=L, layers=N, bound="depth_compounded", form=form, base=v))
    for dt in dtypes:
        w = precision_wall(dt, d)
        for form in ("paper", "exact"):
            rows.append(dict(context_length=None, layers=None, bound=f"precision_wall:{canonical_dtype(dt)}", form=form, base=w[form]))
    df = pd.DataFrame(rows)
    df["layers"] = df["layers"].astype("Int64")
    df["head_dim"] = d
    df["epsilon"] = eps
    return df
