# report stage: the reproduction scorecard (every stage's scorecard.csv in one table) and, when Quarto
# is installed, the render of the website + PDF. Included last, so that every stage's rules and
# ALL_TARGETS are known here. Nothing here is an input of another stage: the report never reruns
# upstream analysis, and the .qmd pages are inputs of the render rule only (editing a page reruns
# the render alone).
import os
import shutil

from analysis.report.reportkit import quarto_pages
from analysis.report.version import pdf_stem

REPORT_CFG = config["report"]
QUARTO = shutil.which("quarto")
ROOT_DIR = workflow.basedir
UPSTREAM_TARGETS = list(ALL_TARGETS)  # every analysis output of the other stages (render inputs)


def scorecard_inputs(wildcards):
    """results/<stage>/scorecard.csv of every stage listed in report.scorecard_stages (in that
    order) whose scorecard is declared as the output of one of the workflow's rules: the actual
    outputs of the other stages' rules, never a glob of whatever happens to lie in results/."""
    declared = {str(f) for r in workflow.rules for f in r.output}
    wanted = [res(s, "scorecard.csv") for s in REPORT_CFG["scorecard_stages"]]
    return [p for p in wanted if p in declared]


rule report_scorecard:
    """Reproduction scorecard: concatenate the scorecard.csv of every enabled stage (published
    value, ours, relative difference, verdict, reason) into one table for the scorecard page."""
    input:
        scorecard_inputs,
    output:
        report(
            res("report", "scorecard.csv"),
            caption="../report/report/scorecard.rst",
            category="Reproduction scorecard",
        ),
        str(sidecar_path(res("report", "scorecard.csv"))),
        with_prov(res("report", "scorecard.parquet")),
    params:
        cfg={"scorecard_stages": REPORT_CFG["scorecard_stages"]},  # render settings do not rerun it
    log:
        log_path("report", "report_scorecard"),
    benchmark:
        bench_path("report", "report_scorecard")
    script:
        "../scripts/report_scorecard.py"


ALL_TARGETS.extend([res("report", "scorecard.csv"), res("report", "scorecard.parquet")])

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
            scorecard=res("report", "scorecard.parquet"),
            upstream=UPSTREAM_TARGETS,
            code=[os.path.join(ROOT_DIR, "analysis", f) for f in ("reportkit.py", "version.py", "quarto.py")],
        output:
            html=f"{SITE}/index.html",
            pdf=PDF,
        params:
            cfg=REPORT_CFG,
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
