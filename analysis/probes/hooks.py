"""Forward hooks on the attention modules of transformers' Llama, Gemma, Mistral and Qwen2 models.

They capture each layer's queries and keys before rotation (the outputs of ``q_proj`` / ``k_proj``),
after rotation (the same vectors rotated with the model's own ``cos``/``sin``, passed to the attention
module as ``position_embeddings``) and the attention weights (eager attention only). Hooks are always
removed (:func:`capture` is a context manager with ``finally``), even when the forward pass fails.

HF pairing: transformers' ``rotate_half`` rotates dimension ``i`` with dimension ``i + D/2``, so RoPE
frequency ``i`` (``theta_i = base^(-2i/D)``, ``i = 0`` the highest) acts on the 2-D chunk
``(x_i, x_{i + D/2})``, not on ``(x_{2i}, x_{2i+1})``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from analysis.core.errors import InputError

__all__ = ["SUPPORTED_MODEL_TYPES", "LayerCapture", "attention_modules", "capture", "rotate_hf"]

SUPPORTED_MODEL_TYPES: tuple[str, ...] = ("llama", "gemma", "mistral", "qwen2")


@dataclass
class LayerCapture:
    """What the hooks saw in one attention layer during one forward pass (float32 CPU tensors):
    ``q_pre``/``q_post`` ``[batch, heads, tokens, head_dim]``, ``k_pre``/``k_post``
    ``[batch, kv_heads, tokens, head_dim]``, ``attn`` ``[batch, heads, tokens, tokens]`` or None."""

    layer: int
    q_pre: Any = None
    k_pre: Any = None
    q_post: Any = None
    k_post: Any = None
    attn: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def attention_modules(model: Any) -> list[Any]:
    """The self-attention modules of a supported model, in layer order."""
    mt = getattr(model.config, "model_type", None)
    if mt not in SUPPORTED_MODEL_TYPES:
        raise InputError(f"unsupported architecture {mt!r} (supported: {', '.join(SUPPORTED_MODEL_TYPES)})")
    mods = [
        m for m in model.modules() if hasattr(m, "q_proj") and hasattr(m, "k_proj") and hasattr(m, "head_dim")
    ]
    if not mods:
        raise InputError(f"no attention modules with q_proj/k_proj found in {type(model).__name__}")
    return sorted(mods, key=lambda m: int(getattr(m, "layer_idx", 0)))


def rotate_hf(x: Any, cos: Any, sin: Any) -> Any:
    """RoPE as transformers applies it: ``x * cos + rotate_half(x) * sin``; ``x`` is
    ``[batch, heads, tokens, D]`` and ``cos``/``sin`` ``[batch, tokens, D]``."""
    import torch

    half = x.shape[-1] // 2
    rot = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return x * cos.unsqueeze(1) + rot * sin.unsqueeze(1)


@contextlib.contextmanager
def capture(model: Any) -> Iterator[list[LayerCapture]]:
    """Within the block, every forward pass of ``model`` fills one :class:`LayerCapture` per
    attention layer (the last pass wins). All hooks are removed on exit, also after an exception."""
    mods = attention_modules(model)
    caps = [LayerCapture(layer=i) for i in range(len(mods))]
    handles: list[Any] = []

    def heads_view(out: Any, mod: Any) -> Any:
        b, t, _ = out.shape
        return out.detach().float().view(b, t, -1, mod.head_dim).transpose(1, 2).cpu()

    try:
        for cap, mod in zip(caps, mods):

            def q_hook(m: Any, inp: Any, out: Any, cap: LayerCapture = cap, mod: Any = mod) -> None:
                cap.q_pre = heads_view(out, mod)

            def k_hook(m: Any, inp: Any, out: Any, cap: LayerCapture = cap, mod: Any = mod) -> None:
                cap.k_pre = heads_view(out, mod)

            def pre_hook(m: Any, args: Any, kwargs: dict[str, Any], cap: LayerCapture = cap) -> None:
                pe = kwargs.get("position_embeddings")
                if pe is None and len(args) > 1:
                    pe = args[1]
                cap.extra["cos_sin"] = (
                    None if pe is None else (pe[0].detach().float().cpu(), pe[1].detach().float().cpu())
                )

            def post_hook(
                m: Any, args: Any, kwargs: dict[str, Any], out: Any, cap: LayerCapture = cap
            ) -> None:
                cs = cap.extra.pop("cos_sin", None)
                if cs is not None and cap.q_pre is not None and cap.k_pre is not None:
                    cap.q_post, cap.k_post = rotate_hf(cap.q_pre, *cs), rotate_hf(cap.k_pre, *cs)
                w = out[1] if isinstance(out, tuple) and len(out) > 1 else None
                cap.attn = None if w is None else w.detach().float().cpu()

            handles.append(mod.q_proj.register_forward_hook(q_hook))
            handles.append(mod.k_proj.register_forward_hook(k_hook))
            handles.append(mod.register_forward_pre_hook(pre_hook, with_kwargs=True))
            handles.append(mod.register_forward_hook(post_hook, with_kwargs=True))
        yield caps
    finally:
        for h in handles:
            h.remove()
