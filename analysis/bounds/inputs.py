"""Validation of the bounds' inputs: context length, layers, coherence threshold, head dim."""

from __future__ import annotations

import math
from typing import Any

from analysis.core.errors import InputError
from analysis.core.rope import validate_head_dim

__all__ = ["validate_context_length", "validate_layers", "validate_epsilon", "min_head_dim"]


def _positive_number(x: Any, name: str) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {x!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise InputError(f"{name} must be a positive finite number, got {x!r}")
    return v


def validate_context_length(L: Any) -> float:
    """Context length in tokens: a positive finite number."""
    return _positive_number(L, "context length")


def validate_layers(N: Any) -> int:
    """Number of layers: a positive integer."""
    v = _positive_number(N, "layers")
    if not float(v).is_integer():
        raise InputError(f"layers must be a positive integer, got {N!r}")
    return int(v)


def validate_epsilon(eps: Any) -> float:
    """Coherence threshold: a number strictly between 0 and 1."""
    try:
        v = float(eps)
    except (TypeError, ValueError):
        raise InputError(f"epsilon must be a number in (0, 1), got {eps!r}") from None
    if not (0.0 < v < 1.0):
        raise InputError(f"epsilon must lie strictly between 0 and 1, got {eps!r}")
    return v


def min_head_dim(d: int) -> int:
    d = validate_head_dim(d)
    if d == 2:
        raise InputError("head dim must be at least 4 for a lowest frequency below 1")
    return d
