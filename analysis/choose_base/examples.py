"""Worked examples of the "Choose a base" chapter: ``suggest`` on real model configs (the PDF shows
them as tables; the HTML page has the calculator besides)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.choose_base.suggest import Extension, SearchSettings, model_start, suggest
from analysis.core.config import ROOT
from analysis.core.numfmt import sci

__all__ = ["worked_examples", "example_tables", "examples_results"]

_METHOD = {"rope_theta": "raise rope_theta", "linear": "linear", "dynamic": "dynamic NTK", "yarn": "YaRN",
           "llama3": "llama3"}
_BOUND = {"men": "Men et al.", "aliasing": "aliasing", "dc": "DC stability", "depth": "depth-compounded"}


def worked_examples(examples: Sequence[Mapping[str, Any]], *, epsilon: float, criterion: str, search: SearchSettings,
                    angle_dtype: str) -> list[dict[str, Any]]:
    """``suggest`` for each example (``name``, ``config`` path relative to the project root,
    ``context_length``, optional ``original_context``): d, layers, dtype and base from the config."""
    out = []
    for ex in examples:
        path = Path(ex["config"])
        path = path if path.is_absolute() else ROOT / path
        from analysis.case_study.validate import load_config_json

        st = model_start(load_config_json(path), str(ex["config"]))
        e = st.extension
        if ex.get("original_context"):
            e = Extension(e.from_base, int(ex["original_context"]), e.low_freq_factor, e.high_freq_factor,
                          e.beta_fast, e.beta_slow)
        r = suggest(int(ex["context_length"]), st.rotary_dims, st.rope_layers, epsilon, st.dtype or "bf16", criterion,
                    e, search, angle_dtype=angle_dtype)
        r["name"], r["config"] = str(ex["name"]), str(ex["config"])
        r["current_rope"], r["model_type"] = st.current, st.model_type
        out.append(r)
    return out


def _setting(m: Mapping[str, Any]) -> str:
    if not m["attainable"]:
        return f"not attainable up to factor {m['below']:g}"
    if m["already_met"]:
        return "factor 1 (met already)" if m["method"] != "rope_theta" else "current base (met already)"
    if m["method"] == "rope_theta":
        return f"rope_theta = {m['setting']:.7g}"
    return f"factor = {m['setting']:.7g}"


def example_tables(results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The page's display tables: minimum bases per example and the settings per example and
    method, plus the config blocks (JSON, for the page's code blocks)."""
    bounds, settings, blocks = [], [], {}
    for r in results:
        b = r["bounds"]
        bounds.append({
            "example": r["name"], "L (tokens)": f"{r['context_length']:,}", "d": r["rotary_dims"], "N": r["layers"],
            "Men et al.": sci(b["men"]["exact"]), "DC (exact)": sci(b["dc"]["exact"]),
            "depth (exact)": sci(b["depth"]["exact"]), "largest": _BOUND[r["largest"]],
            f"{r['angle_dtype']} wall": sci(r["angle_wall"]),
            "from": f"θ = {r['extension']['from_base']:g} at {r['extension']['original_context']:,}",
        })
        for m in r["scaling"]:
            settings.append({
                "example": r["name"], "method": _METHOD[m["method"]], "smallest setting": _setting(m),
                "effective base": sci(m["effective_base"]) if m["effective_base"] else "–",
                "B(m) ≥ 0 up to L": ("yes" if m["men_ok"] else "no") if m["men_ok"] is not None else "–",
                "search": m.get("search_kind", ""),
            })
            if m["attainable"]:
                blocks.setdefault(r["name"], {})[m["method"]] = m["blocks"]
    return {"bounds": pd.DataFrame(bounds), "settings": pd.DataFrame(settings),
            "blocks": json.loads(json.dumps(blocks))}


def examples_results(examples: Sequence[Mapping[str, Any]], *, epsilon: float, criterion: str, max_factor: float,
                     grid_per_octave: int, factor_rtol: float, angle_dtype: str) -> dict[str, Any]:
    """The stage's examples step: :func:`worked_examples` (``full``) and its display tables and config
    blocks (:func:`example_tables`: ``bounds``, ``settings``, ``blocks``)."""
    search = SearchSettings(max_factor=max_factor, per_octave=grid_per_octave, rtol=factor_rtol)
    results = worked_examples(examples, epsilon=epsilon, criterion=criterion, search=search, angle_dtype=angle_dtype)
    return {"full": results, **example_tables(results)}
