"""The record of the device a measurement runs on (chosen by :func:`analysis.core.device.choose_device`), the torch dtype of a format, and rows for what it cannot run."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from analysis.bounds import DTYPES, canonical_dtype
from analysis.core.errors import InputError

if TYPE_CHECKING:
    import torch

__all__ = ["device_record", "device_slug", "torch_dtype", "unsupported_reason",
           "skipped_row", "high_format"]


def device_record(device: "torch.device") -> dict[str, str]:
    """``device`` (model name), ``device_type`` and ``torch_version`` for every result row."""
    import torch

    from analysis.core.provenance import device_info

    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
    else:
        name = device_info()["cpu"] or "cpu"
    return {"device": name, "device_type": device.type, "torch_version": torch.__version__}


def device_slug(record: dict[str, str]) -> str:
    """Folder name of a device's measurements: ``cpu-intel-r-xeon-r-processor``."""
    s = f"{record['device_type']}-{record['device']}".lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:80]


def torch_dtype(fmt: str) -> "torch.dtype":
    """torch dtype of a format name (``bf16`` -> ``torch.bfloat16``)."""
    import torch

    return getattr(torch, DTYPES[canonical_dtype(fmt)])


def high_format(fmt: str) -> str:
    """Precision the angle is computed in before a cast: fp64 for fp64, else fp32 (as transformers)."""
    return "fp64" if canonical_dtype(fmt) == "fp64" else "fp32"


def unsupported_reason(
    fmt: str, device: "torch.device", what: str, fn: Callable[[], object]
) -> str | None:
    """Run ``fn`` (the measurement's own computation on a tiny input in ``fmt``): None when it
    works, else the reason, naming ``what`` failed and the error torch raised (float8 types can be
    cast on CPU, but most arithmetic on them is not implemented)."""
    import torch

    try:
        fn()
    except (RuntimeError, NotImplementedError, TypeError) as e:
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return f"{what} in {fmt} not supported on {device.type} (torch {torch.__version__}): {msg}"
    return None


def skipped_row(rec: dict[str, str], fmt: str, reason: str, **keys: Any) -> dict[str, Any]:
    """A result row for a format the device cannot run: ``status = skipped`` and the reason."""
    return {**rec, "dtype": fmt, **keys, "status": "skipped", "reason": reason}
