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
from numpy.typing import NDArray

from analysis.core.errors import InputError
from analysis.core import rope
from analysis.core.rope import validate_base, validate_head_dim

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
    "men_B",
    "men_B_naive",
    "men_B_prefix",
    "MenMinBase",
    "men_min_base_search",
    "men_min_base",
    "men_min_base_table",
    "men_B_prefix_theta",
    "men_feasibility",
    "men_method_thetas",
    "men_negative_counts",
    "power_law_fit",
    "men_compare",
    "men_scorecard",
    "downsample_minmax",
    "collision_horizon_curve",
    "men_B_curves",
    "goldilocks_curves",
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


# ---------------------------------------------------------------------------------------------
# Men et al. 2024 ("Base of RoPE Bounds Context Length", seed 003): B(m) and the minimum base
#
# B(m) = sum_{i=0}^{d/2-1} cos(m theta_i) is, up to a positive factor, the gap between the expected
# attention to a similar token and to a random one at distance m (their Theorem 1). Their bound is
# base_L = inf{base : B(m) >= 0 for every integer m in 0..L}. The feasible set is not an interval
# (at L = 2048 base 1.6e4 is feasible, 1.2e4 is not, yet 1.16e4 is), so bisection over the base is
# wrong. men_min_base certifies infeasibility of every base below its answer instead (see there).

_MEN_CHUNK = 1024  # positions per block of the angle-addition evaluation of B(0..L)
_MEN_WITNESSES = 8  # negative positions m tracked as infeasibility witnesses during the walk
_MEN_BATCH = 8  # bases evaluated together per step of the walk
_MEN_DIGITS = 10  # significant digits of the returned base (printed by the CLI)
_MEN_FLOOR = 1e-11  # smallest step in ln(base) where no witness certifies further (see men_min_base)


