"""The stage contract's Python side: one adapter object for every ``workflow/scripts/*.py``.

An adapter script reads its inputs, calls one analysis function, and writes its named outputs::

    from analysis import bounds
    from analysis.core.adapter import Adapter

    with Adapter(snakemake) as a:                       # noqa: F821 (injected by Snakemake)
        grid = a.call(bounds.phase_bound_grid,
                      head_dim=a.setting("physics.head_dim"), epsilon=a.setting("physics.epsilon"))
        a.table(grid, "table")                          # writes snakemake.output.table + sidecar

The provenance sidecar of every file written through the adapter is recorded *when it is written*:
the rule, the script, the analysis function that computed it (the last :meth:`Adapter.call`, or
``function=``), the input files (path and SHA-256), the config keys the adapter read (dotted names
with their values), package versions, git commit and the device (``device=``).

Settings reach a rule through ``params: settings=settings("physics.head_dim", ...)`` (common.smk),
a flat ``{dotted key: value}`` mapping, so a rule reruns only when a key it reads changes.

Threads: the adapter limits BLAS/OpenMP and torch to the rule's ``threads`` (never more busy threads
than Snakemake scheduled), before the analysis runs.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from analysis.core.device import limit_threads
from analysis.core.logs import log_to

__all__ = ["Adapter", "function_name", "file_digest", "portable_path"]

_TMP_SCRIPT = re.compile(r"^tmp[^.]*\.")  # Snakemake runs a copy named tmpXXXX.<script>.py


def function_name(fn: Callable[..., Any]) -> str:
    """``module.qualname`` of a function (``analysis.bounds.phase_bound_grid``)."""
    return f"{fn.__module__}.{getattr(fn, '__qualname__', getattr(fn, '__name__', repr(fn)))}"


def file_digest(path: str | os.PathLike[str]) -> str | None:
    """SHA-256 of a file (None for a folder or a missing path)."""
    p = Path(path)
    if not p.is_file():
        return None
    h = hashlib.sha256()
    with p.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def portable_path(path: str | os.PathLike[str]) -> str:
    """``path`` as a sidecar records it: relative to the project root (code, config, shipped data)
    or to the working directory (results), never an absolute path of the build machine, so two
    clones write the same records. A file outside both keeps only its name, marked ``<outside>/``."""
    from analysis.core.config import ROOT

    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    resolved = p.resolve()
    for base in (ROOT, Path.cwd().resolve()):
        try:
            return resolved.relative_to(base).as_posix()
        except ValueError:
            continue
    return f"<outside>/{p.name}"


class _Settings(Mapping[str, Any]):
    """Read-tracking view of a rule's settings: every key read is recorded for the sidecars."""

    def __init__(self, values: Mapping[str, Any]):
        self._values = dict(values)
        self.read: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._values:
            raise KeyError(f"setting {key!r} is not passed to this rule (params: settings=settings(...))")
        self.read[key] = self._values[key]
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class Adapter:
    """Context manager around one Snakemake script job (see the module docstring)."""

    def __init__(self, smk: Any, device: str | None = None):
        self.smk = smk
        self.rule: str = str(getattr(smk, "rule", "") or "")
        params = getattr(smk, "params", None)
        raw = getattr(params, "settings", None) if params is not None else None
        self.settings = _Settings(raw or {})
        self.device = device
        self.step: str | None = None  # set by analysis.core.step.run_step
        self.function: str | None = None
        self.threads = int(getattr(smk, "threads", 1) or 1)
        self.script = _script_path(smk)
        self._log_cm = None
        self.log = None

    # -- context ---------------------------------------------------------------------------
    def __enter__(self) -> Adapter:
        limit_threads(self.threads)
        logs = list(getattr(self.smk, "log", []) or [])
        if logs:
            self._log_cm = log_to(logs[0])
            self.log = self._log_cm.__enter__()
        else:
            import logging

            self.log = logging.getLogger(self.rule or "rope-bounds")
        return self

    def __exit__(self, *exc: Any) -> bool:
        if self._log_cm is not None:
            return bool(self._log_cm.__exit__(*exc))
        return False

    # -- reading -----------------------------------------------------------------------------
    def setting(self, key: str) -> Any:
        """The value of config key ``key`` (dotted), recorded as read."""
        return self.settings[key]

    def input(self, name: str) -> Any:
        """Path(s) of the named input ``name``."""
        return getattr(self.smk.input, name)

    def output(self, name: str) -> Any:
        """Path(s) of the named output ``name``; an unknown name is an error, never a guess."""
        try:
            return getattr(self.smk.output, name)
        except AttributeError:
            raise KeyError(f"rule {self.rule!r} has no output named {name!r}") from None

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call the analysis function ``fn``; files written next are recorded as made by it."""
        self.function = function_name(fn)
        return fn(*args, **kwargs)

    # -- provenance --------------------------------------------------------------------------
    def record(self, function: str | Callable[..., Any] | None = None, **extra: Any) -> dict[str, Any]:
        """The fields this adapter adds to a sidecar (rule, script, function, inputs, settings)."""
        fn = function if isinstance(function, str) or function is None else function_name(function)
        inputs: dict[str, Any] = {}
        named = dict(getattr(self.smk.input, "items", lambda: [])()) if hasattr(self.smk, "input") else {}
        for key, val in named.items():
            paths = [val] if isinstance(val, (str, os.PathLike)) else list(val)
            inputs[key] = [{"path": portable_path(p), "sha256": file_digest(p)} for p in paths]
        rec: dict[str, Any] = {
            "rule": self.rule or None,
            **({"step": self.step} if self.step else {}),
            "script": self.script,
            "function": fn or self.function,
            "inputs": inputs,
            "settings": dict(self.settings.read),
        }
        rec.update(extra)
        return rec

    def _prov(self, function: Any, extra: Mapping[str, Any]) -> dict[str, Any]:
        rec = self.record(function, **extra)
        if self.device is not None and "device" not in rec:
            rec["device"] = self.device
        return rec

    # -- writing -----------------------------------------------------------------------------
    def table(self, df: Any, name: str, function: Any = None, **extra: Any) -> Path:
        """Write the DataFrame ``df`` to the named output ``name`` (Parquet or CSV by suffix)."""
        from analysis.core.results import write_table

        return write_table(df, self.output(name), None, **self._prov(function, extra))

    def json(self, obj: Any, name: str, function: Any = None, **extra: Any) -> Path:
        """Write ``obj`` as JSON to the named output ``name``."""
        from analysis.core.results import write_json

        return write_json(obj, self.output(name), None, **self._prov(function, extra))

    def text(self, text: str, name: str, function: Any = None, **extra: Any) -> Path:
        """Write a text artefact to the named output ``name``."""
        from analysis.core.results import write_text

        return write_text(text, self.output(name), None, **self._prov(function, extra))

    def findings(self, items: Any, name: str = "findings", function: Any = None, **extra: Any) -> Path:
        """Write a stage's findings (:mod:`analysis.core.findings`) to the named output ``name``."""
        from analysis.core.findings import write_findings

        return write_findings(items, self.output(name), **self._prov(function, extra))

    def figure(self, chart: Any, name: str, function: Any = None, **extra: Any) -> dict[str, Path]:
        """Save the chart to the named output ``name`` (the renderings of ``figure_files(...)``)."""
        from analysis.core.figures import save_chart

        files = self.output(name)
        first = files if isinstance(files, (str, os.PathLike)) else list(files)[0]
        stem = str(first).removesuffix(".vl.json")
        return save_chart(chart, stem, None, **self._prov(function, extra))


def _script_path(smk: Any) -> str | None:
    """The project-relative path of the running adapter script (Snakemake runs a temp copy)."""
    main = sys.modules.get("__main__")
    file = getattr(main, "__file__", None) or (sys.argv[0] if sys.argv else None)
    scriptdir = getattr(smk, "scriptdir", None)
    if not file:
        return None
    base = _TMP_SCRIPT.sub("", Path(file).name)
    if scriptdir:
        p = Path(scriptdir) / base
        try:
            from analysis.core.config import ROOT

            return str(p.resolve().relative_to(ROOT))
        except ValueError:
            return str(p)
    return base
