"""The one number formatter of the report: every number a page or table shows goes through here.

Rules (plain text, the same in HTML and the PDF):

- integers below 10^7: thousands separators (``62,832``);
- other magnitudes in [10^-3, 10^7): ``digits`` significant digits, no exponent (``0.0243``, ``4.13``);
- everything else: scientific with a Unicode exponent, ``digits`` significant digits (``6.54×10⁷``);
- ``None``/NaN: an en dash; ±inf: ``∞``/``−∞``.

:func:`fmt_column` formats a whole column in *one* style (all plain or all scientific), so a column
never mixes ``10000`` with ``1e+06``. :func:`fmt_fixed` gives differences a fixed number of decimals and
a sign (``+0.012``, ``−0.001``), so that an interval around zero reads as one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

__all__ = ["fmt", "sci", "fmt_column", "fmt_fixed", "MISSING"]

MISSING = "–"
_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _finite(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v


def sci(x: Any, digits: int = 3) -> str:
    """``x`` in scientific notation: ``6.537e7`` -> ``6.54×10⁷`` (``digits`` significant digits)."""
    v = _finite(x)
    if v is None or math.isnan(v):
        return MISSING
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"
    m, e = f"{v:.{max(digits - 1, 0)}e}".split("e")
    m = m.replace("-", "−")
    exp = int(e)
    if exp == 0:
        return m
    return f"{m}×10{str(exp).translate(_SUP)}"


def _plain(v: float, digits: int) -> str:
    if float(v).is_integer():
        return f"{int(v):,}".replace("-", "−")
    mag = math.floor(math.log10(abs(v)))
    decimals = max(digits - 1 - mag, 0)
    return f"{v:,.{decimals}f}".replace("-", "−")


def _is_plain(v: float) -> bool:
    a = abs(v)
    return a == 0 or (1e-3 <= a < 1e7)


def fmt(x: Any, digits: int = 3) -> str:
    """A readable number (see the module docstring); strings pass through unchanged."""
    if isinstance(x, str):
        return x
    if isinstance(x, bool):
        return "yes" if x else "no"
    v = _finite(x)
    if v is None or math.isnan(v):
        return MISSING
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    return _plain(v, digits) if _is_plain(v) else sci(v, digits)


def fmt_column(values: Iterable[Any], digits: int = 3) -> list[str]:
    """Format a column in one style: plain when every finite value is plain-sized, else scientific."""
    vals = list(values)
    nums = [float(v) for v in vals if not isinstance(v, (str, bool)) and _finite(v) is not None
            and math.isfinite(float(v))]
    plain = all(_is_plain(v) for v in nums)
    out = []
    for v in vals:
        if isinstance(v, (str, bool)) or _finite(v) is None or not math.isfinite(float(v)):
            out.append(fmt(v, digits))
        else:
            out.append(_plain(float(v), digits) if plain else sci(v, digits))
    return out


def fmt_fixed(x: Any, decimals: int = 3, signed: bool = True) -> str:
    """A difference with ``decimals`` fixed decimals, signed (``+0.012``, ``−0.001``, ``0.000``); a
    Unicode minus, as everywhere in the report."""
    v = _finite(x)
    if v is None or math.isnan(v):
        return MISSING
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    text = f"{v:+.{decimals}f}" if signed else f"{v:.{decimals}f}"
    if float(text) == 0:
        return f"{0:.{decimals}f}"
    return text.replace("-", "−")
