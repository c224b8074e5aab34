"""The trained bases and the bounds: the same functions as the bounds chapter, B(m) facts exact."""

from __future__ import annotations

import pytest

from analysis import bounds
from analysis.core.errors import InputError
from analysis.longctx import bases
from tests.men_reference import men_B_naive

FACTORS = [0.03, 0.7, 1.0, 2.0, 60.0]


@pytest.fixture(scope="module")
def grid():
    return bases.base_grid(64, 16, 0.5, 2, FACTORS)


def test_bounds_are_the_bounds_chapters(grid):
    assert grid["men"]["min_base"] == bounds.men_min_base_search(64, 16).min_base
    assert grid["phase"]["dc_stability"] == bounds.dc_min_base(64, 0.5, 16)
    assert grid["phase"]["depth_compounded"] == bounds.depth_min_base(64, 0.5, 2, 16)
    assert grid["phase"]["aliasing"] == bounds.aliasing_min_base(64, 16)


def test_base_rows_follow_the_factors_and_b_of_m(grid):
    men = grid["men"]["min_base"]
    rows = grid["bases"]
    assert [r["factor"] for r in rows] == sorted(FACTORS)
    at = next(r for r in rows if r["factor"] == 1.0)
    assert at["base"] == men and at["men_feasible"] and at["first_negative_m"] is None
    for r in rows:
        assert r["base"] == pytest.approx(r["factor"] * men, rel=1e-9)
        B = men_B_naive(range(65), r["base"], 16)
        neg = [m for m, b in enumerate(B) if b < 0]
        assert r["men_feasible"] == (not neg)
        assert r["first_negative_m"] == (neg[0] if neg else None)
        if r["factor"] < 1.0:  # every base below the infimum is infeasible
            assert not r["men_feasible"]
        dc = bounds.dc_min_base(64, 0.5, 16)
        assert r["meets_dc_stability_exact"] == (r["base"] >= dc["exact"])
        assert r["meets_dc_stability_paper"] == (r["base"] >= dc["paper"])


def test_curves_mark_the_negative_distances(grid):
    c = bases.men_curves(grid)
    assert len(c) == 65 * len(FACTORS)
    for r in grid["bases"]:
        sub = c[c.factor == r["factor"]]
        first = sub[sub.negative].m.min() if sub.negative.any() else None
        assert first == r["first_negative_m"]


def test_bad_factors_are_rejected():
    for f in ([], [0.5, 0.5], [-1.0, 1.0]):
        with pytest.raises(InputError, match="factors"):
            bases.base_grid(64, 16, 0.5, 1, f)
