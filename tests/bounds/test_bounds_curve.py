"""The Men et al. minimum-base curve: one walk gives the certified search's value at every L
(checked against men_min_base_search and a naive B(m) loop), the lookup's edge cases, the shipped
package data, its verification, and the men-table command answering from it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis import bounds
from analysis.bounds import curve
from analysis.core.errors import InputError
from analysis.core.scorecard import published
from tests.men_reference import men_B_naive

ROOT = curve.DATA_FILE.parents[3]


@pytest.fixture(scope="module")
def small_curves() -> pd.DataFrame:
    """Curves built here by the walk: d = 16 up to 3,000 tokens and d = 128 up to 1,200."""
    return pd.concat([curve.men_min_base_curve(16, 3000), curve.men_min_base_curve(128, 1200)], ignore_index=True)


def _at(c: pd.DataFrame, d: int, L: int) -> float:
    hit = c[(c["head_dim"] == d) & (c["context_from"] <= L) & (c["context_to"] >= L)]
    assert len(hit) == 1, (d, L)
    return float(hit["min_base"].iloc[0])


def test_pieces_cover_the_range_and_grow(small_curves):
    for d, hi in ((16, 3000), (128, 1200)):
        c = small_curves[small_curves["head_dim"] == d]
        assert c["context_from"].iloc[0] == curve.CURVE_MIN_CONTEXT and c["context_to"].iloc[-1] == hi
        assert (c["context_from"].to_numpy()[1:] == c["context_to"].to_numpy()[:-1] + 1).all()
        assert (np.diff(c["min_base"].to_numpy()) > 0).all()  # the bound only grows with L


@pytest.mark.parametrize("d,L", [(16, 2), (16, 37), (16, 512), (16, 2999), (16, 3000), (128, 3), (128, 600), (128, 1024)])
def test_curve_equals_the_certified_search(small_curves, d, L):
    assert _at(small_curves, d, L) == bounds.men_min_base_search(L, d).min_base


def test_every_piece_boundary_equals_the_search(small_curves):
    """At the first and last L of several pieces (where the value changes) the search agrees."""
    c = small_curves[small_curves["head_dim"] == 16].iloc[::7]
    for r in c.itertuples(index=False):
        for L in {int(r.context_from), int(r.context_to)}:
            assert bounds.men_min_base_search(L, 16).min_base == float(r.min_base), L


@pytest.mark.parametrize("L", [40, 700, 2500])
def test_curve_value_is_the_infimum_by_a_naive_loop(small_curves, L):
    """Naive B(m) (one math.cos per term): B >= 0 for all m <= L at the curve's base, and some
    m <= L has B < 0 a millionth below it."""
    b = _at(small_curves, 16, L)
    m = np.arange(L + 1)
    assert min(men_B_naive(m, b, 16)) >= 0.0
    assert min(men_B_naive(m, b * (1 - 1e-6), 16)) < 0.0


def test_first_negative_distance_matches_a_naive_scan():
    for base, d, lo, hi in ((10_000.0, 128, 1, 5000), (300.0, 16, 50, 9000), (1e6, 64, 10, 3000)):
        B = np.asarray(men_B_naive(np.arange(lo, hi + 1), base, d))
        neg = np.nonzero(B < 0)[0]
        want = int(lo + neg[0]) if neg.size else None
        assert curve.first_negative_distance(base, d, lo, hi) == want


@pytest.fixture()
def patched(small_curves, tmp_path, monkeypatch):
    path = tmp_path / "curve.csv"
    path.write_text(curve.curve_csv(small_curves))
    monkeypatch.setattr(curve, "DATA_FILE", path)
    return small_curves


def test_lookup_edge_cases(patched):
    assert curve.lookup_min_base(1, 16) is None  # below the curve (every base > 1 is feasible at L = 1)
    assert curve.lookup_min_base(2, 16) == _at(patched, 16, 2)
    assert curve.lookup_min_base(3000, 16) == _at(patched, 16, 3000)
    assert curve.lookup_min_base(3000.0, 16) == _at(patched, 16, 3000)  # an integral float is a length
    assert curve.lookup_min_base(3001, 16) is None  # beyond the curve
    assert curve.lookup_min_base(1200, 128) == _at(patched, 128, 1200)
    assert curve.lookup_min_base(1201, 128) is None
    assert curve.lookup_min_base(100, 48) is None  # no curve for this head dim
    assert curve.lookup_min_base(np.int64(700), np.int64(16)) == _at(patched, 16, 700)


@pytest.mark.parametrize("L,d,match", [(0, 128, "context length"), (-4, 128, "context length"), (10.5, 128, "context length"),
                                       (True, 128, "context length"), ("1024", 128, "context length"),
                                       (float("nan"), 128, "context length"), (1024, 0, "head dim"), (1024, None, "head dim")])
def test_lookup_rejects_bad_input(L, d, match):
    with pytest.raises(InputError, match=match):
        curve.lookup_min_base(L, d)


def test_lookup_round_trips_the_ten_digits(patched):
    """The CSV keeps the search's ten significant digits exactly (the printed value is the float)."""
    back = curve._read_table(curve.DATA_FILE)
    assert (back["min_base"].to_numpy() == patched["min_base"].to_numpy()).all()


