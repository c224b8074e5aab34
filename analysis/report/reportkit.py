"""Helpers for the report pages (report/*.qmd). Pages only *read* results; nothing is recomputed.

The results folder is ``$ROPE_BOUNDS_RESULTS`` when set (tests and the render rule point it at a
run's results), else ``results`` under the project root.

Output format: Quarto (>= 1.8) names the file with the execution context in ``$QUARTO_EXECUTE_INFO``;
its ``format.identifier["base-format"]`` is ``html`` for the website and ``typst`` for the PDF, so
:func:`figure` gives the interactive Altair chart in HTML and the static PNG (same Vega-Lite spec)
in the PDF.

Provenance in captions: a caption written as the last paragraph of a float div can hold inline
code, so a figure or table names the rule, analysis function and config keys that made it::

    ::: {#fig-goldilocks}
    ```{python}
    rk.figure("bounds", "goldilocks")
    ```
    Goldilocks zone for d = 128. `{python} rk.provenance_note("bounds", "goldilocks")`
    :::
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.config import ROOT
from analysis.core.provenance import sidecar_path

__all__ = [
    "results_dir", "path", "table", "json_result", "provenance", "chart", "figure", "output_format",
    "is_html", "static_figure", "display_width", "fmt", "sci", "provenance_info", "provenance_note", "scorecard",
    "markdown_table", "build_stamp", "footer", "quarto_pages",
]

# Quarto output formats that show interactive (JavaScript) charts; every other format gets the PNG
HTML_FORMATS: frozenset[str] = frozenset({"html", "revealjs", "dashboard"})
# analysis modules that only move data around: not named as "the analysis function" of a result
_PLUMBING = frozenset({"results", "logs", "figures", "provenance", "config", "errors", "reportkit", "version"})


def results_dir() -> Path:
    env = os.environ.get("ROPE_BOUNDS_RESULTS")
    return Path(env) if env else ROOT / "results"


def path(stage: str, name: str) -> Path:
    """Path of a result file; a missing one raises FileNotFoundError naming the rule's stage."""
    p = results_dir() / stage / name
    if not p.exists():
        raise FileNotFoundError(f"{p} is missing: run `snakemake --cores 8` (stage {stage!r}) first")
    return p


def table(stage: str, name: str) -> pd.DataFrame:
    p = path(stage, name)
    return pd.read_parquet(p) if p.suffix == ".parquet" else pd.read_csv(p)


def json_result(stage: str, name: str) -> Any:
    return json.loads(path(stage, name).read_text())


def provenance(stage: str, name: str) -> dict[str, Any]:
    return json.loads(sidecar_path(path(stage, name)).read_text())


def chart(stage: str, name: str) -> Any:
    """The figure ``name`` of ``stage`` as an interactive Altair chart (from its Vega-Lite JSON)."""
    import altair as alt

    spec = json.loads(path(stage, f"figures/{name}.vl.json").read_text())
    # the top-level class of the spec (a layered or concatenated chart is not an alt.Chart)
    kinds = {"layer": alt.LayerChart, "hconcat": alt.HConcatChart, "vconcat": alt.VConcatChart,
             "concat": alt.ConcatChart, "facet": alt.FacetChart, "repeat": alt.RepeatChart}
    cls = next((c for k, c in kinds.items() if k in spec), alt.Chart)
    return cls.from_dict(spec, validate=False)


def static_figure(stage: str, name: str) -> Path:
    """Path of the static PNG rendering of a figure (for the PDF)."""
    return path(stage, f"figures/{name}.png")


def output_format() -> str:
    """Quarto's target format of the page being rendered (``html``, ``typst``, ...); ``html``
    outside Quarto (Jupyter). Quarto writes it to the file named by ``$QUARTO_EXECUTE_INFO``."""
    info = os.environ.get("QUARTO_EXECUTE_INFO")
    if info and Path(info).is_file():
        try:
            fmt_id = json.loads(Path(info).read_text())["format"]["identifier"]
            return str(fmt_id.get("base-format") or fmt_id.get("target-format") or "html")
        except (KeyError, ValueError, TypeError):
            return "html"
    return "html"


def is_html() -> bool:
    """Whether the page is being rendered to an HTML format (or run outside Quarto)."""
    return output_format() in HTML_FORMATS


