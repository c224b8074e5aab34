"""`suggest`: minimum bases against the shipped curve and an independent grid search; every suggested
scaling setting rebuilt from its own config block by transformers (the criterion holds there and fails
just below); the blocks load into the model type's config class without a warning; the CLI."""

from __future__ import annotations

import json
import logging
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from analysis.choose_base.suggest import (
    Extension, MenAlongFactor, SearchSettings, closed_form_settings, criterion_limit, criterion_met, method_frequencies,
    minimum_bases, scaling_settings, suggest,
)

ROOT = Path(__file__).resolve().parents[2]
FAST = SearchSettings(max_factor=256.0, per_octave=8, rtol=1e-6)


def naive_min_B(theta: np.ndarray, L: int) -> float:
    """min over m = 0..L of sum_i cos(m theta_i), plain float64 cosines (independent of men_B)."""
    m = np.arange(L + 1, dtype=np.float64)
    out = math.inf
    for s in range(0, L + 1, 8192):
        out = min(out, float(np.cos(np.outer(m[s:s + 8192], theta)).sum(axis=1).min()))
    return out


# ------------------------------------------------------------------------------------------------
# minimum bases

@pytest.mark.parametrize("L,d", [(1000, 32), (2048, 64), (3000, 128), (6000, 96)])
def test_men_minimum_is_the_shipped_curve_and_no_grid_base_below_it_is_feasible(L, d):
    from analysis.bounds.curve import lookup_min_base

    r = minimum_bases(L, d, 32, 0.5, "fp32")
    b = r["bounds"]["men"]["exact"]
    assert r["bounds"]["men"]["source"] == "shipped curve" and b == lookup_min_base(L, d)
    # independent search: plain cosines on a log grid of 1,500 bases from 2 to just below b
    assert naive_min_B(np.power(b, -2.0 * np.arange(d // 2) / d), L) >= 0.0
    for base in np.exp(np.linspace(math.log(2.0), math.log(b * (1 - 1e-7)), 1500)):
        theta = np.power(base, -2.0 * np.arange(d // 2) / d)
        m = np.arange(L + 1, dtype=np.float64)
        assert np.cos(np.outer(m, theta)).sum(axis=1).min() < 0.0, f"base {base} below {b} is feasible"


def test_phase_bounds_and_largest_lower_bound():
    from analysis.bounds.phase import phase_bounds

    r = minimum_bases(131072, 128, 32, 0.5, "bf16")
    pb = phase_bounds(131072, 32, 0.5, 128, "bf16")
    assert r["bounds"]["dc"]["exact"] == pb.dc_stability["exact"]
    assert r["bounds"]["depth"]["paper"] == pb.depth_compounded["paper"]
    assert r["largest"] == max(r["bounds"], key=lambda k: r["bounds"][k]["exact"]) == "men"
    assert r["precision_wall"]["paper"] == 128.0 and not r["feasible"]  # bf16: 1/eps_mach = 2^7


def test_men_minimum_beyond_the_curve_uses_the_certified_search():
    r = minimum_bases(600, 34, 1, 0.5, "fp32")  # d = 34 is not shipped
    from analysis.bounds.men import men_min_base

    assert r["bounds"]["men"]["source"] == "certified search"
    assert r["bounds"]["men"]["exact"] == men_min_base(600, 34)


# ------------------------------------------------------------------------------------------------
# scaling settings, rebuilt from their blocks by transformers

def block_frequencies(block: dict, d: int, L: int) -> np.ndarray:
    """Effective frequencies of a pasted v5 config block, built by transformers directly: the
    method's init function over the default init (per-frequency ratio), on exact base^(-2i/d)."""
    import torch
    from transformers import LlamaConfig
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

    cfg = LlamaConfig(hidden_size=d, num_attention_heads=1, num_key_value_heads=1, head_dim=d,
                      max_position_embeddings=block["max_position_embeddings"],
                      rope_parameters=dict(block["rope_parameters"]))
    rp = cfg.rope_parameters
    base = float(rp["rope_theta"])
    exact = np.power(base, -2.0 * np.arange(d // 2) / d)
    if rp["rope_type"] == "default":
        return exact
    default = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    scaled, _ = ROPE_INIT_FUNCTIONS[rp["rope_type"]](cfg, torch.device("cpu"), seq_len=L)
    return exact * (scaled.double() / default.double()).numpy()


def lower(block: dict, method: str, below: float) -> dict:
    b = json.loads(json.dumps(block))
    if method == "rope_theta":
        b["rope_parameters"]["rope_theta"] = below
    else:
        b["rope_parameters"]["factor"] = below
        b["rope_parameters"].pop("attention_factor", None)
    return b


def holds(theta: np.ndarray, L: int, criterion: str, eps: float, N: int) -> bool:
    if criterion == "men":
        return naive_min_B(theta, L) >= 0.0
    return L * float(theta.min()) <= criterion_limit(criterion, eps, N)


CASES = [
    (Extension(10000.0, 4096), 32768, 64, "men"),
    (Extension(500000.0, 8192), 65536, 128, "men"),
    (Extension(10000.0, 4096), 32768, 64, "dc"),
    (Extension(500000.0, 8192), 65536, 128, "depth"),
    (Extension(10000.0, 2048), 16384, 128, "aliasing"),
]


@pytest.mark.parametrize("ext,L,d,criterion", CASES)
def test_each_setting_holds_at_its_value_and_fails_just_below(ext, L, d, criterion):
    eps, N = 0.5, 32
    rows = scaling_settings(ext, L, d, criterion, eps, N, FAST, men_min=minimum_bases(L, d, N, eps, "fp32")["bounds"]["men"]["exact"])
    assert [r["method"] for r in rows] == ["rope_theta", "linear", "dynamic", "yarn", "llama3"]
    for r in rows:
        if not r["attainable"]:
            assert r["factor"] is None and "not attainable up to factor" in r["search"]
            continue
        block = r["blocks"]["rope_parameters"]
        assert holds(block_frequencies(block, d, L), L, criterion, eps, N), (r["method"], "fails at its setting")
        if r["already_met"]:  # factor 1 (dynamic NTK at factor 1 already rescales above the original context)
            assert r["factor"] == 1.0 and r["below"] is None
            continue
        assert r["below"] is not None and r["below"] < (r["setting"] if r["method"] == "rope_theta" else r["factor"])
        if r["method"] == "yarn":  # the block's factor is a whole number of tokens over the original
            assert block["max_position_embeddings"] == round(r["setting"] * ext.original_context)
            assert r["setting"] >= r["factor"]
            block = r["blocks"]["rope_parameters"] | {
                "rope_parameters": {**block["rope_parameters"], "factor": r["factor"]}}
        near = r["below"] / (r["setting"] if r["method"] == "rope_theta" else r["factor"])
        assert near > 1 - 2e-5, f"{r['method']}: 'just below' is {near}"
        assert not holds(block_frequencies(lower(block, r["method"], r["below"]), d, L), L, criterion, eps, N), (
            r["method"], "still holds just below its setting")


@pytest.mark.parametrize("method", ["linear", "dynamic"])
def test_witness_shortcut_answers_as_the_full_check(method):
    """MenAlongFactor re-checks recorded negative distances before scanning: on factors around a
    feasibility edge, visited in a scrambled order, it answers exactly as the plain check and as the
    independent naive minimum, and it recorded witnesses that are negative where they were found."""
    ext, L, d = Extension(10000.0, 2048), 16384, 64
    freqs = lambda f: method_frequencies(method, f, ext, L, d)[0]  # noqa: E731
    pred = MenAlongFactor(freqs, L)
    factors = np.random.default_rng(1).permutation(np.exp(np.linspace(0.0, math.log(256.0), 60)))
    answers = [pred(float(f)) for f in factors]
    assert answers == [criterion_met(freqs(float(f)), L, "men", 0.5, 32) for f in factors]
    assert answers == [naive_min_B(freqs(float(f)), L) >= 0.0 for f in factors]
    assert 0 < sum(answers) < len(answers) and pred.witnesses
    assert pred.scans < len(factors)  # some failures were decided by a witness alone


@pytest.mark.parametrize("ext,L,d,criterion", [(Extension(10000.0, 4096), 32768, 128, "depth"),
                                                (Extension(500000.0, 8192), 1 << 20, 128, "dc")])
def test_phase_settings_match_their_closed_forms(ext, L, d, criterion):
    """The phase criteria read theta_min only: the searched settings equal the closed forms."""
    rows = {r["method"]: r for r in scaling_settings(ext, L, d, criterion, 0.5, 32, FAST)}
    target = minimum_bases(L, d, 32, 0.5, "fp32")["bounds"][criterion]["exact"]
    cf = closed_form_settings(target, ext.from_base, d, L, ext.original_context)
    assert rows["rope_theta"]["setting"] == pytest.approx(cf["rope_theta"], rel=2e-6)
    assert rows["linear"]["factor"] == pytest.approx(cf["linear"], rel=2e-6)  # fp32 ratio: ~1e-7
    if cf["dynamic"] > 1:
        assert rows["dynamic"]["factor"] == pytest.approx(cf["dynamic"], rel=2e-5)
    else:  # dynamic NTK at factor 1 already rescales the base by (L / L0)^(d/(d-2))
        assert rows["dynamic"]["already_met"] and rows["dynamic"]["factor"] == 1.0


def test_llama3_keeps_high_frequencies_and_can_be_unattainable():
    """With a long original context llama3 keeps most frequencies (wavelength < L0 / 4) and divides
    none (every wavelength < L0): no factor up to the search limit makes B(m) >= 0, and suggest says
    so instead of inventing a value."""
    ext = Extension(10000.0, 65536, low_freq_factor=1.0, high_freq_factor=4.0)
    [r] = scaling_settings(ext, 262144, 64, "men", 0.5, 1, SearchSettings(32.0, 4, 1e-6), methods=("llama3",))
    assert not r["attainable"] and r["factor"] is None and "not attainable up to factor 32" in r["search"]
    block = {"max_position_embeddings": 262144, "rope_parameters": {
        "rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
        "original_max_position_embeddings": 65536, "rope_theta": 10000.0}}
    assert naive_min_B(block_frequencies(block, 64, 262144), 262144) < 0  # indeed B < 0 at the largest factor


@pytest.mark.parametrize("model", ["llama-3.1-8b", "mistral-7b-instruct-v0.3", "qwen3-8b"])
def test_blocks_load_into_the_model_config_class_without_a_warning(model):
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING
    from transformers.utils import logging as hf_logging

    from analysis.choose_base.suggest import model_start

    raw = json.loads((ROOT / "data" / "configs" / model / "config.json").read_text())
    st = model_start(raw, model)
    L = 4 * st.extension.original_context
    rows = scaling_settings(st.extension, L, st.rotary_dims, "dc", 0.5, st.rope_layers, FAST)
    records: list[logging.LogRecord] = []

    class Grab(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    h = Grab(level=logging.WARNING)
    hf_logging.get_logger().addHandler(h)
    old = hf_logging.get_verbosity()
    hf_logging.set_verbosity_warning()
    try:
        for r in rows:
            assert r["attainable"]
            base = {k: v for k, v in raw.items() if k not in ("rope_theta", "rope_scaling", "rope_parameters")}
            for kind, block in r["blocks"].items():
                with warnings.catch_warnings(record=True) as w:
                    warnings.simplefilter("always")
                    cfg = CONFIG_MAPPING[raw["model_type"]].from_dict({**base, **block})
                assert not w, (r["method"], kind, [str(x.message) for x in w])
                assert cfg.rope_parameters["rope_type"] == r["blocks"]["rope_parameters"]["rope_parameters"]["rope_type"]
                assert cfg.max_position_embeddings == block["max_position_embeddings"]
    finally:
        hf_logging.get_logger().removeHandler(h)
        hf_logging.set_verbosity(old)
    assert not records, [r.getMessage() for r in records]


# ------------------------------------------------------------------------------------------------
# command line

def run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)


def test_cli_suggest_json_from_a_config_matches_the_function():
    p = run("suggest", "-L", "131072", "--config", "data/configs/mistral-7b-instruct-v0.3", "--criterion", "dc", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["rotary_dims"] == 128 and out["layers"] == 32 and out["extension"]["original_context"] == 32768
    ref = suggest(131072, 128, 32, 0.5, "bf16", "dc", Extension(1e6, 32768), SearchSettings(1024.0, 8, 1e-6))
    for a, b in zip(out["scaling"], ref["scaling"]):
        assert a["method"] == b["method"] and a["setting"] == b["setting"]
    assert out["bounds"]["men"]["exact"] == ref["bounds"]["men"]["exact"]


def test_cli_suggest_table_names_the_largest_bound_and_the_wall():
    p = run("suggest", "-L", "32768", "-d", "64", "--from-base", "10000", "--original-context", "4096")
    assert p.returncode == 0, p.stderr
    assert "largest lower bound: Men et al." in p.stdout and "precision wall (bf16)" in p.stdout
    for name in ("raise rope_theta", "linear", "dynamic NTK", "YaRN", "llama3"):
        assert name in p.stdout
    assert '"rope_parameters"' in p.stdout and '"rope_scaling"' in p.stdout


@pytest.mark.parametrize("args,word", [
    (["-L", "0"], "context length"),
    (["-L", "1000.5"], "context length"),
    (["-L", "4096", "-d", "127"], "head dim"),
    (["-L", "4096", "--epsilon", "1.5"], "epsilon"),
    (["-L", "4096", "--dtype", "fp7"], "dtype"),
    (["-L", "4096", "--layers", "0"], "layers"),
    (["-L", "4096", "--from-base", "1e4"], "original-context"),
    (["-L", "4096", "--from-base", "0.5", "--original-context", "1024"], "base"),
    (["-L", "4096", "--from-base", "1e4", "--original-context", "8192"], "original context"),
    (["-L", "4096", "--config", "no/such/config.json"], "not found"),
    (["-L", "4096", "--config", "data/configs/qwen3-8b", "-d", "64"], "--head-dim"),
    (["-L", "4096", "--criterion", "nope"], "criterion"),
    (["-L", "4096", "--from-base", "1e4", "--original-context", "1024", "--max-factor", "1"], "max factor"),
])
def test_cli_suggest_bad_input_exits_2_with_one_line(args, word, capsys):
    from analysis.cli import main

    with pytest.raises(SystemExit) as e:
        raise SystemExit(main(["suggest", *args]))
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and word in err and "Traceback" not in err
