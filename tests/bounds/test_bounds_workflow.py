"""The bounds rules follow the stage contract: each rule bounds_<step> runs step bounds.<step> with the
generic step script, named outputs, the settings its step declares and no other, code as input, log,
benchmark, one thread; bad settings stop the workflow naming the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_snakemake

SMK = ROOT / "workflow" / "rules" / "bounds.smk"


def _rules() -> dict[str, str]:
    text = SMK.read_text()
    parts = re.split(r"^rule (\w+):\n", text, flags=re.M)
    return {parts[i]: parts[i + 1].split("\n\n\n")[0] for i in range(1, len(parts), 2)}


def test_every_rule_has_the_contract_sections():
    from analysis.bounds.steps import STEPS

    rules = _rules()
    assert set(rules) == {f"bounds_{name}" for name in STEPS}  # one rule per step, the scorecard's included
    for name, body in rules.items():
        for section in ("input:", "output:", "params:", "threads: 1", "log:", "benchmark:", "script:"):
            assert section in body, (name, section)
        step = name.removeprefix("bounds_")
        assert "code=bounds_code(" in body and f'settings=step_settings("bounds.{step}")' in body, name
        assert f'step="bounds.{step}"' in body and "STEP_SCRIPT" in body, name
        outputs = body.split("output:")[1].split("params:")[0]
        assert all(re.match(r"\s+\w+=", ln) for ln in outputs.splitlines() if ln.strip()), name  # named only
        assert "provenance" not in outputs, name  # sidecars are never declared


def test_each_rule_declares_its_steps_outputs_and_inputs():
    from analysis.core.step import find_step

    for name, body in _rules().items():
        step = find_step("bounds." + name.removeprefix("bounds_"))
        outputs = body.split("output:")[1].split("params:")[0]
        inputs = body.split("input:")[1].split("output:")[0]
        assert set(re.findall(r"^\s+(\w+)=", outputs, re.M)) == set(step.outputs), name
        assert set(step.inputs) <= set(re.findall(r"^\s+(\w+)=", inputs, re.M)), name


def test_bounds_section_no_longer_repeats_the_physics_settings():
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    assert not {"head_dim", "epsilon", "dtypes"} & set(cfg["bounds"])
    text = (ROOT / "analysis" / "bounds" / "steps.py").read_text() + SMK.read_text()
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
