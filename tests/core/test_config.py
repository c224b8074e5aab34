"""Config loading and schema validation: errors name the key; YAML 1.2 floats."""

from __future__ import annotations

import pytest

from analysis.core.config import ROOT, load_config, parse_yaml
from analysis.core.errors import ConfigError


def test_yaml_exponent_floats_are_numbers():
    d = parse_yaml("a: 1.6e4\nb: 1e5\nc: 2048\nd: 5.0e+6\ne: 10.0.1\n")
    assert d == {"a": 16000.0, "b": 100000.0, "c": 2048, "d": 5.0e6, "e": "10.0.1"}
    assert isinstance(d["c"], int)


def test_shipped_configs_validate():
    cfg = load_config(ROOT / "config" / "config.yaml")
    assert 0 < cfg["physics"]["epsilon"] < 1
    smoke = load_config(ROOT / "config" / "config.yaml", ROOT / "config" / "smoke.yaml")
    assert smoke["bounds"]["log2_context_max"] <= cfg["bounds"]["log2_context_max"]


@pytest.mark.parametrize(
    "override, key",
    [
        ({"physics": {"epsilon": 1.5}}, "physics.epsilon"),
        ({"physics": {"head_dim": 127}}, "physics.head_dim"),
        ({"physics": {"dtypes": ["fp7"]}}, "physics.dtypes[0]"),
        ({"bounds": {"layers": "32"}}, "bounds.layers"),
        ({"typo_stage": {}}, "<top level>"),
    ],
)
def test_bad_config_names_the_key(override, key):
    with pytest.raises(ConfigError) as e:
        load_config(ROOT / "config" / "config.yaml", overrides=override)
    assert f"'{key}'" in str(e.value)


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("bounds: [unclosed\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_config(bad)
