"""The report's version and build stamp: package version (pyproject.toml), ``git describe``, commit,
build date, and the package versions and devices recorded in the results' provenance sidecars.

Every page footer and the PDF file name come from here, so that a reader can tell which code and
which results a copy of the report shows.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tomllib
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from analysis.core.config import ROOT
from analysis.core.provenance import git_info

__all__ = [
    "DIST_NAME", "package_version", "pdf_stem", "sidecars", "recorded_environment", "build_info",
    "footer_text", "environment_text", "RELEASES", "release_snapshots", "previous_snapshot", "snapshot",
]

DIST_NAME = "rope-bounds"


def package_version(root: str | os.PathLike[str] = ROOT) -> str:
    """Version of the project: ``[project].version`` of ``root/pyproject.toml`` (the tree being
    built), else the installed distribution's metadata (``importlib.metadata``)."""
    pyproject = Path(root) / "pyproject.toml"
    if pyproject.is_file():
        with pyproject.open("rb") as f:
            v = tomllib.load(f).get("project", {}).get("version")
        if v:
            return str(v)
    try:
        return version(DIST_NAME)
    except PackageNotFoundError:
        return "0+unknown"


def pdf_stem(stem: str = DIST_NAME, root: str | os.PathLike[str] = ROOT) -> str:
    """File name (without ``.pdf``) of the report PDF: ``rope-bounds-0.1.0``."""
    return f"{stem}-{package_version(root)}"


def sidecars(results_dir: str | os.PathLike[str]) -> list[Path]:
    """Every provenance sidecar under ``results_dir``, sorted (an absent folder gives none)."""
    d = Path(results_dir)
    return sorted(d.rglob("*.provenance.json")) if d.is_dir() else []


def recorded_environment(paths: Iterable[str | os.PathLike[str]]) -> dict[str, Any]:
    """What the sidecars ``paths`` recorded: for each package the set of versions seen, the devices
    (type and name) and the commits the results were computed at. Unreadable sidecars are counted
    in ``unreadable`` and otherwise ignored."""
    packages: dict[str, set[str]] = {}
    devices: set[str] = set()
    commits: set[str] = set()
    n = bad = 0
    for p in paths:
        try:
            rec = json.loads(Path(p).read_text())
        except (OSError, ValueError):
            bad += 1
            continue
        n += 1
        for name, ver in (rec.get("packages") or {}).items():
            if ver is not None:
                packages.setdefault(name, set()).add(str(ver))
        dev = rec.get("device") or {}
        if dev:
            devices.add(f"{dev.get('type', '?')}: {dev.get('name') or dev.get('cpu') or '?'}")
        commit = (rec.get("git") or {}).get("commit")
        if commit:
            commits.add(str(commit)[:12])
    return {
        "sidecars": n,
        "unreadable": bad,
        "packages": {k: sorted(v) for k, v in sorted(packages.items())},
        "devices": sorted(devices),
        "commits": sorted(commits),
    }


def build_info(results_dir: str | os.PathLike[str], root: str | os.PathLike[str] = ROOT) -> dict[str, Any]:
    """The build stamp of a rendering: version, ``git describe``, commit, dirty flag, UTC build
    date, and the environment recorded by the results under ``results_dir``."""
    git = git_info(root)
    return {
        "version": package_version(root),
        "describe": git.get("describe"),
        "commit": git.get("commit"),
        "dirty": git.get("dirty"),
        "build_date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "pdf": pdf_stem(root=root) + ".pdf",
        "environment": recorded_environment(sidecars(results_dir)),
    }


def footer_text(info: dict[str, Any]) -> str:
    """One line for a page footer: ``rope-bounds 0.1.0 · commit 405069c (v0.1.0-3-g405069c) · built
    2026-11-26 09:30 UTC``."""
    commit = (info.get("commit") or "unknown")[:7]
    describe = info.get("describe")
    desc = f" ({describe})" if describe and not describe.startswith(commit) else ""
    dirty = ", uncommitted changes" if info.get("dirty") else ""
    return f"{DIST_NAME} {info['version']} · commit {commit}{desc}{dirty} · built {info['build_date']}"


def environment_text(info: dict[str, Any], packages: Iterable[str] = (
    "torch", "transformers", "numpy", "pandas", "altair", "vl-convert-python", "snakemake",
)) -> str:
    """One line listing the key package versions and the devices the results were computed on."""
    env = info.get("environment") or {}
    pk = env.get("packages") or {}
    parts = [f"{p} {'/'.join(pk[p])}" for p in packages if pk.get(p)]
    devices = "; ".join(env.get("devices") or []) or "not recorded"
    return f"Computed with {', '.join(parts) or 'no recorded packages'} · device {devices}"


# --------------------------------------------------------------------------------------------
# release snapshots of the scorecard: the changelog page compares the current results with them

RELEASES = ROOT / "report" / "_releases"


def release_snapshots(releases: str | os.PathLike[str] = RELEASES) -> list[tuple[str, Path]]:
    """``(version, path)`` of every committed scorecard snapshot ``scorecard-<version>.csv``,
    oldest first (versions compared numerically: 0.10.0 after 0.9.0)."""
    d = Path(releases)
    snaps = [(p.name[len("scorecard-"):-len(".csv")], p) for p in d.glob("scorecard-*.csv")] if d.is_dir() else []
    return sorted(snaps, key=lambda vp: _version_key(vp[0]))


def previous_snapshot(current: str | None = None, releases: str | os.PathLike[str] = RELEASES) -> tuple[str, Path] | None:
    """The latest snapshot of a version earlier than ``current`` (default: this version)."""
    cur = _version_key(current or package_version())
    older = [vp for vp in release_snapshots(releases) if _version_key(vp[0]) < cur]
    return older[-1] if older else None


def _version_key(v: str) -> tuple[int, ...]:
    import re

    return tuple(int(x) for x in re.findall(r"\d+", v.split("+")[0])[:3])


def snapshot(results_dir: str | os.PathLike[str], releases: str | os.PathLike[str] = RELEASES) -> Path:
    """Copy ``results_dir/report/scorecard.csv`` to ``releases/scorecard-<version>.csv`` (run once
    per release, then commit the file): the next version's changelog page compares against it."""
    import shutil

    src = Path(results_dir) / "report" / "scorecard.csv"
    if not src.is_file():
        raise FileNotFoundError(f"{src} is missing: run `snakemake --cores 8` first")
    dst = Path(releases) / f"scorecard-{package_version()}.csv"
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.report.version [--snapshot] [--results DIR]``: print the build stamp as JSON,
    or snapshot the scorecard of this version for the changelog."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m analysis.report.version", description=main.__doc__)
    ap.add_argument("--results", default=str(ROOT / "results"), help="results folder (default: results/)")
    ap.add_argument("--snapshot", action="store_true", help="save report/_releases/scorecard-<version>.csv")
    args = ap.parse_args(argv)
    if args.snapshot:
        print(snapshot(args.results))
    else:
        print(json.dumps(build_info(args.results), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