def figure(stage: str, name: str) -> Any:
    """A figure for the current output: the interactive Altair chart in HTML, the static PNG
    rendering (same Vega-Lite spec, via vl-convert) in every other format (the Typst PDF)."""
    if is_html():
        return chart(stage, name)
    from IPython.display import Image

    return Image(filename=str(static_figure(stage, name)), width=display_width(stage, name))


# widest figure in the PDF, CSS px (96 per inch): the text width of an A4 page with Typst's margins
MAX_STATIC_WIDTH_PX = 600


def display_width(stage: str, name: str) -> int:
    """Width (CSS px) to show a figure's PNG at: the chart's own width from its SVG rendering (the
    PNG is drawn at a higher scale for sharpness), at most :data:`MAX_STATIC_WIDTH_PX`."""
    head = path(stage, f"figures/{name}.svg").read_text()[:2000]
    m = re.search(r'<svg[^>]*\swidth="([\d.]+)', head)
    width = float(m.group(1)) if m else MAX_STATIC_WIDTH_PX
    return int(min(width, MAX_STATIC_WIDTH_PX))


def sci(x: float, digits: int = 3) -> str:
    """``x`` in scientific notation with ``digits`` significant digits: ``6.28e+04`` -> ``6.28e4``."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return str(x)
    m, e = f"{x:.{digits - 1}e}".split("e")
    return f"{m}e{int(e)}"


def fmt(x: float, digits: int = 3) -> str:
    """Readable number: thousands separators below 1e7, scientific notation above."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return str(x)
    if abs(x) >= 1e7 or (0 < abs(x) < 1e-3):
        return sci(x, digits)
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.{max(digits - 1, 0)}f}"


# --------------------------------------------------------------------------------------------
# provenance of a figure or table: which rule, analysis function and config keys made it

def _rule_blocks(smk_text: str) -> list[tuple[str, str]]:
    """``(rule name, rule body)`` of every rule of a .smk file, rules nested in an ``if`` included."""
    lines = smk_text.splitlines(keepends=True)
    out = []
    for i, line in enumerate(lines):
        m = re.match(r"^([ \t]*)(?:rule|checkpoint)\s+(\w+)\s*:", line)
        if not m:
            continue
        indent = len(m.group(1).expandtabs())
        body = [line]
        for nxt in lines[i + 1 :]:
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent and not nxt.lstrip().startswith("#"):
                break  # first line indented no deeper than the rule: the rule's block has ended
            body.append(nxt)
        out.append((m.group(2), "".join(body)))
    return out


def _section(body: str, key: str) -> str:
    """The ``key:`` section (``output``, ``input``, ...) of a rule body; empty if it has none."""
    m = re.search(rf"^([ \t]+){key}\s*:[^\n]*\n?", body, re.M)
    if not m:
        return ""
    indent = len(m.group(1))
    rest = body[m.start():].splitlines(keepends=True)
    sec = [rest[0]]
    for line in rest[1:]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        sec.append(line)
    return "".join(sec)


def _constants_naming(smk_text: str, stem: str) -> list[str]:
    """Top-level constants of a .smk file whose value names ``stem`` (``PRECISION_FIGURES = [...]``)."""
    names = []
    for m in re.finditer(r"^([A-Z][A-Z0-9_]*)\s*=\s*(.*?)(?=^\S)", smk_text + "\nX", re.M | re.S):
        if re.search(rf"[\"']{re.escape(stem)}[\"']", m.group(2)):
            names.append(m.group(1))
    return names


def _module_functions(mod: str, names: list[str], stem: str | None) -> list[str]:
    """``analysis.<mod>.<name>`` for each name; an upper-case registry (``CHARTS = {"name": ...}``)
    is resolved to the functions its entry for ``stem`` names."""
    out = []
    src_path = ROOT / "analysis" / f"{mod}.py"
    src = src_path.read_text() if src_path.is_file() else ""
    defined = set(re.findall(r"^def\s+(\w+)", src, re.M))
    for n in names:
        if n.isupper() and stem:
            m = re.search(rf"[\"']{re.escape(stem)}[\"']\s*:\s*([^\n]*)", src)
            hits = [f for f in re.findall(r"\b([A-Za-z_]\w*)\b", m.group(1)) if f in defined] if m else []
            out += [f"analysis.{mod}.{f}" for f in hits]
        elif not n.isupper():  # a constant (``TABLES``) is not a function
            out.append(f"analysis.{mod}.{n}")
    return out


