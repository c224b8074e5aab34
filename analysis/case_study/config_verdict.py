"""``classify``: one Hugging Face ``config.json`` (or checkpoint folder) judged against the bounds.

The same reader (:mod:`analysis.case_study.reader`) and the same per-group judgement
(:mod:`analysis.case_study.groups`) as every row of the case-study table.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

from analysis.case_study.groups import JudgingSettings, group_rows
from analysis.case_study.reader import ModelConfig, read_config
from analysis.case_study.validate import load_config_json, validate_config
from analysis.core.numfmt import fmt, sci

__all__ = ["classify_config", "model_summary"]


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "item"):
        return _clean(v.item())
    return v


def _why(label_row: Mapping[str, Any] | None, epsilon: float) -> str:
    """One line on why the model gets its label."""
    if label_row is None:
        return "no layer applies RoPE: no RoPE bound applies"
    r, lab = label_row, label_row["label"]
    if lab == "infeasible":
        return (f"effective base {sci(r['effective_base'])} against lower bound {sci(r['lower_bound'])} and the "
                f"{sci(r['wall_angle_exact'])} angle-dtype wall: the zone is empty or the base is at or above the wall")
    binding = max(("aliasing", "dc", "depth"), key=lambda k: r[f"{k}_min_base_exact"])
    if lab == "unstable":
        why = (f"effective base {sci(r['effective_base'])} < {binding} bound {sci(r['lower_bound'])} at "
               f"L = {r['judged_length']:,}")
        if binding == "depth":
            why += f"; meets it only for ε ≤ ε* = {fmt(r['epsilon_star_depth'], 2)} (ε = {epsilon:g})"
        return why
    return (f"effective base {sci(r['effective_base'])} is {fmt(r['margin_low'])}× the largest lower bound "
            f"({binding}) and {fmt(r['margin_high'])}× below the wall")


def model_summary(mc: ModelConfig, rows: list[dict[str, Any]], *, claimed_context: int, training_dtype: str,
                  epsilon: float) -> dict[str, Any]:
    """Model-level fields: label from the label group, the reading, the defaults used."""
    lab = next((r for r in rows if r["is_label_group"]), None)
    return {
        "model_type": mc.model_type, "reader": mc.reader, "defaults_used": mc.defaults_used(),
        "layers": mc.num_layers, "rotary_dims": mc.rotary_dims, "head_dim": mc.head_dim,
        "claimed_context": int(claimed_context), "max_position_embeddings": mc.max_position_embeddings,
        "training_dtype": training_dtype, "label": lab["label"] if lab else "no RoPE bound",
        "label_paper_form": lab["label_paper_form"] if lab else "no RoPE bound",
        "label_group": lab["group"] if lab else "",
        "epsilon_star_depth": lab.get("epsilon_star_depth", math.nan) if lab else math.nan,
        "why": _why(lab, epsilon),
    }


def classify_config(config: Any, *, settings: JudgingSettings, context_length: int | None = None,
                    dtype: str | None = None, name: str = "config") -> dict[str, Any]:
    """Classify a parsed ``config.json``: model-level label and reading, and every layer group."""
    from analysis import bounds

    raw = validate_config(config, name)
    if context_length is not None:
        context_length = int(bounds.validate_context_length(context_length))
    mc = read_config(raw, name)
    L = int(context_length or mc.max_position_embeddings)
    train = bounds.canonical_dtype(dtype or mc.dtype or "bf16")
    rows = group_rows(mc, claimed_context=L, training_dtype=train, settings=settings)
    out = {"config": name, **model_summary(mc, rows, claimed_context=L, training_dtype=train,
                                           epsilon=settings.epsilon)}
    out["origin"] = dict(mc.origin)
    out["groups"] = [{k: _clean(v) for k, v in r.items()} for r in rows]
    out["settings"] = {k: getattr(settings, k) for k in settings.__dataclass_fields__}
    return {k: _clean(v) for k, v in out.items()}
