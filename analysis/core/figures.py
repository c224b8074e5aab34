"""Saving Altair charts: Vega-Lite JSON (the data behind every rendering), static SVG and PNG for the
PDF (via vl-convert), and a standalone offline HTML page with the JavaScript inlined."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis.core.results import atomic_write, write_sidecar

__all__ = ["FIGURE_SUFFIXES", "figure_paths", "save_chart", "theme"]

# every chart is written in these four forms; workflow rules list them all as outputs
FIGURE_SUFFIXES: tuple[str, ...] = (".vl.json", ".svg", ".png", ".html")


def figure_paths(stem: str | os.PathLike[str]) -> dict[str, Path]:
    """Paths of the four renderings of the figure ``stem`` (a path without suffix)."""
    s = str(stem)
    return {suf.lstrip(".").split(".")[0]: Path(s + suf) for suf in FIGURE_SUFFIXES}


def theme() -> dict[str, Any]:
    """Shared chart configuration (fonts, sizes) so every figure looks the same."""
    return {
        "config": {
            "font": "Helvetica, Arial, sans-serif",
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "grid": True, "gridOpacity": 0.4},
            "legend": {"labelFontSize": 11, "titleFontSize": 12},
            "title": {"fontSize": 14, "anchor": "start"},
            "view": {"stroke": None},
        }
    }


def save_chart(
    chart: Any,
    stem: str | os.PathLike[str],
    config: Mapping[str, Any] | None = None,
    scale: float = 2.0,
    **extra: Any,
) -> dict[str, Path]:
    """Write ``chart`` (an Altair chart or a Vega-Lite dict) as ``stem`` + each of
    :data:`FIGURE_SUFFIXES`; the Vega-Lite JSON gets a provenance sidecar."""
    import vl_convert as vlc

    spec: dict[str, Any] = chart.to_dict() if hasattr(chart, "to_dict") else dict(chart)
    cfg = theme()["config"]
    spec.setdefault("config", {})
    for k, v in cfg.items():
        spec["config"].setdefault(k, v)
    paths = figure_paths(stem)
    text = json.dumps(spec, indent=1, sort_keys=True)
    atomic_write(paths["vl"], lambda p: p.write_text(text))
    svg = vlc.vegalite_to_svg(spec)
    atomic_write(paths["svg"], lambda p: p.write_text(svg))
    png = vlc.vegalite_to_png(spec, scale=scale)
    atomic_write(paths["png"], lambda p: p.write_bytes(png))
    html = vlc.vegalite_to_html(spec, bundle=True)
    atomic_write(paths["html"], lambda p: p.write_text(html))
    write_sidecar(paths["vl"], config, **extra)
    return paths
