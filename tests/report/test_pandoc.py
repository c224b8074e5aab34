"""What Quarto receives, parsed by the real Pandoc (PyPI's pypandoc-binary, the Pandoc that Quarto
bundles): every page executed against results, assembled as Quarto would assemble it, read into
Pandoc's JSON AST and checked for what breaks a render or shows as garbage to a reader:

- every table row has the header's number of cells (an unescaped ``|`` splits a cell, a doubly
  escaped one splits it too);
- no raw ``\\|``, ``{python}``, ``](`` or ``$`` leaks into table cells or text (a ``$`` in text is
  math that Pandoc did not read as math, a ``](`` a link that became text);
- every ``@fig-``/``@tbl-`` reference resolves to a labelled float of the book.

Run on the smoke results and on a copy whose display tables hold the default profile's hardest
texts (pipes inside formulas, underscores, asterisks, dollar signs, long reasons).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analysis.report import reportkit as rk
from tests.qmd import ROOT, assemble_markdown, execute_qmd

pypandoc = pytest.importorskip("pypandoc", reason="pypandoc-binary (requirements.lock) ships the Pandoc binary")

PAGES = rk.quarto_pages()
LEAKS = ("\\|", "{python}", "](", "$")
CELL_LEAKS = (*LEAKS, "\\")  # a backslash shown in a cell is an escape read twice (``\\|`` splits the cell)
_SEPARATOR = re.compile(r"(?<!\\)(?:\\\\)*\|")  # a pipe preceded by an even number of backslashes


def pipe_rows_agree(markdown: str, name: str) -> None:
    """Every pipe-table line of the source has the header line's number of cell separators (Pandoc
    silently drops the cells a stray separator adds, so this is checked on the text it reads)."""
    block: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if len(block) >= 2:
            counts = [len(_SEPARATOR.findall(x)) for x in block]
            bad = [x for x, c in zip(block, counts) if c != counts[0]]
            assert not bad, f"{name}: a table row has other cells than its header: {bad[0][:200]!r}"
        block = []


def pandoc_ast(markdown: str) -> dict[str, Any]:
    """``markdown`` read by Pandoc (Quarto's Markdown flavour is Pandoc's, plus its shortcodes)."""
    exe = pypandoc.get_pandoc_path()
    proc = subprocess.run([exe, "-f", "markdown", "-t", "json"], input=markdown, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(proc.stdout)


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def plain(node: Any) -> str:
    """The text of an AST fragment as a reader sees it (Str, spaces, code; math left out)."""
    out = []
    for n in _walk(node):
        t = n.get("t")
        if t == "Str":
            out.append(n["c"])
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t == "Code":
            out.append(n["c"][1])
    return "".join(out)


def _rows(table: dict[str, Any]) -> tuple[list, list[list]]:
    """Header cells and body rows (lists of cells) of a Pandoc Table node."""
    _attr, _caption, _specs, head, bodies, _foot = table["c"]
    head_rows = head[1]
    header = head_rows[0][1] if head_rows else []
    body = [row[1] for b in bodies for row in (b[2] + b[3])]
    return header, body


def check_page(markdown: str, name: str) -> tuple[set[str], set[str]]:
    """Assert the table and text rules above for one page; returns (labels, references) of floats."""
    pipe_rows_agree(markdown, name)
    ast = pandoc_ast(markdown)
    labels: set[str] = set()
    refs: set[str] = set()
    for n in _walk(ast["blocks"]):
        t = n.get("t")
        if t == "Table":
            header, body = _rows(n)
            for i, row in enumerate(body):
                assert len(row) == len(header), (f"{name}: table row {i + 1} has {len(row)} cells, the header "
                                                 f"{len(header)}: {plain(row)[:200]!r}")
            for cell in [*header, *(c for r in body for c in r)]:
                text = plain(cell)
                for leak in CELL_LEAKS:
                    assert leak not in text, f"{name}: {leak!r} leaks into a table cell: {text[:200]!r}"
        elif t == "Div":
            ident = n["c"][0][0]
            if ident.startswith(("fig-", "tbl-")):
                labels.add(ident)
        elif t == "Cite":
            for c in n["c"][0]:
                if c["citationId"].startswith(("fig-", "tbl-")):
                    refs.add(c["citationId"])
        elif t == "Str":
            for leak in LEAKS:
                assert leak not in n["c"], f"{name}: {leak!r} leaks into the text: {n['c'][:200]!r}"
    return labels, refs


def check_book(results: Path, pages: list[str], tmp: Path) -> None:
    labels: set[str] = set()
    refs: dict[str, set[str]] = {}
    for page in pages:
        nb = execute_qmd(ROOT / page, results)
        md = assemble_markdown(ROOT / page, nb)
        (tmp / (Path(page).stem + ".md")).write_text(md)  # kept for a failing run's reader
        page_labels, page_refs = check_page(md, page)
        labels |= page_labels
        refs[page] = page_refs
    for page, rs in refs.items():
        missing = rs - labels
        assert not missing, f"{page}: references to no labelled figure or table: {sorted(missing)}"


@pytest.mark.slow
def test_every_page_parses_cleanly_on_smoke_results(smoke_results, tmp_path):
    check_book(smoke_results, PAGES, tmp_path)


# the default profile's hardest texts, put into the tables and lists that hold free text
HARD_TEXTS = [
    "max |measured - Fourier prediction| 1.4e-04",
    "2|cos(phi/2)| for phi in [-pi, pi]",
    "fp8_e4m3 and fp8_e5m2: *not* on this CPU",
    "ε* (depth) = 2.4×10⁻² < 0.01 for model_type llama_4 [sic] #3",
    "see @fig-none ~60 models^2 `code` <b>",
    "B < 0 at 420 of 4,096 distances, first at m = 1,707; " + "a long reason that wraps " * 12,
]


def _harden(results: Path) -> None:
    """Overwrite the free-text display tables and the scorecard of ``results`` with HARD_TEXTS."""
    from analysis.core.scorecard import ScoreRow, rows_to_frame
    from analysis.report.summary import build_scorecard

    def fill(path: Path) -> None:
        df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)
        text_cols = [c for c in df.columns if df[c].dtype == object]
        for i in range(len(df)):
            for j, c in enumerate(text_cols):
                df.loc[df.index[i], c] = HARD_TEXTS[(i + j) % len(HARD_TEXTS)]
        (df.to_parquet if path.suffix == ".parquet" else lambda p: df.to_csv(p, index=False))(path)

    for rel in ("harmonics/display/scorecard.parquet", "case_study/display/models.parquet"):
        fill(results / rel)
    rows = [ScoreRow(ch, HARD_TEXTS[i % len(HARD_TEXTS)], "a paper, §3 | Table 2", 1.0, 1.0, 0.05, "differs",
                     HARD_TEXTS[(i + 1) % len(HARD_TEXTS)], HARD_TEXTS[(i + 2) % len(HARD_TEXTS)])
            for i, ch in enumerate(["bounds", "case_study", "harmonics"] * 8)]
    src = results / "bounds" / "scorecard_hard.csv"
    rows_to_frame(rows).to_csv(src, index=False)
    out = build_scorecard([src], "9.9.9", None, titles=rk.chapter_titles())
    (results / "report" / "scorecard_summary.md").write_text(out.summary_md)
    (results / "report" / "scorecard_detail.md").write_text(out.detail_md)


@pytest.mark.slow
def test_hardest_texts_parse_cleanly(smoke_results, tmp_path, monkeypatch):
    results = tmp_path / "results"
    shutil.copytree(smoke_results, results)
    monkeypatch.setenv("ROPE_BOUNDS_RESULTS", str(results))
    _harden(results)
    check_book(results, ["report/harmonics.qmd", "report/case_study.qmd", "report/scorecard.qmd"], tmp_path)


def test_check_catches_a_doubly_escaped_pipe_and_a_leak():
    """The checks fail on what broke the last render: ``\\\\|`` (escaped twice) splits a cell."""
    bad = "| a | b |\n|---|---|\n| max \\\\|x\\\\| | 1 |\n"
    with pytest.raises(AssertionError, match="cells"):
        check_page(bad, "bad")
    with pytest.raises(AssertionError, match="leaks"):
        check_page("Costs $5 and {python} x.\n", "leak")
    labels, refs = check_page("::: {#fig-a}\nx\n\nA caption.\n:::\n\nSee @fig-a and @tbl-b.\n", "refs")
    assert labels == {"fig-a"} and refs == {"fig-a", "tbl-b"}


def test_one_escaping_layer_keeps_every_cell_whole():
    """reportkit.pipe_table escapes plain text once: Pandoc reads back exactly the text given."""
    df = pd.DataFrame({"claim": HARD_TEXTS, "n": [str(i) for i in range(len(HARD_TEXTS))]})
    ast = pandoc_ast(rk.pipe_table(df))
    table = next(n for n in _walk(ast["blocks"]) if n.get("t") == "Table")
    header, body = _rows(table)
    assert [plain(r[0]) for r in body] == [" ".join(t.split()) for t in HARD_TEXTS]
    assert all(len(r) == 2 for r in body)


def test_short_label_columns_stay_whole_in_html():
    """A text column whose cells are all short labels is marked to stay on one line in HTML (a
    ``rope-label`` span, styled by report/_report.css); long text and numbers are not; the PDF shows
    the same text (Typst has no span)."""
    df = pd.DataFrame({"variant": ["RoPE base 10k", "0.75-RoPE reversed", "NoPE"],
                       "note": ["a sentence long enough to wrap between its words", "short", ""],
                       "loss": ["1.7281", "1.7399", "2.3701"]})
    markdown = rk.pipe_table(df)
    table = next(n for n in _walk(pandoc_ast(markdown)["blocks"]) if n.get("t") == "Table")
    header, body = _rows(table)
    spans = [[[n["c"][0][1] for n in _walk(cell) if n.get("t") == "Span"] for cell in row] for row in body]
    assert [s[0] for s in spans] == [[["rope-label"]]] * 3  # every label of the short column
    assert all(s[1] == [] and s[2] == [] for s in spans)  # the long-text and the numeric column: none
    assert [plain(r[0]) for r in body] == list(df["variant"])
    typst = subprocess.run([pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "typst"], input=markdown, capture_output=True,
                           text=True, check=True).stdout
    assert "[RoPE base 10k]" in typst and "rope-label" not in typst
    css = (ROOT / "report" / "_report.css").read_text()
    assert re.search(r"\.rope-label\s*\{\s*white-space:\s*nowrap", css)
    long = pd.DataFrame({"variant": ["x" * (rk.SHORT_LABEL + 1), "y"]})
    assert "rope-label" not in rk.pipe_table(long)  # one long cell: the column wraps as text
