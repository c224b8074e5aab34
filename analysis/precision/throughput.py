"""Throughput of applying RoPE (Hugging Face style) per number format on a device."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.bounds import canonical_dtype
from analysis.core.rope import inv_freq_torch, validate_head_dim
from analysis.precision.device import device_record, skipped_row, torch_dtype, unsupported_reason
from analysis.precision.logits import rotate_half

if TYPE_CHECKING:
    import pandas as pd
    import torch

__all__ = ["rope_throughput", "throughput_sweep", "throughput_results"]


def rope_throughput(
    fmt: str, device: "torch.device", batch: int, heads: int, seq: int, head_dim: int,
    base: float, repeats: int, warmup: int = 2,
) -> dict[str, Any]:
    """Tokens per second (``batch * seq / median time``) of applying RoPE the Hugging Face way
    (cos/sin tables from fp32 angles cast to ``fmt``, ``x cos + rotate_half(x) sin`` in ``fmt``)
    to a ``(batch, heads, seq, head_dim)`` tensor; ``status = skipped`` where ``fmt`` lacks an op."""
    import torch

    rec = device_record(device)
    key = dict(batch=batch, heads=heads, seq=seq, head_dim=head_dim, repeats=repeats)
    dt = torch_dtype(fmt)
    g = torch.Generator(device="cpu").manual_seed(0)
    x = torch.randn(batch, heads, seq, head_dim, generator=g).to(device=device, dtype=dt)
    th = inv_freq_torch(base, head_dim, "fp32").to(device)
    ang = torch.arange(seq, device=device, dtype=torch.float32)[:, None] * th[None, :]
    cos = torch.cat([ang.cos(), ang.cos()], -1).to(dt)
    sin = torch.cat([ang.sin(), ang.sin()], -1).to(dt)

    def step() -> None:
        x * cos + rotate_half(x) * sin
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    why = unsupported_reason(fmt, device, "RoPE rotation (hf)", step)
    if why:
        return skipped_row(rec, fmt, why, **key)
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    t = float(np.median(times))
    return {**rec, "dtype": fmt, **key, "seconds": t, "tokens_per_s": batch * seq / t,
            "status": "ok", "reason": ""}


def throughput_sweep(
    *, formats: Sequence[str], head_dim: int, base: float, batch: int, heads: int, seq: int, repeats: int,
    device: "torch.device",
) -> "pd.DataFrame":
    """:func:`rope_throughput` for every format of ``formats``."""
    import pandas as pd

    d = validate_head_dim(head_dim)
    return pd.DataFrame([rope_throughput(fmt, device, int(batch), int(heads), int(seq), d, float(base), int(repeats))
                         for fmt in map(canonical_dtype, formats)])


def throughput_results(
    *, device_setting: str | None, formats: Sequence[str], head_dim: int, base: float, batch: int, heads: int,
    seq: int, repeats: int,
) -> dict[str, Any]:
    """:func:`throughput_sweep` on the device ``device_setting`` names
    (:func:`analysis.core.device.choose_device`): ``table`` (every row records the device, its type
    and the torch version) and the ``device`` it ran on (for the sidecar)."""
    from analysis.core.device import choose_device

    dev = choose_device(device_setting)
    table = throughput_sweep(formats=formats, head_dim=head_dim, base=base, batch=batch, heads=heads, seq=seq,
                             repeats=repeats, device=dev)
    return {"table": table, "device": device_record(dev)["device"]}