def _script_functions(script: Path, stem: str | None = None, figure: bool = False, output_key: str | None = None) -> list[str]:
    """``analysis.<module>.<function>`` used by a rule's script (plumbing modules left out): names
    imported ``from analysis.<module> import f`` and calls ``alias.f(`` of modules imported ``from
    analysis import <module> [as alias]``. For a figure, only the chart function(s) of that figure
    when they can be told apart (a ``"<stem>": alias.f(`` entry, a call on the line that writes the
    rule's named output ``output_key``, a name containing the stem, or the chart modules' functions)."""
    if not script.is_file():
        return []
    text = script.read_text()
    funcs: list[str] = []
    for mod, names in re.findall(r"^from\s+analysis\.(\w+)\s+import\s+(\([^)]*\)|[^\n]+)", text, re.M):
        if mod in _PLUMBING:
            continue
        ns = [n.split(" as ")[0].strip() for n in re.sub(r"#[^\n]*", "", names).strip("()").split(",")]
        funcs += _module_functions(mod, [n for n in ns if n], stem if figure else None)
    aliases: dict[str, str] = {}
    for names in re.findall(r"^from\s+analysis\s+import\s+(\([^)]*\)|[^\n]+)", text, re.M):
        for n in re.sub(r"#[^\n]*", "", names).strip("()").split(","):
            parts = n.split(" as ")
            if parts[0].strip():
                aliases[(parts[1] if len(parts) > 1 else parts[0]).strip()] = parts[0].strip()
    for mod, alias in re.findall(r"^import\s+analysis\.(\w+)\s+as\s+(\w+)", text, re.M):
        aliases[alias] = mod
    for alias, mod in aliases.items():
        if mod in _PLUMBING:
            continue
        for f in re.findall(rf"(?<![\w.]){re.escape(alias)}\.([A-Za-z_]\w*)\s*\(", text):
            funcs.append(f"analysis.{mod}.{f}")
    funcs = list(dict.fromkeys(funcs))
    if figure and stem:
        keyed = [f"analysis.{aliases[a]}.{f}" for a, f in
                 re.findall(rf"[\"']{re.escape(stem)}[\"']\s*:\s*(\w+)\.(\w+)\s*\(", text) if a in aliases]
        if output_key:
            for line in text.splitlines():
                if re.search(rf"\.{re.escape(output_key)}\b|\[[\"']{re.escape(output_key)}[\"']\]", line):
                    keyed += [f"analysis.{aliases[a]}.{f}" for a, f in re.findall(r"(?<![\w.])(\w+)\.(\w+)\s*\(", line)
                              if a in aliases and aliases[a] not in _PLUMBING]
        named = [f for f in funcs if stem.lower() in f.rsplit(".", 1)[1].lower()]
        charts = [f for f in funcs if f.split(".")[1].startswith("charts")]
        for pick in (keyed, [f for f in named if f in charts], named, charts):
            if pick:
                return list(dict.fromkeys(pick))
    return funcs


def _find_rule(smk_text: str, stem: str, figure: bool, rule: str | None) -> tuple[str | None, str | None]:
    """``(rule, body)`` of the rule whose output names ``stem`` (directly or through a constant such
    as ``PRECISION_FIGURES``); for a figure a rule writing figures is preferred over one writing a
    table of the same stem."""
    consts = _constants_naming(smk_text, stem)
    cands = []
    for rname, body in _rule_blocks(smk_text):
        if rule is not None and rname != rule:
            continue
        out = _section(body, "output") or body
        if re.search(rf"[\"'/]{re.escape(stem)}[\"'.]", out) or any(re.search(rf"\b{c}\b", out) for c in consts):
            cands.append((rname, body, out))
    if figure:
        cands.sort(key=lambda c: not re.search(r"figures|\bfig\(|_fig\(", c[2]))  # stable: figure-writing rules first
    return (cands[0][0], cands[0][1]) if cands else (rule, None)


