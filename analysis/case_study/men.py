"""Men et al.'s minimum base for one ``(context length, rotary dims)`` pair.

Answered from the shipped curve (``analysis.bounds.curve.lookup_min_base``: one certified walk per
head dim, package data up to 1M tokens) when it covers the pair, else by the certified search of
:func:`analysis.bounds.men_min_base` (about a minute at 1M tokens, d = 128). Contexts above
``max_context`` (0: no limit) are not searched (NaN, with a note).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

__all__ = ["men_searched", "men_min_base_and_method", "curve_lookup"]


def curve_lookup() -> Callable[..., float | None] | None:
    """The shipped-curve lookup of the bounds stage, or None where it is not installed."""
    try:
        from analysis.bounds.curve import lookup_min_base
    except ImportError:
        return None
    return lookup_min_base


def men_searched(L: int, max_context: int) -> bool:
    """Whether Men et al.'s bound is wanted for context ``L`` (``max_context`` 0: always)."""
    return int(max_context) <= 0 or int(L) <= int(max_context)


@lru_cache(maxsize=None)
def _search(L: int, d: int) -> float:
    from analysis import bounds

    return float(bounds.men_min_base(int(L), head_dim=int(d)))


def men_min_base_and_method(L: int, d: int, max_context: int = 0, progress: bool = False) -> tuple[float, str]:
    """``(min_base, how)``: ``how`` is 'shipped curve', 'certified search' or why it is missing.
    ``progress``: a progress bar on stderr while the certified search runs (never for a lookup)."""
    if not men_searched(L, max_context):
        return math.nan, f"not searched: L above case_study.men_max_context ({int(max_context):,})"
    lookup = curve_lookup()
    if lookup is not None:
        v = lookup(context_length=int(L), head_dim=int(d))
        if v is not None:
            return float(v), "shipped curve"
    if progress:
        from analysis import bounds

        return float(bounds.men_min_base_table([int(L)], int(d), progress=True)["min_base"].iloc[0]), "certified search"
    return _search(int(L), int(d)), "certified search"
