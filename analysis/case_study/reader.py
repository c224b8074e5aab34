"""Read a ``config.json`` as transformers does: its own config class, defaults, ``text_config``.

:func:`read_config` resolves a parsed, checked config (:mod:`analysis.case_study.validate`) through
transformers' config class for its ``model_type`` (``CONFIG_MAPPING[model_type].from_dict``: what
``AutoConfig`` does with a local file, nothing downloaded), takes the text model's config of a
multimodal wrapper (``get_text_config(decoder=True)``, e.g. Gemma 3's ``text_config``), and returns
what RoPE reads: the standardised ``rope_parameters`` (transformers v5, flat or per layer type; legacy
``rope_scaling`` with ``type`` or ``rope_type`` converted by transformers), ``layer_types``, the
sliding window / attention chunk, NoPE layers, head dim (``head_dim`` or ``hidden_size /
num_attention_heads``; MLA: ``qk_rope_head_dim``) and ``partial_rotary_factor``.

Each value it reads is recorded with where it came from: ``file`` (the config.json states it) or
``transformers default`` (the config class filled it in). A ``model_type`` transformers does not know
is read generically from the file's own fields, and the result names the fields used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.core.errors import InputError

__all__ = ["ModelConfig", "read_config", "NOPE_FULL_ATTENTION", "NOPE_LAYER_TYPES"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach the Hub
# model types whose full-attention layers apply no rotation when the model has sliding layers (Cohere 2,
# EXAONE 4: RoPE in the sliding-window layers only), and layer types that never rotate (Qwen3.5's
# linear-attention / Gated DeltaNet layers are recurrent, without positions)
NOPE_FULL_ATTENTION: frozenset[str] = frozenset({"cohere2", "exaone4"})
NOPE_LAYER_TYPES: frozenset[str] = frozenset({"linear_attention"})
_ROPE_FILE_KEYS = ("rope_theta", "rope_parameters", "rope_scaling", "rope_local_base_freq")


@dataclass
class ModelConfig:
    """What RoPE reads from one config, resolved the way transformers resolves it."""

    name: str
    model_type: str
    reader: str  # "transformers <ConfigClass>" or "generic (fields: ...)"
    num_layers: int
    head_dim: int
    rotary_dims: int
    max_position_embeddings: int
    layer_types: list[str]
    rope: dict[str, dict[str, Any]]  # layer type -> standardised rope parameters
    rope_layers: list[bool]  # per layer: whether it applies RoPE
    windows: dict[str, int | None]  # layer type -> attention span limit (None: full)
    dtype: str | None
    origin: dict[str, str] = field(default_factory=dict)  # field -> "file" | "transformers default"

    def defaults_used(self) -> list[str]:
        """Fields whose value came from transformers' defaults, not from the file."""
        return sorted(k for k, v in self.origin.items() if v != "file")


def _quiet() -> Any:
    from transformers.utils import logging as hf_logging

    v = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    return hf_logging, v


def _transformers_config(raw: Mapping[str, Any], name: str) -> tuple[Any, str] | None:
    """The resolved text config and its class name; None when transformers lacks the model type."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    mt = raw.get("model_type")
    if not isinstance(mt, str) or mt not in CONFIG_MAPPING:
        return None
    hf, v = _quiet()
    try:
        cfg = CONFIG_MAPPING[mt].from_dict(dict(raw))
        text = cfg.get_text_config(decoder=True)
    except Exception as e:  # noqa: BLE001 - transformers raises many kinds; one line for the user
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError(f"{name}: transformers cannot read this {mt} config: {msg}") from None
    finally:
        hf.set_verbosity(v)
    return text, type(text).__name__


def _raw_text(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    t = raw.get("text_config")
    return t if isinstance(t, Mapping) else raw


def _per_type(rp: Mapping[str, Any], types: list[str]) -> dict[str, dict[str, Any]]:
    """Rope parameters per layer type (a flat dict applies to every type)."""
    if rp and all(isinstance(v, Mapping) for v in rp.values()):
        missing = sorted(set(types) - set(rp))
        if missing:
            raise InputError(f"rope_parameters has no entry for layer type(s) {', '.join(missing)}")
        return {t: dict(rp[t]) for t in dict.fromkeys(types)}
    return {t: dict(rp) for t in dict.fromkeys(types)}


def _origin(raw_text: Mapping[str, Any], raw: Mapping[str, Any], keys: list[str]) -> dict[str, str]:
    out = {}
    for k in keys:
        inside = k in raw_text or k in raw
        if k == "rope_theta":
            inside = any(x in raw_text or x in raw for x in _ROPE_FILE_KEYS if x != "rope_scaling")
        out[k] = "file" if inside else "transformers default"
    return out


def _rotary(text: Any, rp_any: Mapping[str, Any]) -> tuple[int, int]:
    """(head dim, rotary dims): MLA's qk_rope_head_dim, else head_dim x partial_rotary_factor."""
    from analysis.core.rope import rotary_dim

    if getattr(text, "qk_rope_head_dim", None):
        d = int(text.qk_rope_head_dim)
        return d, d
    hd = getattr(text, "head_dim", None) or int(text.hidden_size) // int(text.num_attention_heads)
    prf = rp_any.get("partial_rotary_factor", getattr(text, "partial_rotary_factor", None) or 1.0)
    return int(hd), rotary_dim(int(hd), float(prf))


