"""Helpers for the report pages (report/*.qmd). Pages only *read* results; nothing is recomputed.

The results folder is ``$ROPE_BOUNDS_RESULTS`` when set (tests point it at a smoke run), else
``results`` under the project root.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.config import ROOT
from analysis.provenance import sidecar_path

__all__ = ["results_dir", "path", "table", "json_result", "provenance", "chart", "figure", "output_format", "static_figure", "fmt", "sci"]


def results_dir() -> Path:
    env = os.environ.get("ROPE_BOUNDS_RESULTS")
    return Path(env) if env else ROOT / "results"


def path(stage: str, name: str) -> Path:
    """Path of a result file; a missing one raises FileNotFoundError naming the rule's stage."""
    p = results_dir() / stage / name
    if not p.exists():
        raise FileNotFoundError(f"{p} is missing: run `snakemake --cores 8` (stage {stage!r}) first")
    return p


def table(stage: str, name: str) -> pd.DataFrame:
    p = path(stage, name)
    return pd.read_parquet(p) if p.suffix == ".parquet" else pd.read_csv(p)


def json_result(stage: str, name: str) -> Any:
    return json.loads(path(stage, name).read_text())


def provenance(stage: str, name: str) -> dict[str, Any]:
    return json.loads(sidecar_path(path(stage, name)).read_text())


def chart(stage: str, name: str) -> Any:
    """The figure ``name`` of ``stage`` as an interactive Altair chart (from its Vega-Lite JSON)."""
    import altair as alt

    spec = json.loads(path(stage, f"figures/{name}.vl.json").read_text())
    kinds = {"layer": alt.LayerChart, "hconcat": alt.HConcatChart, "vconcat": alt.VConcatChart,
             "concat": alt.ConcatChart, "facet": alt.FacetChart, "repeat": alt.RepeatChart}
    cls = next((c for k, c in kinds.items() if k in spec), alt.Chart)
    return cls.from_dict(spec, validate=False)


def static_figure(stage: str, name: str) -> Path:
    """Path of the static PNG rendering of a figure (for the PDF)."""
    return path(stage, f"figures/{name}.png")


def output_format() -> str:
    """Quarto's target format of the page being rendered (``html``, ``typst``, ...); ``html``
    outside Quarto (Jupyter). Quarto writes it to the file named by ``$QUARTO_EXECUTE_INFO``."""
    info = os.environ.get("QUARTO_EXECUTE_INFO")
    if info and Path(info).is_file():
        try:
            fmt_id = json.loads(Path(info).read_text())["format"]["identifier"]
            return str(fmt_id.get("base-format") or fmt_id.get("target-format") or "html")
        except (KeyError, ValueError, TypeError):
            return "html"
    return "html"


def figure(stage: str, name: str) -> Any:
    """A figure for the current output: the interactive Altair chart in HTML, the static PNG
    rendering (same Vega-Lite spec, via vl-convert) in every other format (the Typst PDF)."""
    if output_format() == "html":
        return chart(stage, name)
    from IPython.display import Image

    return Image(filename=str(static_figure(stage, name)))


def sci(x: float, digits: int = 3) -> str:
    """``x`` in scientific notation with ``digits`` significant digits: ``6.28e+04`` -> ``6.28e4``."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return str(x)
    m, e = f"{x:.{digits - 1}e}".split("e")
    return f"{m}e{int(e)}"


def fmt(x: float, digits: int = 3) -> str:
    """Readable number: thousands separators below 1e7, scientific notation above."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return str(x)
    if abs(x) >= 1e7 or (0 < abs(x) < 1e-3):
        return sci(x, digits)
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.{max(digits - 1, 0)}f}"
