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

from analysis.core.config import PUBLISHED_VALUES, load_yaml
from analysis.core.errors import InputError

__all__ = [
    "VERDICTS", "COLUMNS", "ScoreRow", "rows_to_frame", "relative_difference", "published",
    "read_scorecard", "concat_scorecards", "verdict_counts", "scorecard_changes",
]

# reproduced: ours meets the claim's criterion; differs: it does not; inconclusive: the measurement
# cannot separate the two (e.g. an ordering inside the seed spread); not reproducible offline: the
# claim needs what this project cannot have (weights, data, the paper's unpublished settings)
VERDICTS: tuple[str, ...] = ("reproduced", "differs", "inconclusive", "not reproducible offline")
COLUMNS: tuple[str, ...] = (
    "chapter", "item", "source", "paper_value", "our_value", "rel_diff", "tolerance", "criterion", "verdict",
    "reason",
)
def published(path: str | Path = PUBLISHED_VALUES) -> dict[str, Any]:
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
    """One claim of a paper against our measurement. ``verdict`` is one of :data:`VERDICTS`;
    ``criterion`` states, in words a reader can check, the rule that decides the verdict (fixed in
    code before measuring); ``reason`` is one line saying why this verdict follows (the numbers)."""

    chapter: str
    item: str
    source: str
    paper_value: float | str | None
    our_value: float | str | None
    tolerance: float | None
    verdict: str
    reason: str
    criterion: str = ""

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
        crit = f"reproduced when |ours − paper| / |paper| ≤ {tolerance:g}"
        return cls(chapter, item, source, paper, ours, tolerance, "reproduced" if ok else "differs", why, crit)


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


def read_scorecard(path: str | Path) -> pd.DataFrame:
    """One stage's ``scorecard.csv``, checked: exactly the columns :data:`COLUMNS` (in any order)
    and every verdict in :data:`VERDICTS`. A bad file raises :class:`InputError` naming it."""
    p = Path(path)
    try:
        df = pd.read_csv(p, dtype={"paper_value": "string", "our_value": "string"}, keep_default_na=True)
    except (OSError, ValueError) as e:
        raise InputError(f"scorecard {p}: cannot read it ({e})") from None
    missing = [c for c in COLUMNS if c not in df.columns]
    extra = [c for c in df.columns if c not in COLUMNS]
    if missing or extra:
        raise InputError(f"scorecard {p}: missing columns {missing}, unexpected columns {extra}")
    bad = sorted(set(df["verdict"].astype(str)) - set(VERDICTS))
    if bad:
        raise InputError(f"scorecard {p}: unknown verdict(s) {bad}; allowed: {list(VERDICTS)}")
    for col in ("rel_diff", "tolerance"):
        try:
            df[col] = pd.to_numeric(df[col])
        except ValueError:
            raise InputError(f"scorecard {p}: column {col!r} must be numeric") from None
    return df[list(COLUMNS)]


def concat_scorecards(paths: list[str | Path]) -> pd.DataFrame:
    """Every stage's scorecard in the given order (the report's chapter order), one table with
    :data:`COLUMNS`; rows keep their order within a stage. No paths give an empty table."""
    frames = [read_scorecard(p) for p in paths]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("rel_diff", "tolerance") else "string")
                             for c in COLUMNS})
    out = pd.concat(frames, ignore_index=True)
    for col in ("chapter", "item", "source", "paper_value", "our_value", "criterion", "verdict", "reason"):
        out[col] = out[col].astype("string")
    return out


def verdict_counts(df: pd.DataFrame) -> dict[str, int]:
    """How many rows have each verdict (every verdict listed, zeros included)."""
    counts = df["verdict"].value_counts() if len(df) else pd.Series(dtype=int)
    return {v: int(counts.get(v, 0)) for v in VERDICTS}


def scorecard_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """What changed in the results between two scorecards (an earlier release's and the current
    one), matched on (chapter, item, source): rows added, removed, or whose value or verdict
    changed. Columns: chapter, item, change, old_value, new_value, old_verdict, new_verdict."""
    key = ["chapter", "item", "source"]
    cols = ["our_value", "verdict"]
    a = old[key + cols].astype("string").rename(columns={"our_value": "old_value", "verdict": "old_verdict"})
    b = new[key + cols].astype("string").rename(columns={"our_value": "new_value", "verdict": "new_verdict"})
    m = a.merge(b, on=key, how="outer", indicator=True)
    change = pd.Series("", index=m.index, dtype="string")
    change[m["_merge"] == "left_only"] = "removed"
    change[m["_merge"] == "right_only"] = "added"
    both = m["_merge"] == "both"
    vdiff = both & (m["old_value"].fillna("") != m["new_value"].fillna(""))
    ddiff = both & (m["old_verdict"].fillna("") != m["new_verdict"].fillna(""))
    change[vdiff & ~ddiff] = "value changed"
    change[ddiff & ~vdiff] = "verdict changed"
    change[vdiff & ddiff] = "value and verdict changed"
    m["change"] = change
    out = m[m["change"] != ""]
    return out[["chapter", "item", "change", "old_value", "new_value", "old_verdict", "new_verdict"]].reset_index(drop=True)
