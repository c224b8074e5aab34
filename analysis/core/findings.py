"""Findings: the named values and sentence fragments a report page shows, written by a rule.

A page never computes, filters or branches on data: every number and every data-dependent sentence
fragment it shows is a finding in ``results/<stage>/findings.json``, built by the stage's
``analysis/<stage>/findings.py`` and read by the page with ``rk.f("<stage>", "<name>")``.

Each finding is ``{"value": <JSON value>, "text": <plain text>, "markdown": <bool>}``:

- ``text`` is what the page shows, formatted by :func:`analysis.core.numfmt.fmt` unless given;
- ``markdown`` is true only for fragments that hold Markdown or math (links, ``$...$``, ``*x*``):
  the page then receives an ``IPython.display.Markdown`` object, because Quarto inserts any other
  inline value as plain text. Plain findings may not contain markup, and no finding is empty
  (an empty inline value stays in the page as code): both are checked here, when written.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.core.numfmt import fmt

__all__ = ["Finding", "finding", "computed_in", "findings_dict", "write_findings", "MARKUP"]

# characters a plain inline value may not hold: Quarto would show them literally
MARKUP = re.compile(r"[\[\]`$*{}_\\]|\]\(|@(?:fig|tbl|sec|eq)-")


@dataclass(frozen=True)
class Finding:
    name: str
    value: Any
    text: str
    markdown: bool = False
    # the findings step's input the number was computed in (None: computed by the findings function)
    source: str | None = None
    # filled when written (analysis.core.step): {"step", "function", "file"} that computed the value
    computed_by: dict[str, str] | None = None


def finding(name: str, value: Any, text: str | None = None, *, markdown: bool = False, digits: int = 3,
            source: str | None = None) -> Finding:
    """A finding ``name``: ``value`` (number, string, bool, list...) shown as ``text``; ``source``
    names the findings step's input the value was computed in (its step and function are recorded
    beside the finding), None when the findings function computed it (a count, a phrase)."""
    if isinstance(value, float) and not math.isfinite(value):
        value = None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    shown = text if text is not None else fmt(value, digits)
    return Finding(name, value, str(shown), markdown, source)


def computed_in(source: str, items: Iterable[Finding]) -> list[Finding]:
    """``items`` marked as values computed in the findings step's input ``source`` (those already
    naming a source keep it)."""
    from dataclasses import replace

    return [f if f.source else replace(f, source=source) for f in items]


def _check(f: Finding) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", f.name):
        raise ValueError(f"finding name {f.name!r}: use lower_snake_case")
    if not f.text.strip():
        raise ValueError(f"finding {f.name!r} has an empty text (an empty inline value shows as code)")
    if not f.markdown and MARKUP.search(f.text):
        raise ValueError(f"finding {f.name!r} holds markup but is not marked markdown=True: {f.text!r}")


def findings_dict(items: Iterable[Finding]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for f in items:
        _check(f)
        if f.name in out:
            raise ValueError(f"finding {f.name!r} given twice")
        out[f.name] = {"value": f.value, "text": f.text, "markdown": f.markdown,
                       **({"computed_by": f.computed_by} if f.computed_by else {})}
    return out


def write_findings(items: Iterable[Finding] | Mapping[str, Any], path: str | os.PathLike[str], **extra: Any) -> Path:
    """Check and write findings as JSON (atomically, with a provenance sidecar)."""
    from analysis.core.results import write_json

    if isinstance(items, Mapping):
        items = [v if isinstance(v, Finding) else finding(k, v) for k, v in items.items()]
    return write_json(findings_dict(items), path, None, **extra)
