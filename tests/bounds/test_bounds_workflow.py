"""The bounds rules follow the stage contract: named outputs, the settings each script reads and no
other, code as input, log, benchmark, one thread; bad settings stop the workflow naming the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_snakemake

SMK = ROOT / "workflow" / "rules" / "bounds.smk"
SCRIPTS = ROOT / "workflow" / "scripts"


def _rules() -> dict[str, str]:
    text = SMK.read_text()
    parts = re.split(r"^rule (\w+):\n", text, flags=re.M)
    return {parts[i]: parts[i + 1].split("\n\n\n")[0] for i in range(1, len(parts), 2)}


def test_every_rule_has_the_contract_sections():
    rules = _rules()
    assert len(rules) == 8
    for name, body in rules.items():
        for section in ("input:", "output:", "params:", "threads: 1", "log:", "benchmark:", "script:"):
            assert section in body, (name, section)
        assert "code=bounds_code(" in body and "settings=settings(" in body, name
        outputs = body.split("output:")[1].split("params:")[0]
        assert all(re.match(r"\s+\w+=", ln) for ln in outputs.splitlines() if ln.strip()), name  # named only
        assert "provenance" not in outputs, name  # sidecars are never declared


def test_each_rule_passes_exactly_the_settings_its_script_reads():
    for name, body in _rules().items():
        passed = set(re.findall(r'"([a-z_]+\.[a-z0-9_.]+)"', body.split("settings=settings(")[1].split(")")[0]))
        script = SCRIPTS / re.search(r'script:\s*\n\s*"\.\./scripts/([\w.]+)"', body).group(1)
        read = set(re.findall(r'a\.setting\("([\w.]+)"\)', script.read_text()))
        assert passed == read, (name, passed ^ read)
        assert "output[" not in script.read_text()


def test_bounds_section_no_longer_repeats_the_physics_settings():
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    assert not {"head_dim", "epsilon", "dtypes"} & set(cfg["bounds"])
    text = " ".join(p.read_text() for p in SCRIPTS.glob("bounds_*.py")) + SMK.read_text()
    assert "bounds.head_dim" not in text and "bounds.epsilon" not in text and "bounds.dtypes" not in text


@pytest.mark.parametrize(
    "override,key",
    [
        ({"physics": {"head_dim": 127}}, "physics.head_dim"),
        ({"bounds": {"head_dim": 128}}, "bounds"),  # the old duplicate is rejected, not silently ignored
        ({"bounds": {"curve_spot_lengths": [1]}}, "bounds.curve_spot_lengths"),
    ],
)
def test_bad_setting_stops_the_workflow_naming_the_key(tmp_path: Path, override: dict, key: str):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(yaml.safe_dump(override))
    p = run_snakemake(tmp_path, "-n", "--cores", "1", "--configfile", str(cfg))
    out = p.stdout + p.stderr
    assert p.returncode != 0 and f"'{key}" in out, out[-2000:]
    assert "Traceback" not in out
