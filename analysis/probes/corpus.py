"""The offline training corpus of the probes stage: the Python standard library's own ``.py``
source files (every machine with Python has them), a deterministic sorted subset, with the file
list and a sha256 of the text recorded. Whole files are held out for validation."""

from __future__ import annotations

import hashlib
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.core.errors import InputError

__all__ = ["Corpus", "corpus_info", "stdlib_corpus", "stdlib_name"]


@dataclass(frozen=True)
class Corpus:
    """Training and validation bytes with their origin."""

    train: np.ndarray  # uint8
    val: np.ndarray  # uint8
    files: list[str]  # paths relative to the stdlib folder, in corpus order
    val_files: list[str]
    sha256: str  # of the concatenated text of all files (train + val, corpus order)
    root: str


def stdlib_corpus(max_bytes: int, val_every: int = 10, root: str | None = None) -> Corpus:
    """The sorted top-level ``*.py`` files of the standard library (``sysconfig`` ``stdlib`` path),
    taken in order until ``max_bytes`` (bytes) are collected; file ``j`` goes to validation when
    ``j % val_every == val_every - 1``. Files are separated by one newline byte."""
    root = root or sysconfig.get_paths()["stdlib"]
    paths = sorted(p for p in Path(root).glob("*.py") if p.is_file())
    if not paths:
        raise InputError(f"no Python standard library sources found under {root}")
    if int(max_bytes) < 10_000 or int(val_every) < 2:
        raise InputError("corpus needs max_bytes >= 10000 and val_every >= 2")
    h = hashlib.sha256()
    train, val, files, val_files, total = [], [], [], [], 0
    for j, p in enumerate(paths):
        data = p.read_bytes() + b"\n"
        h.update(data)
        files.append(p.name)
        if j % val_every == val_every - 1:
            val.append(data)
            val_files.append(p.name)
        else:
            train.append(data)
        total += len(data)
        if total >= max_bytes:
            break
    if not val:
        raise InputError(f"corpus of {total} bytes has no validation file; raise max_bytes")
    return Corpus(
        train=np.frombuffer(b"".join(train), dtype=np.uint8).copy(),
        val=np.frombuffer(b"".join(val), dtype=np.uint8).copy(),
        files=files,
        val_files=val_files,
        sha256=h.hexdigest(),
        root=str(root),
    )


def stdlib_name(root: str) -> str:
    """The standard library folder as a result records it: relative to the Python installation, with
    its version (``lib/python3.11 of Python 3.11.7``), never the builder's absolute path."""
    import platform
    import sys

    try:
        rel = Path(root).resolve().relative_to(Path(sys.base_prefix).resolve()).as_posix()
    except ValueError:
        rel = Path(root).name
    return f"{rel} of Python {platform.python_version()}"


def corpus_info(corpus_bytes: int, val_every: int) -> dict[str, Any]:
    """The corpus record of results/probes/corpus.json: root, files, held-out files, sha256, sizes."""
    c = stdlib_corpus(corpus_bytes, val_every)
    return {
        "root": stdlib_name(c.root),
        "files": c.files,
        "val_files": c.val_files,
        "sha256": c.sha256,
        "val_every": val_every,
        "train_bytes": len(c.train),
        "val_bytes": len(c.val),
    }
