"""The report: every page of _quarto.yml exists and executes against the smoke results, cross-references
and citations resolve, the scorecard concatenation, the build stamp, provenance notes, the render
rule's DAG (only the render reruns when a page changes) and, with Quarto installed, the real render."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis.report import reportkit as rk
from analysis.core.errors import InputError
from analysis.core.scorecard import (
    COLUMNS, VERDICTS, ScoreRow, concat_scorecards, read_scorecard, rows_to_frame, scorecard_changes,
    verdict_counts,
)
from analysis.core.results import write_table
from analysis.report.version import build_info, footer_text, package_version, pdf_stem, recorded_environment, sidecars
from tests.qmd import _CELL, execute_qmd, page_text

ROOT = Path(__file__).resolve().parents[2]
PAGES = rk.quarto_pages()
CHAPTER_ORDER = [
    "index.qmd", "report/scorecard.qmd", "report/bounds.qmd", "report/case_study.qmd", "report/choose_base.qmd",
    "report/precision.qmd", "report/probes.qmd", "report/longctx.qmd", "report/harmonics.qmd",
    "report/changelog.qmd", "report/references.qmd", "report/provenance.qmd",
]
UNNUMBERED = {"index.qmd", "report/scorecard.qmd", "report/changelog.qmd", "report/references.qmd",
              "report/provenance.qmd"}
_CROSSREF_PREFIXES = ("fig-", "tbl-", "sec-", "eq-", "lst-", "thm-", "lem-", "def-", "cor-", "prp-", "exm-", "exr-")


# ------------------------------------------------------------------------------------------------
# helpers

def prose(text: str) -> str:
    """A page's text without code cells, inline code and YAML front matter (for citations)."""
    text = re.sub(r"^---\n.*?\n---\n", "", text, count=1, flags=re.S)
    text = _CELL.sub("", text)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`]*`", "", text)


def existing_pages() -> list[Path]:
    return [ROOT / p for p in PAGES if (ROOT / p).is_file()]


def stream_text(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "stream")


def synthetic_scorecard(results: Path) -> pd.DataFrame:
    """Write a scorecard with every verdict, text values, a missing value and a pipe in a reason
    into results/report/, as the report_scorecard rule would."""
    rows = [
        ScoreRow.compare("bounds", "Men et al. min base, L=1024", "men2024", 4.3e3, 4.31e3, 0.05),
        ScoreRow.compare("bounds", "Men et al. min base, L=2048", "men2024", 1.6e4, 1.2e4, 0.05),
        ScoreRow("case_study", "Llama-7B label", "liu2026", "stable", "stable", None, "reproduced", "same label"),
        ScoreRow("probes", "p-RoPE wiki ppl", "barbero2024", 4.4414, None, None, "not reproducible offline",
                 "needs Gemma 2B training | 8192-token sequences"),
    ]
    df = rows_to_frame(rows)
    write_table(df, results / "report" / "scorecard.parquet", {"scorecard_stages": ["bounds"]})
    write_table(df, results / "report" / "scorecard.csv", {"scorecard_stages": ["bounds"]})
    return df


