"""Checks of a raw ``config.json`` before anything heavy is imported (no torch, no transformers).

Every bad value raises :class:`InputError` with one line naming the file and the field, e.g.
``config.json: field 'rope_parameters.full_attention.rope_theta': expected a number > 1, got 'ten
thousand'``. The checks cover the fields the reader uses (:mod:`analysis.case_study.reader`) at the
top level and inside ``text_config``; fields the reader does not use are left to transformers.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis.core.errors import InputError

__all__ = ["load_config_json", "validate_config", "config_path"]

# field -> (kind, minimum): "int" integers >= minimum, "num" numbers > minimum (exclusive)
_FIELDS: dict[str, tuple[str, float]] = {
    "rope_theta": ("num", 1.0),
    "rope_local_base_freq": ("num", 1.0),
    "max_position_embeddings": ("int", 1),
    "original_max_position_embeddings": ("int", 1),
    "num_hidden_layers": ("int", 1),
    "head_dim": ("int", 1),
    "hidden_size": ("int", 1),
    "num_attention_heads": ("int", 1),
    "qk_rope_head_dim": ("int", 1),
    "partial_rotary_factor": ("num", 0.0),
    "sliding_window": ("int", 1),
    "attention_chunk_size": ("int", 1),
}
_ROPE_NUM = ("factor", "low_freq_factor", "high_freq_factor", "beta_fast", "beta_slow", "attention_factor",
             "mscale", "mscale_all_dim", "partial_rotary_factor")
_ROPE_INT = ("original_max_position_embeddings",)
_ROPE_LISTS = ("long_factor", "short_factor")


def _bad(name: str, field: str, want: str, got: Any) -> InputError:
    return InputError(f"{name}: field '{field}': expected {want}, got {got!r}")


def _number(name: str, field: str, v: Any, kind: str, low: float) -> None:
    want = f"an integer >= {int(low)}" if kind == "int" else f"a number > {low:g}"
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _bad(name, field, want, v)
    if not math.isfinite(v):
        raise _bad(name, field, f"a finite number ({want})", v)
    if kind == "int" and (not float(v).is_integer() or v < low):
        raise _bad(name, field, want, v)
    if kind == "num" and v <= low:
        raise _bad(name, field, want, v)
    if field.endswith("partial_rotary_factor") and v > 1:
        raise _bad(name, field, "a number in (0, 1]", v)


def _rope_block(name: str, prefix: str, block: Any) -> None:
    """One rope_scaling / rope_parameters block (flat)."""
    if not isinstance(block, Mapping):
        raise _bad(name, prefix, "an object", block)
    for key in ("rope_type", "type"):
        if key in block and not isinstance(block[key], str):
            raise _bad(name, f"{prefix}.{key}", "a string", block[key])
    if "rope_theta" in block:
        _number(name, f"{prefix}.rope_theta", block["rope_theta"], "num", 1.0)
    for key in _ROPE_NUM:
        if block.get(key) is not None:
            _number(name, f"{prefix}.{key}", block[key], "num", -math.inf if key.startswith("mscale") else 0.0)
    for key in _ROPE_INT:
        if block.get(key) is not None:
            _number(name, f"{prefix}.{key}", block[key], "int", 1)
    for key in _ROPE_LISTS:
        if key in block and block[key] is not None:
            vals = block[key]
            if not isinstance(vals, list) or not vals:
                raise _bad(name, f"{prefix}.{key}", "a non-empty list of numbers", vals)
            for i, x in enumerate(vals):
                _number(name, f"{prefix}.{key}[{i}]", x, "num", 0.0)


def _rope_parameters(name: str, prefix: str, rp: Any) -> None:
    """``rope_parameters``: one flat block, or one block per layer type (transformers v5)."""
    if not isinstance(rp, Mapping):
        raise _bad(name, prefix, "an object", rp)
    nested = [k for k, v in rp.items() if isinstance(v, Mapping)]
    if nested and len(nested) == len(rp):
        for k in nested:
            _rope_block(name, f"{prefix}.{k}", rp[k])
    elif nested:
        raise _bad(name, f"{prefix}.{nested[0]}", "a number or string (flat rope_parameters)", rp[nested[0]])
    else:
        _rope_block(name, prefix, rp)


def _section(name: str, prefix: str, cfg: Mapping[str, Any]) -> None:
    for field, (kind, low) in _FIELDS.items():
        if cfg.get(field) is not None:
            _number(name, prefix + field, cfg[field], kind, low)
    if cfg.get("rope_scaling") is not None:
        _rope_block(name, prefix + "rope_scaling", cfg["rope_scaling"])
    if cfg.get("rope_parameters") is not None:
        _rope_parameters(name, prefix + "rope_parameters", cfg["rope_parameters"])
    lt = cfg.get("layer_types")
    if lt is not None and (not isinstance(lt, list) or not all(isinstance(x, str) for x in lt)):
        raise _bad(name, prefix + "layer_types", "a list of strings", lt)
    nr = cfg.get("no_rope_layers")
    if nr is not None and (not isinstance(nr, list) or not all(x in (0, 1) and not isinstance(x, float) for x in nr)):
        raise _bad(name, prefix + "no_rope_layers", "a list of 0/1 integers", nr)
    for key in ("model_type", "torch_dtype", "dtype"):
        if cfg.get(key) is not None and not isinstance(cfg[key], str):
            raise _bad(name, prefix + key, "a string", cfg[key])


def validate_config(config: Any, name: str = "config") -> dict[str, Any]:
    """Check the fields of a parsed ``config.json`` the reader uses; return it as a dict."""
    if not isinstance(config, Mapping):
        raise InputError(f"{name}: expected a JSON object, got {type(config).__name__}")
    _section(name, "", config)
    text = config.get("text_config")
    if text is not None:
        if not isinstance(text, Mapping):
            raise _bad(name, "text_config", "an object", text)
        _section(name, "text_config.", text)
    return dict(config)


def config_path(path: str | os.PathLike[str]) -> Path:
    """The ``config.json`` of a file or a checkpoint folder."""
    p = Path(path)
    if p.is_dir():
        p = p / "config.json"
    if not p.is_file():
        raise InputError(f"config file not found: {p}")
    return p


def load_config_json(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a local ``config.json`` (file or checkpoint folder)."""
    p = config_path(path)
    try:
        data = json.loads(p.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{p}: not valid JSON ({e})") from None
    except OSError as e:
        raise InputError(f"{p}: cannot read it ({e.strerror})") from None
    return validate_config(data, str(p))
