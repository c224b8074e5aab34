"""Tests of the model case study (analysis/case_study.py) and the `classify` command line."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from analysis import bounds, case_study as cs
from analysis.cli import main
from analysis.core.config import ROOT, load_yaml, validate
from analysis.core.errors import InputError
from analysis.core.rope import inv_freq

MODELS_FILE = ROOT / "config" / "models.yaml"
REQUIRED_IDS = {
    "llama-2-7b", "llama-2-70b", "codellama-7b", "llama-3-8b", "llama-3.1-8b", "llama-3.1-405b", "mistral-7b-v0.1",
    "mistral-7b-v0.2", "mixtral-8x7b", "deepseek-v2", "deepseek-v3", "gemma-7b", "gemma-2-9b", "gemma-3-27b-local",
    "gemma-3-27b-global", "qwen2-7b", "qwen2.5-7b-instruct-1m", "phi-3-mini-128k", "hypothetical-target",
}


@pytest.fixture(scope="module")
def models() -> dict[str, dict]:
    return {m["id"]: m for m in cs.load_models(MODELS_FILE)}


def _write_models(tmp_path: Path, models: list[dict]) -> Path:
    p = tmp_path / "models.yaml"
    p.write_text(yaml.safe_dump({"models": models}, sort_keys=False))
    return p


# ------------------------------------------------------------------------------------ models.yaml
def test_models_file_has_every_required_model_with_a_source(models):
    assert len(models) >= 18
    assert REQUIRED_IDS <= set(models)
    for m in models.values():
        assert m["source"].startswith("https://")
        assert m["claimed_context"] >= m["pretrain_context"] or m["rope_scaling"] is None


@pytest.mark.parametrize(
    "edit, key",
    [
        (lambda m: m.pop("rope_theta"), "rope_theta"),
        (lambda m: m.update(rope_theta="ten thousand"), "rope_theta"),
        (lambda m: m.update(layers=0), "layers"),
        (lambda m: m.update(rope_scaling={"rope_type": "ntk-by-parts", "factor": 2.0}), "rope_scaling"),
        (lambda m: m.update(training_dtype="int8"), "training_dtype"),
    ],
)
def test_bad_model_entry_names_model_and_key(tmp_path, models, edit, key):
    entries = [copy.deepcopy(models["llama-3-8b"]), copy.deepcopy(models["qwen2-7b"])]
    edit(entries[1])
    with pytest.raises(InputError) as e:
        cs.load_models(_write_models(tmp_path, entries))
    msg = str(e.value)
    assert "qwen2-7b" in msg and key in msg, msg


def test_longrope_factor_list_of_wrong_length_is_rejected(tmp_path, models):
    m = copy.deepcopy(models["phi-3-mini-128k"])
    m["rope_scaling"]["long_factor"] = m["rope_scaling"]["long_factor"][:-1]
    with pytest.raises(InputError, match=r"phi-3-mini-128k.*long_factor.*48"):
        cs.load_models(_write_models(tmp_path, [m]))


def test_duplicate_ids_and_unknown_includes_are_rejected(tmp_path, models):
    m = models["llama-3-8b"]
    with pytest.raises(InputError, match="duplicate"):
        cs.load_models(_write_models(tmp_path, [m, m]))
    with pytest.raises(InputError, match="no-such-model"):
        cs.load_models(MODELS_FILE, include=["no-such-model"])


def test_stage_defaults_match_config_and_smoke_ids_exist(models):
    cfg = load_yaml(ROOT / "config" / "config.yaml")
    for k, v in cs.DEFAULTS.items():
        assert cfg["case_study"][k] == v, k
    # consistent with the bounds stage's epsilon (set separately so editing bounds does not rerun us)
    assert cfg["case_study"]["epsilon"] == cfg["bounds"]["epsilon"]
    smoke = load_yaml(ROOT / "config" / "smoke.yaml")
    assert set(smoke["case_study"]["include"]) <= set(models)


def test_bad_case_study_setting_fails_naming_the_key():
    cfg = load_yaml(ROOT / "config" / "config.yaml")
    cfg["case_study"]["label_wall"] = "both"
    with pytest.raises(InputError, match="case_study.label_wall"):
        validate(cfg)


# -------------------------------------------------------------- effective frequencies vs transformers
def _rotary_module(rope_theta: float, d: int, max_pos: int, scaling: dict | None):
    """The rotary embedding module transformers builds for this config (what the model runs)."""
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

    return LlamaRotaryEmbedding(cs.transformers_config(rope_theta, d, max_pos, scaling))


def _module_inv_freq(rope_theta, d, max_pos, scaling, seq_len) -> np.ndarray:
    """inv_freq of the module after a forward pass at position seq_len - 1 (dynamic / longrope update)."""
    mod = _rotary_module(rope_theta, d, max_pos, scaling)
    x = torch.zeros(1, 1, d)
    mod(x, torch.tensor([[seq_len - 1]]))
    return mod.inv_freq.double().numpy()


SCALINGS = {
    "linear": (1e6, 128, 131072, {"rope_type": "linear", "factor": 8.0}, 131072),
    "dynamic": (1e4, 128, 4096, {"rope_type": "dynamic", "factor": 4.0}, 16384),
    "yarn": (1e4, 64, 163840, {"rope_type": "yarn", "factor": 40.0, "original_max_position_embeddings": 4096,
                              "beta_fast": 32, "beta_slow": 1}, 163840),
    "llama3": (5e5, 128, 131072, {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                  "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}, 131072),
}


@pytest.mark.parametrize("kind", [*SCALINGS, "longrope-long", "longrope-short"])
def test_effective_frequencies_match_the_transformers_module(kind, models):
    if kind.startswith("longrope"):
        m = models["phi-3-mini-128k"]
        base, d, max_pos, sc = m["rope_theta"], m["head_dim"], m["claimed_context"], m["rope_scaling"]
        seq = max_pos if kind.endswith("long") else 2048
    else:
        base, d, max_pos, sc, seq = SCALINGS[kind]
    theta, _, rope_type = cs.effective_frequencies(base, d, sc, max_pos, seq)
    assert rope_type == kind.split("-")[0]
    ref = _module_inv_freq(base, d, max_pos, sc, seq)
    np.testing.assert_allclose(theta, ref, rtol=2e-6)  # float32 module vs our float64


def test_scaled_frequencies_match_closed_forms(models):
    """Independent naive references for each scaling type (tolerance: float32 ratios, 1e-6 relative)."""
    # linear: every frequency divided by the factor
    th, *_ = cs.effective_frequencies(1e6, 128, {"rope_type": "linear", "factor": 8.0}, 131072, 131072)
    np.testing.assert_allclose(th, inv_freq(1e6, 128) / 8.0, rtol=1e-12)
    # dynamic NTK at seq_len L: base' = base * (f L / max_pos - (f - 1)) ** (d / (d - 2))
    f, L, mp, d = 4.0, 16384, 4096, 128
    th, *_ = cs.effective_frequencies(1e4, d, {"rope_type": "dynamic", "factor": f}, mp, L)
    np.testing.assert_allclose(th, inv_freq(1e4 * (f * L / mp - (f - 1)) ** (d / (d - 2)), d), rtol=1e-6)
    # llama3: wavelengths above original/low_freq_factor divided by 8, below original/high_freq_factor kept
    sc = SCALINGS["llama3"][3]
    th, *_ = cs.effective_frequencies(5e5, 128, sc, 131072, 131072)
    plain = inv_freq(5e5, 128)
    wl = 2 * np.pi / plain
    np.testing.assert_allclose(th[wl > 8192], plain[wl > 8192] / 8.0, rtol=1e-6)
    np.testing.assert_allclose(th[wl < 2048], plain[wl < 2048], rtol=1e-6)
    # yarn: highest frequencies extrapolated (unchanged), lowest interpolated (divided by the factor)
    th, *_ = cs.effective_frequencies(1e4, 64, SCALINGS["yarn"][3], 163840, 163840)
    plain = inv_freq(1e4, 64)
    assert th[0] == pytest.approx(plain[0], rel=1e-6) and th[-1] == pytest.approx(plain[-1] / 40.0, rel=1e-6)
    # longrope: theta_i / long_factor_i beyond the original context, / short_factor_i within it
    m = models["phi-3-mini-128k"]
    sc = m["rope_scaling"]
    th_long, *_ = cs.effective_frequencies(1e4, 96, sc, 131072, 131072)
    th_short, *_ = cs.effective_frequencies(1e4, 96, sc, 131072, 4096)
    np.testing.assert_allclose(th_long, inv_freq(1e4, 96) / np.array(sc["long_factor"]), rtol=1e-6)
    np.testing.assert_allclose(th_short, inv_freq(1e4, 96) / np.array(sc["short_factor"]), rtol=1e-6)


def test_unscaled_effective_base_is_exactly_rope_theta(models):
    m = models["llama-3-8b"]
    th, attn, rt = cs.effective_frequencies(m["rope_theta"], 128, None, 8192, 8192)
    assert rt == "default" and attn == 1.0
    assert cs.effective_base(th, 128) == pytest.approx(5e5, rel=1e-12)
    assert cs.effective_base(th, 128, 5e5) == 5e5  # exactly, with the nominal base given
    th8 = th / 8.0
    assert cs.effective_base(th8, 128, 5e5) == pytest.approx(cs.effective_base(th8, 128), rel=1e-12)


def test_unknown_scaling_type_is_an_input_error():
    with pytest.raises(InputError, match="unknown rope scaling type"):
        cs.effective_frequencies(1e4, 128, {"rope_type": "mrope", "factor": 2.0}, 4096, 4096)


# ------------------------------------------------------------------------------ Men et al.'s B(m)
def test_men_scan_matches_a_naive_loop():
    th = inv_freq(1e4, 128)
    B = [sum(math.cos(m * t) for t in th) for m in range(0, 5001)]
    neg = [m for m, b in enumerate(B) if b < 0]
    scan = cs.men_scan(th, 5000, chunk=1024)
    assert scan["first_negative"] == neg[0] and scan["n_negative"] == len(neg)
    assert scan["min_B"] == pytest.approx(min(B), abs=1e-9) and scan["argmin_m"] == B.index(min(B))
    clean = cs.men_scan(th, neg[0] - 1, chunk=100)
    assert clean["first_negative"] is None and clean["n_negative"] == 0 and clean["min_B"] >= 0


# ---------------------------------------------------------------------------------- classification
@pytest.mark.parametrize(
    "margin_low, margin_high, feasible, expected",
    [
        (50.0, 2.0, True, "very stable"),
        (10.0, 2.0, True, "very stable"),  # at the threshold
        (9.99, 2.0, True, "stable"),
        (1.0, 2.0, True, "stable"),  # exactly on the lower bound counts as meeting it
        (0.99, 2.0, True, "unstable"),
        (50.0, 1.0, True, "infeasible"),  # at the wall: the phase step is not resolved
        (50.0, 2.0, False, "infeasible"),  # empty zone, whatever the base
    ],
)
def test_classification_rule(margin_low, margin_high, feasible, expected):
    assert cs.classify(margin_low, margin_high, feasible, very_stable_margin=10.0) == expected


GOLDEN_EFFECTIVE_BASE = {  # exact closed forms; tolerance 1e-6 relative (float32 ratios from transformers)
    "llama-3-8b": 5e5,
    "llama-3.1-8b": 5e5 * 8.0 ** (128 / 126),  # llama3: the lowest frequency divided by 8
    "gemma-3-27b-global": 1e6 * 8.0 ** (128 / 126),  # linear x8
    "deepseek-v2": 1e4 * 40.0 ** (64 / 62),  # yarn: the lowest of 32 frequencies fully interpolated
    "phi-3-mini-128k": None,  # longrope: lowest frequency / last long factor (from the file)
}


@pytest.mark.parametrize("mid", list(GOLDEN_EFFECTIVE_BASE))
def test_golden_rows(models, mid):
    m = models[mid]
    row = cs.model_row(m, {}, men_min_base=1e5)
    want = GOLDEN_EFFECTIVE_BASE[mid]
    if want is None:
        want = m["rope_theta"] * m["rope_scaling"]["long_factor"][-1] ** (96 / 94)
    assert row["effective_base"] == pytest.approx(want, rel=1e-6)
    # the exact depth-compounded bound, computed here by hand
    L, N, d = m["claimed_context"], m["layers"], row["rotary_dims"]
    depth = (L / math.acos(0.5 ** (1 / N))) ** (d / (d - 2))
    assert row["depth_min_base_exact"] == pytest.approx(depth, rel=1e-12)
    assert row["margin_depth"] == pytest.approx(row["effective_base"] / depth, rel=1e-12)
    assert row["wall_angle_exact"] == pytest.approx(2.0 ** (23 * d / (d - 2)), rel=1e-12)
    assert row["margin_men"] == pytest.approx(row["effective_base"] / 1e5)


def test_golden_labels_and_literal_reading(models):
    rows = {mid: cs.model_row(models[mid], {}, men_min_base=1e5) for mid in ("llama-3-8b", "llama-2-7b", "hypothetical-target")}
    assert rows["llama-3-8b"]["label"] == "very stable"  # margin 10.7 over the N = 32 bound at 8K
    assert rows["llama-2-7b"]["label"] == "unstable"  # eps = 0.5, N = 32: needs 2.3e4 at 4K
    assert rows["hypothetical-target"]["label"] == "infeasible"  # bound 1.0e8 > fp32 wall 1.1e7
    assert rows["hypothetical-target"]["label_differs"] is False  # agrees with the secondary summary
    # the literal reading (training dtype, bf16 wall = 128 in paper form) calls every bf16 model infeasible
    assert rows["llama-3-8b"]["wall_training_paper"] == 128.0
    assert rows["llama-3-8b"]["label_literal_training_wall"] == "infeasible"
    assert rows["llama-2-7b"]["paper_label"] == "unconfirmed"


def test_table_uses_precomputed_men_bounds_and_requires_them(models):
    import pandas as pd

    sel = [models["llama-3-8b"], models["gemma-7b"]]
    men = pd.DataFrame({"context_length": [8192], "head_dim": [128], "min_base": [8.4e4]})
    with pytest.raises(InputError, match="gemma-7b"):
        cs.case_study_table(sel, {}, men)
    men = pd.concat([men, pd.DataFrame({"context_length": [8192], "head_dim": [256], "min_base": [9e4]})])
    t = cs.case_study_table(sel, {}, men)
    assert list(t["men_min_base"]) == [8.4e4, 9e4]
    assert cs.men_pairs(sel) == [(8192, 128), (8192, 256)]
    # above men_max_context the search is skipped: NaN with a note, no error for the missing pair
    t = cs.case_study_table(sel, {"men_max_context": 4096}, men.iloc[:0])
    assert t["men_min_base"].isna().all() and t["men_min_base_note"].str.contains("not searched").all()
    assert cs.men_pairs(sel, max_context=4096) == [] and "not searched" in cs.to_markdown(t)
    md, tex = cs.to_markdown(t), cs.to_latex(t)
    assert "Llama 3 8B" in md and "Gemma 7B" in tex and tex.count(r"\\") == 3
    assert "1.2.3" in cs.bibtex("1.2.3", 2026)


# ------------------------------------------------------------------------------ classify (CLI)
LLAMA31_OLD = {
    "model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32, "num_hidden_layers": 32,
    "max_position_embeddings": 131072, "rope_theta": 500000.0, "torch_dtype": "bfloat16",
    "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 8192, "rope_type": "llama3"},
}


def _new_style(old: dict) -> dict:
    new = {k: v for k, v in old.items() if k not in ("rope_theta", "rope_scaling", "torch_dtype")}
    new["rope_parameters"] = {**old["rope_scaling"], "rope_theta": old["rope_theta"]}
    new["dtype"] = old["torch_dtype"]
    return new


@pytest.fixture()
def fake_men(monkeypatch):
    """Men et al.'s bound is the bounds module's (tested there); a fixed value keeps these tests fast."""
    monkeypatch.setattr(cs, "_men_min_base", lambda L, d: 1.0e6)


def _run_cli(capsys, *args) -> tuple[int, dict | None, str]:
    rc = main(["classify", *map(str, args)])
    out, err = capsys.readouterr()
    return rc, (json.loads(out) if rc == 0 else None), err


def test_classify_old_and_new_style_agree(tmp_path, capsys, fake_men):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(LLAMA31_OLD))
    new.write_text(json.dumps(_new_style(LLAMA31_OLD)))
    rc1, a, _ = _run_cli(capsys, old)
    rc2, b, _ = _run_cli(capsys, new)
    assert rc1 == rc2 == 0
    assert a["config_style"] != b["config_style"]
    for k in ("rope_theta", "effective_min_frequency", "men_min_base", "bounds", "verdict"):
        assert a[k] == b[k], k
    assert a["rope_type"] == "llama3" and a["training_dtype"] == "bf16"
    assert a["effective_min_frequency"] == pytest.approx(inv_freq(5e5, 128)[-1] / 8.0, rel=1e-6)
    assert a["verdict"]["label_literal_training_wall"] == "infeasible"


def test_classify_options_and_mla_rotary_dims(tmp_path, capsys, fake_men):
    cfg = {"model_type": "deepseek_v2", "hidden_size": 5120, "num_attention_heads": 128, "num_hidden_layers": 60,
           "qk_rope_head_dim": 64, "max_position_embeddings": 163840, "rope_theta": 10000,
           "rope_scaling": {"type": "yarn", "factor": 40, "original_max_position_embeddings": 4096,
                            "beta_fast": 32, "beta_slow": 1}}
    p = tmp_path / "config.json"
    p.write_text(json.dumps(cfg))
    rc, out, _ = _run_cli(capsys, p, "--context-length", "8192", "--dtype", "fp16")
    assert rc == 0
    assert out["rotary_dims"] == 64 and out["context_length"] == 8192 and out["training_dtype"] == "fp16"
    assert out["rope_type"] == "yarn"


@pytest.mark.parametrize(
    "content, needle",
    [
        (None, "not found"),
        ("{not json", "invalid JSON"),
        (json.dumps({"hidden_size": 64, "num_attention_heads": 1, "num_hidden_layers": 1,
                     "max_position_embeddings": 64}), "rope_theta"),
        (json.dumps({**LLAMA31_OLD, "rope_scaling": {"rope_type": "ntk-by-parts", "factor": 2}}), "unknown rope scaling type"),
        (json.dumps({**LLAMA31_OLD, "rope_scaling": {"rope_type": "llama3", "factor": 8.0}}), "llama3"),
        (json.dumps({**LLAMA31_OLD, "max_position_embeddings": "long"}), "max_position_embeddings"),
    ],
)
def test_classify_bad_configs_exit_2_with_one_line(tmp_path, capsys, content, needle):
    p = tmp_path / "config.json"
    if content is not None:
        p.write_text(content)
    rc, _, err = _run_cli(capsys, p)
    assert rc == 2
    assert err.count("\n") == 1 and needle in err, err


def test_classify_module_entry_point_exit_status(tmp_path):
    p = tmp_path / "config.json"
    p.write_text(json.dumps({**LLAMA31_OLD, "rope_scaling": {"type": "su", "factor": 2}}))
    proc = subprocess.run([sys.executable, "-m", "analysis", "classify", str(p)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0 and "'su'" in proc.stderr


def test_citation_cff_is_valid_and_versioned():
    import analysis

    cff = load_yaml(ROOT / "CITATION.cff")
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):
        assert cff[key], key
    assert str(cff["version"]) == analysis.__version__.split("+")[0]
    for ref in cff.get("references", []):
        assert ref["type"] and ref["title"] and ref["authors"]