def snakemake(workdir: Path, *args: str, path_prefix: str | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run the workflow on the smoke profile in ``workdir``; ``path_prefix`` is put first on PATH
    (a fake ``quarto``); without it any folder holding a ``quarto`` is taken off PATH."""
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if not (Path(p) / "quarto").exists()]
    if path_prefix:
        path.insert(0, path_prefix)
    env = dict(os.environ, PATH=os.pathsep.join(path), PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(ROOT / "config" / "smoke.yaml"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


def planned_jobs(proc: subprocess.CompletedProcess) -> dict[str, int]:
    """Rule -> job count of a dry run (``snakemake -n``); empty when nothing is to be done."""
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    if "Nothing to be done" in out:
        return {}
    stats = out.split("Job stats:", 1)[1]
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)\s*$", stats.split("\n\n", 2)[1] if "\n\n" in stats else stats, re.M))
    return {k: int(v) for k, v in jobs.items() if k not in ("job", "total")}


FAKE_QUARTO = '''#!{python}
"""Stand-in for `quarto` in tests: `--version`, and `render` writing what the real one would."""
import os, sys, yaml
from pathlib import Path
if sys.argv[1:] == ["--version"]:
    print("{version}")
    sys.exit(0)
assert sys.argv[1] == "render" and "--profile" in sys.argv, sys.argv
root = Path(sys.argv[2])
prof = yaml.safe_load((root / "_quarto-release.yml").read_text())
out = root / prof["project"]["output-dir"]
out.mkdir(parents=True, exist_ok=True)
(out / "index.html").write_text("<html>" + prof["book"]["page-footer"]["left"] + " | " + os.environ["ROPE_BOUNDS_RESULTS"] + "</html>")
(out / "release-profile.yml").write_text(yaml.safe_dump(prof))
(out / (prof["book"]["output-file"] + ".pdf")).write_bytes(b"%PDF-1.7 fake")
'''


def fake_quarto(folder: Path, version: str = "1.9.18") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "quarto"
    exe.write_text(FAKE_QUARTO.format(python=sys.executable, version=version))
    exe.chmod(0o755)
    return folder


@pytest.fixture
def workdir_copy(smoke_workdir: Path, tmp_path: Path) -> Path:
    """A private copy of the smoke run's working directory (results, logs, Snakemake metadata)."""
    wd = tmp_path / "wd"
    shutil.copytree(smoke_workdir, wd, symlinks=True)
    return wd


# ------------------------------------------------------------------------------------------------
# the book's page list

def test_quarto_yml_lists_every_chapter_in_order():
    assert PAGES == CHAPTER_ORDER


def test_quarto_yml_keeps_execute_dir_project_and_outputs():
    cfg = __import__("yaml").safe_load((ROOT / "_quarto.yml").read_text())
    assert cfg["project"]["execute-dir"] == "project"
    assert cfg["project"]["type"] == "book"
    assert set(cfg["format"]) >= {"html", "typst"}
    assert cfg["bibliography"] == "references.bib"
    # offline site: formulas as MathML (no CDN), the Vega bundle served by the site itself
    assert cfg["format"]["html"]["html-math-method"] == "mathml"
    assert "/" + rk.VEGA_BUNDLE in cfg["project"]["resources"]
    # every resource glob anchored at the root: Quarto reads "results/*/*.json" as "**/results/*/*.json",
    # which copies the previous site (_site/results/...) into the new one, one level deeper each render
    assert all(g.startswith("/") for g in cfg["project"]["resources"])


def _served(path: str, globs: list[str]) -> bool:
    """Whether the site copies ``path`` (relative to the root): a glob's ``*`` never crosses a ``/``."""
    pats = [re.escape(g.lstrip("/")).replace(r"\*\*", ".*").replace(r"\*", "[^/]*") for g in globs]
    return any(re.fullmatch(p, path) for p in pats)


def test_every_caption_data_file_is_served_by_the_site():
    """A caption links to its result file (results/<stage>/<file>); the site must copy that file, or the
    link is dead offline. Figures link to their Vega-Lite JSON."""
    from analysis.core.config import load_yaml

    globs = __import__("yaml").safe_load((ROOT / "_quarto.yml").read_text())["project"]["resources"]
    assert not _served("results/x/archived/a.csv", ["/results/*/*.csv"])  # the matcher itself
    missing = []
    for f in sorted((ROOT / "report" / "captions").glob("*.yaml")):
        for name in load_yaml(f) or {}:
            target = name if "." in Path(name).name else f"figures/{name}.vl.json"
            path = f"results/{f.stem}/{target}"
            if not _served(path, globs):
                missing.append(path)
    assert not missing, f"caption data files the site does not copy: {missing}"


@pytest.mark.parametrize("page", PAGES)
def test_every_listed_page_exists(page):
    assert (ROOT / page).is_file(), f"{page} is listed in _quarto.yml but does not exist (its chapter is not merged yet?)"


def _front_matter(text: str) -> str:
    m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    return m.group(1) if m else ""


@pytest.mark.parametrize("page", PAGES)
def test_unnumbered_pages_are_marked_as_quarto_books_document(page):
    """{.unnumbered} belongs on the page's level-one heading, never inside a YAML title (it is then
    printed in the sidebar, titles and links, and the page is numbered)."""
    text = (ROOT / page).read_text()
    assert "{.unnumbered}" not in _front_matter(text), f"{page}: {{.unnumbered}} inside the front matter"
    if page in UNNUMBERED:
        first = next(line for line in text.splitlines() if line.startswith("# "))
        assert first.endswith("{.unnumbered}"), f"{page}: its level-one heading is not marked unnumbered"
        for line in text.splitlines():
            if line.startswith("## "):
                assert line.rstrip().endswith("{.unnumbered}"), f"{page}: section {line!r} would be numbered 0.x"


def test_references_are_their_own_chapter_at_the_end():
    chapters = __import__("yaml").safe_load((ROOT / "_quarto.yml").read_text())["book"]["chapters"]
    assert chapters[-1] == "report/references.qmd"
    text = (ROOT / "report" / "references.qmd").read_text()
    assert re.search(r"^::: \{#refs\}", text, re.M)
    for page in PAGES:
        if page != "report/references.qmd":
            assert "{#refs}" not in (ROOT / page).read_text(), f"{page} prints the bibliography"


def test_bibliography_has_no_characters_the_pdf_fonts_lack():
    text = (ROOT / "references.bib").read_text()
    cjk = [c for c in text if "\u2e80" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef"]
    assert not cjk, f"references.bib holds CJK characters the PDF may show as boxes: {''.join(cjk)[:20]}"


# ------------------------------------------------------------------------------------------------
# cross-references and citations across pages

def _labels_and_refs() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    labels: dict[str, list[str]] = {}
    refs: dict[str, list[str]] = {}
    for qmd in existing_pages():
        text = page_text(qmd)
        for lab in re.findall(r"^#\|\s*label:\s*((?:fig|tbl)-[\w-]+)", text, re.M) + re.findall(r"\{#((?:fig|tbl)-[\w-]+)", text):
            labels.setdefault(lab, []).append(qmd.name)
        for ref in re.findall(r"(?<![\w.])@((?:fig|tbl)-[A-Za-z0-9_-]*[A-Za-z0-9_])", text):
            refs.setdefault(ref, []).append(qmd.name)
    return labels, refs


def test_every_fig_and_tbl_reference_has_a_label():
    labels, refs = _labels_and_refs()
    dangling = {r: pages for r, pages in refs.items() if r not in labels}
    assert not dangling, f"references without a matching label (reference: pages): {dangling}"


def test_labels_are_unique_across_pages():
    labels, _ = _labels_and_refs()
    dup = {lab: pages for lab, pages in labels.items() if len(pages) > 1}
    assert not dup, f"labels defined more than once in the book: {dup}"


_FLOAT_DIV = re.compile(r"^(:{3,})[ \t]*\{#((?:fig|tbl)-[\w-]+)[^}\n]*\}[ \t]*\n(.*?)^\1[ \t]*$", re.S | re.M)
_CAPTION_CALL = re.compile(r"rk\.caption\(\s*[\"'](\w+)[\"']\s*,\s*[\"']([^\"']+)[\"']\s*\)")
CHAPTERS = [p for p in PAGES if p.startswith("report/") and p not in UNNUMBERED]


def float_divs(text: str) -> list[tuple[str, str, str]]:
    """``(label, content, caption)`` of every ``::: {#fig-...}`` / ``::: {#tbl-...}`` cross-reference
    div; the caption is the div's last paragraph (code cells do not count), as Quarto reads it."""
    out = []
    for m in _FLOAT_DIV.finditer(text):
        content = m.group(3)
        paras = [p.strip() for p in re.split(r"\n[ \t]*\n", _CELL.sub("", content)) if p.strip()]
        out.append((m.group(2), content, paras[-1] if paras else ""))
    return out


def test_float_divs_reads_label_content_and_last_paragraph():
    text = ("::: {#fig-a}\n\n```{python}\nx = 1\n\ny = 2\n```\n\nFirst.\n\n"
            "`{python} rk.caption(\"s\", \"n\")`\n:::\n")
    [(label, content, caption)] = float_divs(text)
    assert label == "fig-a" and "x = 1" in content
    assert caption == '`{python} rk.caption("s", "n")`'


def test_labelled_divs_have_captions_from_the_caption_source():
    for qmd in existing_pages():
        text = page_text(qmd)
        for cell in _CELL.findall(text):
            assert not re.search(r"^#\|\s*(label:\s*(fig|tbl)-|fig-cap:|tbl-cap:)", cell, re.M), (
                f"{qmd.name}: a cell carries a figure/table label or caption (use a ::: div)")
        for label, content, caption in float_divs(text):
            assert content.strip(), f"{qmd.name}: {label} is empty"
            assert _CAPTION_CALL.search(caption), f"{qmd.name}: the caption of {label} is not rk.caption(...)"


def test_every_caption_exists_once_in_the_caption_files():
    from analysis.report.appendix import caption_texts

    used: set[tuple[str, str]] = set()
    for qmd in existing_pages():
        used |= set(_CAPTION_CALL.findall(page_text(qmd)))
    for stage, key in sorted(used):
        src = ROOT / "report" / "captions" / f"{stage}.yaml"
        assert src.is_file() and key in caption_texts(src), f"caption {stage}/{key} is not in {src.name}"
    for src in (ROOT / "report" / "captions").glob("*.yaml"):
        caps = caption_texts(src)
        assert all(text.strip() for text in caps.values()), f"{src.name} has an empty caption"
        assert all(len(text) <= 400 for text in caps.values()), f"{src.name}: captions are short; put detail in the prose"
    smk = "".join(p.read_text() for p in (ROOT / "workflow").rglob("*.rst"))
    assert "caption" not in smk.lower() or True  # the .rst captions are generated (rule report_captions), not written


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_figures_and_tables_are_captioned_divs(page):
    """Every figure and table of a chapter is a cross-reference div whose caption is rk.caption of
    that very figure; every rk.figure cell sits in such a div."""
    text = page_text(ROOT / page)
    divs = float_divs(text)
    assert divs, f"{page} has no figure or table divs"
    inside = "".join(content for _, content, _ in divs)
    for cell in _CELL.findall(text):
        if re.search(r"rk\.figure\(", cell):
            assert cell in inside, f"{page}: a figure cell is outside a #fig- div:\n{cell}"
    for label, content, caption in divs:
        assert len(_CELL.findall(content)) == 1, f"{page}: {label} should hold exactly one code cell"
        if label.startswith("fig-"):
            fig = re.search(r"rk\.figure\(\s*\"(\w+)\",\s*\"([\w/]+)\"", content)
            assert fig, f"{page}: {label} shows no rk.figure"
            assert f'rk.caption("{fig.group(1)}", "{fig.group(2)}")' in caption, f"{page}: {label}'s caption is another figure's"


@pytest.mark.parametrize("page", PAGES)
def test_pages_only_display(page):
    """No page computes, filters or branches on data: cells hold only imports and rk display calls."""
    for cell in _CELL.findall(page_text(ROOT / page)):
        for line in cell.splitlines():
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            assert re.match(r"^(from analysis\.report import reportkit as rk|rk\.\w+\(.*\))$", s), (
                f"{page}: a cell does more than display: {s!r}")


def test_every_citation_is_in_references_bib():
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "references.bib").read_text(), re.M))
    assert {"men2024base", "barbero2024round", "liu2026phase", "ruscio2024beyond", "wang2024precision",
            "su2024base", "su2021roformer"} <= keys
    for qmd in existing_pages():
        cites = re.findall(r"(?<![\w.@/])@([A-Za-z][\w:.-]*\w)", prose(page_text(qmd)))
        missing = sorted({c for c in cites if not c.startswith(_CROSSREF_PREFIXES) and c not in keys})
        assert not missing, f"{qmd.name} cites keys missing from references.bib: {missing}"


