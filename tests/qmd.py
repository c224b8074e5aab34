"""Execute the Python cells of a Quarto page in a Jupyter kernel (Quarto itself is not installable
here). Cells run in order with the project root as working directory, as `execute-dir: project`
does in _quarto.yml."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_CELL = re.compile(r"^```\{python[^}]*\}[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def python_cells(qmd: str | Path) -> list[str]:
    """Source of every ```{python} cell of a .qmd file, in order."""
    return [m.group(1) for m in _CELL.finditer(Path(qmd).read_text())]


def execute_qmd(qmd: str | Path, results_dir: str | Path, timeout: int = 300):
    """Run all Python cells of ``qmd`` in a fresh kernel against ``results_dir``; returns the
    executed notebook (raises nbclient's CellExecutionError on the first failing cell)."""
    import nbformat
    from nbclient import NotebookClient

    cells = python_cells(qmd)
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
