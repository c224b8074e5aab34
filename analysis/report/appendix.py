"""Report resources derived from the results and the caption source: the provenance appendix (every
result's full sidecar record, one anchored entry each), the captions of `snakemake --report`, and
the site's own copy of Vega/Vega-Lite/vega-embed (so charts draw without a network)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from analysis.core.config import load_yaml
from analysis.core.markdown import md_escape
from analysis.core.provenance import sidecar_path

__all__ = ["provenance_entries", "provenance_markdown", "provenance_compact", "caption_texts", "rst_caption", "vega_bundle", "anchor"]


def anchor(stage: str, target: str) -> str:
    """The id of a result's entry in the appendix (the same as reportkit's caption links)."""
    return "prov-" + re.sub(r"[^a-z0-9]+", "-", f"{stage}-{target}".lower()).strip("-")


def _value(v: Any) -> str:
    text = json.dumps(v, sort_keys=True) if not isinstance(v, str) else v
    return text if len(text) <= 80 else text[:77] + "..."


def provenance_entries(results: Iterable[str | os.PathLike[str]], results_dir: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """One record per result file that has a sidecar: stage, file (relative to its stage folder),
    rule, script, function, computed_by (the function that computed the numbers a display table
    shows, when another function formatted them), inputs, settings read, commit, device, time."""
    root = Path(results_dir)
    out = []
    for r in sorted({str(p) for p in results}):
        side = sidecar_path(r)
        if not side.is_file():
            continue
        rec = json.loads(side.read_text())
        rel = Path(r).resolve().relative_to(root.resolve())
        stage, target = rel.parts[0], "/".join(rel.parts[1:])
        git = rec.get("git") or {}
        dev = rec.get("device") or {}
        out.append({
            "stage": stage, "file": target, "rule": rec.get("rule"), "script": rec.get("script"),
            "function": rec.get("function"), "computed_by": (rec.get("computed_by") or {}).get("function"),
            "inputs": sorted(p["path"] for ps in (rec.get("inputs") or {}).values() for p in ps),
            "settings": rec.get("settings") or rec.get("config") or {},
            "commit": (git.get("commit") or "")[:12] or None, "dirty": git.get("dirty"),
            "device": dev.get("used") or dev.get("name") or dev.get("type"),
            "created_utc": rec.get("created_utc"),
        })
    return out


def provenance_markdown(entries: list[dict[str, Any]]) -> str:
    """The appendix body: per stage a heading, per result one anchored paragraph with its record."""
    if not entries:
        return "No result has a provenance record yet.\n"
    parts = []
    for stage in dict.fromkeys(e["stage"] for e in entries):
        parts.append(f"## {stage.replace('_', ' ').capitalize()} {{.unnumbered}}\n")
        for e in (x for x in entries if x["stage"] == stage):
            settings = "; ".join(f"{md_escape(k)} = {md_escape(_value(v))}" for k, v in sorted(e["settings"].items())) or "none"
            inputs = ", ".join(md_escape(p) for p in e["inputs"]) or "none"
            commit = e["commit"] or "unknown" + (" (uncommitted changes)" if e["dirty"] else "")
            by = e.get("computed_by")
            computed = f", numbers computed by {md_escape(by)}" if by and by != e["function"] else ""
            parts.append(
                f"[]{{#{anchor(stage, e['file'])}}}**{md_escape(e['file'])}**: rule {md_escape(e['rule'] or 'unknown')}, "
                f"script {md_escape(e['script'] or 'unknown')}, function {md_escape(e['function'] or 'unknown')}{computed}. "
                f"Settings read: {settings}. Inputs: {inputs}. Commit {md_escape(commit)}, device "
                f"{md_escape(str(e['device'] or 'unknown'))}, written {md_escape(str(e['created_utc']))}.\n"
            )
    return "\n".join(parts)


def provenance_compact(entries: list[dict[str, Any]]) -> str:
    """The appendix as the PDF prints it: one table row per result (file, the function that computed
    it, its rule); the full records stay on the website and in the sidecars."""
    import pandas as pd

    from analysis.report.reportkit import pipe_table

    if not entries:
        return "No result has a provenance record yet.\n"
    def breakable(s: str) -> str:  # long dotted names and paths may break after . / _ (zero-width spaces)
        return re.sub(r"([./_])", "\\1\u200b", s)

    df = pd.DataFrame([{"result": breakable(f"{e['stage']}/{e['file']}"),
                        "computed by": breakable(e.get("computed_by") or e["function"] or "unknown"),
                        "rule": breakable(e["rule"] or "unknown")}
                       for e in entries])
    return pipe_table(df, widths=[38, 44, 18], align="lll")


def caption_texts(path: str | os.PathLike[str]) -> dict[str, str]:
    """The captions of one stage (``report/captions/<stage>.yaml``: ``name: text``)."""
    data = load_yaml(path) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: captions must be a mapping name -> text")
    return {str(k): " ".join(str(v).split()) for k, v in data.items()}


def rst_caption(text: str) -> str:
    """A caption as reStructuredText for `snakemake --report`: inline math ``$x$`` becomes
    ``:math:`x```; the rest is plain text."""
    return re.sub(r"\$([^$]+)\$", lambda m: f":math:`{m.group(1)}`", text) + "\n"


def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one script that sets ``window.vegaEmbed`` (vl-convert's
    bundle of the versions it renders the static figures with)."""
    import vl_convert as vlc

    return vlc.javascript_bundle()


def write_rst_captions(sources: Iterable[str | os.PathLike[str]], folder: str | os.PathLike[str]) -> list[Path]:
    """Write ``folder/<stage>/<name>.rst`` for every caption of every ``sources`` YAML file
    (atomically, each file); returns the paths written."""
    from analysis.core.results import atomic_write

    written = []
    for src in sources:
        for name, text in caption_texts(src).items():
            rst = rst_caption(text)
            written.append(atomic_write(Path(folder) / Path(src).stem / f"{name}.rst", lambda p, s=rst: p.write_text(s)))
    return written


def build_appendix(results_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The appendix of every result under ``results_dir`` with a sidecar (the report stage's own
    files left out): ``appendix``, its full Markdown (website), ``compact``, its compact Markdown (PDF:
    one row per result), and ``table``, the same records as a table."""
    import pandas as pd

    root = Path(results_dir)
    files = [p.with_name(p.name.removesuffix(".provenance.json")) for p in root.glob("*/**/*.provenance.json")
             if p.relative_to(root).parts[0] != "report"]
    entries = provenance_entries(files, root)
    table = pd.DataFrame([{**e, "inputs": ";".join(e["inputs"]), "settings": json.dumps(e["settings"], sort_keys=True)}
                          for e in entries])
    return {"appendix": provenance_markdown(entries), "compact": provenance_compact(entries), "table": table}