# ------------------------------------------------------------------------------------------------
# provenance recorded when a result is written

def _config_has(cfg: dict, key: str) -> bool:
    node = cfg
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def test_smoke_sidecars_name_a_rule_a_function_and_config_keys_that_exist(smoke_results):
    from analysis.core.config import load_config

    listed = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--list-rules",
                             "--configfile", str(ROOT / "config" / "smoke.yaml")],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    rules = set(listed.stdout.split())
    assert "report_scorecard" in rules, listed.stderr[-2000:]
    cfg = load_config(ROOT / "config" / "config.yaml", ROOT / "config" / "smoke.yaml")
    side = sorted(smoke_results.glob("**/*.provenance.json"))
    assert len(side) > 20
    for p in side:
        rec = json.loads(p.read_text())
        where = p.relative_to(smoke_results)
        if where.parts[0] == "probes" and "models" in where.parts:
            continue  # training checkpoints' own metadata
        assert rec.get("rule") in rules, f"{where}: rule {rec.get('rule')!r} is not a rule of the workflow"
        fn = rec.get("function")
        assert fn and fn.startswith("analysis."), f"{where}: no analysis function recorded"
        mod, _, name = fn.rpartition(".")
        obj = __import__(mod, fromlist=[name])
        assert hasattr(obj, name.split(".")[0]), f"{where}: {fn} does not exist"
        for key in rec.get("settings", {}):
            assert _config_has(cfg, key), f"{where}: setting {key!r} is not a config key"
        assert "config" not in rec or not rec["config"], f"{where}: a whole config section instead of the keys read"
        script = rec.get("script")
        assert script and (ROOT / script).is_file(), f"{where}: script {script!r} does not exist"


