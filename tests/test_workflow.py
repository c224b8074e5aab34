"""The workflow: dry run, fail-fast config validation, and the bounds outputs of the smoke run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import ROOT, run_snakemake

BOUNDS_OUTPUTS = [
    "phase_bounds.parquet", "phase_bounds.csv", "men_table.parquet", "men_table.csv", "men_compare.parquet",
    "men_compare.csv", "men_fit.json", "men_methods.csv", "scorecard.csv", "collision_horizon.parquet",
    "collision_marks.csv", "men_B_curves.parquet", "men_B_crossings.csv", "goldilocks.parquet",
] + [f"figures/{n}{s}" for n in ("collision_horizon", "men_B_curves", "goldilocks")
     for s in (".vl.json", ".svg", ".png", ".html")]


def test_every_rule_file_imports_the_modules_its_parse_time_python_uses():
    """Each .smk declares its own imports (none relies on the Snakefile's or another file's), and
    the archived runs are found by one helper of common.smk."""
    for f in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        text = f.read_text()
        for mod in ("os", "sys", "re", "shutil", "json"):
            if re.search(rf"(?<![\w.]){mod}\.\w", text):
                assert re.search(rf"^import {mod}$", text, flags=re.M), (f.name, mod)
        if f.name != "common.smk":
            assert "find_archives" not in text and "PUBLISHED_VALUES =" not in text, f.name


def _smoke_bounds_config() -> dict:
    full = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["bounds"]
    full.update(yaml.safe_load((ROOT / "config" / "smoke.yaml").read_text())["bounds"])
    return full


def test_dry_run_succeeds(tmp_path: Path):
    p = run_snakemake(tmp_path, "-n", "--cores", "1")
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert "bounds_men_table" in p.stdout + p.stderr


@pytest.mark.parametrize(
    "override,key",
    [
        ({"physics": {"epsilon": 1.5}}, "physics.epsilon"),
        ({"physics": {"head_dim": 127}}, "physics.head_dim"),
        ({"bounds": {"men_context_lengths": [1024, 0]}}, "bounds.men_context_lengths"),
        ({"bounds": {"goldilocks_dtypes": ["fp12"]}}, "bounds.goldilocks_dtypes"),
        ({"bounds": {"unknown_key": 1}}, "bounds"),
    ],
)
def test_bad_config_fails_fast_naming_the_key(tmp_path: Path, override: dict, key: str):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(yaml.safe_dump(override))
    p = run_snakemake(tmp_path, "-n", "--cores", "1", "--configfile", str(cfg))
    assert p.returncode != 0
    out = p.stdout + p.stderr
    assert f"'{key}" in out, out[-2000:]
    assert "Traceback" not in out


def test_smoke_run_writes_bounds_outputs_with_provenance(smoke_workdir: Path):
    res = smoke_workdir / "results" / "bounds"
    cfg = _smoke_bounds_config()
    for name in BOUNDS_OUTPUTS:
        f = res / name
        assert f.is_file() and f.stat().st_size > 0, name
        if not name.startswith("figures/") or name.endswith(".vl.json"):
            side = json.loads(Path(str(f) + ".provenance.json").read_text())
            assert side["rule"].startswith("bounds_") and side["function"].startswith("analysis."), name
            for key, value in side["settings"].items():  # only keys the rule read, with their values
                if key.startswith("bounds."):
                    assert cfg[key.split(".", 1)[1]] == value, (name, key)
    men = pd.read_parquet(res / "men_table.parquet")
    assert list(men["context_length"]) == cfg["men_context_lengths"]
    assert (men["min_B"] >= 0).all()
    score = pd.read_csv(res / "scorecard.csv")
    assert set(score["verdict"]) <= {"reproduced", "differs", "inconclusive", "not reproducible offline"}
    assert (score["chapter"] == "bounds").all()
