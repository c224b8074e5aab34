"""Provenance sidecars: resolved config, package versions, git commit, device, timestamp."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import sys
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

__all__ = ["PACKAGES", "package_versions", "git_info", "device_info", "collect", "sidecar_path"]

PACKAGES: tuple[str, ...] = (
    "rope-bounds", "numpy", "scipy", "pandas", "pyarrow", "torch", "transformers",
    "altair", "vl-convert-python", "snakemake", "jsonschema",
)


def package_versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Installed version of each package (None where it is not installed)."""
    out: dict[str, str | None] = {}
    for p in packages:
        try:
            out[p] = version(p)
        except PackageNotFoundError:
            out[p] = None
    return out


def git_info(cwd: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Commit hash, ``git describe`` and whether the tree has uncommitted changes (None outside git)."""
    cwd = Path(cwd) if cwd else Path(__file__).resolve().parents[2]

    def _git(*args: str) -> str | None:
        try:
            r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return r.stdout.strip() if r.returncode == 0 else None

    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": commit,
        "describe": _git("describe", "--tags", "--always", "--dirty"),
        "dirty": None if status is None else bool(status),
    }


def device_info() -> dict[str, Any]:
    """The machine and the compute device of this process: CUDA (device name) when the process has
    loaded torch and torch sees a GPU, else the CPU model. A process that never imported torch
    computed on the CPU (NumPy, pandas), so torch is not imported here just to ask: that import cost
    every workflow job about 2 s."""
    info: dict[str, Any] = {"platform": platform.platform(), "machine": platform.machine()}
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info["cpu"] = cpu
    info["cpu_count"] = os.cpu_count()
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        info["type"] = "cuda"
        info["name"] = torch.cuda.get_device_name(0)
        info["cuda"] = torch.version.cuda
    else:
        info["type"] = "cpu"
        info["name"] = cpu
    return info


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


RESERVED: tuple[str, ...] = ("created_utc", "git", "python", "packages", "config")


def collect(
    config: Mapping[str, Any] | None = None, device: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A provenance record: the resolved config and everything needed to reproduce a result.

    ``device``: the torch device the computation actually ran on (``"cuda:0"``, ``"cpu"``), recorded
    as ``device["used"]`` beside the machine's description; ``extra`` adds top-level fields, which
    may not replace the reserved ones.
    """
    clash = sorted(set(extra) & set(RESERVED))
    if clash:
        raise ValueError(f"provenance fields {clash} are reserved")
    dev = device_info()
    if device is not None:
        dev["used"] = str(device)
    return {
        "created_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "git": git_info(),
        "python": sys.version.split()[0],
        "packages": package_versions(),
        "device": dev,
        **({"config": _jsonable(dict(config))} if config is not None else {}),
        **{k: _jsonable(v) for k, v in extra.items()},
    }


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """Sidecar of a result file: ``table.parquet`` -> ``table.parquet.provenance.json``."""
    p = Path(path)
    return p.with_name(p.name + ".provenance.json")


def dumps(record: Mapping[str, Any]) -> str:
    return json.dumps(record, indent=2, sort_keys=True) + "\n"
