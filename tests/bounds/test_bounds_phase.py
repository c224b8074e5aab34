"""Phase-modulation bounds: known values, limits, monotonicity, exact vs paper forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis import bounds
from analysis.core import rope
from analysis.core.errors import InputError


def test_inv_freq_matches_definition_naively():
    base, d = 10_000.0, 128
    naive = [base ** (-2 * i / d) for i in range(d // 2)]
    np.testing.assert_allclose(rope.inv_freq(base, d), naive, rtol=1e-15)
    assert rope.inv_freq(base, d)[0] == 1.0
    assert rope.theta_min_exact(base, d) == pytest.approx(naive[-1], rel=1e-14)


def test_partial_rotary_dim():
    assert rope.rotary_dim(128, 0.5) == 64
    assert rope.rotary_dim(96) == 96
    with pytest.raises(InputError, match="partial rotary factor"):
        rope.rotary_dim(128, 0.0)


def test_collision_horizon_paper_value():
    h = bounds.collision_horizon(10_000, 128)
    assert h["paper"] == pytest.approx(62_831.853, abs=1e-3)  # the paper's 62,832
    # exact period of the lowest frequency: 2 pi / base^(-(d-2)/d)
    assert h["exact"] == pytest.approx(2 * math.pi / 10_000 ** (-126 / 128), rel=1e-12)
    assert h["exact"] < h["paper"]


def test_dc_bound_known_value_and_exact_form():
    b = bounds.dc_min_base(4096, 0.5, 128)
    assert b["paper"] == pytest.approx(4096 / (math.pi / 3), rel=1e-12)
    # the exact bound is tight: at that base cos(L theta_min) equals eps
    assert math.cos(4096 * rope.theta_min_exact(b["exact"], 128)) == pytest.approx(0.5, abs=1e-12)


def test_depth_with_one_layer_equals_dc():
    assert bounds.depth_min_base(8192, 0.7, 1, 64) == bounds.dc_min_base(8192, 0.7, 64)


@pytest.mark.parametrize("form", ["paper", "exact"])
def test_monotone_in_length_and_depth(form):
    Ls = [2**k for k in range(8, 21)]
    dc = [bounds.dc_min_base(L, 0.5, 128)[form] for L in Ls]
    assert all(a < b for a, b in zip(dc, dc[1:]))
    depth = [bounds.depth_min_base(32768, 0.5, N, 128)[form] for N in (1, 2, 8, 32, 80, 126)]
    assert all(a < b for a, b in zip(depth, depth[1:]))


def test_exact_approaches_paper_for_large_head_dim():
    L, eps = 32768, 0.5
    ratios = [bounds.dc_min_base(L, eps, d)["exact"] / bounds.dc_min_base(L, eps, d)["paper"] for d in (64, 256, 4096, 65536)]
    assert all(r > 1 for r in ratios)
    assert all(a > b for a, b in zip(ratios, ratios[1:]))
    assert ratios[-1] == pytest.approx(1.0, abs=1e-3)


def test_precision_walls_from_finfo():
    assert bounds.precision_wall("fp32", 128)["paper"] == pytest.approx(2.0**23)  # about 8.4e6
    assert bounds.precision_wall("bf16", 128)["paper"] == 2.0**7
    assert bounds.precision_wall("fp16", 128)["paper"] == 2.0**10
    assert bounds.precision_wall("fp64", 128)["paper"] == 2.0**52
    assert bounds.precision_wall("fp8_e4m3", 128)["paper"] == 2.0**3
    assert bounds.precision_wall("fp8_e5m2", 128)["paper"] == 2.0**2


def test_goldilocks_and_verdict():
    b = bounds.phase_bounds(8192, 32, 0.5, 128, "fp32")
    assert b.goldilocks["exact"]["feasible"]
    assert bounds.verdict(500_000, b)["status"] == "inside"
    assert bounds.verdict(10_000, b)["status"] == "below-lower-bound"
    assert bounds.verdict(2e7, b)["status"] == "above-precision-wall"
    tiny = bounds.phase_bounds(2**20, 80, 0.9, 128, "bf16")
    assert not tiny.goldilocks["paper"]["feasible"]
    assert bounds.verdict(1e6, tiny)["status"] == "infeasible-zone"


@pytest.mark.parametrize(
    "call, msg",
    [
        (lambda: bounds.dc_min_base(4096, 1.0, 128), "epsilon"),
        (lambda: bounds.dc_min_base(4096, 0.0, 128), "epsilon"),
        (lambda: bounds.dc_min_base(-1, 0.5, 128), "context length"),
        (lambda: bounds.dc_min_base(4096, 0.5, 127), "head dim"),
        (lambda: bounds.depth_min_base(4096, 0.5, 2.5, 128), "layers"),
        (lambda: bounds.precision_wall("fp7", 128), "dtype"),
    ],
)
def test_bad_input_names_problem(call, msg):
    with pytest.raises(InputError, match=msg):
        call()