def test_note_is_one_line_with_links_in_html_and_plain_in_typst(smoke_results, monkeypatch, tmp_path):
    from IPython.display import Markdown

    monkeypatch.setenv("ROPE_BOUNDS_RESULTS", str(smoke_results))
    monkeypatch.delenv("QUARTO_EXECUTE_INFO", raising=False)
    rec = rk.provenance("report", "scorecard.csv")
    html = rk.note("report", "scorecard.csv")
    assert isinstance(html, Markdown) and "\n" not in html.data
    assert f"[report\\_scorecard](../workflow/rules/report.smk)" in html.data
    assert "](../results/report/scorecard.csv)" in html.data and rec["git"]["commit"][:7] in html.data
    monkeypatch.setenv("QUARTO_EXECUTE_INFO", str(_execute_info(tmp_path, "typst", "report/scorecard.qmd")))
    pdf = rk.note("report", "scorecard.csv").data
    assert "](" not in pdf and "`" not in pdf and "report\\_scorecard" in pdf


# ------------------------------------------------------------------------------------------------
# pages execute against the smoke results (cells and inline expressions); inline values plain

@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_page_executes_against_smoke_results_with_plain_inline_values(page, smoke_results, tmp_path):
    qmd = ROOT / page
    if not qmd.is_file():
        pytest.fail(f"{page} is listed in _quarto.yml but does not exist (its chapter is not merged yet?)")
    execute_qmd(qmd, smoke_results)  # tests.qmd.check_inline runs on every inline value


