"""Helpers for the report pages (report/*.qmd). Pages only *display* results: every number and
data-dependent phrase is a finding (``rk.f``), every table a display table written by a rule, every
figure a saved chart (``rk.figure``); nothing is computed, filtered or chosen here.

The results folder is ``$ROPE_BOUNDS_RESULTS`` when set (tests and the render rule point it at a
run's results), else ``results`` under the project root.

Output format: Quarto (>= 1.8) names the file with the execution context in ``$QUARTO_EXECUTE_INFO``;
its ``format.identifier["base-format"]`` is ``html`` for the website and ``typst`` for the PDF, so
:func:`figure` gives the interactive chart (drawn by the site's own Vega bundle, offline) in HTML and
the static PNG (same Vega-Lite spec) in the PDF.

Inline values: Quarto inserts an inline ``{python}`` value as plain text unless it is an
``IPython.display.Markdown`` object. :func:`f` returns plain text for plain findings and Markdown for
findings marked ``markdown=True``; :func:`caption` and :func:`note` return Markdown::

    ::: {#fig-goldilocks}
    ```{python}
    rk.figure("bounds", "goldilocks")
    ```
    `{python} rk.caption("bounds", "goldilocks")`
    :::
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.config import ROOT
from analysis.core.markdown import md_cell, md_escape
from analysis.core.provenance import sidecar_path

__all__ = [
    "results_dir", "path", "table", "json_result", "provenance", "figure", "chart_html", "output_format",
    "is_html", "static_figure", "display_width", "f", "v", "caption", "caption_text", "note",
    "markdown_table", "markdown_file", "code_block", "raw_html", "html_of", "script_html", "calculator", "table_view", "build_stamp",
    "footer", "quarto_pages", "chapter_titles", "VEGA_BUNDLE",
]

# Quarto output formats that show interactive (JavaScript) charts; every other format gets the PNG
HTML_FORMATS: frozenset[str] = frozenset({"html", "revealjs", "dashboard"})


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


# the Vega, Vega-Lite and vega-embed bundle every chart of the site loads from the site itself
# (written by rule report_vendor from vl-convert's bundle; listed in _quarto.yml's resources)
VEGA_BUNDLE = "report/_vendor/vega-bundle.js"


def chart_html(spec: dict[str, Any], div_id: str, bundle_src: str) -> str:
    """HTML that draws the Vega-Lite ``spec`` into ``<div id=div_id>`` with the local bundle
    ``bundle_src`` (no CDN: the page draws offline, from ``file://`` or a local server). The bundle is
    loaded by the first chart of a page only: loaded twice, its top-level declarations collide
    ("Identifier has already been declared")."""
    spec_json = json.dumps(spec, sort_keys=True).replace("</", "<\\/")
    return (
        f'<div id="{div_id}" class="rope-chart"></div>\n'
        f'<script>typeof vegaEmbed !== "undefined" || document.write(\'<script src="{bundle_src}"><\\/script>\');</script>\n'
        f'<script>(function () {{ const spec = {spec_json};\n'
        f'  vegaEmbed("#{div_id}", spec, {{"actions": false, "renderer": "svg"}})'
        f'.catch(function (e) {{ document.getElementById("{div_id}").textContent = "chart failed: " + e; }});\n'
        f'}})();</script>'
    )


RAW_HTML_FENCE = "```{=html}"


def raw_html(html: str) -> Any:
    """``html`` for the website as a Markdown raw-HTML block. (A cell's ``text/html`` output would
    make Quarto add require.js and jQuery from a CDN to the page, for Jupyter widgets it does not have:
    the page would then ask the network for scripts and fail offline.)"""
    from IPython.display import Markdown

    return Markdown(f"{RAW_HTML_FENCE}\n{html}\n```\n")


def html_of(shown: Any) -> str:
    """The HTML inside :func:`raw_html`'s block (for tests and tools that build pages themselves)."""
    text = str(getattr(shown, "data", shown))
    return text.removeprefix(RAW_HTML_FENCE + "\n").removesuffix("\n```\n")


def figure(stage: str, name: str) -> Any:
    """A figure for the current output: the interactive chart in HTML (drawn by the site's own
    Vega bundle, no network), the static PNG rendering (same Vega-Lite spec) in the PDF."""
    from IPython.display import Image

    if is_html():
        spec = json.loads(path(stage, f"figures/{name}.vl.json").read_text())
        div_id = "chart-" + re.sub(r"[^a-z0-9]+", "-", f"{stage}-{name}".lower()).strip("-")
        return raw_html(chart_html(spec, div_id, _page_prefix() + VEGA_BUNDLE))
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


# --------------------------------------------------------------------------------------------
# scorecard and build stamp

def markdown_table(df: pd.DataFrame, widths: list[float] | None = None, align: str | None = None) -> Any:
    """A display table (text cells, formatted by the analysis) as a Markdown pipe table, no index.

    The separator's dashes set the relative column widths (``widths``, default: from the longest
    cell of each column, capped), and the separator line is made longer than Pandoc's 72 columns so
    that Quarto wraps cell text to the page width (HTML and PDF) instead of running off the edge.
    ``align``: one of ``l``/``r``/``c`` per column (default: right for columns whose cells all look
    numeric, else left). A text column of short labels (every cell at most ``SHORT_LABEL``
    characters) keeps each label on one line in HTML."""
    from IPython.display import Markdown

    return Markdown(pipe_table(df, widths, align))


_NUM = r"[−\-+]?[\d,.]+(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?%?"
# a number, or a number with its spread or range (``6.39 ± 0.032``, ``1.68 – 1.78``, ``−0.001 to +0.024``):
# right-aligned and never wrapped in HTML
_NUMERIC = re.compile(rf"^{_NUM}(?:\s*(?:±|–|to)\s*{_NUM})?$|^–$")


# the longest cell (characters) of a text column whose cells stay on one line in HTML. report/table.js
# keeps 24 for its searchable tables (no long-text columns there); at 24 here a scorecard's verdict
# column ("not reproducible offline") stays whole and squeezes its claim, criterion and reason columns
SHORT_LABEL = 20


def _unbreakable(text: str) -> int:
    """The longest word of ``text``: a header wraps between its words, never inside one."""
    return max((len(w) for w in text.split()), default=0)


def pipe_table(df: pd.DataFrame, widths: list[float] | None = None, align: str | None = None) -> str:
    """The Markdown text of :func:`markdown_table`."""
    cols = [str(c) for c in df.columns]
    rows = [["" if pd.isna(x) else str(x) for x in r] for r in df.itertuples(index=False, name=None)]

    esc = md_cell  # the one escaping layer: display tables hold plain text

    if align is None:
        align = "".join("r" if rows and all(_NUMERIC.match(r[i]) for r in rows) else "l" for i in range(len(cols)))
    if widths is None:  # the PDF's relative widths: what a column cannot wrap, plus the cells' padding
        widths = [2 + max(_unbreakable(c), *(len(r[i]) if a == "r" else min(len(r[i]), 40) for r in rows), 0)
                  for i, (c, a) in enumerate(zip(cols, align))]
    total = sum(widths) or 1
    dashes = [max(3, round(100 * w / total)) for w in widths]
    seps = []
    for d, a in zip(dashes, align):
        seps.append({"l": ":" + "-" * d, "r": "-" * d + ":", "c": ":" + "-" * d + ":"}[a])
    # a text column of short labels ("RoPE base 10k", "0.75-RoPE") keeps each label on one line in
    # HTML (a span styled by report/_report.css; the PDF ignores it): a wide table scrolls, its
    # labels stay whole
    label = [a == "l" and bool(rows) and all(len(r[i]) <= SHORT_LABEL for r in rows) for i, a in enumerate(align)]

    def cell(x: str, i: int) -> str:
        return f"[{esc(x)}]{{.rope-label}}" if label[i] and x.strip() else esc(x)

    lines = ["| " + " | ".join(esc(c) for c in cols) + " |", "|" + "|".join(seps) + "|"]
    lines += ["| " + " | ".join(cell(x, i) for i, x in enumerate(r)) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def script_html(js_file: str, div_id: str, call: str, data: Any) -> str:
    """HTML that runs the project's script ``report/<js_file>`` (inlined as a classic script) on
    ``<div id=div_id>`` with ``data`` inlined as JSON: ``call`` is the JavaScript expression to run,
    with ``el`` and ``data`` in scope. Classic inline scripts run from ``file://`` with the network
    off (Quarto's OJS runtime is an ES module, which Chromium refuses from ``file://``, and its
    ``Inputs``/``Plot`` load from a CDN)."""
    js = (ROOT / "report" / js_file).read_text().replace("</script", "<\\/script")
    payload = json.dumps(data, ensure_ascii=False, allow_nan=False).replace("</", "<\\/")
    return (f'<div id="{div_id}" class="rope-widget"></div>\n<script>{js}</script>\n'
            f'<script>(function () {{ const el = document.getElementById("{div_id}"); const data = {payload};\n'
            f'  {call};\n}})();</script>')


def calculator(stage: str, name: str) -> Any:
    """The "Choose a base" calculator (report/calculator.js) on the data file ``name`` of ``stage``
    in HTML; in the PDF a line pointing to the website."""
    from IPython.display import Markdown

    if not is_html():
        return Markdown("*The interactive calculator is part of the website version of this report.*")
    return raw_html(script_html("calculator.js", f"calc-{stage}", "RopeCalc.mount(el, data)", json_result(stage, name)))


def table_view(stage: str, name: str) -> Any:
    """A display table: searchable and sortable in HTML (report/table.js), the static Markdown
    table (:func:`markdown_table`) in the PDF."""
    df = table(stage, name)
    if not is_html():
        return markdown_table(df)
    data = {"columns": [str(c) for c in df.columns],
            "rows": [["" if pd.isna(x) else str(x) for x in r] for r in df.itertuples(index=False, name=None)]}
    div = "table-" + re.sub(r"[^a-z0-9]+", "-", f"{stage}-{name}".lower()).strip("-")
    return raw_html(script_html("table.js", div, "RopeTable.mount(el, data.columns, data.rows)", data))


def code_block(text: str, language: str = "") -> Any:
    """``text`` shown verbatim as a fenced code block (e.g. a BibTeX entry to copy)."""
    from IPython.display import Markdown

    fence = "````" if "```" in text else "```"
    return Markdown(f"{fence}{language}\n{text.rstrip()}\n{fence}\n")


def markdown_file(stage: str, name: str) -> Any:
    """A Markdown result written by a rule (e.g. the scorecard's tables), shown as Markdown."""
    from IPython.display import Markdown

    return Markdown(path(stage, name).read_text())


def build_stamp() -> dict[str, Any]:
    """Version, commit, build date and recorded environment of this rendering (analysis.report.version)."""
    from analysis.report.version import build_info

    return build_info(results_dir())


def footer() -> Any:
    """Two lines (Markdown): version/commit/build date, then package versions and devices recorded
    in the results' sidecars."""
    from IPython.display import Markdown

    from analysis.report.version import environment_text, footer_text

    info = build_stamp()
    return Markdown(f"{footer_text(info)}  \n{environment_text(info)}")


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


def chapter_titles(root: str | os.PathLike[str] = ROOT) -> dict[str, str]:
    """``{page stem: chapter title}`` of every page of the book (``bounds`` -> ``Bounds on the RoPE
    base``): the ``title`` of its YAML front matter, else its first level-one heading."""
    from analysis.core.config import parse_yaml

    out: dict[str, str] = {}
    for page in quarto_pages(root):
        text = (Path(root) / page).read_text(encoding="utf-8")
        title = None
        m = re.match(r"---\n(.*?)\n---\n", text, re.S)
        if m:
            title = (parse_yaml(m.group(1)) or {}).get("title")
        if not title:
            h = re.search(r"^# (.+?)\s*(\{[^}]*\})?\s*$", text, re.M)
            title = h.group(1) if h else Path(page).stem
        out[Path(page).stem] = str(title).strip()
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
    by = item.get("computed_by") or {}
    if is_html() and by.get("function"):  # the website: hovering a number names the function that computed it
        from IPython.display import Markdown

        text = item["text"] if item.get("markdown") else md_escape(item["text"])
        title = f"computed by {by['function']}" + (f" (step {by['step']})" if by.get("step") else "")
        return Markdown(f'[{text}]{{.finding title="{_attr(title)}"}}')
    if item.get("markdown"):
        from IPython.display import Markdown

        return Markdown(item["text"])
    return item["text"]


def _attr(s: str) -> str:
    """``s`` inside a double-quoted Pandoc attribute value."""
    return s.replace("\\", "\\\\").replace('"', '\\"')


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
    # a display table names the function that computed its numbers, not the one that formatted them
    fn = (rec.get("computed_by") or {}).get("function") or rec.get("function") or "unknown function"
    commit = ((rec.get("git") or {}).get("commit") or "")[:7] or "uncommitted"
    file = Path(target).name
    if not is_html():  # the PDF: one plain line, no links to files a printed copy cannot open
        return Markdown(md_escape(f"Made by rule {rule} → {fn}; data {file}; commit {commit}."))
    pre = _page_prefix()
    smk = f"{pre}workflow/rules/{stage}.smk"
    data = f"{pre}results/{stage}/{target}"
    anchor = f"{pre}report/provenance.qmd#{_prov_anchor(stage, target)}"
    return Markdown(f"Made by [{md_escape(rule)}]({smk}) → {md_escape(fn)}; data [{md_escape(file)}]({data}); "
                    f"commit {commit} ([provenance]({anchor})).")


def _prov_anchor(stage: str, target: str) -> str:
    from analysis.report.appendix import anchor

    return anchor(stage, target)


def caption(stage: str, name: str) -> Any:
    """A figure's or table's caption (report/captions/<stage>.yaml) followed by its provenance note,
    as one Markdown object for the last paragraph of a cross-reference div."""
    from IPython.display import Markdown

    return Markdown(f"{caption_text(stage, name)} {note(stage, name).data}")
