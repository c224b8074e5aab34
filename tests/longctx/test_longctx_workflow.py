"""The longctx stage end to end on the smoke profile (training a few steps), and its page."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.config import load_yaml
from analysis.core.findings import MARKUP
from analysis.core.scorecard import COLUMNS, VERDICTS
from tests.conftest import ROOT, run_snakemake

PAGE = ROOT / "report" / "longctx.qmd"
TARGETS = ["results/longctx/findings.json", "results/longctx/figures/retrieval.svg",
           "results/longctx/figures/perplexity.svg", "results/longctx/display/bases.parquet",
           *(f"results/longctx/figures/archived_{n}.svg" for n in ("perplexity", "retrieval", "men_B"))]


@pytest.fixture(scope="module")
def smoke(smoke_workdir: Path) -> Path:
    """The session's one smoke run (tests/conftest.py), which builds every longctx target (the stage's
    quick training included: a second run of its own would train the same models again)."""
    assert all((smoke_workdir / t).exists() for t in TARGETS)
    return smoke_workdir


@pytest.mark.slow
def test_smoke_results(smoke):
    p = smoke / "results" / "longctx"
    score = pd.read_csv(p / "scorecard.csv")
    assert list(score.columns) == list(COLUMNS) and len(score) == 2 and set(score.verdict) <= set(VERDICTS)
    assert score.criterion.str.len().min() > 50
    bases = json.loads((p / "bases.json").read_text())
    assert [r["factor"] for r in bases["bases"]] == [0.03, 1.0, 60.0] and bases["profile"] == "cpu"
    runs = json.loads((p / "train" / "1.json").read_text())
    assert [r["seed"] for r in runs["runs"]] == [0, 1] and len(runs["runs"][0]["train_answer_loss_curve"]) == 6
    ret = pd.read_parquet(p / "eval" / "1" / "retrieval.parquet")
    assert sorted(ret.distance.unique()) == [1, 8, 16, 31] and ret.correct.between(0, 1).all()
    table = pd.read_parquet(p / "display/bases.parquet")
    assert len(table) == 3 and "Base" in table.columns and table["Base"].map(type).eq(str).all()
    for name in ("perplexity", "retrieval", "attention_mass", "attention_entropy", "men_B"):
        svg = (p / "figures" / f"{name}.svg").read_text()
        assert len(svg) > 2000 and "cpu profile" in svg
    assert json.loads((p / "summary.json.provenance.json").read_text())["function"].endswith("longctx.summary.quick_summary")
    # the committed archived run decides the scorecard; the quick run's verdict is named beside it
    arch = json.loads((p / "archived" / "summary.json").read_text())
    assert arch["scale"]["profile"] == "full" and len(arch["scale"]["seeds"]) >= 5
    assert arch["scale"]["n_distances"] == arch["scale"]["seq_len"] - 1
    assert score.reason.str.contains("archived full run").all() and score.reason.str.contains("Quick run").all()


@pytest.mark.slow
def test_rebuild_never_retrains(smoke):
    proc = run_snakemake(smoke, "--cores", "1", "-n", *TARGETS)
    assert proc.returncode == 0 and "Nothing to be done" in proc.stdout + proc.stderr


@pytest.mark.slow
def test_page_values_exist_and_are_plain(smoke):
    items = json.loads((smoke / "results" / "longctx" / "findings.json").read_text())
    text = PAGE.read_text()
    used = set(re.findall(r'rk\.f\("longctx", "([a-z0-9_]+)"\)', text))
    assert used and used <= set(items)
    # the Summary page states the scorecard's verdicts: the archived run's, which the smoke build reads
    assert items["headline_men_verdict"]["text"] == items["full_men_verdict"]["text"]
    assert items["headline_phase_verdict"]["text"] == items["full_phase_verdict"]["text"]
    assert items["headline_source"]["text"].startswith("the archived full run: 5 seeds")
    for name, item in items.items():
        assert item["text"].strip(), name
        assert item["markdown"] or not MARKUP.search(item["text"]), name
    # what the page's inline expressions receive: plain strings and captions with provenance notes
    from analysis.report import reportkit as rk

    monkey = pytest.MonkeyPatch()
    monkey.setenv("ROPE_BOUNDS_RESULTS", str(smoke / "results"))
    try:
        monkey.setattr(rk, "is_html", lambda: False)  # the PDF: plain values as they are
        for name in used:
            v = rk.f("longctx", name)
            assert (isinstance(v, str) and v.strip() and not MARKUP.search(v)) or items[name]["markdown"], name
        monkey.setattr(rk, "is_html", lambda: True)  # the website: each number names its function on hover
        for name in used:
            assert "computed by analysis." in rk.f("longctx", name).data, name
        for name in re.findall(r'rk\.caption\("longctx", "([a-z_.]+)"\)', text):
            assert "Made by" in rk.caption("longctx", name).data
        assert len(rk.table("longctx", "display/bases.parquet")) == 3
    finally:
        monkey.undo()


def test_page_only_displays():
    text = PAGE.read_text()
    caps = load_yaml(ROOT / "report" / "captions" / "longctx.yaml")
    for name in re.findall(r'rk\.caption\("longctx", "([a-z_.]+)"\)', text):
        assert name in caps
    # each cross-reference div ends with its caption line
    for div in re.findall(r"::: \{#(?:fig|tbl)-[a-z-]+\}\n(.*?)\n:::", text, flags=re.S):
        assert div.strip().splitlines()[-1].startswith('`{python} rk.caption("longctx"')
    cells = re.findall(r"```\{python\}\n(.*?)```", text, flags=re.S)
    for cell in cells:
        for line in cell.splitlines():
            line = line.strip()
            assert not line or line.startswith(("#|", "from analysis.report import reportkit as rk", "rk."))
    inline = re.findall(r"`\{python\} ([^`]*)`", text)
    assert inline and all(x.startswith(("rk.f(", "rk.caption(")) for x in inline)
    quarto = load_yaml(ROOT / "_quarto.yml")["book"]["chapters"]
    assert quarto.index("report/longctx.qmd") == quarto.index("report/probes.qmd") + 1
    assert "longctx" in load_yaml(ROOT / "config" / "config.yaml")["report"]["scorecard_stages"]


def test_bad_config_value_stops_with_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("longctx:\n  profile: tpu\n")
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--directory", str(tmp_path),
           "--configfile", str(bad), "-n"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode != 0 and "longctx.profile" in proc.stderr + proc.stdout
