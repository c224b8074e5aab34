"""Where a computation runs, decided in one place for every stage: the torch device (from a setting
or a training profile) and the number of busy threads (BLAS/OpenMP pools and torch)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from analysis.core.errors import InputError

if TYPE_CHECKING:
    import torch

__all__ = [
    "DEVICE_SETTINGS", "THREAD_ENV_VARS", "choose_device", "profile_device", "usable_cores", "limit_threads",
    "default_threads",
]

DEVICE_SETTINGS: tuple[str, ...] = ("auto", "cpu", "cuda")

THREAD_ENV_VARS: tuple[str, ...] = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
"""The environment variables that size the BLAS/OpenMP thread pools (set to 1 for every workflow
job by workflow/rules/common.smk, raised to the rule's ``threads`` by :func:`limit_threads`)."""


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


def profile_device(profile: str) -> str:
    """The torch device a training profile runs on: ``cuda`` for the ``gpu`` profile, else ``cpu``
    (:func:`choose_device`: an error where the device is missing)."""
    return choose_device("cuda" if profile == "gpu" else "cpu").type


def usable_cores() -> int:
    """CPUs available to this process: the affinity mask, capped by a cgroup v2 CPU quota (the
    workflow clamps ``--cores`` to it; the benchmarks report it)."""
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        with open("/sys/fs/cgroup/cpu.max") as fh:
            quota, period = fh.read().split()[:2]
        if quota != "max":
            n = min(n, max(1, int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    return max(1, n)


def limit_threads(n: int | None = None) -> int:
    """At most ``n`` busy threads: BLAS/OpenMP pools (threadpoolctl) and torch intra/inter-op. ``n``
    None: the environment's ``OMP_NUM_THREADS``, else 1 (the CPU training profiles are sized for one
    core). Returns the number set."""
    n = max(1, int(n if n is not None else os.environ.get("OMP_NUM_THREADS") or 1))
    for var in THREAD_ENV_VARS:
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n)
    except ImportError:  # pragma: no cover - threadpoolctl comes with scipy/sklearn stacks
        pass
    torch = sys.modules.get("torch")  # imported later, torch reads OMP_NUM_THREADS set above
    if torch is not None:
        torch.set_num_threads(n)
        try:
            torch.set_num_interop_threads(n)
        except RuntimeError:  # already set once in this process
            pass
    return n


def default_threads(n: int = 1) -> None:
    """Before numpy loads: BLAS/OpenMP pools of ``n`` threads unless the environment sizes them (the
    command line's small-matrix work, B(m) in small blocks, is fastest on one thread)."""
    for var in THREAD_ENV_VARS:
        os.environ.setdefault(var, str(n))
