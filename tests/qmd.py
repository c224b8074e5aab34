"""Execute the Python cells of a Quarto page in a Jupyter kernel (Quarto itself is not installable
here). Cells run in order with the project root as working directory, as `execute-dir: project`
does in _quarto.yml."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_CELL = re.compile(r"^```\{python[^}]*\}[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
_INLINE = re.compile(r"`\{python\}\s+(.+?)`")
_INCLUDE = re.compile(r"\{\{<\s*include\s+(\S+)\s*>\}\}")


def python_cells(qmd: str | Path) -> list[str]:
    """Source of every ```{python} cell of a .qmd file, in order."""
    return [m.group(1) for m in _CELL.finditer(Path(qmd).read_text())]


def page_text(qmd: str | Path) -> str:
    """A page's source with ``{{< include >}}`` shortcodes expanded (relative to the page)."""
    qmd = Path(qmd)
    text = qmd.read_text()
    return _INCLUDE.sub(lambda m: page_text((qmd.parent / m.group(1)).resolve()), text)


# what Quarto would show literally if it were in a plain-text inline value
_MARKUP = re.compile(r"[\[\]`$*{}\\]|\]\(|@(?:fig|tbl|sec|eq)-|(?<![\w.])@\w")


def check_inline(expr: str, value: object) -> None:
    """An inline ``{python}`` value as Quarto will receive it: an ``IPython.display.Markdown`` object
    (inserted as Markdown), or a plain value whose text holds no Markdown, math or citation syntax
    (Quarto inserts it as plain text, escaped) and is not empty (an empty value stays as code)."""
    from IPython.display import Markdown

    assert value is not None, f"inline `{expr}` is None"
    if isinstance(value, Markdown):
        assert str(value.data).strip(), f"inline `{expr}` is an empty Markdown object"
        return
    text = str(value)
    assert text.strip(), f"inline `{expr}` is empty: Quarto would leave the code in the page"
    bad = _MARKUP.search(text)
    assert not bad, (f"inline `{expr}` = {text!r} holds {bad.group(0)!r}, which Quarto shows literally "
                     "(plain text); return an IPython.display.Markdown object for markup")


INLINE_MARK = "<<inline>>"


def _inline_cell(expr: str) -> str:
    """An inline expression as a cell: checked, then printed as one JSON line (its text, and whether
    it is Markdown) so that :func:`assemble_markdown` can put it where Quarto would."""
    return (f"_inline = ({expr})\nfrom tests.qmd import check_inline, inline_json\ncheck_inline({expr!r}, _inline)\n"
            f"print({INLINE_MARK!r} + inline_json(_inline))")


def inline_json(value: object) -> str:
    import json

    from IPython.display import Markdown

    if isinstance(value, Markdown):
        return json.dumps({"markdown": True, "text": str(value.data)})
    return json.dumps({"markdown": False, "text": str(value)})


def page_code(qmd: str | Path) -> list[str]:
    """The page's code in document order: each Python cell, and each inline `{python} expr` as a
    cell that evaluates it (Quarto evaluates inline code in the same kernel, after earlier cells)."""
    text = page_text(qmd)
    code: list[str] = []
    pos = 0
    for m in _CELL.finditer(text):
        code += [_inline_cell(e) for e in _INLINE.findall(text[pos : m.start()])]
        code.append(m.group(1))
        pos = m.end()
    code += [_inline_cell(e) for e in _INLINE.findall(text[pos:])]
    return code


def execute_qmd(qmd: str | Path, results_dir: str | Path, timeout: int = 300):
    """Run all Python code of ``qmd`` (cells and inline expressions, in document order) in a fresh
    kernel against ``results_dir``; returns the executed notebook (raises nbclient's
    CellExecutionError on the first failing cell or inline expression)."""
    import nbformat
    from nbclient import NotebookClient

    cells = page_code(qmd)
    nb = nbformat.v4.new_notebook()
    setup = (
        "import os, sys\n"
        f"os.environ['ROPE_BOUNDS_RESULTS'] = {str(results_dir)!r}\n"
        f"os.chdir({str(ROOT)!r})\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
    )
    nb.cells = [nbformat.v4.new_code_cell(setup)] + [nbformat.v4.new_code_cell(c) for c in cells]
    env = dict(os.environ, ROPE_BOUNDS_RESULTS=str(results_dir))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})
    os.environ.update(env)
    client.execute()
    return nb


def _cell_markdown(outputs: list) -> str:
    """A cell's outputs as the Markdown Quarto puts in the page (echo off)."""
    parts = []
    for out in outputs:
        data = out.get("data") or {}
        if "text/markdown" in data:
            parts.append(str(data["text/markdown"]))
        elif "text/html" in data:
            parts.append("```{=html}\n" + str(data["text/html"]) + "\n```")
        elif "image/png" in data:
            parts.append("![](figure.png)")
        elif out.get("output_type") == "stream" and out.get("text", "").strip():
            parts.append("```\n" + out["text"] + "```")
    return "\n\n".join(parts)


def assemble_markdown(qmd: str | Path, nb) -> str:
    """The Markdown Quarto would hand to Pandoc for ``qmd`` executed as ``nb`` (:func:`execute_qmd`):
    each cell replaced by its output, each inline expression by its value (Markdown as Markdown,
    plain values as literal text, escaped), the YAML front matter's title as the level-one heading."""
    import json

    from analysis.core.markdown import md_escape

    text = page_text(qmd)
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if m:
        title = re.search(r"^title:\s*[\"']?(.*?)[\"']?\s*$", m.group(1), re.M)
        text = (f"# {title.group(1)}\n" if title else "") + text[m.end():]
    cells = iter(nb.cells[1:])  # the first cell is execute_qmd's setup

    def inline(_m: re.Match) -> str:
        out = "".join(o.get("text", "") for o in next(cells).outputs if o.get("output_type") == "stream")
        rec = json.loads(out.split(INLINE_MARK, 1)[1].strip())
        return rec["text"] if rec["markdown"] else md_escape(rec["text"])

    pieces: list[str] = []
    pos = 0
    for c in _CELL.finditer(text):
        pieces.append(_INLINE.sub(inline, text[pos : c.start()]))
        pieces.append(_cell_markdown(next(cells).outputs))
        pos = c.end()
    pieces.append(_INLINE.sub(inline, text[pos:]))
    return "".join(pieces)
