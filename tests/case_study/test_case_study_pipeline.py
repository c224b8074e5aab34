"""The case_study stage in Snakemake: outputs, rerun scope after editing config/models.yaml, the page.

Runs its own smoke workflow (config/smoke.yaml) in a temporary folder with `case_study.models_file`
pointing at a temporary copy of config/models.yaml, so the tests can edit that copy.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.case_study import LABELS
from analysis.core.config import ROOT
from analysis.core.scorecard import COLUMNS, VERDICTS

pytestmark = pytest.mark.slow

TARGETS = [
    "results/case_study/table.parquet",
    "results/case_study/table.csv",
    "results/case_study/table.md",
    "results/case_study/table.tex",
    "results/case_study/scorecard.csv",
    "results/case_study/figures/goldilocks_models.svg",
    "results/bounds/phase_bounds.parquet",  # an upstream stage, to show it is not rerun
]


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--directory", str(workdir),
        "--configfile", str(ROOT / "config" / "smoke.yaml"), str(workdir / "override.yaml"), *args,
    ]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=1800, env=env, cwd=ROOT)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wd = tmp_path_factory.mktemp("case_study_smoke")
    (wd / "models.yaml").write_text((ROOT / "config" / "models.yaml").read_text())
    (wd / "override.yaml").write_text(yaml.safe_dump({"case_study": {"models_file": str(wd / "models.yaml")}}))
    proc = snakemake(wd, "--cores", "2", *TARGETS)
    if proc.returncode != 0:
        pytest.fail(f"case_study smoke run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return wd


def dry_run_jobs(wd: Path) -> dict[str, int]:
    """Rule -> job count of a dry run of TARGETS (parsed from Snakemake's job stats table)."""
    proc = snakemake(wd, "-n", *TARGETS)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = proc.stdout + proc.stderr
    if "Nothing to be done" in text:
        return {}
    block = text.split("Job stats:", 1)[1]
    jobs = {}
    for line in block.splitlines():
        m = re.match(r"^(\w+)\s+(\d+)\s*$", line.strip())
        if m and m.group(1) != "total":
            jobs[m.group(1)] = int(m.group(2))
        if line.strip().startswith("total"):
            break
    return jobs


def edit_model(wd: Path, mid: str, **changes) -> None:
    data = yaml.safe_load((wd / "models.yaml").read_text())
    for m in data["models"]:
        if m["id"] == mid:
            m.update(changes)
    (wd / "models.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


def test_outputs(workdir):
    res = workdir / "results" / "case_study"
    t = pd.read_parquet(res / "table.parquet")
    smoke = yaml.safe_load((ROOT / "config" / "smoke.yaml").read_text())["case_study"]["include"]
    assert sorted(t["id"]) == sorted(smoke)
    assert set(t["label"]) <= set(LABELS)
    assert pd.read_csv(res / "table.csv").shape == t.shape
    for name in ("table.md", "table.tex", "scorecard.csv", "figures/goldilocks_models.png"):
        assert (res / name).stat().st_size > 0
        assert (res / (name + ".provenance.json")).exists() or name.endswith(".png")
    sc = pd.read_csv(res / "scorecard.csv")
    assert list(sc.columns) == list(COLUMNS) and set(sc["verdict"]) <= set(VERDICTS)
    assert len(sc) == len(t)
    cap = yaml.safe_load((ROOT / "config" / "smoke.yaml").read_text())["case_study"]["men_max_context"]
    searched = t["claimed_context"] <= cap
    assert searched.any() and (~searched).any()
    assert (t.loc[searched, "men_min_base"] > 0).all() and t.loc[~searched, "men_min_base"].isna().all()
    assert (t.loc[~searched, "men_min_base_note"].str.contains("not searched")).all()
    assert dry_run_jobs(workdir) == {}


def test_editing_one_model_reruns_only_the_case_study(workdir):
    edit_model(workdir, "llama-3-8b", rope_theta=600000)
    jobs = dry_run_jobs(workdir)
    # Men et al.'s bound depends only on (context, rotary dims): unchanged, so its search is not redone
    assert set(jobs) == {"case_study_table", "case_study_chart"}, jobs
    # a new (context, rotary dims) pair within case_study.men_max_context: only that pair is searched
    edit_model(workdir, "llama-3-8b", claimed_context=6144)
    jobs = dry_run_jobs(workdir)
    assert jobs == {"case_study_men_bound": 1, "case_study_table": 1, "case_study_chart": 1}, jobs
    assert "bounds_phase_grid" not in jobs


def test_bad_models_file_stops_the_workflow_naming_model_and_key(workdir):
    good = (workdir / "models.yaml").read_text()
    try:
        edit_model(workdir, "qwen2-7b", layers="many")
        proc = snakemake(workdir, "-n", *TARGETS)
        assert proc.returncode != 0
        assert "qwen2-7b" in proc.stderr and "layers" in proc.stderr, proc.stderr[-2000:]
    finally:
        (workdir / "models.yaml").write_text(good)


def test_page_cells_and_inline_expressions_execute(workdir, tmp_path):
    """Every cell of report/case_study.qmd runs against the smoke results, and so does every inline
    `{python} expr` of the prose (appended as a last cell that prints each value)."""
    from tests.qmd import execute_qmd

    qmd = (ROOT / "report" / "case_study.qmd").read_text()
    inline = re.findall(r"`\{python\} ([^`]+)`", qmd)
    assert len(inline) > 20
    check = "\n".join(f"print('INLINE', repr(str({e})))" for e in inline)
    page = tmp_path / "case_study.qmd"
    page.write_text(qmd + "\n```{python}\n" + check + "\n```\n")
    nb = execute_qmd(page, workdir / "results")
    text = "".join(
        o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "stream"
    )
    assert "@misc{rope_bounds_case_study_" in text and "<script>" in text and "data:text/csv;base64," in text
    values = re.findall(r"^INLINE (.*)$", text, re.M)
    assert len(values) == len(inline)
    assert "'nan'" not in values, values  # empty strings: sentences about models outside the smoke set