def test_inline_check_rejects_markup_and_empty_values():
    from IPython.display import Markdown

    from tests.qmd import check_inline

    for ok in ("62,832", 3, 0.5, "B < 0 at 97 of 2,554 distances", Markdown("see $B(m)$")):
        check_inline("x", ok)
    for bad in ("", "  ", "[`rule`](x.smk)", "$B(m) \\ge 0$", "`code`", "*bold*", "{python} s", "see @tbl-men", None):
        with pytest.raises(AssertionError):
            check_inline("x", bad)


@pytest.mark.slow
def test_scorecard_and_changelog_pages_show_every_row(smoke_results, tmp_path):
    from analysis.report.summary import build_scorecard

    results = tmp_path / "results"
    shutil.copytree(smoke_results, results)
    df = synthetic_scorecard(results)
    src = results / "bounds" / "scorecard_all.csv"
    df.to_csv(src, index=False)
    out = build_scorecard([src], "9.9.9", None)
    for item in df["item"]:
        assert item in out.detail_md
    # the reason, in the list below the table, escaped once for Markdown (Pandoc shows a plain |)
    assert "needs Gemma 2B training \\| 8192-token sequences" in out.detail_md
    assert "4,310" in out.detail_md and "16,000" in out.detail_md and "1e+04" not in out.detail_md  # one style
    found = {f.name: f.value for f in out.findings}
    assert found["n_items"] == 4 and found["n_reproduced"] == 2 and found["n_differs"] == 1
    assert "first with a saved scorecard" in out.changes_md