def provenance_info(stage: str, name: str) -> dict[str, Any]:
    """Where a result came from: the rule that writes ``results/<stage>/<name>`` (found in
    ``workflow/rules/<stage>.smk``), its script, the analysis functions the script calls, the config
    keys of the stage (from the result's sidecar), the commit and device recorded in the sidecar.

    ``name`` is a file name (``phase_bounds.parquet``, ``synthetic/prop32.csv``) or a figure name
    (``goldilocks``, or ``figures/goldilocks``). Fields a sidecar states explicitly (``rule``,
    ``function``, ``config_keys``) win over what is inferred.
    """
    if name.startswith("figures/"):
        name = name[len("figures/"):].removesuffix(".vl.json")
    fig_vl = f"figures/{name}.vl.json"
    figure = (results_dir() / stage / fig_vl).exists() and not (results_dir() / stage / name).exists()
    target = fig_vl if figure else name
    rec = provenance(stage, target)
    smk = ROOT / "workflow" / "rules" / f"{stage}.smk"
    rule = rec.get("rule")
    script: Path | None = None
    stem = name.split("/")[-1]
    if smk.is_file():
        rule, body = _find_rule(smk.read_text(), stem, figure, rule)
        m = re.search(r"script:\s*\n?\s*[\"']([^\"']+)[\"']", body or "")
        if m:
            script = (smk.parent / m.group(1)).resolve()
        keys = re.findall(rf"^\s*(\w+)\s*=([^\n]*[\"'/]{re.escape(stem)}[\"'.][^\n]*)", _section(body or "", "output"), re.M)
        if figure:  # the named output holding the figure, not its data table
            keys.sort(key=lambda kv: "fig" not in kv[1])
        output_key = keys[0][0] if keys else None
    else:
        output_key = None
    functions = rec.get("function") or (_script_functions(script, stem, figure, output_key) if script else [])
    if isinstance(functions, str):
        functions = [functions]
    keys = rec.get("config_keys") or [f"{stage}.{k}" for k in sorted((rec.get("config") or {}).keys())]
    git = rec.get("git") or {}
    dev = rec.get("device") or {}
    return {
        "stage": stage,
        "result": target,
        "rule": rule,
        "rule_file": str(smk.relative_to(ROOT)) if smk.is_file() else None,
        "script": str(script.relative_to(ROOT)) if script and script.is_relative_to(ROOT) else None,
        "functions": list(functions),
        "config_keys": list(keys),
        "commit": (git.get("commit") or "")[:7] or None,
        "device": dev.get("name") or dev.get("type"),
        "created_utc": rec.get("created_utc"),
    }


def _page_prefix() -> str:
    """Relative path from the page being rendered to the project root (``../`` for report/*.qmd)."""
    info = os.environ.get("QUARTO_EXECUTE_INFO")
    doc: Path | None = None
    if info and Path(info).is_file():
        try:
            doc = Path(json.loads(Path(info).read_text())["document-path"])
        except (KeyError, ValueError, TypeError):
            doc = None
    if doc is None:
        return "../"
    try:
        depth = len(doc.resolve().parent.relative_to(ROOT).parts)
    except ValueError:
        return "../"
    return "../" * depth


def provenance_note(stage: str, name: str) -> str:
    """One Markdown line for a caption: the rule (linked to its .smk), the analysis function(s) and
    the config keys that made ``results/<stage>/<name>`` (or the figure ``name``), and the commit and
    device recorded when it was computed. Use it as inline code in a figure/table caption."""
    p = provenance_info(stage, name)
    pre = _page_prefix()
    rule = f"rule [`{p['rule']}`]({pre}{p['rule_file']})" if p["rule"] and p["rule_file"] else "rule unknown"
    funcs = ", ".join(f"`{f}`" for f in p["functions"]) or "no analysis function recorded"
    keys = ", ".join(f"`{k}`" for k in p["config_keys"]) or "no config keys"
    where = f"commit `{p['commit']}`" if p["commit"] else "commit unknown"
    return f"Made by {rule} with {funcs}; config {keys}; {where} on {p['device'] or 'unknown device'}."


# --------------------------------------------------------------------------------------------
# scorecard and build stamp

def scorecard() -> pd.DataFrame:
    """The reproduction scorecard: every stage's published-vs-ours rows (results/report/)."""
    return table("report", "scorecard.parquet")


def markdown_table(df: pd.DataFrame, **kwargs: Any) -> Any:
    """``df`` as a Markdown table (renders the same in HTML and the Typst PDF)."""
    from IPython.display import Markdown

    return Markdown(df.to_markdown(index=False, **kwargs))


def build_stamp() -> dict[str, Any]:
    """Version, commit, build date and recorded environment of this rendering (analysis.report.version)."""
    from analysis.report.version import build_info

    return build_info(results_dir())


