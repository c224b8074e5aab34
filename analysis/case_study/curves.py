"""Reference curves of the case-study chart, computed here and written as a result file (the chart
only draws them): exact lower bounds (aliasing; DC = depth with N = 1; depth-compounded for each N)
over ``L = 2^k`` and the exact precision walls of the angle dtype and bf16, for rotary dims ``d``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis import bounds
from analysis.core.errors import InputError

__all__ = ["reference_curves"]


def reference_curves(
    *, head_dim: int, layers: Sequence[int], log2_context_min: int, log2_context_max: int, epsilon: float,
    angle_dtype: str,
) -> pd.DataFrame:
    """Columns ``context_length, base, curve, head_dim`` (see the module docstring)."""
    d, lo, hi = int(head_dim), int(log2_context_min), int(log2_context_max)
    if lo > hi:
        raise InputError(f"case_study.chart.log2_context_min ({lo}) must not exceed log2_context_max ({hi})")
    rows: list[dict[str, Any]] = []
    for k in range(lo, hi + 1):
        L = float(2**k)
        rows.append({"context_length": L, "base": bounds.aliasing_min_base(L, d)["exact"], "curve": "aliasing"})
        for N in layers:
            name = "DC (N = 1)" if int(N) == 1 else f"depth N = {int(N)}"
            rows.append({"context_length": L, "base": bounds.depth_min_base(L, epsilon, int(N), d)["exact"],
                         "curve": name})
    for dt in dict.fromkeys([bounds.canonical_dtype(angle_dtype), "bf16"]):
        w = bounds.precision_wall(dt, d)["exact"]
        for L in (float(2**lo), float(2**hi)):
            rows.append({"context_length": L, "base": w, "curve": f"wall {dt}"})
    out = pd.DataFrame(rows)
    out["head_dim"] = d
    return out
