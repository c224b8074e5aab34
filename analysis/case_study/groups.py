"""A model's layers grouped by what their attention sees, each group judged at its own length.

- **full attention** with RoPE: judged at the claimed context ``L``;
- **sliding window** / **chunked attention** with RoPE: judged at ``min(window, L)`` (no query in such
  a layer sees a key further away);
- **NoPE** layers (no rotation: Llama 4 every fourth layer, SmolLM3, Cohere 2's full layers): no RoPE
  bound applies.

The depth ``N`` of the depth-compounded bound is the number of layers that apply RoPE (phase errors
compound through every rotating layer, whatever its window). The model's label is the label of its
full-attention RoPE group; a model without one (every RoPE layer windowed) takes the RoPE group with
the longest judged length, and the row says so (``label_group``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis import bounds
from analysis.case_study.frequencies import effective_base, group_frequencies
from analysis.case_study.labels import NO_BOUND, judge
from analysis.case_study.men import men_min_base_and_method
from analysis.case_study.reader import ModelConfig
from analysis.core.men import men_scan

__all__ = ["JUDGING_KEYS", "JudgingSettings", "Group", "layer_groups", "label_group", "group_rows", "men_text"]

_KIND = {"full_attention": "full", "sliding_attention": "sliding", "chunked_attention": "chunked"}


JUDGING_KEYS: tuple[str, ...] = ("physics.epsilon", "case_study.angle_dtype", "case_study.very_stable_margin",
                                 "case_study.men_scan_chunk", "case_study.men_max_context")
"""The config keys every judgement reads (each field of :class:`JudgingSettings` is a key's last part)."""


@dataclass(frozen=True)
class JudgingSettings:
    """The settings every judgement reads: the values of :data:`JUDGING_KEYS`."""

    epsilon: float
    angle_dtype: str
    very_stable_margin: float
    men_scan_chunk: int
    men_max_context: int

    @classmethod
    def from_settings(cls, setting: Callable[[str], Any]) -> "JudgingSettings":
        """The settings read by ``setting(dotted key)`` (a workflow job's ``Adapter.setting``, or
        :func:`analysis.core.config.default_setting` for config/config.yaml's defaults)."""
        return cls(**{k.rsplit(".", 1)[1]: setting(k) for k in JUDGING_KEYS})

    @classmethod
    def defaults(cls) -> "JudgingSettings":
        """The settings of config/config.yaml."""
        from analysis.core.config import default_setting

        return cls.from_settings(default_setting)


@dataclass(frozen=True)
class Group:
    name: str  # layer type, with ", NoPE" for layers without rotation
    kind: str  # full, sliding, chunked, nope
    layers: int
    first_layer: int
    window: int | None
    length: int  # judged length (tokens); 0 for NoPE
    rope: Mapping[str, Any] | None


def layer_groups(mc: ModelConfig, claimed_context: int) -> list[Group]:
    """The groups of ``mc``'s layers in order of first appearance."""
    keys: dict[tuple[str, bool], list[int]] = {}
    for i, (t, r) in enumerate(zip(mc.layer_types, mc.rope_layers)):
        keys.setdefault((t, r), []).append(i)
    out = []
    for (t, r), idx in keys.items():
        w = mc.windows.get(t)
        kind = _KIND.get(t, "full") if r else "nope"
        if w is None and kind in ("sliding", "chunked"):
            kind = "full"
        length = 0 if not r else int(min(w, claimed_context) if w else claimed_context)
        out.append(Group(t if r else f"{t}, NoPE", kind, len(idx), idx[0], w, length, mc.rope[t] if r else None))
    return out


def label_group(groups: list[Group]) -> Group | None:
    """The group the model's label comes from (see the module docstring)."""
    rope = [g for g in groups if g.kind != "nope"]
    full = [g for g in rope if g.kind == "full"]
    pool = full or rope
    return max(pool, key=lambda g: (g.length, g.layers)) if pool else None


def men_text(first: int | None, count: int, length: int) -> str:
    """Men et al.'s verdict in words: where B(m) < 0, never 'fails at N m'."""
    if first is None:
        return "meets"
    return f"B < 0 at {count:,} of {length:,} distances, first at m = {first:,}"


def _rope_group(g: Group, mc: ModelConfig, depth: int, training_dtype: str, s: JudgingSettings,
                men: Mapping[tuple[int, int], float] | None) -> dict[str, Any]:
    d = mc.rotary_dims
    rope = dict(g.rope or {})
    theta, attn, rope_type = group_frequencies(rope, d, mc.max_position_embeddings, g.length)
    tmin = float(np.min(theta))
    eff = effective_base(theta, d, float(rope["rope_theta"]))
    row = judge(theta_min=tmin, effective_base=eff, length=g.length, layers=depth, rotary_dims=d,
                epsilon=s.epsilon, angle_dtype=s.angle_dtype, training_dtype=training_dtype,
                very_stable_margin=s.very_stable_margin)
    if men is not None and (g.length, d) in men:
        mb, how = float(men[(g.length, d)]), "precomputed"
    else:
        mb, how = men_min_base_and_method(g.length, d, s.men_max_context)
    scan = men_scan(theta, g.length, s.men_scan_chunk)
    first = scan["first_negative"]
    row.update({
        "rope_theta": float(rope["rope_theta"]), "scaling": rope_type if rope_type != "default" else "none",
        "scaling_factor": float(rope.get("factor", math.nan) or math.nan), "attention_factor": attn,
        "effective_min_frequency": tmin, "effective_base": eff, "men_min_base": mb,
        "men_min_base_note": "" if math.isfinite(mb) else how, "margin_men": eff / mb,
        "men_first_negative_m": float(first) if first is not None else math.nan,
        "men_negative_count": int(scan["n_negative"]), "men_min_B": float(scan["min_B"]),
        "verdict_men": "meets" if first is None else "violated",
        "men_text": men_text(first, int(scan["n_negative"]), g.length),
    })
    return row


def group_rows(mc: ModelConfig, *, claimed_context: int, training_dtype: str, settings: JudgingSettings,
               men: Mapping[tuple[int, int], float] | None = None) -> list[dict[str, Any]]:
    """One record per layer group of ``mc`` (bounds, margins, ε*, labels; NoPE: no bound)."""
    groups = layer_groups(mc, int(claimed_context))
    depth = sum(g.layers for g in groups if g.kind != "nope")
    chosen = label_group(groups)
    train = bounds.canonical_dtype(training_dtype)
    rows = []
    for g in groups:
        base = {"group": g.name, "group_kind": g.kind, "group_layers": g.layers, "first_layer": g.first_layer,
                "window": float(g.window) if g.window else math.nan, "judged_length": g.length,
                "depth_layers": depth if g.kind != "nope" else 0, "rotary_dims": mc.rotary_dims,
                "is_label_group": g is chosen}
        if g.kind == "nope":
            base.update({"label": NO_BOUND, "label_paper_form": NO_BOUND, "label_literal_training_wall": NO_BOUND,
                         "verdict_men": NO_BOUND, "men_text": NO_BOUND, "scaling": "none"})
        else:
            base.update(_rope_group(g, mc, depth, train, settings, men))
        rows.append(base)
    return rows