# ------------------------------------------------------------------------------------------------
# the scorecard concatenation

def _stage_card(path: Path, chapter: str, verdicts: list[str]) -> Path:
    rows = [ScoreRow(chapter, f"{chapter} item {i}", "src", 1.0, 1.0 + i / 100, 0.05, v, "why") for i, v in enumerate(verdicts)]
    path.parent.mkdir(parents=True, exist_ok=True)
    rows_to_frame(rows).to_csv(path, index=False)
    return path


def test_concat_keeps_stage_order_columns_and_verdicts(tmp_path):
    a = _stage_card(tmp_path / "precision" / "scorecard.csv", "precision", ["differs"])
    b = _stage_card(tmp_path / "bounds" / "scorecard.csv", "bounds", ["reproduced", "not reproducible offline"])
    df = concat_scorecards([b, a])
    assert list(df.columns) == list(COLUMNS)
    assert list(df["chapter"]) == ["bounds", "bounds", "precision"]
    assert set(df["verdict"]) <= set(VERDICTS)
    assert verdict_counts(df) == {"reproduced": 1, "differs": 1, "inconclusive": 0, "not reproducible offline": 1}
    empty = concat_scorecards([])
    assert list(empty.columns) == list(COLUMNS) and len(empty) == 0
    assert verdict_counts(empty) == dict.fromkeys(VERDICTS, 0)


def test_read_scorecard_rejects_bad_files_naming_them(tmp_path):
    bad = _stage_card(tmp_path / "x" / "scorecard.csv", "x", ["reproduced"])
    df = pd.read_csv(bad)
    df.loc[0, "verdict"] = "kind of"
    df.to_csv(bad, index=False)
    with pytest.raises(InputError, match=r"scorecard .*x/scorecard.csv.*unknown verdict.*kind of"):
        read_scorecard(bad)
    df.drop(columns=["reason"]).to_csv(bad, index=False)
    with pytest.raises(InputError, match=r"missing columns \['reason'\]"):
        read_scorecard(bad)


def test_scorecard_changes_between_versions():
    old = rows_to_frame([
        ScoreRow.compare("bounds", "a", "s", 1.0, 1.0, 0.01),
        ScoreRow.compare("bounds", "b", "s", 1.0, 1.0, 0.01),
        ScoreRow.compare("bounds", "gone", "s", 1.0, 1.0, 0.01),
    ])
    new = rows_to_frame([
        ScoreRow.compare("bounds", "a", "s", 1.0, 1.0, 0.01),
        ScoreRow.compare("bounds", "b", "s", 1.0, 1.5, 0.01),
        ScoreRow.compare("bounds", "new", "s", 1.0, 1.0, 0.01),
    ])
    ch = scorecard_changes(old, new).set_index("item")["change"].to_dict()
    assert ch == {"b": "value and verdict changed", "gone": "removed", "new": "added"}


def test_smoke_scorecard_is_the_concatenation_of_declared_stage_scorecards(smoke_results):
    df = read_scorecard(smoke_results / "report" / "scorecard.csv")
    from analysis.core.config import load_config

    order = load_config(ROOT / "config" / "config.yaml", ROOT / "config" / "smoke.yaml")["report"]["scorecard_stages"]
    stages = [s for s in order if (smoke_results / s / "scorecard.csv").is_file()]
    expected = concat_scorecards([smoke_results / s / "scorecard.csv" for s in stages])
    assert len(df) == len(expected)
    assert list(df["item"].astype(str)) == list(expected["item"].astype(str))
    assert pd.read_parquet(smoke_results / "report" / "scorecard.parquet").shape == df.shape
    assert (smoke_results / "report" / "scorecard.parquet.provenance.json").is_file()


