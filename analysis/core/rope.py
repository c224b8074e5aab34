"""RoPE frequencies and rotations, exact and vectorised.

Convention: a rotary block of ``d`` dimensions holds ``d/2`` pairs; pair ``i`` rotates at the angular
frequency ``theta_i = base ** (-2 i / d)`` radians per position, ``i = 0 .. d/2 - 1``. The highest
frequency is ``theta_0 = 1`` and the lowest is ``theta_{d/2-1} = base ** (-(d - 2) / d)``, which
papers often approximate by ``1 / base``.
"""

from __future__ import annotations

import math

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from analysis.core.errors import InputError

if TYPE_CHECKING:
    import torch

__all__ = [
    "validate_head_dim",
    "validate_base",
    "rotary_dim",
    "inv_freq",
    "inv_freq_torch",
    "theta_min_exact",
    "theta_min_paper",
    "wavelengths",
    "apply_rope",
]


def validate_head_dim(d: int, name: str = "head dim") -> int:
    """Return ``d`` as int if it is a positive even integer, else raise :class:`InputError`."""
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
        if isinstance(d, float) and d.is_integer():
            d = int(d)
        else:
            raise InputError(f"{name} must be a positive even integer, got {d!r}")
    d = int(d)
    if d <= 0 or d % 2:
        raise InputError(f"{name} must be a positive even integer, got {d}")
    return d


def validate_base(base: float, name: str = "base") -> float:
    """Return ``base`` as float if it is finite and > 1, else raise :class:`InputError`."""
    try:
        b = float(base)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number > 1, got {base!r}") from None
    if not math.isfinite(b) or b <= 1.0:
        raise InputError(f"{name} must be a finite number > 1, got {base!r}")
    return b


def rotary_dim(head_dim: int, partial_rotary_factor: float = 1.0) -> int:
    """Number of rotated dimensions of a head (``int(head_dim * factor)``, as transformers does).

    ``partial_rotary_factor`` must lie in (0, 1] and the result must be even.
    """
    head_dim = validate_head_dim(head_dim)
    f = float(partial_rotary_factor)
    if not (0.0 < f <= 1.0):
        raise InputError(f"partial rotary factor must lie in (0, 1], got {partial_rotary_factor!r}")
    return validate_head_dim(int(head_dim * f), name="rotary dims (head dim x partial rotary factor)")


def inv_freq(base: float, d: int) -> NDArray[np.float64]:
    """Exact angular frequencies ``theta_i = base ** (-2 i / d)``, float64, highest first."""
    base = validate_base(base)
    d = validate_head_dim(d)
    i = np.arange(d // 2, dtype=np.float64)
    return np.power(base, -2.0 * i / d)


def inv_freq_torch(base: float, d: int, dtype: str = "fp32") -> "torch.Tensor":
    """The frequencies exactly as Hugging Face transformers computes them (default rotary init):
    ``1.0 / base ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d)``, a torch tensor in
    ``dtype`` (``fp32``, what every transformers model uses; ``fp64`` applies the same formula in
    float64). The fp32 values are *not* :func:`inv_freq` rounded to fp32: the exponent
    ``2i/d`` and the power are rounded in fp32, so single entries differ by one ULP (base 1e4,
    d = 128: 19 of 64, the lowest among them). Bit-for-bit equal to ``LlamaRotaryEmbedding.inv_freq``.
    """
    import torch

    base = validate_base(base)
    d = validate_head_dim(d)
    dt = {"fp32": torch.float32, "fp64": torch.float64}.get(dtype)
    if dt is None:
        raise InputError(f"inv_freq_torch dtype must be 'fp32' or 'fp64', got {dtype!r}")
    return 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.int64).to(dtype=dt) / d))


def theta_min_exact(base: float | NDArray[np.float64], d: int) -> float | NDArray[np.float64]:
    """Lowest frequency, exactly: ``base ** (-(d - 2) / d)`` (vectorised over ``base``)."""
    d = validate_head_dim(d)
    return np.power(base, -(d - 2.0) / d)


def theta_min_paper(base: float | NDArray[np.float64]) -> float | NDArray[np.float64]:
    """Lowest frequency as the phase-modulation paper approximates it: ``1 / base``."""
    return 1.0 / np.asarray(base, dtype=np.float64) if np.ndim(base) else 1.0 / float(base)


def wavelengths(base: float, d: int) -> NDArray[np.float64]:
    """Period in positions of each frequency pair, ``2 pi / theta_i``."""
    return 2.0 * np.pi / inv_freq(base, d)


def apply_rope(
    x: NDArray[np.floating], positions: NDArray[np.integer] | NDArray[np.floating], base: float
) -> NDArray[np.float64]:
    """Rotate ``x[..., p, d]`` by RoPE at ``positions[p]`` (adjacent pairs ``(2i, 2i+1)``), float64.

    Reference implementation for tests and synthetic experiments: pair ``i`` of the vector at
    position ``p`` is multiplied by ``exp(j p theta_i)`` in the complex view.
    """
    x = np.asarray(x, dtype=np.float64)
    d = validate_head_dim(x.shape[-1], name="last dimension of x")
    pos = np.asarray(positions, dtype=np.float64)
    if pos.ndim != 1 or (x.ndim >= 2 and x.shape[-2] != pos.shape[0]):
        raise InputError("positions must be 1-D with one entry per row of x[..., p, d]")
    ang = pos[:, None] * inv_freq(base, d)[None, :]
    z = x[..., 0::2] + 1j * x[..., 1::2]
    z = z * np.exp(1j * ang)
    out = np.empty_like(x)
    out[..., 0::2] = z.real
    out[..., 1::2] = z.imag
    return out
