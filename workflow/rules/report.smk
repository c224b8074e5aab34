# report stage: the reproduction scorecard (every stage's scorecard.csv in one table) and, when Quarto
# is installed, the render of the website + PDF. Included last, so that every stage's rules and
# ALL_TARGETS are known here. Nothing here is an input of another stage: the report never reruns
# upstream analysis, and the .qmd pages are inputs of the render rule only (editing a page reruns
# the render alone).
import os
import shutil

from analysis.report.reportkit import chapter_titles, quarto_pages
from pathlib import Path

from analysis.report.version import package_version, pdf_stem, previous_snapshot

REPORT_CFG = config["report"]
QUARTO = shutil.which("quarto")
ROOT_DIR = workflow.basedir
UPSTREAM_TARGETS = list(ALL_TARGETS)  # every analysis output of the other stages (render inputs)


def scorecard_inputs(wildcards):
    """results/<stage>/scorecard.csv of every stage listed in report.scorecard_stages (in that
    order) whose scorecard is declared as the output of one of the workflow's rules: the actual
    outputs of the other stages' rules, never a glob of whatever happens to lie in results/."""
    declared = {str(f) for r in workflow.rules for f in r.output}
    wanted = [result_path(s, "scorecard.csv") for s in REPORT_CFG["scorecard_stages"]]
    return [p for p in wanted if p in declared]


def previous_release(wildcards):
    """The scorecard snapshot of the previous release (report/_releases/), when one exists."""
    prev = previous_snapshot(package_version())
    return [str(prev[1])] if prev else []


rule report_scorecard:
    """Reproduction scorecard: every enabled stage's scorecard.csv in one table, its display tables
    (verdicts per chapter; per chapter the claims with criterion and reason), the changes since the
    previous release, and the findings of the Summary, Scorecard and Changelog pages."""
    input:
        scorecards=scorecard_inputs,
        previous=previous_release,
        code=stage_code("report", "core/scorecard.py", "core/markdown.py", "core/step.py"),
    output:
        table=result("report", "scorecard.csv", caption="scorecard.csv", category="Reproduction scorecard"),
        parquet=result("report", "scorecard.parquet"),
        summary=result("report", "scorecard_summary.md"),
        detail=result("report", "scorecard_detail.md"),
        changes=result("report", "changes.md"),
        findings=result("report", "findings.json"),
    params:
        step="report.scorecard",
        settings=step_settings("report.scorecard"),
        # the chapter titles it shows, as a param: a new title reruns it, another page edit does not
        titles=chapter_titles(),
    log:
        log_path("report", "report_scorecard"),
    benchmark:
        bench_path("report", "report_scorecard")
    script:
        STEP_SCRIPT


rule report_captions:
    """Captions of `snakemake --report`, made from the one caption source report/captions/*.yaml
    (the pages show the same text)."""
    input:
        captions=sorted(str(p) for p in Path(ROOT_DIR, "report", "captions").glob("*.yaml")),
        code=stage_code("report/appendix.py"),
    output:
        folder=directory(result_path("report", "captions")),
    log:
        log_path("report", "report_captions"),
    benchmark:
        bench_path("report", "report_captions")
    script:
        "../scripts/report_captions.py"


rule report_provenance:
    """The provenance appendix: every result's sidecar record (rule, script, function, inputs,
    settings read, commit, device), one anchored entry per result, linked from each caption."""
    input:
        upstream=UPSTREAM_TARGETS,
        scorecard=result_path("report", "scorecard.parquet"),
        code=stage_code("report/appendix.py"),
    output:
        appendix=result("report", "provenance.md"),
        compact=result("report", "provenance_compact.md"),
        table=result("report", "provenance.csv"),
    params:
        step="report.provenance",
        settings=step_settings("report.provenance"),
    log:
        log_path("report", "report_provenance"),
    benchmark:
        bench_path("report", "report_provenance")
    script:
        STEP_SCRIPT


ALL_TARGETS.extend([result_path("report", n) for n in ("scorecard.csv", "scorecard.parquet", "findings.json", "provenance.md")])
ALL_TARGETS.append(result_path("report", "captions"))

REPORT_PAGES = [os.path.join(ROOT_DIR, p) for p in quarto_pages()]
REPORT_ASSETS = sorted(
    os.path.join(ROOT_DIR, p)
    for p in ["_quarto.yml", "references.bib", "CHANGELOG.md"]
    + [f"report/{f}" for f in os.listdir(os.path.join(ROOT_DIR, "report")) if f.startswith("_")
       and os.path.isfile(os.path.join(ROOT_DIR, "report", f))]
)
SITE = REPORT_CFG["site_dir"].rstrip("/")
PDF = f"{SITE}/{pdf_stem(REPORT_CFG['pdf_stem'])}.pdf"

if QUARTO is not None:

    rule report_render:
        """Render the Quarto book: the website (SITE/index.html, one page per chapter) and the
        whole report as one Typst PDF named with the version, stamped with version, commit and
        build date; pages read the results of this working directory."""
        input:
            pages=REPORT_PAGES,
            assets=REPORT_ASSETS,
            scorecard=result_path("report", "scorecard.parquet"),
            findings=result_path("report", "findings.json"),
            provenance=result_path("report", "provenance.md"),
            upstream=UPSTREAM_TARGETS,
            code=stage_code("report"),
        output:
            html=f"{SITE}/index.html",
            pdf=PDF,
        params:
            settings=settings("report.site_dir", "report.pdf_stem"),
            quarto=QUARTO,
            root=ROOT_DIR,
            results=RESULTS,
        log:
            log_path("report", "report_render"),
        benchmark:
            bench_path("report", "report_render")
        script:
            "../scripts/report_render.py"

    ALL_TARGETS.extend([f"{SITE}/index.html", PDF])


onsuccess:
    if QUARTO is None:
        print(
            "\nrope-bounds: all analysis finished; the Quarto render was SKIPPED because `quarto` is "
            "not on PATH.\n  Install Quarto >= 1.9 (https://quarto.org/docs/get-started/) and run "
            "`snakemake --cores 8` again to build _site/ (HTML) and the PDF.\n"
        )
