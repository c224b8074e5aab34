"""The torch device a computation runs on, chosen from a setting in one place for every stage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.core.errors import InputError

if TYPE_CHECKING:
    import torch

__all__ = ["DEVICE_SETTINGS", "choose_device"]

DEVICE_SETTINGS: tuple[str, ...] = ("auto", "cpu", "cuda")


def choose_device(setting: str | None = "auto") -> "torch.device":
    """The torch device for ``setting``: ``auto`` (or None) is CUDA when torch sees a GPU, else the
    CPU; ``cpu`` and ``cuda`` force one (``cuda`` without a GPU raises :class:`InputError`, as does
    any other value). Use ``.type`` for the name (``"cpu"``/``"cuda"``)."""
    import torch

    key = "auto" if setting is None else str(setting).strip().lower()
    if key not in DEVICE_SETTINGS:
        raise InputError(f"device must be one of {', '.join(DEVICE_SETTINGS)}, got {setting!r}")
    if key == "auto":
        key = "cuda" if torch.cuda.is_available() else "cpu"
    elif key == "cuda" and not torch.cuda.is_available():
        raise InputError("device 'cuda' requested but torch finds no CUDA device")
    return torch.device(key)
