"""Saving Altair charts: Vega-Lite JSON (the data behind every rendering), static SVG and PNG for the
PDF (via vl-convert), and a standalone offline HTML page with the JavaScript inlined."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis.core.results import atomic_write, write_sidecar

__all__ = ["FIGURE_SUFFIXES", "figure_paths", "save_chart", "theme", "tidy_spec", "wrap_text"]

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


# title font (px) of theme(); an average character is about 0.5 of it wide
_TITLE_CHAR_PX = 0.5 * 14
_DEFAULT_WIDTH = 300


def wrap_text(text: str, max_chars: int) -> str | list[str]:
    """``text`` as one line, or as a list of lines of at most ``max_chars`` (broken between words)."""
    if len(text) <= max_chars:
        return text
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > max_chars:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line else lines


def _view_width(spec: Mapping[str, Any], root: Mapping[str, Any] | None = None) -> float:
    """Drawn width (px) of a view: its own width (times its columns when faceted by a ``column``
    encoding), or its parts' (side by side add up)."""
    if isinstance(spec.get("width"), (int, float)):
        column = (spec.get("encoding") or {}).get("column")
        if isinstance(column, Mapping) and root is not None:
            field = column.get("field")
            n = len({r.get(field) for rows in (root.get("datasets") or {}).values() for r in rows
                     if isinstance(r, Mapping) and field in r}) or 1
            return float(spec["width"]) * n + 20 * (n - 1)
        return float(spec["width"])
    if "hconcat" in spec:
        return sum(_view_width(v) for v in spec["hconcat"]) + 20 * (len(spec["hconcat"]) - 1)
    parts = spec.get("vconcat") or spec.get("layer") or spec.get("concat") or []
    if parts:
        return max(_view_width(v) for v in parts)
    if "spec" in spec:  # facet/repeat: one panel per column
        cols = spec.get("columns") or 1
        return _view_width(spec["spec"]) * cols
    return _DEFAULT_WIDTH


def _field_range(spec: Mapping[str, Any], field: str) -> tuple[float, float] | None:
    """Smallest and largest positive value of ``field`` in the spec's inline datasets."""
    vals = [r[field] for rows in (spec.get("datasets") or {}).values() for r in rows
            if isinstance(r, Mapping) and isinstance(r.get(field), (int, float)) and r[field] > 0]
    return (min(vals), max(vals)) if vals else None


def _tidy(node: Any, root: Mapping[str, Any], width: float) -> None:
    if isinstance(node, list):
        for x in node:
            _tidy(x, root, width)
        return
    if not isinstance(node, dict):
        return
    view_width = _view_width(node, root) if any(k in node for k in ("width", "hconcat", "vconcat", "layer", "spec")) else width
    title = node.get("title")
    if ("mark" in node or any(k in node for k in ("hconcat", "vconcat", "layer", "facet", "spec", "concat"))) and title:
        max_chars = max(30, int(view_width / _TITLE_CHAR_PX))
        if isinstance(title, str):
            node["title"] = wrap_text(title, max_chars)
        elif isinstance(title, dict):
            for key in ("text", "subtitle"):
                if isinstance(title.get(key), str):
                    title[key] = wrap_text(title[key], int(max_chars * 1.2))
    for channel in (node.get("encoding") or {}).values():
        if isinstance(channel, dict) and (channel.get("scale") or {}).get("type") == "log":
            axis = channel.setdefault("axis", {}) if channel.get("axis", {}) is not None else None
            rng = _field_range(root, str(channel.get("field", "")))
            if axis is not None and "format" not in axis and "labelExpr" not in axis and rng \
                    and (rng[0] < 1e-3 or rng[1] >= 1e6):
                axis["format"] = "~e"  # one style per axis: 1e-7 and 1e-6, never 0.000001 beside 1e-7
    for key, child in node.items():
        if key not in ("encoding", "datasets", "data", "title", "config"):
            _tidy(child, root, view_width)


def tidy_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Every chart's finishing touches, in place: view titles wrapped into lines that fit the view's
    width (never cut at the chart's edge), and log axes whose data leave [1e-3, 1e6) labelled in one
    exponent style."""
    _tidy(spec, spec, _view_width(spec, spec))
    return spec


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

    spec: dict[str, Any] = tidy_spec(chart.to_dict() if hasattr(chart, "to_dict") else dict(chart))
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