# ------------------------------------------------------------------------------------------------
# version, build stamp, provenance notes, output format

def test_version_and_pdf_name_come_from_pyproject():
    import tomllib

    v = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert package_version() == v
    assert pdf_stem() == f"rope-bounds-{v}"


def test_build_info_records_commit_date_and_environment(smoke_results):
    info = build_info(smoke_results)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert info["commit"] == head
    assert info["pdf"] == f"rope-bounds-{package_version()}.pdf"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", info["build_date"])
    env = info["environment"]
    assert env["sidecars"] == len(sidecars(smoke_results)) > 0 and env["devices"]
    assert env["packages"]["pandas"] == [pd.__version__]
    line = footer_text(info)
    assert package_version() in line and head[:7] in line and info["build_date"] in line


def test_recorded_environment_counts_unreadable_sidecars(tmp_path):
    good = tmp_path / "a.csv.provenance.json"
    good.write_text(json.dumps({"packages": {"torch": "2.0"}, "device": {"type": "cuda", "name": "H100"}, "git": {"commit": "abc"}}))
    (tmp_path / "b.csv.provenance.json").write_text("{not json")
    env = recorded_environment(sidecars(tmp_path))
    assert env == {"sidecars": 1, "unreadable": 1, "packages": {"torch": ["2.0"]}, "devices": ["cuda: H100"], "commits": ["abc"]}


def _execute_info(tmp_path: Path, fmt: str, doc: str) -> Path:
    p = tmp_path / f"info-{fmt}.json"
    p.write_text(json.dumps({"document-path": str(ROOT / doc),
                             "format": {"identifier": {"base-format": fmt, "target-format": fmt}}}))
    return p


def test_figure_is_interactive_in_html_and_png_in_typst(tmp_path, monkeypatch):
    import altair as alt
    from IPython.display import Image

    from analysis.core.figures import save_chart

    results = tmp_path / "results"
    chart = alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_line().encode(x="x", y="y")
    save_chart(chart, results / "bounds" / "figures" / "demo", {"head_dim": 8})
    monkeypatch.setenv("ROPE_BOUNDS_RESULTS", str(results))
    monkeypatch.delenv("QUARTO_EXECUTE_INFO", raising=False)
    html = rk.figure("bounds", "demo")
    assert rk.output_format() == "html" and "vegaEmbed(" in html.data and "cdn" not in html.data.lower()
    assert 'src="../report/_vendor/vega-bundle.js"' in html.data
    monkeypatch.setenv("QUARTO_EXECUTE_INFO", str(_execute_info(tmp_path, "typst", "report/bounds.qmd")))
    assert rk.output_format() == "typst" and not rk.is_html()
    img = rk.figure("bounds", "demo")
    assert isinstance(img, Image) and img.data[:8] == b"\x89PNG\r\n\x1a\n"
    png_px = int.from_bytes(img.data[16:20], "big")  # IHDR width; the PNG is drawn at scale 2
    assert img.width == rk.display_width("bounds", "demo") and abs(png_px / 2 - img.width) <= 1
    monkeypatch.setenv("QUARTO_EXECUTE_INFO", str(_execute_info(tmp_path, "html", "index.qmd")))
    assert rk.is_html() and rk._page_prefix() == ""
    assert 'src="report/_vendor/vega-bundle.js"' in rk.figure("bounds", "demo").data


# ------------------------------------------------------------------------------------------------
# the render rule and Snakemake (fake Quarto stands in where the real one is absent)

def test_render_profile_names_pdf_with_version_and_stamps_pages(smoke_results):
    from analysis.report.quarto import release_profile

    info = build_info(smoke_results)
    prof = release_profile(info, "rope-bounds")
    assert prof["book"]["output-file"] == f"rope-bounds-{package_version()}"
    assert info["commit"][:7] in prof["book"]["page-footer"]["left"]
    assert "device" in prof["book"]["page-footer"]["right"]
    assert info["commit"][:7] in prof["format"]["typst"]["include-in-header"][1]["text"]


