"""Writing result files atomically, each with a provenance sidecar.

A failed write never leaves a partial result: data go to a temporary file in the same folder and
are renamed into place only when complete.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core import provenance

_UMASK = os.umask(0)
os.umask(_UMASK)

__all__ = ["atomic_write", "write_table", "write_json", "write_text", "write_sidecar", "read_table"]


def atomic_write(path: str | os.PathLike[str], writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` then rename ``tmp_path`` onto ``path``; clean up on failure."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        writer(tmp_path)
        os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp creates 0600; give results normal modes
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def write_sidecar(
    path: str | os.PathLike[str], config: Mapping[str, Any] | None = None, **extra: Any
) -> Path:
    """Write ``<path>.provenance.json`` for the result file at ``path``."""
    record = provenance.collect(config, result=Path(path).name, **extra)
    text = provenance.dumps(record)
    return atomic_write(provenance.sidecar_path(path), lambda p: p.write_text(text))


def write_table(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    config: Mapping[str, Any] | None = None,
    **extra: Any,
) -> Path:
    """Write ``df`` as Parquet or CSV (by suffix) atomically, plus its provenance sidecar."""
    path = Path(path)
    if path.suffix == ".parquet":
        atomic_write(path, lambda p: df.to_parquet(p, index=False))
    elif path.suffix == ".csv":
        atomic_write(path, lambda p: df.to_csv(p, index=False, float_format="%.10g"))
    else:
        raise ValueError(f"unsupported table format {path.suffix!r} for {path}")
    write_sidecar(path, config, rows=len(df), columns=list(map(str, df.columns)), **extra)
    return path


def write_json(
    obj: Any, path: str | os.PathLike[str], config: Mapping[str, Any] | None = None, **extra: Any
) -> Path:
    """Write ``obj`` as indented JSON atomically, plus its provenance sidecar."""
    text = json.dumps(obj, indent=2, sort_keys=True, default=_default) + "\n"
    atomic_write(path, lambda p: Path(p).write_text(text))
    write_sidecar(path, config, **extra)
    return Path(path)


def write_text(
    text: str, path: str | os.PathLike[str], config: Mapping[str, Any] | None = None, **extra: Any
) -> Path:
    """Write a text artefact (Markdown, LaTeX, ...) atomically, plus its provenance sidecar."""
    atomic_write(path, lambda p: Path(p).write_text(text))
    write_sidecar(path, config, **extra)
    return Path(path)


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a Parquet or CSV result table."""
    path = Path(path)
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def _default(o: Any) -> Any:
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
