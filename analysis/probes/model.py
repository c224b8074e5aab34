"""The small Gemma-architecture byte-level causal LM of the probes stage and its p-RoPE variants.

* Vocabulary: exactly 256 token ids, id = byte value, no special tokens.
* p-RoPE (Barbero et al. 2024): keep a fraction ``p`` of the RoPE frequencies and remove the lowest
  ones (``reversed``: remove the highest instead); ``p = 0`` is NoPE. A removed frequency is set to
  0 in the rotary embedding's ``inv_freq`` (angle 0: that pair is not rotated). ``inv_freq`` is a
  non-persistent buffer that transformers recomputes at load time, so the variant is stored in the
  saved config (``config.rope_variant``) and :func:`load_model` re-applies it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from analysis.core.errors import InputError

__all__ = [
    "VARIANTS", "apply_variant", "build_model", "frequency_keep_mask", "load_model",
    "restored_spec", "variant_inv_freq", "variant_spec",
]

# name -> (rope base, kept fraction p of frequencies, reversed: drop the highest instead of the lowest,
#          label of the variant in the paper's Table 2 / config/published_values.yaml)
VARIANTS: dict[str, dict[str, Any]] = {
    "rope10k": {"base": 1.0e4, "keep_fraction": 1.0, "reversed": False, "label": "RoPE base 10k"},
    "rope500k": {"base": 5.0e5, "keep_fraction": 1.0, "reversed": False, "label": "RoPE base 500k"},
    "p025": {"base": 1.0e4, "keep_fraction": 0.25, "reversed": False, "label": "0.25-RoPE"},
    "p075": {"base": 1.0e4, "keep_fraction": 0.75, "reversed": False, "label": "0.75-RoPE"},
    "p075rev": {"base": 1.0e4, "keep_fraction": 0.75, "reversed": True, "label": "0.75-RoPE reversed"},
    "nope": {"base": 1.0e4, "keep_fraction": 0.0, "reversed": False, "label": "NoPE"},
}


def variant_spec(name: str) -> dict[str, Any]:
    """The spec of a named variant (a copy, with its ``name``); unknown names raise InputError."""
    if name not in VARIANTS:
        raise InputError(f"unknown RoPE variant {name!r}; known: {', '.join(VARIANTS)}")
    return {"name": name, **VARIANTS[name]}


def restored_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The variant with every frequency restored (plain RoPE at the variant's base)."""
    return {**dict(spec), "keep_fraction": 1.0, "reversed": False}


def frequency_keep_mask(n_freq: int, keep_fraction: float, reversed: bool = False) -> np.ndarray:
    """Boolean mask over the ``n_freq`` RoPE frequencies ordered highest first (transformers' order,
    ``theta_i = base^(-2i/d)``): p-RoPE keeps the ``round(p * n_freq)`` highest frequencies and
    removes the lowest; ``reversed`` keeps the lowest and removes the highest."""
    if not 0.0 <= float(keep_fraction) <= 1.0:
        raise InputError(f"keep_fraction must lie in [0, 1], got {keep_fraction!r}")
    n_keep = int(round(float(keep_fraction) * int(n_freq)))
    mask = np.zeros(int(n_freq), dtype=bool)
    if reversed:
        mask[int(n_freq) - n_keep :] = True
    else:
        mask[:n_keep] = True
    return mask


def variant_inv_freq(spec: Mapping[str, Any], head_dim: int) -> Any:
    """``inv_freq`` of a variant: ``base^(-2i/d)`` with removed frequencies set to 0 (float32)."""
    import torch

    inv = 1.0 / (float(spec["base"]) ** (torch.arange(0, head_dim, 2, dtype=torch.float) / head_dim))
    keep = torch.from_numpy(frequency_keep_mask(head_dim // 2, spec["keep_fraction"], spec["reversed"]))
    return torch.where(keep, inv, torch.zeros_like(inv))


def apply_variant(model: Any, spec: Mapping[str, Any] | None = None) -> Any:
    """Set every rotary embedding's ``inv_freq`` (and ``original_inv_freq``) of ``model`` to the
    variant's (default: ``model.config.rope_variant``); returns the model. A model without a stored
    variant is left as transformers built it."""
    spec = spec if spec is not None else getattr(model.config, "rope_variant", None)
    if spec is None:
        return model
    head_dim = int(model.config.head_dim)
    for mod in model.modules():
        if hasattr(mod, "inv_freq") and mod.__class__.__name__.endswith("RotaryEmbedding"):
            inv = variant_inv_freq(spec, head_dim).to(mod.inv_freq.device, mod.inv_freq.dtype)
            mod.inv_freq.copy_(inv)
            if hasattr(mod, "original_inv_freq"):
                mod.original_inv_freq.copy_(inv)
    return model


def build_model(spec: Mapping[str, Any], model_cfg: Mapping[str, Any], seed: int) -> Any:
    """A freshly initialised ``GemmaForCausalLM`` with a 256-byte vocabulary and the variant applied.
    ``model_cfg``: ``layers``, ``hidden``, ``heads``, ``head_dim``, ``mlp``, ``seq_len``."""
    import torch
    from transformers import GemmaConfig, GemmaForCausalLM

    torch.manual_seed(int(seed))
    cfg = GemmaConfig(
        vocab_size=256,
        hidden_size=int(model_cfg["hidden"]),
        intermediate_size=int(model_cfg["mlp"]),
        num_hidden_layers=int(model_cfg["layers"]),
        num_attention_heads=int(model_cfg["heads"]),
        num_key_value_heads=int(model_cfg["heads"]),
        head_dim=int(model_cfg["head_dim"]),
        max_position_embeddings=int(model_cfg["seq_len"]),
        rope_parameters={"rope_type": "default", "rope_theta": float(spec["base"])},
        pad_token_id=None,
        bos_token_id=None,
        eos_token_id=None,
        use_cache=False,
    )
    cfg.rope_variant = {k: spec[k] for k in ("name", "base", "keep_fraction", "reversed", "label")}
    cfg.byte_level = True  # token id = byte value, no special tokens
    cfg._attn_implementation = "sdpa"
    return apply_variant(GemmaForCausalLM(cfg))


def load_model(path: str | os.PathLike[str], attn_implementation: str = "eager") -> Any:
    """Load a causal LM saved by :func:`analysis.probes.train.train_variant` (or any local Hugging
    Face checkpoint) without downloading anything, and re-apply its stored RoPE variant. A missing
    folder raises InputError."""
    from transformers import AutoModelForCausalLM

    p = Path(path)
    if not (p / "config.json").is_file():
        raise InputError(f"no model checkpoint (config.json) at {p}")
    model = AutoModelForCausalLM.from_pretrained(
        str(p), local_files_only=True, attn_implementation=attn_implementation
    )
    return apply_variant(model).eval()