def _layers(text: Any, model_type: str) -> tuple[list[str], list[bool], dict[str, int | None]]:
    n = int(text.num_hidden_layers)
    window = getattr(text, "sliding_window", None)
    if getattr(text, "use_sliding_window", True) is False:
        window = None
    types = list(getattr(text, "layer_types", None) or [])
    if not types:
        types = ["sliding_attention" if window else "full_attention"] * n
    if len(types) != n:
        raise InputError(f"layer_types has {len(types)} entries for {n} layers (num_hidden_layers)")
    nope = getattr(text, "no_rope_layers", None)  # 1: the layer applies RoPE (Llama 4, SmolLM3)
    rope = [bool(x) for x in nope] if nope else [True] * n
    if len(rope) != n:
        raise InputError(f"no_rope_layers has {len(rope)} entries for {n} layers (num_hidden_layers)")
    if model_type in NOPE_FULL_ATTENTION and "sliding_attention" in types and window:
        rope = [r and t != "full_attention" for r, t in zip(rope, types)]
    rope = [r and t not in NOPE_LAYER_TYPES for r, t in zip(rope, types)]
    chunk = getattr(text, "attention_chunk_size", None)
    windows: dict[str, int | None] = {}
    for t in dict.fromkeys(types):
        windows[t] = int(window) if t == "sliding_attention" and window else (
            int(chunk) if t == "chunked_attention" and chunk else None)
    return types, rope, windows


def _from_transformers(raw: Mapping[str, Any], name: str, text: Any, cls: str) -> ModelConfig:
    mt = str(getattr(text, "model_type", raw.get("model_type")))
    types, rope_on, windows = _layers(text, mt)
    rp = getattr(text, "rope_parameters", None) or {}
    per = _per_type(rp, types)
    hd, d = _rotary(text, next(iter(per.values())))
    keys = ["rope_theta", "max_position_embeddings", "num_hidden_layers"]
    rt = _raw_text(raw)
    if not getattr(text, "qk_rope_head_dim", None):  # head_dim, else derived from hidden size / heads
        derived = getattr(text, "head_dim", None) in (None, int(text.hidden_size) // int(text.num_attention_heads))
        stated = "head_dim" in rt or "head_dim" in raw
        keys += ["head_dim"] if stated or not derived else ["hidden_size", "num_attention_heads"]
    keys += [k for k in ("qk_rope_head_dim", "partial_rotary_factor", "layer_types", "sliding_window",
                         "attention_chunk_size", "no_rope_layers") if getattr(text, k, None) is not None]
    if "sliding_attention" in types and isinstance(rp, Mapping) and "sliding_attention" in rp:
        keys.append("rope_local_base_freq")
    origin = _origin(rt, raw, keys)
    if origin.get("rope_local_base_freq") and "sliding_attention" in (rt.get("rope_parameters") or {}):
        origin["rope_local_base_freq"] = "file"
    dtype = raw.get("torch_dtype") or raw.get("dtype") or rt.get("torch_dtype") or rt.get("dtype")
    return ModelConfig(name, mt, f"transformers {cls}", int(text.num_hidden_layers), hd, d,
                       int(text.max_position_embeddings), types, per, rope_on, windows,
                       dtype if isinstance(dtype, str) else None, origin)


class _Generic:
    """Attribute view of the file's own fields (generic reading of an unknown model type)."""

    def __init__(self, raw: Mapping[str, Any], name: str):
        self._raw, self._name = raw, name
        self.used: list[str] = []

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        if key in self._raw:
            self.used.append(key)
        return self._raw.get(key)

    def need(self, key: str) -> Any:
        v = getattr(self, key)
        if v is None:
            raise InputError(f"{self._name}: field '{key}' missing (model type unknown to transformers, "
                             "read generically)")
        return v


def _generic_rope(g: _Generic) -> dict[str, Any]:
    rp = g.rope_parameters
    if rp:
        return dict(rp)
    theta = g.need("rope_theta")
    sc = dict(g.rope_scaling or {})
    rtype = sc.pop("rope_type", sc.pop("type", "default"))
    return {**sc, "rope_type": rtype, "rope_theta": float(theta)}


def _from_generic(raw: Mapping[str, Any], name: str) -> ModelConfig:
    g = _Generic(_raw_text(raw), name)
    for k in ("num_hidden_layers", "max_position_embeddings"):
        g.need(k)
    if not (g.head_dim or g.qk_rope_head_dim):
        g.need("hidden_size"), g.need("num_attention_heads")
    rp = _generic_rope(g)
    types, rope_on, windows = _layers(g, str(raw.get("model_type", "")))
    per = _per_type(rp, types)
    if any("rope_theta" not in p for p in per.values()):
        raise InputError(f"{name}: field 'rope_theta' missing (model type unknown to transformers)")
    hd, d = _rotary(g, next(iter(per.values())))
    fields = ", ".join(dict.fromkeys(g.used))
    dtype = raw.get("torch_dtype") or raw.get("dtype")
    return ModelConfig(name, str(raw.get("model_type") or "unknown"), f"generic (fields: {fields})",
                       int(g.num_hidden_layers), hd, d, int(g.max_position_embeddings), types, per,
                       rope_on, windows, dtype if isinstance(dtype, str) else None,
                       {k: "file" for k in dict.fromkeys(g.used)})


def read_config(raw: Mapping[str, Any], name: str = "config") -> ModelConfig:
    """Resolve a parsed, checked ``config.json`` (see the module docstring)."""
    resolved = _transformers_config(raw, name)
    try:
        if resolved is None:
            return _from_generic(raw, name)
        return _from_transformers(raw, name, *resolved)
    except InputError as e:
        msg = str(e)
        raise InputError(msg if msg.startswith(name) else f"{name}: {msg}") from None
    except (TypeError, ValueError, AttributeError) as e:
        raise InputError(f"{name}: cannot read the RoPE settings ({e})") from None
