"""Effective RoPE frequencies from transformers' own initialisation functions.

The frequencies a model runs come from ``transformers.modeling_rope_utils.ROPE_INIT_FUNCTIONS``
(linear, dynamic NTK, YaRN, llama3, LongRoPE), applied to a transformers ``PreTrainedConfig``
carrying one layer type's rope parameters. transformers computes them in float32; we take the
per-frequency scaling ``scaled / unscaled`` (``unscaled`` is transformers' default init, reproduced
bit for bit by :func:`analysis.core.rope.inv_freq_torch`, so the float32 rounding of ``base ** x``
cancels) and apply it to the exact float64 frequencies ``base ** (-2 i / d)``. Plain RoPE
(``rope_type`` "default") is those exact frequencies, with no torch work. The **effective base** is
the base of an unscaled RoPE with the same lowest frequency: ``theta_min ** (-d / (d - 2))``
(``rope_theta`` itself when there is no scaling).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.core.errors import InputError
from analysis.core.rope import inv_freq, inv_freq_torch, validate_base

__all__ = ["SCALING_TYPES", "transformers_config", "effective_frequencies", "group_frequencies",
           "effective_base"]

SCALING_TYPES: tuple[str, ...] = ("linear", "dynamic", "yarn", "llama3", "longrope")
_NOT_PASSED = ("rope_theta", "partial_rotary_factor")  # the head is given as the rotary dims already


def transformers_config(
    rope_theta: float,
    rotary_dims: int,
    max_position_embeddings: int,
    rope_scaling: Mapping[str, Any] | None = None,
    rope_parameters: Mapping[str, Any] | None = None,
    **extra: Any,
) -> Any:
    """A transformers ``PreTrainedConfig`` carrying the RoPE settings (old style ``rope_theta`` +
    ``rope_scaling`` or new style ``rope_parameters``), standardised and validated by transformers
    itself (``convert_rope_params_to_dict``, ``validate_rope``): what a ``LlamaConfig`` holds, without
    importing a model's config module (LlamaConfig's validators pull in tokenizer and video code,
    about 0.8 s of imports; the init functions read only the fields set here).

    The head is set to the rotary dims (one head, no partial factor), which is all RoPE reads.
    """
    from transformers.configuration_utils import PreTrainedConfig
    from transformers.utils import logging as hf_logging

    kw: dict[str, Any] = dict(
        hidden_size=int(rotary_dims), num_attention_heads=1, num_key_value_heads=1, head_dim=int(rotary_dims),
        max_position_embeddings=int(max_position_embeddings), num_hidden_layers=1, vocab_size=8,
        intermediate_size=8, **extra,
    )
    rope: dict[str, Any] = {}  # the legacy keys, as config.json would carry them
    if rope_parameters is not None:
        params: dict[str, Any] | None = {**dict(rope_parameters), "rope_theta": float(rope_theta)}
    else:
        params = None
        rope["rope_theta"] = float(rope_theta)
        if rope_scaling:
            rope["rope_scaling"] = dict(rope_scaling)
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        # the model fields first, then the RoPE conversion and validation of PreTrainedConfig.__post_init__
        # (a model config class has its fields set before that step, so the validation can read them)
        cfg = PreTrainedConfig(**kw)
        cfg.rope_parameters = params
        left = cfg.convert_rope_params_to_dict(**rope)
        if left:
            raise ValueError(f"unexpected RoPE keys {sorted(left)}")
        cfg.validate_rope()
    except (KeyError, ValueError, TypeError) as e:
        raise InputError(f"invalid RoPE settings for transformers: {e}") from None
    finally:
        hf_logging.set_verbosity(verbosity)
    return cfg


def effective_frequencies(
    rope_theta: float,
    rotary_dims: int,
    rope_scaling: Mapping[str, Any] | None,
    max_position_embeddings: int,
    seq_len: int,
    rope_parameters: Mapping[str, Any] | None = None,
    **extra: Any,
) -> tuple[NDArray[np.float64], float, str]:
    """Angular frequencies (rad / position) the model runs at sequence length ``seq_len``, from
    transformers' RoPE init functions; returns ``(theta[d/2] float64, attention_factor, rope_type)``.

    ``theta_i = base ** (-2 i / d) * (scaled_i / unscaled_i)`` where ``scaled`` and ``unscaled`` are
    transformers' float32 ``inv_freq`` with and without the scaling (see the module docstring).
    """
    base = validate_base(rope_theta, "rope_theta")
    d = int(rotary_dims)
    cfg = transformers_config(base, d, max_position_embeddings, rope_scaling, rope_parameters, **extra)
    rope_type = str(cfg.rope_parameters.get("rope_type", "default"))
    if rope_type == "default":  # no scaling: ratio 1, the exact frequencies (no torch work at all)
        return inv_freq(base, d), 1.0, rope_type
    import torch
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS
    from transformers.utils import logging as hf_logging

    if rope_type not in SCALING_TYPES or rope_type not in ROPE_INIT_FUNCTIONS:
        raise InputError(f"unknown rope scaling type {rope_type!r}; supported: default, {', '.join(SCALING_TYPES)}")
    # transformers' default init (LlamaRotaryEmbedding.compute_default_rope_parameters), bit for bit
    unscaled = inv_freq_torch(base, d)
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        scaled, attn = ROPE_INIT_FUNCTIONS[rope_type](cfg, torch.device("cpu"), seq_len=int(seq_len))
    except (KeyError, TypeError) as e:
        raise InputError(f"rope scaling {rope_type!r}: missing or invalid parameter {e}") from None
    finally:
        hf_logging.set_verbosity(verbosity)
    ratio = scaled.detach().double().cpu().numpy() / unscaled.detach().double().cpu().numpy()
    if ratio.shape != (d // 2,) or not np.all(np.isfinite(ratio)) or np.any(ratio <= 0):
        raise InputError(
            f"rope scaling {rope_type!r} gave {ratio.shape[0]} frequencies, expected {d // 2} positive"
        )
    return inv_freq(base, d) * ratio, float(attn), rope_type


def effective_base(theta: NDArray[np.float64], d: int, base: float | None = None) -> float:
    """Base of an unscaled RoPE whose lowest frequency equals ``min(theta)``: ``theta_min ** (-d/(d-2))``.

    With the nominal ``base`` it is computed as ``base * (theta_min(base) / min(theta)) ** (d/(d-2))``,
    which returns ``base`` exactly for unscaled frequencies (no float round trip)."""
    if base is None:
        return float(np.min(theta) ** (-d / (d - 2.0)))
    nominal = float(inv_freq(base, d)[-1])
    return float(base) * (nominal / float(np.min(theta))) ** (d / (d - 2.0))


def group_frequencies(
    rope: Mapping[str, Any], rotary_dims: int, max_position_embeddings: int, seq_len: int
) -> tuple[NDArray[np.float64], float, str]:
    """:func:`effective_frequencies` for one layer type's standardised rope parameters (transformers
    v5 ``rope_parameters``: ``rope_type``, ``rope_theta`` and the scaling's own keys)."""
    rest = {k: v for k, v in rope.items() if k not in _NOT_PASSED and k != "type"}
    rest.setdefault("rope_type", str(rope.get("rope_type", rope.get("type", "default"))))
    return effective_frequencies(rope["rope_theta"], rotary_dims, None, max_position_embeddings, seq_len,
                                 rope_parameters=rest)
