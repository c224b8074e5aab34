"""The report's one number formatter."""

from __future__ import annotations

import math

from analysis.core.numfmt import MISSING, fmt, fmt_column, fmt_fixed


def test_fmt_rules():
    assert fmt(62832) == "62,832"
    assert fmt(0.024312) == "0.0243"
    assert fmt(6.54e7) == "6.54×10⁷"
    assert fmt(None) == MISSING and fmt(math.nan) == MISSING and fmt(-math.inf) == "−∞"
    assert fmt_column([10000, 1e6, 2e7]) == ["1.00×10⁴", "1.00×10⁶", "2.00×10⁷"]  # one style per column


def test_fmt_fixed_signs_and_decimals():
    assert fmt_fixed(0.01178) == "+0.012"
    assert fmt_fixed(-0.00095) == "−0.001"  # a Unicode minus
    assert fmt_fixed(-0.0001) == "0.000" and fmt_fixed(0.0) == "0.000"  # no signed zero
    assert fmt_fixed(0.6420, 2, signed=False) == "0.64"
    assert fmt_fixed(None) == MISSING and fmt_fixed(math.inf) == "∞"