def test_verify_catches_a_wrong_piece(small_curves):
    ok = curve.verify_curve(small_curves, [700], head_dims=[16], segment_checks=1000)
    assert ok["ok"].all() and len(ok) > 10
    bad = small_curves.copy()
    i = bad.index[(bad["head_dim"] == 16)][len(bad[bad["head_dim"] == 16]) // 2]
    bad.loc[i, "min_base"] = bad.loc[i, "min_base"] * 0.999  # no longer feasible over its piece
    res = curve.verify_curve(bad, [int(bad.loc[i, "context_from"])], head_dims=[16], segment_checks=1000)
    failed = set(res.loc[~res["ok"], "check"])
    assert {"feasible over the piece", "certified search equals the curve"} <= failed


def test_curve_rejects_a_bad_range():
    with pytest.raises(InputError, match="context range"):
        curve.men_min_base_curve(128, 10, min_context=1)


# --- the shipped package data --------------------------------------------------------------------

def test_shipped_curves_are_contiguous_from_the_shortest_context():
    c = curve.shipped_curves()
    assert set(c["head_dim"]) <= set(curve.CURVE_HEAD_DIMS) and 128 in set(c["head_dim"])
    for d in sorted(set(c["head_dim"])):
        cd = c[c["head_dim"] == d]
        assert cd["context_from"].iloc[0] == curve.CURVE_MIN_CONTEXT
        assert (cd["context_from"].to_numpy()[1:] == cd["context_to"].to_numpy()[:-1] + 1).all()
        assert (np.diff(cd["min_base"].to_numpy()) > 0).all()


@pytest.mark.parametrize("d", curve.CURVE_HEAD_DIMS)
def test_shipped_curve_reaches_1m(d):
    c = curve.shipped_curves()
    reach = int(c.loc[c["head_dim"] == d, "context_to"].max()) if d in set(c["head_dim"]) else 0
    assert reach == curve.CURVE_MAX_CONTEXT


@pytest.mark.parametrize("d,L", [(32, 3000), (64, 20_000), (96, 7777), (128, 2048), (128, 50_000)])
def test_shipped_curve_equals_the_certified_search(d, L):
    assert curve.lookup_min_base(L, d) == bounds.men_min_base_search(L, d).min_base


def test_shipped_curve_reproduces_the_published_short_lengths():
    """Men et al.'s printed 4.3e3 (L = 1K) and 2.7e4 (4K) are our values rounded (2 digits)."""
    tab = published()["men2024"]["min_base_table"]
    for L in (1024, 4096):
        assert float(f"{curve.lookup_min_base(L, 128):.1e}") == float(tab[L])


def test_shipped_curve_is_package_data():
    text = (ROOT / "pyproject.toml").read_text()
    assert "men_min_base_curve.csv" in text or "data/*.csv" in text


def test_men_table_command_answers_from_the_curve():
    """men-table for 1K..1M (d = 128) in a fresh interpreter, with the curve's values."""
    Ls = [2**k for k in range(10, 21)]
    p = subprocess.run([sys.executable, "-m", "analysis", "men-table", "--context-lengths", ",".join(map(str, Ls))],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert "men_min_base" not in p.stderr  # no search (no progress bar): every length came from the curve
    rows = p.stdout.strip().splitlines()[1:]
    assert [int(r.split(",")[0]) for r in rows] == Ls
    assert [float(r.split(",")[1]) for r in rows] == [curve.lookup_min_base(L, 128) for L in Ls]


def test_men_table_command_falls_back_to_the_search():
    """A head dim with no shipped curve: the certified search, with its progress bar on stderr."""
    p = subprocess.run([sys.executable, "-m", "analysis", "men-table", "--head-dim", "48", "--context-lengths", "300,500"],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert "men_min_base" in p.stderr
    got = [float(r.split(",")[1]) for r in p.stdout.strip().splitlines()[1:]]
    assert got == [bounds.men_min_base_search(L, 48).min_base for L in (300, 500)]
