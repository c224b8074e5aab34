"""The report stage's own results: the reproduction scorecard (every stage's claims in one table),
its display tables, the changes since the previous release, and the findings of the Summary,
Scorecard and Changelog pages."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.findings import Finding, finding
from analysis.core.numfmt import MISSING, fmt
from analysis.core.scorecard import VERDICTS, concat_scorecards, read_scorecard, scorecard_changes, verdict_counts
from analysis.core.markdown import md_escape
from analysis.report.reportkit import pipe_table

__all__ = ["ScorecardOutputs", "build_scorecard", "scorecard_results", "summary_table", "detail_markdown", "changes_markdown",
           "scorecard_findings", "value_text"]


@dataclass(frozen=True)
class ScorecardOutputs:
    card: pd.DataFrame        # every stage's rows, COLUMNS of analysis.core.scorecard
    summary_md: str           # verdicts per chapter (a pipe table)
    detail_md: str            # per chapter: the claims table and each row's criterion and reason
    changes_md: str           # rows changed since the previous release (or a sentence saying none)
    findings: list[Finding]   # numbers and phrases of the Summary, Scorecard and Changelog pages


def value_text(v: Any) -> str:
    """A published or measured value as the scorecard prints it: numbers with 4 significant
    digits in the report's one style, text as it is, a dash when absent."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or (not isinstance(v, str) and pd.isna(v)):
        return MISSING
    try:
        return fmt(float(v), 4)
    except (TypeError, ValueError):
        return str(v)


def summary_table(card: pd.DataFrame, titles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Verdict counts per chapter, chapters in scorecard order (named by their titles, ``titles``:
    stage -> chapter title), every verdict a column."""
    titles = titles or {}
    chapters = list(dict.fromkeys(card["chapter"].astype(str)))
    rows = []
    for ch in chapters:
        counts = verdict_counts(card[card["chapter"].astype(str) == ch])
        rows.append([titles.get(ch, ch)] + [str(counts[v]) for v in VERDICTS])
    total = verdict_counts(card)
    rows.append(["All chapters"] + [str(total[v]) for v in VERDICTS])
    return pd.DataFrame(rows, columns=["Chapter", *[v.capitalize() for v in VERDICTS]])


def _cell(s: Any) -> str:
    return MISSING if s is None or (not isinstance(s, str) and pd.isna(s)) else str(s)


def detail_markdown(card: pd.DataFrame, titles: Mapping[str, str] | None = None) -> str:
    """Per chapter (headed by its title, ``titles``: stage -> chapter title): a table (number, claim,
    paper, ours, verdict) that fits the page, then the criterion and the reason of each numbered row
    as a list (long text reads better there). Row text is plain and escaped here, once."""
    titles = titles or {}
    parts: list[str] = []
    n = 0
    for ch in dict.fromkeys(card["chapter"].astype(str)):
        rows = card[card["chapter"].astype(str) == ch]
        table = []
        notes = []
        for r in rows.itertuples(index=False):
            n += 1
            table.append([str(n), _cell(r.item), value_text(r.paper_value), value_text(r.our_value), _cell(r.verdict)])
            crit = _cell(r.criterion) if _cell(r.criterion) != MISSING else "not stated"
            notes.append(f"{n}. **{md_escape(_cell(r.item))}** ({md_escape(_cell(r.source))}). Criterion: "
                         f"{md_escape(crit)}. Verdict: *{md_escape(_cell(r.verdict))}*: {md_escape(_cell(r.reason))}")
        df = pd.DataFrame(table, columns=["#", "Claim", "Paper", "Ours", "Verdict"])
        parts.append(f"## {md_escape(titles.get(ch, ch))} {{.unnumbered}}\n\n" + pipe_table(df, widths=[3, 45, 14, 14, 16], align="llrrl") + "\n")
        parts.append("\n".join(notes) + "\n")
    if not parts:
        return "No chapter has written a scorecard yet.\n"
    return "\n".join(parts)


def changes_markdown(changes: pd.DataFrame | None, current: str, previous: str | None) -> str:
    """The changes since the previous release as a table, or one sentence saying there are none."""
    if previous is None:
        return f"Version {current} is the first with a saved scorecard: there is no earlier release to compare with.\n"
    if changes is None or changes.empty:
        return f"No scorecard row changed between version {previous} and version {current}.\n"
    shown = changes.fillna(MISSING).astype(str)
    shown.columns = [c.replace("_", " ").capitalize() for c in shown.columns]
    return pipe_table(shown)


def scorecard_findings(card: pd.DataFrame, current: str, previous: str | None,
                       changes: pd.DataFrame | None) -> list[Finding]:
    """Counts of the scorecard (per verdict, items, chapters) and the release comparison."""
    counts = verdict_counts(card)
    out = [finding("n_items", len(card)), finding("n_chapters", int(card["chapter"].nunique()) if len(card) else 0),
           finding("version", current, current), finding("previous_version", previous, previous or "none")]
    for v in VERDICTS:
        out.append(finding("n_" + v.replace(" ", "_"), counts[v]))
    n_changes = 0 if changes is None else len(changes)
    out.append(finding("n_changes", n_changes))
    return out


def build_scorecard(sources: Sequence[str | os.PathLike[str]], current: str,
                    previous: tuple[str, str | os.PathLike[str]] | None = None,
                    titles: Mapping[str, str] | None = None) -> ScorecardOutputs:
    """Every stage's ``scorecard.csv`` (in ``sources`` order) joined into the report's scorecard,
    with its display tables, the changes since the release snapshot ``previous`` = (version, path)
    and the pages' findings; chapters are shown by their titles (``titles``: stage -> title)."""
    card = concat_scorecards(list(sources))
    changes = scorecard_changes(read_scorecard(Path(previous[1])), card) if previous else None
    prev_version = previous[0] if previous else None
    return ScorecardOutputs(
        card=card,
        summary_md=pipe_table(summary_table(card, titles)),
        detail_md=detail_markdown(card, titles),
        changes_md=changes_markdown(changes, current, prev_version),
        findings=scorecard_findings(card, current, prev_version, changes),
    )


def scorecard_results(scorecards: Sequence[str | os.PathLike[str]], titles: Mapping[str, str]) -> dict[str, Any]:
    """The report stage's scorecard step: :func:`build_scorecard` of the stages' ``scorecards`` for
    this version (pyproject.toml) against the previous release's snapshot (report/_releases/), with
    the chapters named by their ``titles`` (:func:`analysis.report.reportkit.chapter_titles`):
    ``table`` (every row), ``summary``, ``detail`` and ``changes`` (Markdown) and the pages' ``findings``."""
    from analysis.report.version import package_version, previous_snapshot

    current = package_version()
    out = build_scorecard(list(scorecards), current, previous_snapshot(current), titles=titles)
    return {"table": out.card, "summary": out.summary_md, "detail": out.detail_md, "changes": out.changes_md,
            "findings": out.findings}

