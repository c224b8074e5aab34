"""Archived runs: the metrics (never weights) of a run too costly for the default build, committed under
``data/archive/<stage>/<profile>-<device>/`` and read by the workflow like any input.

A run is made once, by the stage's own command (e.g. ``python -m analysis.longctx archive --profile
full``), which writes every table and JSON of the run with its provenance sidecar (resolved settings,
package versions, git commit, device) and one ``provenance.json`` for the folder: the command that
regenerates it, the profile, the device, the date and the wall time. The precision stage's device data
sets (``data/measurements/<device>/``, ``python -m analysis.precision export``) are written by the same
:func:`write_archive`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis.core.config import ROOT
from analysis.core.errors import InputError

__all__ = ["ARCHIVE_ROOT", "archive_folder", "write_archive", "read_provenance", "describe", "find_archives"]

ARCHIVE_ROOT = ROOT / "data" / "archive"
PROVENANCE = "provenance.json"


def archive_folder(stage: str, profile: str, device: str, root: str | os.PathLike[str] | None = None) -> Path:
    """``<root>/<stage>/<profile>-<device>`` (root: ``data/archive``)."""
    return Path(root or ARCHIVE_ROOT) / stage / f"{profile}-{device}"


def write_archive(
    folder: str | os.PathLike[str], *, tables: Mapping[str, Any] | None = None,
    jsons: Mapping[str, Any] | None = None, settings: Mapping[str, Any], record: Mapping[str, Any],
    measured_on: Any = None,
) -> Path:
    """Write ``tables`` (name with suffix ``.csv`` / ``.parquet`` -> DataFrame) and ``jsons`` (name ->
    object) into ``folder``, each with its sidecar, then ``provenance.json``: ``record`` (the command,
    profile, device, wall time, ...) with the list of files and the usual provenance fields."""
    from analysis.core.results import write_json, write_table

    folder = Path(folder)
    extra = {"measured_on": measured_on} if measured_on is not None else {}
    files = []
    for name, df in (tables or {}).items():
        write_table(df, folder / name, None, settings=settings, **extra)
        files.append(name)
    for name, obj in (jsons or {}).items():
        write_json(obj, folder / name, None, settings=settings, **extra)
        files.append(name)
    write_json({**dict(record), "files": sorted(files)}, folder / PROVENANCE, None, settings=settings, **extra)
    return folder


def read_provenance(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The run record of an archive folder (its ``provenance.json`` and the sidecar's git commit,
    date and device); :class:`InputError` when the folder is not an archive."""
    import json

    from analysis.core.provenance import sidecar_path

    f = Path(folder) / PROVENANCE
    if not f.is_file():
        raise InputError(f"archive {folder} has no {PROVENANCE}")
    rec = json.loads(f.read_text())
    side = sidecar_path(f)
    if side.is_file():
        s = json.loads(side.read_text())
        rec.setdefault("commit", (s.get("git") or {}).get("commit"))
        rec.setdefault("date", s.get("created_utc"))
        rec.setdefault("machine", s.get("device"))
    return rec


def describe(rec: Mapping[str, Any]) -> str:
    """One line naming an archived run: profile, device, date, commit, wall time and the command."""
    commit = str(rec.get("commit") or "unknown")[:9]
    date = str(rec.get("date") or "unknown date")[:10]
    wall = rec.get("wall_seconds")
    wall_t = f"{float(wall) / 60:.0f} min wall" if wall is not None else "wall time not recorded"
    return (f"archived {rec.get('profile', '?')} run on {rec.get('device', '?')} of {date} at commit {commit} "
            f"({wall_t}; regenerate with `{rec.get('command', '?')}`)")


def find_archives(stage: str, root: str | os.PathLike[str] | None = None) -> list[Path]:
    """Every archive folder of ``stage`` (sorted), i.e. each ``<root>/<stage>/*/provenance.json``."""
    base = Path(root or ARCHIVE_ROOT) / stage
    return sorted(p.parent for p in base.glob(f"*/{PROVENANCE}"))
