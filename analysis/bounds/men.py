"""Men et al. 2024 ("Base of RoPE Bounds Context Length", seed 003): the certified minimum base

B(m) = sum_{i=0}^{d/2-1} cos(m theta_i) (evaluated by :func:`analysis.core.men.men_B`) is, up to a
positive factor, the gap between the expected attention to a similar token and to a random one at
distance m (their Theorem 1). Their bound is
base_L = inf{base : B(m) >= 0 for every integer m in 0..L}. The feasible set is not an interval
(at L = 2048 base 1.6e4 is feasible, 1.2e4 is not, yet 1.16e4 is), so bisection over the base is
wrong. men_min_base certifies infeasibility of every base below its answer instead (see there).
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

import numpy as np
from numpy.typing import NDArray

from analysis.bounds.inputs import min_head_dim as _min_d
from analysis.bounds.inputs import validate_context_length
from analysis.core.errors import InputError
from analysis.core.men import ROW, men_B, men_scan
from analysis.core.rope import inv_freq, validate_base

_LOG = logging.getLogger(__name__)

__all__ = [
    "MenMinBase", "men_min_base_search",
    "men_min_base", "men_min_base_table", "men_feasibility",
]

_MEN_WITNESSES = 8  # negative positions m tracked as infeasibility witnesses during the walk
_MEN_BATCH = 8  # bases evaluated together per step of the walk
_MEN_DIGITS = 10  # significant digits of the returned base (printed by the CLI)
_MEN_FLOOR = 1e-11  # smallest step in ln(base) where no witness certifies further (see men_min_base)


def _B_upto(L: int, base: float, d: int) -> NDArray[np.float64]:
    """``B(m)`` for ``m = 0..L`` at ``base`` (:func:`analysis.core.men.men_B`)."""
    return men_B(inv_freq(base, d), 0, L + 1)


def _men_B_windows(
    starts: NDArray[np.int64], L: int, base: float, d: int, width: int = 128
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """``B(m)`` on the windows ``[s, s + width)`` (clipped to ``m <= L``) for each start ``s``;
    returns positions and values (flattened)."""
    theta = inv_freq(base, d)
    stops = [min(int(s) + width, L + 1) for s in starts]
    pos = np.concatenate([np.arange(int(s), e) for s, e in zip(starts, stops)]).astype(np.int64)
    vals = np.concatenate([men_B(theta, int(s), e) for s, e in zip(starts, stops)])
    return pos, vals


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
    theta = inv_freq(math.exp(u), d)
    starts = np.arange(0, L + 1, ROW)
    pool: list[NDArray[np.float64]] = []
    negative = False
    for seg in reversed(np.array_split(starts, -(-starts.size // 64))):
        lo, hi = int(seg[0]), min(int(seg[-1]) + ROW, L + 1)
        pos, vals = np.arange(lo, hi), men_B(theta, lo, hi)
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
    B = _B_upto(L, base, d)
    j = int(np.argmin(B))
    return float(B[j]), j


@dataclass
class _Walk:
    """State of the certified walk of :func:`men_min_base_search` up the log-base ``u``."""

    L: int
    d: int
    tol: float
    u: float
    W: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))  # current witnesses
    W_old: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))  # witnesses at the last refresh
    r_ref: float = 0.0  # radius at the last refresh
    r_full: float = 0.0  # best radius of recent scans of all of B
    h: float = 1e-3  # spacing of the next batch of bases (in ln base)
    steps: int = 0
    fulls: int = 0
    uncertified: float = 0.0

    def batch(self) -> NDArray[np.float64]:
        return self.u + self.h * np.arange(_MEN_BATCH)

    def radii(self, uu: NDArray[np.float64]) -> NDArray[np.float64]:
        """Best certified radius of the witnesses at each base of the batch ``uu``."""
        if not self.W.size:
            return np.zeros(_MEN_BATCH)
        return _men_radius(self.W, uu, self.d, self.tol)[1].max(axis=0)


def _near_old_witnesses(w: _Walk, uu: NDArray[np.float64]) -> NDArray[np.float64]:
    """New witnesses from windows around the old ones (the negative dips drift slowly with the
    base); none if they certify much less than the last refresh did."""
    starts = np.unique(np.clip(w.W_old.astype(np.int64) - 64, 0, w.L))
    pos, B = _men_B_windows(starts, w.L, math.exp(w.u), w.d)
    order = np.argsort(pos)
    W = _men_witnesses(pos[order], B[order], w.u, w.d, w.tol)
    if W.size and _men_radius(W, uu[:1], w.d, w.tol)[1].max() <= w.r_ref / 32.0:
        return np.empty(0)
    return W


def _refresh(w: _Walk, uu: NDArray[np.float64]) -> str:
    """The witnesses no longer carry the walk: look for new ones near the old, then everywhere in
    ``B(0..L)`` (which is also the feasibility test). Returns ``feasible`` (the walk ends here),
    ``floor`` (an uncertified ``_MEN_FLOOR`` step was taken) or ``ok`` (new witnesses and spacing)."""
    w.W = _near_old_witnesses(w, uu) if w.W_old.size else np.empty(0)
    if w.W.size == 0:
        w.fulls += 1
        w.W, feasible, complete = _men_scan(w.L, w.u, w.d, w.tol, w.r_full / 4.0 if w.r_full else math.inf)
        if feasible:
            return "feasible"
        if complete and w.W.size:
            w.r_full = float(_men_radius(w.W, uu[:1], w.d, w.tol)[1].max())
    w.W_old = w.W
    rad = w.radii(uu)
    if rad[0] < _MEN_FLOOR:  # min B within float error of 0: cross without a certificate
        w.u += _MEN_FLOOR
        w.uncertified += _MEN_FLOOR
        w.W, w.r_ref = np.empty(0), 0.0
        return "floor"
    w.r_ref = float(rad[0])
    w.h = max(w.r_ref, 1e-14)
    return "ok"


def _advance(w: _Walk, uu: NDArray[np.float64], rad: NDArray[np.float64]) -> None:
    """Move ``u`` to the end of the run of batch bases covered by their certified radii."""
    reach = np.maximum.accumulate(uu + rad)
    gap = np.nonzero(uu[1:] > reach[:-1])[0]
    n_cov = int(gap[0]) + 1 if gap.size else _MEN_BATCH
    new_u = float(reach[n_cov - 1])
    # next batch spacing: keep roughly half the points covered by their own radius
    w.h = float(np.clip(np.median(rad[:n_cov]) if n_cov > 1 else rad[0], 1e-14, 1.0))
    w.u = new_u


def _men_walk(L: int, d: int, start: float) -> _Walk:
    """Walk up from ``start`` until the first base where every ``B(m) >= 0`` (``m <= L``)."""
    w = _Walk(L, d, _men_tol(L, d), math.log(validate_base(start)))
    while True:
        uu = w.batch()
        rad = w.radii(uu)
        w.steps += 1
        if rad[0] <= w.r_ref / 4.0:
            state = _refresh(w, uu)
            if state == "feasible":
                return w
            if state == "floor":
                continue
            uu = w.batch()
            rad = w.radii(uu)
        _advance(w, uu, rad)


def _men_certify(L: int, d: int, b_edge: float) -> tuple[float, float, int, bool]:
    """Round the walk's first feasible base up to ``_MEN_DIGITS`` digits, moving up while that printed
    value fails; returns it, ``min B`` there and where, and whether just below is feasible too."""
    b = _round_up(b_edge, _MEN_DIGITS)
    mn, am = _men_feasible_min(L, b, d)
    while mn < 0.0:  # the feasible window is narrower than the rounding: next printed value up
        b = _round_up(b * (1 + 10.0**-_MEN_DIGITS), _MEN_DIGITS)
        mn, am = _men_feasible_min(L, b, d)
    below = _men_feasible_min(L, b * (1 - 1e-9), d)[0] >= 0.0
    return b, mn, am, below


def men_min_base_search(context_length: int, head_dim: int = 128, start: float = 1.0 + 1e-9) -> MenMinBase:
    """Smallest base with ``B(m) >= 0`` for every integer ``m`` in ``0..L`` (``L`` = context length,
    ``d`` = head dim), searched upward from ``start`` with a certificate for every base skipped.

    The walk keeps a few *witness* positions ``m`` with ``B(m) < 0`` and, from the Taylor bound of
    :func:`_men_radius`, steps the base up by a radius within which some witness provably stays
    negative; when no witness certifies a step any more, all of ``B(0..L)`` is evaluated there
    (:func:`analysis.core.men.men_B`): either every ``B(m) >= 0`` (the first feasible base; all
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
    w = _men_walk(L, d, start)
    b_edge = math.exp(w.u)
    b, mn, am, below = _men_certify(L, d, b_edge)
    return MenMinBase(L, d, b, b_edge, mn, am, below, w.steps, w.fulls, w.uncertified)


def men_min_base(context_length: int, head_dim: int = 128) -> float:
    """``inf{base : B(m) >= 0 for all integer m in 0..L}`` for ``d = head_dim`` (Men et al. 2024),
    to ten significant digits, rounded up so that ``B(m) >= 0`` holds at exactly the returned value.
    See :func:`men_min_base_search` for the certified search and its diagnostics."""
    return men_min_base_search(context_length, head_dim).min_base


def men_min_base_table(context_lengths: Any, head_dim: int = 128, progress: bool = False) -> "pd.DataFrame":
    """:func:`men_min_base_search` for each context length: one row per ``L`` with columns
    ``context_length, min_base`` and the search diagnostics of :class:`MenMinBase`. With
    ``progress`` a tqdm bar (on stderr) counts the lengths; each result is logged."""
    import pandas as pd
    from tqdm import tqdm

    Ls = list(context_lengths)
    if not Ls:
        raise InputError("context lengths must not be empty")
    rows = []
    for L in tqdm(Ls, desc="men_min_base", unit="L", disable=not progress):
        r = men_min_base_search(L, head_dim)
        _LOG.info("L=%d min_base=%.9e steps=%d full=%d", r.context_length, r.min_base, r.steps, r.full_evaluations)
        rows.append(asdict(r))
    cols = ["context_length", "min_base"] + [c for c in rows[0] if c not in ("context_length", "min_base")]
    return pd.DataFrame(rows)[cols]


def men_feasibility(L: int, base: float, d: int = 128) -> dict[str, Any]:
    """Whether ``B(m) >= 0`` for all ``m`` in ``0..L`` at ``base``: ``feasible``, ``min_B`` and where
    (``argmin_m``), and the first ``m`` with ``B(m) < 0`` (``first_negative_m``, None if feasible)."""
    scan = men_scan(inv_freq(base, d), int(validate_context_length(L)))
    first = scan["first_negative"]
    return {
        "feasible": first is None,
        "min_B": scan["min_B"],
        "argmin_m": scan["argmin_m"],
        "first_negative_m": first,
        "negative_count": scan["n_negative"],
    }
