"""What the bounds say about one group of layers: bounds, margins, ε* and labels.

The rule, written out (:func:`classify`):

- ``infeasible``: the Goldilocks zone is empty (lower bound >= wall) or the base is at or above the
  precision wall (positional erasure);
- ``unstable``: the base is below the lower bound (the largest of aliasing, DC and depth-compounded);
- ``very stable``: inside the zone with ``margin_low >= very_stable_margin``;
- ``stable``: inside the zone otherwise.

These labels are **what the bound says**, not a stability assessment: the depth-compounded bound calls
models unstable that work at their own context (see ``epsilon_star``).

Two forms, each applied consistently:

- **exact**: the effective base ``theta_min ** (-d/(d-2))`` against the exact bounds (``theta_min =
  base^(-(d-2)/d)``);
- **paper form**: the paper's approximation ``theta_min ~ 1/base`` read backwards, i.e. the base
  ``1/theta_min``, against the paper-form bounds (``L / arccos(...)``, wall ``1/eps_mach``).

**ε\\*** (largest ε for which the group meets a bound): the DC and depth bounds hold iff
``cos(L theta_min) >= ε^(1/N)`` with ``L theta_min <= pi/2``, so ``ε*_DC = cos(L theta_min)`` and
``ε*_depth = cos(L theta_min) ** N`` (0 when ``L theta_min >= pi/2``: no ε > 0 is met). The same
value in both forms, since the paper form with the base ``1/theta_min`` is the same condition.
"""

from __future__ import annotations

import math
from typing import Any

from analysis import bounds

__all__ = ["LABELS", "NO_BOUND", "classify", "epsilon_star", "judge"]

LABELS: tuple[str, ...] = ("very stable", "stable", "unstable", "infeasible")
NO_BOUND = "no RoPE bound"  # label of NoPE layers


def classify(margin_low: float, margin_high: float, zone_feasible: bool, very_stable_margin: float) -> str:
    """The label (see the module docstring). ``margin_low = base / lower bound``; ``margin_high =
    wall / base``; ``zone_feasible``: lower bound < wall. Returns one of :data:`LABELS`."""
    if not zone_feasible or margin_high <= 1.0:
        return "infeasible"
    if margin_low < 1.0:
        return "unstable"
    if margin_low >= very_stable_margin:
        return "very stable"
    return "stable"


def epsilon_star(length: float, theta_min: float, layers: int = 1) -> float:
    """Largest ε for which ``cos(L theta_min) >= ε^(1/N)`` holds on the bound's branch
    (``L theta_min < pi/2``); 0 when no ε > 0 is met."""
    phase = float(length) * float(theta_min)
    if phase >= math.pi / 2:
        return 0.0
    return math.cos(phase) ** int(layers)


def _label(base: float, pb: bounds.PhaseBounds, form: str, very_stable_margin: float) -> dict[str, Any]:
    low, high = pb.lower_bound[form], pb.precision_wall[form]
    ml, mh = base / low, high / base
    return {"label": classify(ml, mh, bool(low < high), very_stable_margin), "margin_low": ml,
            "margin_high": mh, "zone_feasible": bool(low < high)}


def judge(
    *, theta_min: float, effective_base: float, length: int, layers: int, rotary_dims: int, epsilon: float,
    angle_dtype: str, training_dtype: str, very_stable_margin: float,
) -> dict[str, Any]:
    """Bounds (both forms), walls, margins, ε* and the three labels of one RoPE group judged at
    ``length`` tokens with depth ``layers`` (exact label: angle-dtype wall)."""
    pb = bounds.phase_bounds(length, layers, epsilon, rotary_dims, angle_dtype)
    pt = bounds.phase_bounds(length, layers, epsilon, rotary_dims, training_dtype)
    paper_base = 1.0 / float(theta_min)
    exact = _label(effective_base, pb, "exact", very_stable_margin)
    paper = _label(paper_base, pb, "paper", very_stable_margin)
    literal = _label(paper_base, pt, "paper", very_stable_margin)
    out: dict[str, Any] = {"paper_form_base": paper_base}
    for key, b in (("aliasing", pb.aliasing), ("dc", pb.dc_stability), ("depth", pb.depth_compounded)):
        out[f"{key}_min_base_paper"], out[f"{key}_min_base_exact"] = b["paper"], b["exact"]
        out[f"margin_{key}"] = effective_base / b["exact"]
    out.update({
        "lower_bound": pb.lower_bound["exact"], "lower_bound_paper": pb.lower_bound["paper"],
        "wall_angle_paper": pb.precision_wall["paper"], "wall_angle_exact": pb.precision_wall["exact"],
        "wall_training_paper": pt.precision_wall["paper"], "wall_training_exact": pt.precision_wall["exact"],
        "margin_wall_angle": pb.precision_wall["exact"] / effective_base,
        "margin_wall_training": pt.precision_wall["exact"] / effective_base,
        "margin_low": exact["margin_low"], "margin_high": exact["margin_high"],
        "margin_low_paper_form": paper["margin_low"], "zone_feasible": exact["zone_feasible"],
        "label": exact["label"], "label_paper_form": paper["label"],
        "label_literal_training_wall": literal["label"],
        "epsilon_star_dc": epsilon_star(length, theta_min, 1),
        "epsilon_star_depth": epsilon_star(length, theta_min, layers),
        "verdict_wall_angle": "below wall" if effective_base < pb.precision_wall["exact"] else "at or above wall",
        "verdict_wall_training": (
            "below wall" if effective_base < pt.precision_wall["exact"] else "at or above wall"),
    })
    return out