def footer() -> str:
    """Two lines: version/commit/build date, then package versions and devices from the sidecars."""
    from analysis.report.version import environment_text, footer_text

    info = build_stamp()
    return f"{footer_text(info)}  \n{environment_text(info)}"


# --------------------------------------------------------------------------------------------
# the book's page list (_quarto.yml), shared by the workflow (render inputs) and the tests

def quarto_pages(root: str | os.PathLike[str] = ROOT) -> list[str]:
    """Every page of the report in reading order, as listed in ``_quarto.yml`` (``book.chapters``,
    parts and appendices included), paths relative to the project root."""
    from analysis.core.config import load_yaml

    cfg = load_yaml(Path(root) / "_quarto.yml") or {}
    book = cfg.get("book") or {}
    out: list[str] = []

    def walk(items: Any) -> None:
        for it in items or []:
            if isinstance(it, str):
                out.append(it)
            elif isinstance(it, dict):
                if it.get("href"):
                    out.append(str(it["href"]))
                elif it.get("part") and str(it["part"]).endswith((".qmd", ".md")):
                    out.append(str(it["part"]))
                walk(it.get("chapters"))

    walk(book.get("chapters"))
    walk(book.get("appendices"))
    return out


# --------------------------------------------------------------------------------------------
# the stage contract's page side: findings, captions and provenance notes (workflow/README.md)

def _findings(stage: str) -> dict[str, Any]:
    return json.loads(path(stage, "findings.json").read_text())


def f(stage: str, name: str) -> Any:
    """Finding ``name`` of ``stage`` as the page shows it: plain text, or an
    ``IPython.display.Markdown`` object when the finding holds Markdown or math."""
    items = _findings(stage)
    if name not in items:
        raise KeyError(f"results/{stage}/findings.json has no finding {name!r}")
    item = items[name]
    if item.get("markdown"):
        from IPython.display import Markdown

        return Markdown(item["text"])
    return item["text"]


def v(stage: str, name: str) -> Any:
    """The raw value of finding ``name`` (for a cell that passes it on, never to branch on)."""
    return _findings(stage)[name]["value"]


def caption_text(stage: str, name: str) -> str:
    """Caption ``name`` of ``stage`` from its one source, report/captions/<stage>.yaml."""
    from analysis.core.config import load_yaml

    src = ROOT / "report" / "captions" / f"{stage}.yaml"
    caps = load_yaml(src) or {}
    if name not in caps:
        raise KeyError(f"{src.relative_to(ROOT)} has no caption {name!r}")
    return str(caps[name]).strip()


def _result_of(stage: str, name: str) -> str:
    """The result file a caption's note describes: a figure's Vega-Lite JSON, else the file."""
    fig_vl = f"figures/{name}.vl.json"
    return fig_vl if (results_dir() / stage / fig_vl).exists() else name


def note(stage: str, name: str) -> Any:
    """One short provenance line from the sidecar written with the result: rule -> function,
    data file, commit. Markdown (links in HTML, plain text in the PDF)."""
    from IPython.display import Markdown

    target = _result_of(stage, name)
    rec = provenance(stage, target)
    rule = rec.get("rule") or "unknown rule"
    fn = rec.get("function") or "unknown function"
    commit = ((rec.get("git") or {}).get("commit") or "")[:7] or "uncommitted"
    pre = _page_prefix()
    smk = f"{pre}workflow/rules/{stage}.smk"
    data = f"{pre}results/{stage}/{target}"
    return Markdown(f"Made by [{rule}]({smk}) → {fn.replace('_', chr(92) + '_')}; "
                    f"data [{Path(target).name.replace('_', chr(92) + '_')}]({data}); commit {commit} "
                    f"([provenance]({pre}report/provenance.qmd#{_prov_anchor(stage, target)})).")


def _prov_anchor(stage: str, target: str) -> str:
    return "prov-" + re.sub(r"[^a-z0-9]+", "-", f"{stage}-{target}".lower()).strip("-")


def caption(stage: str, name: str) -> Any:
    """A figure's or table's caption (report/captions/<stage>.yaml) followed by its provenance note,
    as one Markdown object for the last paragraph of a cross-reference div."""
    from IPython.display import Markdown

    return Markdown(f"{caption_text(stage, name)} {note(stage, name).data}")
