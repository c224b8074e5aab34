"""Naive reference for Men et al.'s B(m) (test oracle): one ``math.cos`` per term, plain Python."""

from __future__ import annotations

import math
from collections.abc import Iterable


def men_B_naive(m: Iterable[int], base: float, d: int = 128) -> list[float]:
    """``B(m) = sum_i cos(m base ** (-2 i / d))`` for each ``m``, one term at a time."""
    return [sum(math.cos(float(mm) * base ** (-2.0 * i / d)) for i in range(d // 2)) for mm in m]
