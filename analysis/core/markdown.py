"""Markdown escaping: the one place where plain text becomes literal Markdown.

Analysis results (display tables, findings, scorecard rows) hold plain text. Whatever puts such text
into Markdown (a pipe table's cells in :func:`analysis.report.reportkit.pipe_table`, a finding that
mixes Markdown with text, the scorecard's lists, the provenance appendix) passes it through
:func:`md_escape` exactly once, so a ``|`` in a formula never ends a table cell, an ``_`` in a format
name never starts emphasis, and text already escaped is never escaped again by a second layer.
"""

from __future__ import annotations

import re

__all__ = ["MD_SPECIAL", "md_escape", "md_cell"]

# Pandoc Markdown's inline punctuation: emphasis, code, links, math, citations and cross-references,
# raw HTML, headings, table cells, attributes, sub- and superscript
MD_SPECIAL = "\\`*_{}[]<>#|$@~^"
_SPECIAL = re.compile("([" + re.escape(MD_SPECIAL) + "])")


def md_escape(text: str) -> str:
    """``text`` as literal Markdown: every special character backslash-escaped (Pandoc reads each
    ``\\x`` as the character ``x``), so the reader sees exactly ``text``."""
    return _SPECIAL.sub(r"\\\1", str(text))


def md_cell(text: str) -> str:
    """``text`` as the content of one pipe-table cell: escaped, on one line."""
    return md_escape(" ".join(str(text).split()))
