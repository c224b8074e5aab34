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

Modules: ``phase`` (phase-modulation bounds), ``men`` (Men et al.'s B(m) and the certified search),
``curve`` (the shipped minimum-base curves), ``comparison`` (our table against the papers),
``figdata`` (figure data), ``charts``, ``findings`` (the page's numbers), ``claims`` (scorecard).
Everything public is re-exported here: ``from analysis import bounds; bounds.men_min_base(...)``.
"""

from __future__ import annotations

from analysis.bounds.claims import bounds_scorecard, men_scorecard
from analysis.bounds.comparison import (
    men_checks, men_compare, men_fit, men_method_thetas, men_negative_counts, power_law_fit, printed_tolerance,
)
from analysis.bounds.dtypes import DTYPES, canonical_dtype, machine_epsilon
from analysis.bounds.figdata import (
    collision_figure_data, collision_horizon_curve, collision_marks, downsample_minmax, goldilocks_curves, men_B_curves,
)
from analysis.bounds.inputs import validate_context_length, validate_epsilon, validate_layers
from analysis.bounds.men import (
    MenMinBase, men_B, men_B_naive, men_B_prefix, men_B_prefix_theta, men_feasibility, men_min_base,
    men_min_base_search, men_min_base_table,
)
from analysis.bounds.phase import (
    PhaseBounds, aliasing_min_base, collision_horizon, dc_min_base, depth_min_base, phase_bound_grid, phase_bounds,
    precision_wall, verdict,
)

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
    "men_fit",
    "men_checks",
    "printed_tolerance",
    "bounds_scorecard",
    "collision_marks",
    "collision_figure_data",
    "men_scorecard",
    "downsample_minmax",
    "collision_horizon_curve",
    "men_B_curves",
    "goldilocks_curves",
]
