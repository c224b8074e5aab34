"""Reproduction scorecard rows: every published number set against ours.

Each stage writes ``results/<stage>/scorecard.csv`` with :data:`COLUMNS`; the report stage
concatenates them into the scorecard page. The published values come from
``config/published_values.yaml`` (with their sources), never typed into code.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.config import ROOT, load_yaml

__all__ = ["VERDICTS", "COLUMNS", "ScoreRow", "rows_to_frame", "relative_difference", "published"]

VERDICTS: tuple[str, ...] = ("reproduced", "differs", "not reproducible offline")
COLUMNS: tuple[str, ...] = (
    "chapter", "item", "source", "paper_value", "our_value", "rel_diff", "tolerance", "verdict", "reason",
)
PUBLISHED = ROOT / "config" / "published_values.yaml"


def published(path: str | Path = PUBLISHED) -> dict[str, Any]:
    """The published values we reproduce, with their sources."""
    return load_yaml(path)


def relative_difference(ours: float | None, paper: float | None) -> float:
    """``(ours - paper) / |paper|``; NaN where either is missing or the paper value is 0."""
    if ours is None or paper is None:
        return math.nan
    ours, paper = float(ours), float(paper)
    if paper == 0 or not (math.isfinite(ours) and math.isfinite(paper)):
        return math.nan
    return (ours - paper) / abs(paper)


@dataclass(frozen=True)
class ScoreRow:
    """One published number against ours. ``verdict`` is one of :data:`VERDICTS`; ``reason`` is
    one line saying why (the tolerance used, or why it cannot be reproduced offline)."""

    chapter: str
    item: str
    source: str
    paper_value: float | str | None
    our_value: float | str | None
    tolerance: float | None
    verdict: str
    reason: str

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")

    @classmethod
    def compare(
        cls, chapter: str, item: str, source: str, paper: float, ours: float, tolerance: float, reason: str = ""
    ) -> "ScoreRow":
        """A numeric row: ``reproduced`` when ``|ours - paper| / |paper| <= tolerance``."""
        rd = relative_difference(ours, paper)
        ok = math.isfinite(rd) and abs(rd) <= tolerance
        why = reason or (f"within {tolerance:.0%} relative" if ok else f"off by {rd:+.1%}, tolerance {tolerance:.0%}")
        return cls(chapter, item, source, paper, ours, tolerance, "reproduced" if ok else "differs", why)


def rows_to_frame(rows: list[ScoreRow]) -> pd.DataFrame:
    """Rows as a DataFrame with :data:`COLUMNS` (values as text where they are not numbers)."""
    recs = []
    for r in rows:
        d = asdict(r)
        num = isinstance(r.paper_value, (int, float)) and isinstance(r.our_value, (int, float))
        d["rel_diff"] = relative_difference(r.our_value, r.paper_value) if num else math.nan  # type: ignore[arg-type]
        d["paper_value"] = None if r.paper_value is None else str(r.paper_value)
        d["our_value"] = None if r.our_value is None else str(r.our_value)
        recs.append(d)
    return pd.DataFrame.from_records(recs, columns=list(COLUMNS))
