"""The data behind the bounds figures: collision horizon, B(m) curves, Goldilocks zone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

import numpy as np
from numpy.typing import NDArray

from analysis.bounds.dtypes import canonical_dtype
from analysis.bounds.inputs import min_head_dim as _min_d
from analysis.core import rope
from analysis.core.men import men_B
from analysis.core.errors import InputError
from analysis.core.rope import validate_base

__all__ = ["downsample_minmax", "collision_horizon_curve", "men_B_curves", "goldilocks_curves"]


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
    mean = men_B(rope.inv_freq(base, d), 0, int(max_position) + 1) / (d // 2)
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
        B = men_B(rope.inv_freq(b, d), 0, int(max_position) + 1)
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


def collision_marks(base: float, d: int, published: dict[str, Any]) -> "pd.DataFrame":
    """The two collision horizons drawn on the figure (columns ``label, position``): the paper's
    ``2 pi base`` and the exact ``2 pi / theta_min``. At base 10,000 the paper's value must equal
    the published 62,832 (relative 1e-5), else the computation is wrong and this raises."""
    import math

    import pandas as pd

    from analysis.bounds.phase import collision_horizon

    h = collision_horizon(base, d)
    if float(base) == 10000 and not math.isclose(h["paper"], published["liu2026"]["collision_horizon_base10k"], rel_tol=1e-5):
        raise RuntimeError("collision horizon disagrees with the paper's 62,832 (check rope/bounds)")
    return pd.DataFrame({"label": ["paper: 2π·base", "exact: 2π/θ_min"], "position": [h["paper"], h["exact"]]})


def collision_figure_data(base: float, head_dim: int, max_position: int, published: dict[str, Any]) -> dict[str, "pd.DataFrame"]:
    """Data of the collision-horizon figure: ``curve`` (:func:`collision_horizon_curve`) and
    ``marks`` (:func:`collision_marks`)."""
    return {"curve": collision_horizon_curve(float(base), int(head_dim), int(max_position)),
            "marks": collision_marks(float(base), int(head_dim), published)}
