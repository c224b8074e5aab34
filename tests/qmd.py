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


def _inline_cell(expr: str) -> str:
    return (f"_inline = ({expr})\nfrom tests.qmd import check_inline\ncheck_inline({expr!r}, _inline)\n"
            "print(_inline)")


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
