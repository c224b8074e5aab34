"""The data the page's calculator reads (report/calculator.js): the shipped Men et al. minimum-base
curves (compact: piece starts and bases per head dim), each format's machine epsilon, the defaults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["calculator_data"]


def calculator_data(dtypes: Sequence[str], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """``{"curves": {d: {"from": [...], "to": last L, "base": [...]}}, "eps_mach": {dtype: eps},
    "defaults": {...}}``: piece ``i`` holds for ``from[i] <= L < from[i+1]`` (the last up to ``to``)."""
    from analysis.bounds.curve import DATA_FILE, read_curves
    from analysis.bounds.dtypes import canonical_dtype, machine_epsilon

    curves = {}
    for d, (lo, hi, bases) in sorted(read_curves(DATA_FILE).items()):
        curves[str(d)] = {"from": list(lo), "to": int(hi[-1]), "base": list(bases)}
    return {"curves": curves, "eps_mach": {canonical_dtype(t): machine_epsilon(t) for t in dtypes},
            "defaults": dict(defaults)}
