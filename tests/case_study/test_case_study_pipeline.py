"""The case_study stage in Snakemake: outputs, rerun scope after editing config/models.yaml, the page.

Runs its own smoke workflow (config/smoke.yaml) in a temporary folder with `case_study.models_file`
pointing at a temporary copy of config/models.yaml, so the tests can edit that copy.
"""

from __future__ import annotations

import json
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

from analysis.case_study.findings import csv_name
from analysis.report.version import package_version

CSV = csv_name(package_version())
TARGETS = [
    "results/case_study/table.parquet",
    f"results/case_study/{CSV}",
    "results/case_study/display/models.parquet",
    "results/case_study/findings.json",
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
    assert sorted(t["id"].unique()) == sorted(smoke)
    assert set(t["model_label"]) <= set(LABELS)
    assert pd.read_csv(res / CSV).shape == t.shape
    schema = json.loads((res / "table.schema.json").read_text())
    assert set(schema["properties"]) == set(t.columns)
    for name in ("table.md", "table.tex", "scorecard.csv", "display/models.parquet", "display/columns.parquet",
                 "findings.json"):
        assert (res / name).stat().st_size > 0 and (res / (name + ".provenance.json")).exists(), name
    prov = json.loads((res / "table.parquet.provenance.json").read_text())
    assert prov["rule"] == "case_study_table" and prov["function"].endswith("case_study_results")
    prov = json.loads((res / "scorecard.csv.provenance.json").read_text())  # its own step, from the table
    assert prov["rule"] == "case_study_scorecard" and prov["function"].endswith("case_study_scorecard")
    assert set(prov["settings"]) <= {"physics.epsilon", "case_study.include", "case_study.angle_dtype",
                                     "case_study.very_stable_margin", "case_study.men_scan_chunk",
                                     "case_study.men_max_context"}
    sc = pd.read_csv(res / "scorecard.csv")
    assert list(sc.columns) == list(COLUMNS) and set(sc["verdict"]) <= set(VERDICTS)
    assert len(sc) == 2 and t["id"].nunique() > 2  # the paper's case study is one claim, not one row per model (issue 23.6)
    assert (res / "reference_curves.parquet").exists()  # the chart's curves are a result
    cap = yaml.safe_load((ROOT / "config" / "smoke.yaml").read_text())["case_study"]["men_max_context"]
    rope = t[t["group_kind"] != "nope"]
    searched = rope["judged_length"] <= cap
    assert searched.any() and (~searched).any()
    assert (rope.loc[searched, "men_min_base"] > 0).all() and rope.loc[~searched, "men_min_base"].isna().all()
    assert dry_run_jobs(workdir) == {}


def test_editing_one_model_reruns_only_the_case_study(workdir):
    edit_model(workdir, "llama-3-8b", note="edited")
    jobs = dry_run_jobs(workdir)
    assert set(jobs) == {"case_study_table", "case_study_scorecard", "case_study_figures", "case_study_findings"}, jobs


def test_bad_models_file_stops_the_workflow_naming_model_and_key(workdir):
    good = (workdir / "models.yaml").read_text()
    try:
        edit_model(workdir, "qwen2-7b", training_dtype="int8")
        proc = snakemake(workdir, "-n", *TARGETS)
        assert proc.returncode != 0
        assert "qwen2-7b" in proc.stderr and "training_dtype" in proc.stderr, proc.stderr[-2000:]
    finally:
        (workdir / "models.yaml").write_text(good)


def test_page_inline_values_are_plain_or_markdown(workdir, monkeypatch):
    """Every inline `{python} expr` of report/case_study.qmd, evaluated on the smoke results: plain text
    without markup, or an explicit Markdown object; never empty."""
    from analysis.core.findings import MARKUP
    from analysis.report import reportkit as rk
    from tests.qmd import page_text

    monkeypatch.setenv("ROPE_BOUNDS_RESULTS", str(workdir / "results"))
    inline = re.findall(r"`\{python\}\s+(.+?)`", page_text(ROOT / "report" / "case_study.qmd"))
    assert len(inline) > 20
    for e in inline:
        v = eval(e, {"rk": rk})  # noqa: S307 - the page's own expressions
        text = v.data if hasattr(v, "data") else v
        assert isinstance(text, str) and text.strip(), e
        assert hasattr(v, "data") or not MARKUP.search(text), (e, text)
    assert rk.markdown_table(rk.table("case_study", "display/models.parquet")).data.count("\n") >= 3
