"""The paper's precision wall (a base) against what the collision sweep measures (positions and bases).

The phase-modulation paper's wall is a *base*: ``base < 1 / eps_mach``. The sweep measures where
positions collide, which is a *position* and hardly depends on the base. This module keeps the two
apart: positions are compared with positions (``1 / eps_mach``), bases with bases (the paper's wall
against the bases at which the sweep finds erasure within a context).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from analysis.bounds import precision_wall
from analysis.core.rope import validate_head_dim

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["measured_walls", "context_base_wall", "erasure_table"]


def _live(gg: "pd.DataFrame") -> "pd.DataFrame":
    """Rows whose theta_min does not underflow to 0 in the format."""
    return gg[gg["theta_min_in_format"] != 0]


def _wall_row(gg: "pd.DataFrame") -> dict[str, Any]:
    fc = gg["first_collision"].astype("float64")
    under = gg["theta_min_in_format"] == 0
    # the angle as the implementation holds theta_min (exact in a CSV: 10 significant digits keep fp32)
    within = (fc * gg["theta_min_in_format"] <= 1.0) & ~under
    live = fc[~under].dropna()
    cw = context_base_wall(gg)
    return dict(
        status="ok", reason="", median_first_collision=float(live.median()) if len(live) else math.nan,
        first_radian_wall=float(gg["base"][within].min()) if within.any() else math.nan,
        underflow_base=float(gg["base"][under].min()) if under.any() else math.nan,
        context_length=int(gg["context_length"].iloc[0]), max_position=int(gg["max_position"].iloc[0]),
        context_wall=cw["kind"],
        context_wall_base=math.nan if cw["base"] is None else cw["base"],
        bases_swept=len(gg), base_min=float(gg["base"].min()), base_max=float(gg["base"].max()),
    )


def measured_walls(collisions: "pd.DataFrame", head_dim: int) -> "pd.DataFrame":
    """Predicted vs measured walls per device, format and mode.

    - ``paper_wall = 1 / eps_mach`` and ``exact_wall = eps_mach ** (-d / (d - 2))``: the paper's
      wall and its exact form, *bases* (:func:`analysis.bounds.precision_wall`);
    - ``median_first_collision``: median first collision of the lowest pair (a *position*) over the
      swept bases whose ``theta_min`` does not underflow, against ``inv_eps_positions = 1 / eps_mach``;
    - ``context_wall`` / ``context_wall_base``: the base wall the sweep shows within the context
      ``0 .. context_length`` (:func:`context_base_wall`), the quantity to set against the paper's;
    - ``first_radian_wall``: the smallest swept base whose lowest angle collides within its first
      radian (``first_collision * theta_min_in_format <= 1``), the paper's operating point (context ~ base);
    - ``underflow_base``: the smallest swept base whose ``theta_min`` rounds to 0 in the format.
    """
    import pandas as pd

    d = validate_head_dim(head_dim)
    rows = []
    ok = collisions[collisions["status"] == "ok"]
    for (dev, fmt, mode), g in collisions.groupby(["device", "dtype", "mode"], sort=False):
        w = precision_wall(fmt, d)
        row: dict[str, Any] = dict(device=dev, dtype=fmt, mode=mode, eps_mach=w["eps_mach"],
                                   paper_wall=w["paper"], exact_wall=w["exact"],
                                   inv_eps_positions=1.0 / w["eps_mach"])
        gg = ok[(ok["device"] == dev) & (ok["dtype"] == fmt) & (ok["mode"] == mode)].sort_values("base")
        if gg.empty:
            nan = math.nan
            row.update(status="skipped", reason=str(g["reason"].iloc[0]), median_first_collision=nan,
                       first_radian_wall=nan, underflow_base=nan, context_length=int(g["context_length"].iloc[0]),
                       max_position=int(g["max_position"].iloc[0]),
                       context_wall="skipped", context_wall_base=nan, bases_swept=len(g), base_min=nan, base_max=nan)
        else:
            row.update(_wall_row(gg))
        rows.append(row)
    return pd.DataFrame(rows)


def context_base_wall(group: "pd.DataFrame") -> dict[str, Any]:
    """The base wall one (device, format, mode) group of the sweep shows within its context ``L``:
    a swept base *erases* positions when its lowest pair collides within ``0 .. L``.

    ``kind`` is ``threshold`` when every swept base below some base keeps ``0 .. L`` distinct and
    every base from it on erases (``base`` = that base: a wall in the paper's sense), ``none`` when
    no swept base erases (no wall up to the largest base swept), ``all`` when every swept base
    erases (a context limit, not a base limit), ``mixed`` otherwise."""
    g = group.sort_values("base")
    L = int(g["context_length"].iloc[0])
    erased = (g["first_collision"].astype("float64") <= L).to_numpy()
    if not erased.any():
        return {"kind": "none", "base": None, "context_length": L, "base_max": float(g["base"].max())}
    if erased.all():
        return {"kind": "all", "base": None, "context_length": L, "base_max": float(g["base"].max())}
    k = int(erased.argmax())
    if erased[k:].all():
        return {"kind": "threshold", "base": float(g["base"].iloc[k]), "context_length": L,
                "base_max": float(g["base"].max())}
    return {"kind": "mixed", "base": None, "context_length": L, "base_max": float(g["base"].max())}


def erasure_table(collisions: "pd.DataFrame") -> "pd.DataFrame":
    """Both definitions of "positions erased", per device, format and path: the lowest pair's
    first collision (median, min and max over the swept bases whose theta_min does not underflow)
    and the whole vector's (min and max over every swept base; None: not up to ``max_position``)."""
    import pandas as pd

    ok = collisions[collisions["status"] == "ok"]
    rows = []
    for (dev, fmt, mode), g in ok.groupby(["device", "dtype", "mode"], sort=False):
        low = _live(g)["first_collision"].astype("float64").dropna()
        vec = g["first_collision_vector"].astype("float64")
        rows.append(dict(
            device=dev, dtype=fmt, mode=mode, bases_swept=len(g), max_position=int(g["max_position"].iloc[0]),
            lowest_pair_median=float(low.median()) if len(low) else math.nan,
            lowest_pair_min=float(low.min()) if len(low) else math.nan,
            lowest_pair_max=float(low.max()) if len(low) else math.nan,
            lowest_pair_found=int(low.notna().sum()),
            whole_vector_min=float(vec.min()) if vec.notna().any() else math.nan,
            whole_vector_max=float(vec.max()) if vec.notna().any() else math.nan,
            whole_vector_found=int(vec.notna().sum()),
        ))
    return pd.DataFrame(rows)