def _men_theta(base: float, d: int) -> NDArray[np.float64]:
    return np.power(float(base), -2.0 * np.arange(d // 2, dtype=np.float64) / d)


def men_B(m: Any, base: float, d: int = 128) -> NDArray[np.float64]:
    """``B(m) = sum_i cos(m theta_i)`` with ``theta_i = base ** (-2 i / d)``, vectorised over ``m``
    (any array of positions, in tokens); float64, same shape as ``m``.

    The phase ``m theta_i`` is formed in float64 (absolute error below ``|m| * 2.3e-16`` rad per
    term), so ``B`` is accurate to about ``d * |m| * 1e-16`` (1e-8 at ``m = 1e6, d = 128``).
    """
    base = validate_base(base)
    d = validate_head_dim(d)
    m_arr = np.asarray(m, dtype=np.float64)
    theta = _men_theta(base, d)
    flat = m_arr.ravel()
    out = np.empty(flat.shape, dtype=np.float64)
    step = max(1, 2**20 // theta.size)  # bound the temporary (step x d/2) array to 8 MiB
    for s in range(0, flat.size, step):
        out[s : s + step] = np.cos(np.multiply.outer(flat[s : s + step], theta)).sum(axis=1)
    return out.reshape(m_arr.shape)


def men_B_naive(m: Any, base: float, d: int = 128) -> list[float]:
    """Plain-Python loop version of :func:`men_B` (test oracle): one ``math.cos`` per term."""
    base = validate_base(base)
    d = validate_head_dim(d)
    ms = [float(x) for x in np.atleast_1d(np.asarray(m, dtype=np.float64)).ravel()]
    out = []
    for mm in ms:
        s = 0.0
        for i in range(d // 2):
            s += math.cos(mm * base ** (-2.0 * i / d))
        out.append(s)
    return out


def men_B_prefix_theta(L: int, theta: NDArray[np.float64]) -> NDArray[np.float64]:
    """``B(m) = sum_i cos(m theta_i)`` for ``m = 0..L`` and any frequencies ``theta`` (rad/token),
    by the angle addition of :func:`men_B_prefix`."""
    theta = np.asarray(theta, dtype=np.float64)
    L = int(L)
    k = np.multiply.outer(np.arange(_MEN_CHUNK, dtype=np.float64), theta)
    m0 = np.multiply.outer(np.arange(0, L + 1, _MEN_CHUNK, dtype=np.float64), theta)
    blocks = np.cos(m0) @ np.cos(k).T - np.sin(m0) @ np.sin(k).T
    return blocks.ravel()[: L + 1]


def men_B_prefix(L: int, base: float, d: int = 128) -> NDArray[np.float64]:
    """``B(m)`` for every ``m = 0..L`` at once (float64 array of length ``L + 1``).

    Angle addition turns the ``(L + 1) x d/2`` cosines into two matrix products: with ``m = m0 + k``
    (``m0`` a multiple of the block size ``C``, ``0 <= k < C``),
    ``cos(m theta) = cos(m0 theta) cos(k theta) - sin(m0 theta) sin(k theta)``, so only
    ``(L / C + C) d/2`` cosines and sines are evaluated, each of an exactly formed float64 phase.
    Agrees with :func:`men_B` to ~1e-11 (see tests).
    """
    return men_B_prefix_theta(L, _men_theta(validate_base(base), validate_head_dim(d)))


def _men_B_windows(
    starts: NDArray[np.int64], L: int, base: float, d: int, width: int = 128
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """``B(m)`` on the windows ``[s, s + width)`` (clipped to ``m <= L``) for each start ``s``, by the
    same angle addition as :func:`men_B_prefix`; returns positions and values (flattened)."""
    theta = _men_theta(base, d)
    k = np.multiply.outer(np.arange(width, dtype=np.float64), theta)
    m0 = np.multiply.outer(starts.astype(np.float64), theta)
    vals = (np.cos(m0) @ np.cos(k).T - np.sin(m0) @ np.sin(k).T).ravel()
    pos = (starts[:, None] + np.arange(width)[None, :]).ravel()
    keep = pos <= L
    return pos[keep], vals[keep]


def _men_tol(L: int, d: int) -> float:
    """Bound on the float64 error of a computed ``B(m)``, ``m <= L`` (4 ulp of each phase)."""
    return (d // 2) * (L + 1) * 4.0 * 2.0**-52 + 1e-12


def _men_radius(
    m: NDArray[np.float64], u: NDArray[np.float64], d: int, tol: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """For witnesses ``m`` (shape K) and log-bases ``u`` (shape n): ``B`` (K x n) and the certified
    radius ``r`` (K x n, 0 where ``B >= -tol``) such that ``B(m; e^(u + s)) < 0`` for ``0 <= s < r``.

    With ``a_i = 2 i / d`` and ``phi_i = m e^(-a_i u)``: ``dB/du = sum sin(phi_i) a_i phi_i`` and
    ``|d2B/du2| <= S2 = sum (a_i phi_i)^2 + a_i^2 phi_i`` for every larger base (the phases only
    shrink as ``u`` grows), so ``B(u + s) <= B + s B' + s^2 S2 / 2`` (Taylor with that remainder).
    """
    a = 2.0 * np.arange(d // 2, dtype=np.float64) / d
    theta = np.exp(-np.multiply.outer(u, a))  # n x d/2
    phi = m[:, None, None] * theta[None, :, :]  # K x n x d/2
    aphi = phi * a
    B = np.cos(phi).sum(axis=2)
    dB = (np.sin(phi) * aphi).sum(axis=2)
    S1 = aphi.sum(axis=2)
    S2 = (aphi * aphi + aphi * a).sum(axis=2)
    beta = B + tol  # upper bound on the true B
    dBu = dB + tol * S1  # upper bound on the true B'
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (-dBu + np.sqrt(np.maximum(dBu * dBu - 2.0 * S2 * beta, 0.0))) / S2
    r = np.where(beta < 0, r, 0.0)
    return B, r


def _men_witnesses(
    pos: NDArray[np.int64], B: NDArray[np.float64], u: float, d: int, tol: float
) -> NDArray[np.float64]:
    """Among positions ``pos`` (sorted, values ``B``), the negative local minima that certify the
    longest step from the base ``e^u``."""
    neg = B < -tol
    loc = neg.copy()
    loc[1:] &= B[1:] <= B[:-1]
    loc[:-1] &= B[:-1] <= B[1:]
    idx = np.nonzero(loc)[0]
    if idx.size == 0:
        idx = np.nonzero(neg)[0]
    if idx.size == 0:
        return idx.astype(np.float64)
    # pre-select by the first-order radius -B/m, then rank the best by the exact certified radius
    pre = pos[idx[np.argsort(B[idx] / pos[idx])[: 8 * _MEN_WITNESSES]]].astype(np.float64)
    _, r = _men_radius(pre, np.array([u]), d, tol)
    return pre[np.argsort(-r[:, 0])[:_MEN_WITNESSES]]


def _men_scan(
    L: int, u: float, d: int, tol: float, accept: float
) -> tuple[NDArray[np.float64], bool, bool]:
    """Evaluate ``B(0..L)`` at the base ``e^u`` in segments of 64 blocks, from the top ``m`` down
    (near the bound the negative dips sit at large ``m``), stopping at the first segment whose
    witnesses certify a radius above ``accept``. Returns the witnesses, whether ``B >= 0``
    everywhere (the base is feasible; then the witnesses are empty) and whether all of ``B`` was
    scanned (the witnesses are then the best ones of all ``m``)."""
    theta = _men_theta(math.exp(u), d)
    k = np.multiply.outer(np.arange(_MEN_CHUNK, dtype=np.float64), theta)
    cos_k, sin_k = np.cos(k).T, np.sin(k).T
    starts = np.arange(0, L + 1, _MEN_CHUNK)
    pool: list[NDArray[np.float64]] = []
    negative = False
    for seg in reversed(np.array_split(starts, -(-starts.size // 64))):
        m0 = np.multiply.outer(seg.astype(np.float64), theta)
        vals = (np.cos(m0) @ cos_k - np.sin(m0) @ sin_k).ravel()
        pos = (seg[:, None] + np.arange(_MEN_CHUNK)[None, :]).ravel()
        keep = pos <= L
        pos, vals = pos[keep], vals[keep]
        if vals.min() >= 0.0:
            continue
        negative = True
        W = _men_witnesses(pos, vals, u, d, tol)
        if W.size == 0:
            continue
        pool.append(W)
        if _men_radius(W, np.array([u]), d, tol)[1].max() > accept:
            return W, False, False
    if not pool:
        return np.empty(0), not negative, True
    W = np.concatenate(pool)
    r = _men_radius(W, np.array([u]), d, tol)[1][:, 0]
    return W[np.argsort(-r)[:_MEN_WITNESSES]], False, True


def _round_up(x: float, digits: int) -> float:
    """Smallest float printed with ``digits`` significant digits that is >= ``x``."""
    y = float(f"{x:.{digits - 1}e}")
    if y < x:
        e = math.floor(math.log10(abs(x)))
        y = float(f"{y + 10.0 ** (e - digits + 1):.{digits - 1}e}")
    return y


@dataclass(frozen=True)
class MenMinBase:
    """Result of :func:`men_min_base_search` (bases dimensionless, positions in tokens)."""

    context_length: int
    head_dim: int
    min_base: float  # smallest feasible base, rounded up to _MEN_DIGITS significant digits
    min_base_unrounded: float  # the first feasible base the certified walk reached
    min_B: float  # min over m <= L of B(m) at exactly min_base (>= 0)
    argmin_m: int  # where that minimum is attained
    below_feasible: bool  # whether min_base * (1 - 1e-9) is feasible (False: min_base is the edge)
    steps: int  # bases visited by the certified walk
    full_evaluations: int  # evaluations of all B(0..L)
    uncertified: float  # total ln(base) length crossed by _MEN_FLOOR steps (not certified)


def _men_feasible_min(L: int, base: float, d: int) -> tuple[float, int]:
    B = men_B_prefix(L, base, d)
    j = int(np.argmin(B))
    return float(B[j]), j


def men_min_base_search(context_length: int, head_dim: int = 128, start: float = 1.0 + 1e-9) -> MenMinBase:
    """Smallest base with ``B(m) >= 0`` for every integer ``m`` in ``0..L`` (``L`` = context length,
    ``d`` = head dim), searched upward from ``start`` with a certificate for every base skipped.

    The walk keeps a few *witness* positions ``m`` with ``B(m) < 0`` and, from the Taylor bound of
    :func:`_men_radius`, steps the base up by a radius within which some witness provably stays
    negative; when no witness certifies a step any more, all of ``B(0..L)`` is evaluated there
    (angle addition, :func:`men_B_prefix`): either every ``B(m) >= 0`` (the first feasible base; all
    smaller ones were certified infeasible) or new witnesses are taken. Only where the computed
    ``min B`` lies within the float64 error of zero is a step of ``1e-11`` in ``ln(base)`` taken
    without a certificate (total reported in ``uncertified``). The result is rounded *up* to
    ten significant digits and re-verified at exactly that value.
    """
    L = validate_context_length(context_length)
    if not float(L).is_integer():
        raise InputError(f"context length must be an integer number of tokens, got {context_length!r}")
    L = int(L)
    d = _min_d(head_dim)
    tol = _men_tol(L, d)
    u = math.log(validate_base(start))
    W = W_old = np.empty(0)
    r_ref = r_full = 0.0  # radius at the last refresh; best radius of recent scans of all of B
    h = 1e-3
    steps = fulls = 0
    uncertified = 0.0
    while True:
        uu = u + h * np.arange(_MEN_BATCH)
        if W.size:
            _, r = _men_radius(W, uu, d, tol)
            rad = r.max(axis=0)
        else:
            rad = np.zeros(_MEN_BATCH)
        steps += 1
        if rad[0] <= r_ref / 4.0:  # the witnesses no longer carry the walk: look for new ones
            W = np.empty(0)
            if W_old.size:  # first near the old witnesses (the negative dips drift slowly with the base)
                starts = np.unique(np.clip(W_old.astype(np.int64) - 64, 0, L))
                pos, B = _men_B_windows(starts, L, math.exp(u), d)
                order = np.argsort(pos)
                pos, B = pos[order], B[order]
                W = _men_witnesses(pos, B, u, d, tol)
                if W.size and _men_radius(W, uu[:1], d, tol)[1].max() <= r_ref / 32.0:
                    W = np.empty(0)
            if W.size == 0:  # then everywhere in B(0..L), top down (also the feasibility test)
                fulls += 1
                W, feasible, complete = _men_scan(L, u, d, tol, r_full / 4.0 if r_full else math.inf)
                if feasible:
                    break
                if complete and W.size:
                    r_full = float(_men_radius(W, uu[:1], d, tol)[1].max())
            W_old = W
            rad = _men_radius(W, uu, d, tol)[1].max(axis=0) if W.size else np.zeros(_MEN_BATCH)
            if rad[0] < _MEN_FLOOR:  # min B within float error of 0: cross without a certificate
                u += _MEN_FLOOR
                uncertified += _MEN_FLOOR
                W, r_ref = np.empty(0), 0.0
                continue
            r_ref = float(rad[0])
            h = max(r_ref, 1e-14)
            uu = u + h * np.arange(_MEN_BATCH)
            _, r = _men_radius(W, uu, d, tol)
            rad = r.max(axis=0)
        reach = np.maximum.accumulate(uu + rad)
        gap = np.nonzero(uu[1:] > reach[:-1])[0]
        n_cov = int(gap[0]) + 1 if gap.size else _MEN_BATCH
        new_u = float(reach[n_cov - 1])
        # next batch spacing: keep roughly half the points covered by their own radius
        h = float(np.clip(np.median(rad[:n_cov]) if n_cov > 1 else rad[0], 1e-14, 1.0))
        u = new_u
    b_edge = math.exp(u)
    b = _round_up(b_edge, _MEN_DIGITS)
    mn, am = _men_feasible_min(L, b, d)
    while mn < 0.0:  # the feasible window is narrower than the rounding: next printed value up
        b = _round_up(b * (1 + 10.0**-_MEN_DIGITS), _MEN_DIGITS)
        mn, am = _men_feasible_min(L, b, d)
    below = _men_feasible_min(L, b * (1 - 1e-9), d)[0] >= 0.0
    return MenMinBase(L, d, b, b_edge, mn, am, below, steps, fulls, uncertified)


def men_min_base(context_length: int, head_dim: int = 128) -> float:
    """``inf{base : B(m) >= 0 for all integer m in 0..L}`` for ``d = head_dim`` (Men et al. 2024),
    to ten significant digits, rounded up so that ``B(m) >= 0`` holds at exactly the returned value.
    See :func:`men_min_base_search` for the certified search and its diagnostics."""
    return men_min_base_search(context_length, head_dim).min_base


def men_min_base_table(context_lengths: Any, head_dim: int = 128) -> "pd.DataFrame":
    """:func:`men_min_base_search` for each context length: one row per ``L`` with columns
    ``context_length, min_base`` and the search diagnostics of :class:`MenMinBase`."""
    import pandas as pd

    Ls = list(context_lengths)
    if not Ls:
        raise InputError("context lengths must not be empty")
    rows = [asdict(men_min_base_search(L, head_dim)) for L in Ls]
    cols = ["context_length", "min_base"] + [c for c in rows[0] if c not in ("context_length", "min_base")]
    return pd.DataFrame(rows)[cols]


# ---------------------------------------------------------------------------------------------
# Men et al.: checks against the paper, and the data behind the bounds figures


def men_feasibility(L: int, base: float, d: int = 128) -> dict[str, Any]:
    """Whether ``B(m) >= 0`` for all ``m`` in ``0..L`` at ``base``: ``feasible``, ``min_B`` and where
    (``argmin_m``), and the first ``m`` with ``B(m) < 0`` (``first_negative_m``, None if feasible)."""
    B = men_B_prefix(validate_context_length(L), base, d)
    neg = np.nonzero(B < 0.0)[0]
    j = int(np.argmin(B))
    return {
        "feasible": bool(neg.size == 0),
        "min_B": float(B[j]),
        "argmin_m": j,
        "first_negative_m": int(neg[0]) if neg.size else None,
        "negative_count": int(neg.size),
    }


def men_method_thetas(spec: dict[str, Any], d: int = 128) -> dict[str, NDArray[np.float64]]:
    """Frequencies of Men et al.'s Method 1 and Method 2 (both free of out-of-distribution angles),
    from the published spec (``config/published_values.yaml`` ``men2024.methods``):
    Method 1 ``theta_i = base1 ** (-2i/d)``; Method 2 ``theta_i = base2 ** (-2i/d) / s`` for
    ``i >= k`` and ``(base2 * s ** (d / (2k))) ** (-2i/d)`` for ``i < k`` (``s`` = scale, ``k`` = split
    index; the paper writes ``8^(128/88)`` for d = 128, k = 44)."""
    d = validate_head_dim(d)
    i = np.arange(d // 2, dtype=np.float64)
    b1 = float(spec["method1_base"])
    m2 = spec["method2"]
    b2, sc, k = float(m2["base"]), float(m2["scale"]), int(m2["split_index"])
    t2 = np.where(i >= k, b2 ** (-2.0 * i / d) / sc, (b2 * sc ** (d / (2.0 * k))) ** (-2.0 * i / d))
    return {"method1": b1 ** (-2.0 * i / d), "method2": t2}


def men_negative_counts(spec: dict[str, Any], d: int = 128) -> "pd.DataFrame":
    """Number of ``m`` in ``0..L`` with ``B(m) < 0`` for each method and context length of the
    published check (columns ``method, context_length, negative_count, paper_count, first_negative_m``)."""
    import pandas as pd

    thetas = men_method_thetas(spec, d)
    rows = []
    for method, counts in spec["negative_count"].items():
        for L, paper in counts.items():
            B = men_B_prefix_theta(int(L), thetas[method])
            neg = np.nonzero(B < 0.0)[0]
            rows.append(
                dict(
                    method=method,
                    context_length=int(L),
                    negative_count=int(neg.size),
                    paper_count=int(paper),
                    first_negative_m=int(neg[0]) if neg.size else None,
                    min_B=float(B.min()),
                )
            )
    df = pd.DataFrame(rows)
    df["first_negative_m"] = df["first_negative_m"].astype("Int64")
    return df


def power_law_fit(x: Any, y: Any) -> dict[str, float]:
    """Least-squares fit of ``y = a x^b`` in log-log space: ``a``, ``b`` and the largest relative
    deviation of the fit from the data (``max_rel_dev``)."""
    lx, ly = np.log(np.asarray(x, dtype=np.float64)), np.log(np.asarray(y, dtype=np.float64))
    if lx.size < 2:
        raise InputError("a power-law fit needs at least two points")
    b, la = np.polyfit(lx, ly, 1)
    fit = la + b * lx
    return {"a": float(math.exp(la)), "b": float(b), "max_rel_dev": float(np.max(np.abs(np.expm1(ly - fit)))), "points": int(lx.size)}


def _printed_tolerance(value: float, sig: int = 2) -> float:
    """Relative half-unit of the last printed digit of ``value`` printed with ``sig`` digits."""
    e = math.floor(math.log10(abs(value)))
    return 0.5 * 10.0 ** (e - sig + 1) / abs(value)


def men_compare(table: "pd.DataFrame", published: dict[str, Any], d: int = 128) -> "pd.DataFrame":
    """Our minimum bases beside Men et al.'s printed table and Su's brute-force values, with the
    facts that explain each difference: is the published base feasible (``B >= 0`` for all
    ``m <= L``) and, if not, the first ``m`` where ``B < 0``. Columns per context length ``L``:
    ``ours, men, men_rel_diff, men_matches_printed`` (ours rounds to the paper's printed digits),
    ``men_feasible, men_min_B, men_first_negative_m``, the same for ``su``, and ``verdict_men``,
    ``verdict_su`` in {match, not the infimum, not the infimum, itself infeasible, below the infimum}.
    A published base above ours can be infeasible because feasible windows are narrow (~1e-5 relative
    at L = 1M): rounding any feasible base to two digits almost always lands outside its window."""
    import pandas as pd

    rows = []
    sources = {"men": published["men2024"]["min_base_table"], "su": published["su2024"]["min_base_table"]}
    for L, ours in zip(table["context_length"], table["min_base"]):
        L = int(L)
        row: dict[str, Any] = dict(context_length=L, ours=float(ours))
        for key, tab in sources.items():
            pub = tab.get(L)
            if pub is None:
                row.update({f"{key}": None, f"{key}_rel_diff": None, f"{key}_matches_printed": None,
                            f"{key}_feasible": None, f"{key}_min_B": None, f"{key}_first_negative_m": None,
                            f"verdict_{key}": None})
                continue
            pub = float(pub)
            f = men_feasibility(L, pub, d)
            match = abs(ours - pub) <= _printed_tolerance(pub) * pub
            if match:
                verdict = "match"
            elif pub > ours:
                verdict = "not the infimum" if f["feasible"] else "not the infimum, itself infeasible"
            else:
                verdict = "below the infimum"  # every base below the infimum is infeasible
            row.update({key: pub, f"{key}_rel_diff": (ours - pub) / pub, f"{key}_matches_printed": bool(match),
                        f"{key}_feasible": f["feasible"], f"{key}_min_B": f["min_B"],
                        f"{key}_first_negative_m": f["first_negative_m"], f"verdict_{key}": verdict})
        rows.append(row)
    df = pd.DataFrame(rows)
    for c in ("men_first_negative_m", "su_first_negative_m"):
        df[c] = df[c].astype("Int64")
    return df


def men_scorecard(
    compare: "pd.DataFrame", fit: dict[str, Any], counts: "pd.DataFrame", published: dict[str, Any]
) -> list[Any]:
    """Scorecard rows (analysis.core.scorecard.ScoreRow) for the Men et al. table, Su's values, the
    power-law fit and the Method 1/2 negative counts."""
    from analysis.core.scorecard import ScoreRow

    men, su = published["men2024"], published["su2024"]
    rows = []
    for key, src in (("men", men), ("su", su)):
        for r in compare.itertuples(index=False):
            pub = getattr(r, key)
            if pub is None or (isinstance(pub, float) and math.isnan(pub)):
                continue
            L = int(r.context_length)
            tol = _printed_tolerance(pub)
            v = getattr(r, f"verdict_{key}")
            if v == "match":
                why = "ours rounds to the printed value"
            elif v == "not the infimum":
                why = f"the printed base is feasible (min B = {getattr(r, key + '_min_B'):.3g}) but a smaller base is too: not the infimum"
            elif v == "not the infimum, itself infeasible":
                why = ("a smaller base is feasible, and the printed base itself fails: B(m) < 0 first at m = "
                       f"{getattr(r, key + '_first_negative_m')}")
            else:
                why = f"the printed base is below the infimum: B(m) < 0 first at m = {getattr(r, key + '_first_negative_m')}"
            who = "Men et al. table" if key == "men" else "Su brute force"
            rows.append(ScoreRow(
                "bounds", f"{who}: min base, L = {L}", src["citation"], float(pub), float(r.ours), tol,
                "reproduced" if v == "match" else "differs", why + f" (tolerance: half a unit of the printed digit, {tol:.1%})",
            ))
    ours_fit = fit["ours"]
    for k in ("a", "b"):
        rows.append(ScoreRow.compare(
            "bounds", f"power-law fit base = a L^b: {k}", men["citation"], float(men["fit"][k]), float(ours_fit[k]), 0.05,
            reason="" if abs(ours_fit[k] - float(men["fit"][k])) <= 0.05 * abs(float(men["fit"][k]))
            else f"our fit is to the exact infima over {ours_fit['points']} lengths; the paper fits its own table",
        ))
    for r in counts.itertuples(index=False):
        ok = int(r.negative_count) == int(r.paper_count)
        rows.append(ScoreRow(
            "bounds", f"{r.method}: number of m <= {r.context_length} with B(m) < 0", men["citation"],
            int(r.paper_count), int(r.negative_count), 0.0, "reproduced" if ok else "differs",
            "exact count" if ok else "count differs",
        ))
    return rows


def downsample_minmax(x: Any, y: Any, buckets: int, log: bool = False) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Reduce a long curve to at most ``2 * buckets + 2`` points that keep its envelope: in each
    bucket of ``x`` (equal widths, in ``log x`` if ``log``) the points of smallest and largest ``y``,
    plus the first and last point; returned sorted by ``x``."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.size <= 2 * buckets + 2:
        return x, y
    key = np.log(x) if log else x
    edges = np.linspace(key[0], key[-1], buckets + 1)
    b = np.clip(np.searchsorted(edges, key, side="right") - 1, 0, buckets - 1)
    starts = np.searchsorted(b, np.arange(buckets))  # x sorted -> buckets contiguous
    keep = {0, x.size - 1}
    for j in range(buckets):
        lo = starts[j]
        hi = starts[j + 1] if j + 1 < buckets else x.size
        if hi > lo:
            seg = y[lo:hi]
            keep.add(lo + int(np.argmin(seg)))
            keep.add(lo + int(np.argmax(seg)))
    idx = np.array(sorted(keep))
    return x[idx], y[idx]


def collision_horizon_curve(base: float, d: int, max_position: int, buckets: int = 1000) -> "pd.DataFrame":
    """Similarity between positions 0 and ``p`` (``p = 0..max_position``, tokens) for RoPE with
    ``base`` and ``d`` rotary dims: the lowest-frequency oscillator ``cos(p theta_min)`` (exact
    ``theta_min``) and the mean over the ``d/2`` pairs ``B(p) / (d/2)`` (the cosine similarity of a
    constant vector with itself rotated by ``p``). Long series are reduced by
    :func:`downsample_minmax`. Columns: ``position, series, similarity``."""
    import pandas as pd

    d = _min_d(d)
    base = validate_base(base)
    p = np.arange(int(max_position) + 1, dtype=np.float64)
    low = np.cos(p * rope.theta_min_exact(base, d))
    mean = men_B_prefix(int(max_position), base, d) / (d // 2)
    parts = []
    for name, yy in (("lowest-frequency pair", low), (f"mean over {d // 2} pairs", mean)):
        xs, ys = downsample_minmax(p, yy, buckets)
        parts.append(pd.DataFrame({"position": xs, "series": name, "similarity": ys}))
    return pd.concat(parts, ignore_index=True)


def men_B_curves(bases: Any, d: int, max_position: int, buckets: int = 500) -> tuple["pd.DataFrame", "pd.DataFrame"]:
    """``B(m)`` for ``m = 1..max_position`` for each base (min/max-downsampled on a log ``m`` axis)
    and each base's first zero crossing (first ``m`` with ``B(m) < 0``, None if none up to
    ``max_position``). Returns ``(curves[base, m, B], crossings[base, first_negative_m, B_at])``."""
    import pandas as pd

    d = _min_d(d)
    curves, cross = [], []
    for b in bases:
        b = validate_base(b)
        B = men_B_prefix(int(max_position), b, d)
        m = np.arange(B.size, dtype=np.float64)
        xs, ys = downsample_minmax(m[1:], B[1:], buckets, log=True)
        curves.append(pd.DataFrame({"base": b, "m": xs, "B": ys}))
        neg = np.nonzero(B < 0.0)[0]
        cross.append({"base": b, "first_negative_m": int(neg[0]) if neg.size else None,
                      "B_at": float(B[neg[0]]) if neg.size else None})
    cr = pd.DataFrame(cross)
    cr["first_negative_m"] = cr["first_negative_m"].astype("Int64")
    return pd.concat(curves, ignore_index=True), cr


def goldilocks_curves(phase_grid: "pd.DataFrame", men_table: "pd.DataFrame", wall_dtypes: Any) -> "pd.DataFrame":
    """Long table for the Goldilocks figure: lower bounds (DC = depth with N = 1, and depth for each
    N of the grid; paper and exact forms) and Men et al.'s bound against context length, and the
    precision walls of ``wall_dtypes`` (constant in ``L``). Columns: ``curve, kind, form,
    context_length, base``; ``kind`` in {lower bound, Men et al., precision wall}."""
    import pandas as pd

    g = phase_grid
    parts = []
    lower = g[g["bound"].isin(["dc_stability", "depth_compounded"])].copy()
    lower["curve"] = "DC/depth, N = " + lower["layers"].astype(str)
    lower = lower.drop_duplicates(["curve", "form", "context_length"])
    parts.append(pd.DataFrame({"curve": lower["curve"], "kind": "lower bound", "form": lower["form"],
                               "context_length": lower["context_length"].astype(float), "base": lower["base"]}))
    parts.append(pd.DataFrame({"curve": "Men et al. B(m) >= 0", "kind": "Men et al.", "form": "exact",
                               "context_length": men_table["context_length"].astype(float), "base": men_table["min_base"]}))
    Ls = [float(lower["context_length"].min()), float(lower["context_length"].max())]
    for dt in wall_dtypes:
        name = f"precision_wall:{canonical_dtype(dt)}"
        w = g[g["bound"] == name]
        if w.empty:
            raise InputError(f"precision wall of {dt} is not in the phase-bound grid (add it to bounds.dtypes)")
        for r in w.itertuples(index=False):
            for L in Ls:
                parts.append(pd.DataFrame([{"curve": f"precision wall {canonical_dtype(dt)}", "kind": "precision wall",
                                            "form": r.form, "context_length": L, "base": r.base}]))
    return pd.concat(parts, ignore_index=True)
