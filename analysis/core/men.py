"""Men et al. 2024's ``B(m) = sum_i cos(m theta_i)``: the one evaluator, for any set of frequencies.

``B(m)`` is, up to a positive factor, the gap between the expected attention to a similar token and
to a random one at relative distance ``m`` (their Theorem 1). Every stage evaluates it here: the
certified minimum-base search and the shipped curve (``analysis.bounds``), the case study's scan of
a model's effective frequencies, the long-context bases and the figure data.

:func:`men_B` works in rows of :data:`ROW` distances: ``cos((s + k) theta) = cos(s theta) cos(k theta)
- sin(s theta) sin(k theta)``, so ``B`` over ``R x K`` distances is two matrix products of
``(R x d/2)`` by ``(d/2 x K)`` and only ``(R + K) d/2`` cosines and sines are evaluated, each to
about one ulp (:func:`_cos_sin`, Veltkamp-split angles): ``|B - B_exact|`` stays near 1e-14 at a
million distances (measured against mpmath in the tests), where ``cos(m * theta)`` evaluated
directly is off by up to half an ulp of the angle (1e-10 at ``m = 1e6``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from analysis.core.errors import InputError

__all__ = ["ROW", "MAX_DISTANCE", "men_B", "men_B_at", "men_scan"]

ROW = 1024  # distances per row of the angle-addition product
MAX_DISTANCE = 2**27  # m * hi is exact in float64 below this (hi has 26 significant bits)
_SPLIT = 134217729.0  # 2**27 + 1: Veltkamp's split of a float64 into 26 + 27 significant bits


def _cos_sin(m: NDArray[np.float64], th: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``cos`` and ``sin`` of ``outer(m, th)`` for integer ``0 <= m < 2**27``, to about one ulp.

    ``th = hi + lo`` with ``hi`` on 26 bits, so ``m * hi`` is exact in float64 and only the small
    ``m * lo`` is rounded; ``cos(m th)`` then comes from the angle-addition formula."""
    c = _SPLIT * th
    hi = c - (c - th)
    lo = th - hi
    a, b = np.outer(m, hi), np.outer(m, lo)
    ca, sa, cb, sb = np.cos(a), np.sin(a), np.cos(b), np.sin(b)
    return ca * cb - sa * sb, sa * cb + ca * sb


@functools.lru_cache(maxsize=16)
def _row_table(theta_bytes: bytes, width: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``cos(k theta)`` and ``sin(k theta)`` for ``k < width`` (rows: ``k``), cached per frequency
    set (a certified walk evaluates the same frequencies segment after segment)."""
    th = np.frombuffer(theta_bytes, dtype=np.float64)
    ck, sk = _cos_sin(np.arange(width, dtype=np.float64), th)
    ck.flags.writeable = sk.flags.writeable = False
    return ck, sk


def men_B(theta: NDArray[np.float64], start: int, stop: int, row: int = ROW) -> NDArray[np.float64]:
    """``B(m) = sum_i cos(m theta_i)`` for ``m = start .. stop - 1`` (float64, length ``stop - start``,
    empty when ``stop <= start``); ``theta`` any frequencies in rad/token (``B(0) = len(theta)``).

    Rows of ``min(row, stop - start)`` distances (module docstring; a one-off evaluation of ``n``
    distances costs least with ``row`` near ``sqrt(n)``); distances must lie in ``0 .. MAX_DISTANCE - 1``.
    """
    th = np.ascontiguousarray(theta, dtype=np.float64).ravel()
    start, stop = int(start), int(stop)
    n = max(stop - start, 0)
    if n and (start < 0 or stop > MAX_DISTANCE):
        raise InputError(f"B(m) distances must lie in 0..{MAX_DISTANCE - 1}, got {start}..{stop - 1}")
    K = min(int(row), max(n, 1))
    ck, sk = _row_table(th.tobytes(), K)
    cs, ss = _cos_sin(start + np.arange(-(-n // K), dtype=np.float64) * K, th)
    return (cs @ ck.T - ss @ sk.T).ravel()[:n]


def men_B_at(theta: NDArray[np.float64], distances: Sequence[int]) -> NDArray[np.float64]:
    """``B(m)`` at a few given distances (each to about one ulp per term, as :func:`men_B`; no row
    table: the cost is ``len(distances) * d/2`` cosines), e.g. re-checking known negative distances."""
    th = np.ascontiguousarray(theta, dtype=np.float64).ravel()
    m = np.asarray(distances, dtype=np.int64).ravel()
    if m.size and (int(m.min()) < 0 or int(m.max()) >= MAX_DISTANCE):
        raise InputError(f"B(m) distances must lie in 0..{MAX_DISTANCE - 1}")
    return _cos_sin(m.astype(np.float64), th)[0].sum(axis=1)


def men_scan(
    theta: NDArray[np.float64], L: int, chunk: int = 65536, stop_at_first: bool = False
) -> dict[str, float | int | None]:
    """Men et al.'s criterion on any set of frequencies: ``B(m)`` for every relative distance
    ``m = 0..L`` (:func:`men_B`, in blocks of about ``chunk`` distances: a memory knob only).

    Returns ``first_negative`` (smallest ``m`` with ``B(m) < 0``, None if none), ``n_negative`` (how
    many ``m`` have ``B(m) < 0``) and ``min_B`` with its ``argmin_m``; ``B(0) = d/2``.

    ``stop_at_first``: a yes/no test of the criterion. The scan starts with blocks of 4,096 distances
    (doubling up to ``chunk``) and stops after the block holding the first negative ``B``; the counts
    and the minimum then cover only the distances scanned.
    """
    L = int(L)
    step = max(ROW, int(chunk) // ROW * ROW)
    first: int | None = None
    n_neg = 0
    min_b, arg = math.inf, 0
    start, size = 0, min(4 * ROW, step) if stop_at_first else step
    while start <= L:
        B = men_B(theta, start, min(start + size, L + 1))
        neg = np.flatnonzero(B < 0)
        if neg.size and first is None:
            first = start + int(neg[0])
        n_neg += int(neg.size)
        k = int(np.argmin(B))
        if B[k] < min_b:
            min_b, arg = float(B[k]), start + k
        if stop_at_first and first is not None:
            break
        start += size
        size = min(2 * size, step)
    return {"first_negative": first, "n_negative": n_neg, "min_B": min_b, "argmin_m": arg}
