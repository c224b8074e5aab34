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

import numpy as np

from analysis.errors import InputError
from analysis.rope import validate_base, validate_head_dim

__all__ = [
    "DTYPES",
    "canonical_dtype",
    "machine_epsilon",
    "validate_context_length",
    "validate_epsilon",
    "validate_layers",
    "collision_horizon",
    "aliasing_min_base",
    "dc_min_base",
    "depth_min_base",
    "precision_wall",
    "PhaseBounds",
    "phase_bounds",
    "verdict",
    "phase_bound_grid",
]

# canonical name -> torch dtype attribute name; aliases map onto canonical names
DTYPES: dict[str, str] = {
    "fp64": "float64",
    "fp32": "float32",
    "bf16": "bfloat16",
    "fp16": "float16",
    "fp8_e4m3": "float8_e4m3fn",
    "fp8_e5m2": "float8_e5m2",
}
_ALIASES: dict[str, str] = {
    "float64": "fp64", "double": "fp64", "f64": "fp64",
    "float32": "fp32", "float": "fp32", "f32": "fp32",
    "bfloat16": "bf16",
    "float16": "fp16", "half": "fp16", "f16": "fp16",
    "float8_e4m3fn": "fp8_e4m3", "e4m3": "fp8_e4m3", "fp8": "fp8_e4m3",
    "float8_e5m2": "fp8_e5m2", "e5m2": "fp8_e5m2",
}


def canonical_dtype(name: str) -> str:
    """Canonical short name (``fp32``, ``bf16``, ...) of a floating-point format name."""
    key = str(name).strip().lower().removeprefix("torch.")
    key = _ALIASES.get(key, key)
    if key not in DTYPES:
        raise InputError(f"unknown dtype {name!r}; expected one of {', '.join(DTYPES)}")
    return key


def machine_epsilon(dtype: str) -> float:
    """Machine epsilon (spacing of the format just above 1) from ``torch.finfo``."""
    import torch  # local import: the rest of this module needs no torch

    return float(torch.finfo(getattr(torch, DTYPES[canonical_dtype(dtype)])).eps)


def _positive_number(x: Any, name: str) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {x!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise InputError(f"{name} must be a positive finite number, got {x!r}")
    return v


def validate_context_length(L: Any) -> float:
    """Context length in tokens: a positive finite number."""
    return _positive_number(L, "context length")


def validate_layers(N: Any) -> int:
    """Number of layers: a positive integer."""
    v = _positive_number(N, "layers")
    if not float(v).is_integer():
        raise InputError(f"layers must be a positive integer, got {N!r}")
    return int(v)


def validate_epsilon(eps: Any) -> float:
    """Coherence threshold: a number strictly between 0 and 1."""
    try:
        v = float(eps)
    except (TypeError, ValueError):
        raise InputError(f"epsilon must be a number in (0, 1), got {eps!r}") from None
    if not (0.0 < v < 1.0):
        raise InputError(f"epsilon must lie strictly between 0 and 1, got {eps!r}")
    return v


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


def _min_d(d: int) -> int:
    d = validate_head_dim(d)
    if d == 2:
        raise InputError("head dim must be at least 4 for a lowest frequency below 1")
    return d


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


def phase_bound_grid(cfg: dict[str, Any]) -> "pd.DataFrame":
    """Long table of every phase-modulation bound over context lengths ``2^k`` (k from
    ``log2_context_min`` to ``log2_context_max``) and the config's layer counts.

    Columns: ``context_length, layers, bound, form, min_base`` for the lower bounds (aliasing, dc,
    depth) and ``dtype, form, max_base`` rows for the precision walls (bound = ``precision_wall``).
    """
    import pandas as pd

    d = _min_d(cfg["head_dim"])
    eps = validate_epsilon(cfg["epsilon"])
    lo, hi = int(cfg["log2_context_min"]), int(cfg["log2_context_max"])
    if lo > hi:
        raise InputError(f"log2_context_min ({lo}) must not exceed log2_context_max ({hi})")
    rows: list[dict[str, Any]] = []
    for k in range(lo, hi + 1):
        L = float(2**k)
        for form, v in aliasing_min_base(L, d).items():
            rows.append(dict(context_length=L, layers=None, bound="aliasing", form=form, base=v))
        for form, v in dc_min_base(L, eps, d).items():
            rows.append(dict(context_length=L, layers=1, bound="dc_stability", form=form, base=v))
        for N in cfg["layers"]:
            for form, v in depth_min_base(L, eps, N, d).items():
                rows.append(dict(context_length=L, layers=N, bound="depth_compounded", form=form, base=v))
    for dt in cfg["dtypes"]:
        w = precision_wall(dt, d)
        for form in ("paper", "exact"):
            rows.append(dict(context_length=None, layers=None, bound=f"precision_wall:{canonical_dtype(dt)}", form=form, base=w[form]))
    df = pd.DataFrame(rows)
    df["layers"] = df["layers"].astype("Int64")
    df["head_dim"] = d
    df["epsilon"] = eps
    return df
