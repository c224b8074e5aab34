"""Floating-point formats: canonical names and machine epsilon (for the precision wall)."""

from __future__ import annotations

from analysis.core.errors import InputError

__all__ = ["DTYPES", "canonical_dtype", "machine_epsilon"]

# canonical name -> torch dtype attribute name; aliases map onto canonical names
DTYPES: dict[str, str] = {
    "fp64": "float64",
    "fp32": "float32",
    "bf16": "bfloat16",
    "fp16": "float16",
    "fp8_e4m3": "float8_e4m3fn",
    "fp8_e5m2": "float8_e5m2",
}
_ALIASES: dict[str, str] = {
    "float64": "fp64", "double": "fp64", "f64": "fp64",
    "float32": "fp32", "float": "fp32", "f32": "fp32",
    "bfloat16": "bf16",
    "float16": "fp16", "half": "fp16", "f16": "fp16",
    "float8_e4m3fn": "fp8_e4m3", "e4m3": "fp8_e4m3", "fp8": "fp8_e4m3",
    "float8_e5m2": "fp8_e5m2", "e5m2": "fp8_e5m2",
}


def canonical_dtype(name: str) -> str:
    """Canonical short name (``fp32``, ``bf16``, ...) of a floating-point format name."""
    key = str(name).strip().lower().removeprefix("torch.")
    key = _ALIASES.get(key, key)
    if key not in DTYPES:
        raise InputError(f"unknown dtype {name!r}; expected one of {', '.join(DTYPES)}")
    return key


def machine_epsilon(dtype: str) -> float:
    """Machine epsilon (spacing of the format just above 1) from ``torch.finfo``."""
    import torch  # local import: the rest of this module needs no torch

    return float(torch.finfo(getattr(torch, DTYPES[canonical_dtype(dtype)])).eps)
