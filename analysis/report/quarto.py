"""Rendering the Quarto book (website + one Typst PDF) with a build stamp.

The render writes a generated Quarto profile ``_quarto-release.yml`` next to ``_quarto.yml`` (merged
over it by ``quarto render --profile release``): it names the PDF with the version, puts version,
commit and build date on the PDF's title page and in every HTML page footer together with the package
versions and devices recorded in the results' sidecars. The profile is removed after the render.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from analysis.report.version import build_info, environment_text, footer_text

__all__ = ["MIN_QUARTO", "PROFILE", "JUPYTER_MODULES", "quarto_python", "quarto_version", "release_profile",
           "render_book"]

# what Quarto needs in the interpreter that executes the pages' Python cells
JUPYTER_MODULES: tuple[str, ...] = ("jupyter_core", "jupyter_client", "nbformat", "nbclient", "ipykernel")

# Typst books (one PDF of the whole book) need Quarto 1.9 or later
MIN_QUARTO: tuple[int, int] = (1, 9)
PROFILE = "release"
_RENDER_DIR = "_render"  # Quarto's output folder during a render (inside the project), then moved


def quarto_version(quarto: str) -> tuple[int, ...]:
    """``quarto --version`` as a tuple of ints (``(1, 9, 18)``); RuntimeError if it cannot be run."""
    try:
        out = subprocess.run([quarto, "--version"], capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError) as e:
        raise RuntimeError(f"cannot run `{quarto} --version`: {e}") from None
    m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    if not m:
        raise RuntimeError(f"cannot parse the Quarto version from {out.strip()!r}")
    return tuple(int(g) for g in m.groups() if g is not None)


def quarto_python(environ: dict[str, str] | None = None, interpreter: str | None = None) -> str:
    """The Python that Quarto runs the pages with: ``$QUARTO_PYTHON`` when the user set it, else the
    interpreter running this workflow (``sys.executable``: the project's venv even when it is not
    activated, where Quarto alone would take the first ``python3`` on ``PATH``). RuntimeError, one
    line, when that interpreter cannot run Jupyter (the render would fail inside Quarto)."""
    env = os.environ if environ is None else environ
    python = env.get("QUARTO_PYTHON") or interpreter or sys.executable
    probe = "import importlib.util as u, sys; sys.exit(0 if all(u.find_spec(m) for m in sys.argv[1:]) else 1)"
    try:
        ok = subprocess.run([python, "-c", probe, *JUPYTER_MODULES], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    if not ok:
        source = "QUARTO_PYTHON" if env.get("QUARTO_PYTHON") else "the workflow's Python"
        raise RuntimeError(
            f"{python} ({source}) cannot run the report's pages: it lacks Jupyter ({', '.join(JUPYTER_MODULES)}); "
            "install the project with `pip install -r requirements.lock` into it, or set QUARTO_PYTHON to a "
            "Python that has them"
        )
    return python


def _typst_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def release_profile(info: dict[str, Any], pdf_stem: str) -> dict[str, Any]:
    """The Quarto profile merged over ``_quarto.yml`` for a render stamped with ``info``
    (:func:`analysis.report.version.build_info`)."""
    stamp = footer_text(info)
    env = environment_text(info)
    return {
        "project": {"output-dir": _RENDER_DIR},
        "book": {
            "output-file": f"{pdf_stem}-{info['version']}",
            "subtitle": f"Version {info['version']}",
            "date": info["build_date"].split()[0],
            "page-footer": {"left": stamp, "right": env},
        },
        "format": {
            "typst": {
                "include-in-header": [
                    "report/_report.typ",
                    {"text": f"#set page(footer: align(center, text(size: 7pt, {_typst_string(stamp)})))\n"},
                ],
            },
        },
    }


def write_vendor(root: str | os.PathLike[str]) -> Path:
    """Write the site's own Vega/Vega-Lite/vega-embed bundle (``report/_vendor/vega-bundle.js``,
    a resource of ``_quarto.yml``) so that every chart draws without a network."""
    from analysis.core.results import atomic_write
    from analysis.report.appendix import vega_bundle
    from analysis.report.reportkit import VEGA_BUNDLE

    js = vega_bundle()
    return atomic_write(Path(root) / VEGA_BUNDLE, lambda p: p.write_text(js))


def render_book(
    quarto: str,
    root: str | os.PathLike[str],
    results_dir: str | os.PathLike[str],
    site_dir: str | os.PathLike[str] = "_site",
    pdf_stem: str = "rope-bounds",
    log: logging.Logger | None = None,
) -> dict[str, Path]:
    """Render the book at ``root`` against ``results_dir``; the website and PDF end up in
    ``site_dir`` (relative to the working directory). Returns the paths of index.html and the PDF."""
    log = log or logging.getLogger("analysis")
    root = Path(root).resolve()
    ver = quarto_version(quarto)
    if ver[:2] < MIN_QUARTO:
        raise RuntimeError(
            f"Quarto {'.'.join(map(str, ver))} is too old: a Typst book (the PDF) needs Quarto >= "
            f"{'.'.join(map(str, MIN_QUARTO))}; install a newer one from https://quarto.org/docs/get-started/"
        )
    python = quarto_python()
    info = build_info(results_dir, root)
    write_vendor(root)
    profile_file = root / f"_quarto-{PROFILE}.yml"
    profile_file.write_text(
        "# generated by analysis.report.quarto.render_book for one render; removed afterwards\n"
        + yaml.safe_dump(release_profile(info, pdf_stem), sort_keys=False, allow_unicode=True)
    )
    env = dict(os.environ, ROPE_BOUNDS_RESULTS=str(Path(results_dir).resolve()), QUARTO_PYTHON=python)
    out_dir = root / _RENDER_DIR
    shutil.rmtree(out_dir, ignore_errors=True)
    cmd = [quarto, "render", str(root), "--profile", PROFILE]
    log.info("running %s with QUARTO_PYTHON=%s (results %s, build %s)", " ".join(cmd), python,
             env["ROPE_BOUNDS_RESULTS"], footer_text(info))
    try:
        proc = subprocess.run(cmd, cwd=root, env=env, stdout=sys.stderr, stderr=sys.stderr)
    finally:
        profile_file.unlink(missing_ok=True)
    if proc.returncode != 0:
        raise RuntimeError(f"quarto render failed (exit {proc.returncode}); see the log above")
    dest = Path(site_dir).resolve()
    if dest != out_dir:
        shutil.rmtree(dest, ignore_errors=True)
        shutil.move(str(out_dir), str(dest))
    paths = {"html": dest / "index.html", "pdf": dest / f"{pdf_stem}-{info['version']}.pdf"}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise RuntimeError(f"quarto render finished but did not write {missing}")
    return paths