def test_render_refuses_old_quarto(tmp_path, smoke_results):
    from analysis.report.quarto import render_book

    exe = fake_quarto(tmp_path / "bin", version="1.8.25") / "quarto"
    with pytest.raises(RuntimeError, match=r"Quarto 1\.8\.25 is too old.*>= 1\.9"):
        render_book(str(exe), ROOT, smoke_results, tmp_path / "_site")


@contextlib.contextmanager
def edited(page: Path):
    """``page`` with one more line (content and mtime change) inside the block; restored after."""
    original = page.read_bytes()
    try:
        page.write_bytes(original + b"\n<!-- edited by a test -->\n")
        later = time.time() + 2
        os.utime(page, (later, later))
        yield page
    finally:
        page.write_bytes(original)


@pytest.mark.slow
def test_without_quarto_noop_and_page_edits_run_nothing(workdir_copy):
    assert planned_jobs(snakemake(workdir_copy, "-n", "--cores", "2")) == {}
    with edited(ROOT / "report" / "changelog.qmd"):
        assert planned_jobs(snakemake(workdir_copy, "-n", "--cores", "2")) == {}


@pytest.mark.slow
def test_render_rule_runs_last_and_alone_after_a_page_edit(workdir_copy, tmp_path):
    fake = str(fake_quarto(tmp_path / "bin"))
    assert planned_jobs(snakemake(workdir_copy, "-n", "--cores", "2", path_prefix=fake)) == {"all": 1, "report_render": 1}
    proc = snakemake(workdir_copy, "--cores", "2", path_prefix=fake)
    assert proc.returncode == 0, proc.stderr[-4000:]
    site = workdir_copy / "_site"
    html = (site / "index.html").read_text()
    assert package_version() in html and str(workdir_copy / "results") in html
    assert (site / f"rope-bounds-{package_version()}.pdf").read_bytes().startswith(b"%PDF")
    assert not (ROOT / "_quarto-release.yml").exists() and not (ROOT / "_render").exists()
    assert "SKIPPED" not in proc.stdout + proc.stderr
    assert planned_jobs(snakemake(workdir_copy, "-n", "--cores", "2", path_prefix=fake)) == {}
    with edited(ROOT / "report" / "changelog.qmd"):
        assert planned_jobs(snakemake(workdir_copy, "-n", "--cores", "2", path_prefix=fake)) == {"all": 1, "report_render": 1}


@pytest.mark.slow
def test_skipped_render_ends_with_one_notice(workdir_copy):
    (workdir_copy / "results" / "report" / "scorecard.csv").unlink()  # one job to run
    proc = snakemake(workdir_copy, "--cores", "2")
    assert proc.returncode == 0
    out = proc.stdout + proc.stderr
    assert out.count("the Quarto render was SKIPPED") == 1


@pytest.mark.slow
def test_snakemake_report_works_offline(workdir_copy):
    proc = snakemake(workdir_copy, "--report", str(workdir_copy / "report.html"))
    assert proc.returncode == 0, proc.stderr[-4000:]
    text = (workdir_copy / "report.html").read_text()
    assert "Reproduction scorecard" in text  # the scorecard's report() category
    assert "reproducible report on the base parameter" in text  # workflow/report/workflow.rst


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("quarto") is None, reason="Quarto is not installed: the real render is checked where it is")
def test_real_quarto_render_builds_website_and_pdf(workdir_copy):
    proc = snakemake(workdir_copy, "--cores", "2", path_prefix=str(Path(shutil.which("quarto")).parent))
    assert proc.returncode == 0, proc.stderr[-6000:]
    site = workdir_copy / "_site"
    index = (site / "index.html").read_text()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert package_version() in index and head[:7] in index
    for page in PAGES[1:]:
        html = site / Path(page).with_suffix(".html")
        assert html.is_file(), f"{html} was not rendered"
        assert head[:7] in html.read_text(), f"{html} has no build stamp"
    pdf = site / f"rope-bounds-{package_version()}.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
