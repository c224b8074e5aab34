"""Bounds on the RoPE base.

Phase-modulation bounds (Liu, seeds 000/001: aliasing, DC stability, depth-compounded, precision
wall and the Goldilocks interval between them; see :mod:`analysis.bounds.phase`) and Men et al.'s
minimum base (seed 003).

Modules: ``phase`` (phase-modulation bounds), ``men`` (Men et al.'s certified minimum base; B(m)
itself is :mod:`analysis.core.men`), ``curve`` (the shipped minimum-base curves), ``comparison`` (our table against the papers),
``figure_data`` (the figures' data), ``charts``, ``findings`` (the page's numbers), ``claims`` (scorecard).
Everything public is re-exported here: ``from analysis import bounds; bounds.men_min_base(...)``.
"""

from __future__ import annotations

import importlib
from typing import Any

# names are loaded on first use (PEP 562), so that `classify` and `men-table` import only the
# submodules they need (no pandas, no plotting data) and answer in seconds
_EXPORTS = {
    "bounds_scorecard": "claims", "men_scorecard": "claims",
    "men_checks": "claims", "men_compare": "comparison", "men_fit": "comparison",
    "men_method_thetas": "comparison", "men_negative_counts": "comparison", "power_law_fit": "comparison",
    "printed_tolerance": "comparison",
    "DTYPES": "dtypes", "canonical_dtype": "dtypes", "machine_epsilon": "dtypes",
    "collision_figure_data": "figure_data", "collision_horizon_curve": "figure_data",
    "collision_marks": "figure_data", "downsample_minmax": "figure_data", "goldilocks_curves": "figure_data",
    "men_B_curves": "figure_data",
    "validate_context_length": "inputs", "validate_epsilon": "inputs", "validate_layers": "inputs",
    "MenMinBase": "men", "men_feasibility": "men", "men_min_base": "men",
    "men_min_base_search": "men", "men_min_base_table": "men",
    "PhaseBounds": "phase", "aliasing_min_base": "phase", "collision_horizon": "phase",
    "dc_min_base": "phase", "depth_min_base": "phase", "phase_bound_grid": "phase", "phase_bounds": "phase",
    "precision_wall": "phase", "verdict": "phase",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"analysis.bounds.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'analysis.bounds' has no attribute {name!r}")
