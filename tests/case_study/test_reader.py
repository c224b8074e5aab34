"""The config reader: every config style as transformers reads it, the per-layer grouping, the real
configs of data/configs, and the fields that came from transformers' defaults."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from analysis.case_study.groups import JudgingSettings, group_rows, layer_groups
from analysis.case_study.reader import read_config
from analysis.case_study.validate import load_config_json, validate_config
from analysis.core.config import ROOT

FAST = replace(JudgingSettings.defaults(), epsilon=0.5, men_max_context=1)
CONFIGS = ROOT / "data" / "configs"

LLAMA = {"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32, "num_hidden_layers": 32,
         "max_position_embeddings": 131072, "rope_theta": 500000.0}
FIXTURES = {
    "legacy-type": {**LLAMA, "rope_scaling": {"type": "linear", "factor": 4.0}},
    "legacy-rope_type": {**LLAMA, "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                   "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}},
    "v5-rope_parameters": {**{k: v for k, v in LLAMA.items() if k != "rope_theta"},
                           "rope_parameters": {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 32.0,
                                               "original_max_position_embeddings": 4096}},
    "per-layer-type": {"model_type": "gemma3_text", "num_hidden_layers": 12, "head_dim": 128, "hidden_size": 2048,
                       "num_attention_heads": 8, "max_position_embeddings": 32768, "sliding_window": 512,
                       "rope_parameters": {"full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1e6},
                                           "sliding_attention": {"rope_type": "default", "rope_theta": 1e4}}},
    "text_config": {"model_type": "gemma3", "architectures": ["Gemma3ForConditionalGeneration"],
                    "text_config": {"model_type": "gemma3_text", "num_hidden_layers": 62, "head_dim": 128,
                                    "hidden_size": 5376, "num_attention_heads": 32, "sliding_window": 1024,
                                    "rope_scaling": {"rope_type": "linear", "factor": 8.0}}},
    "mla": {"model_type": "deepseek_v3", "num_hidden_layers": 61, "hidden_size": 7168, "num_attention_heads": 128,
            "qk_rope_head_dim": 64, "qk_nope_head_dim": 128, "v_head_dim": 128, "max_position_embeddings": 163840,
            "rope_theta": 10000, "rope_scaling": {"type": "yarn", "factor": 40, "original_max_position_embeddings": 4096,
                                                  "beta_fast": 32, "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0}},
    "partial-rotary": {"model_type": "glm4_moe", "num_hidden_layers": 46, "hidden_size": 4096, "head_dim": 128,
                       "num_attention_heads": 96, "partial_rotary_factor": 0.5, "max_position_embeddings": 131072,
                       "rope_theta": 1000000},
    "nope-layers": {"model_type": "llama4_text", "num_hidden_layers": 8, "hidden_size": 5120, "head_dim": 128,
                    "num_attention_heads": 40, "max_position_embeddings": 10485760, "attention_chunk_size": 8192,
                    "rope_theta": 500000.0, "rope_scaling": {"rope_type": "llama3", "factor": 16.0, "low_freq_factor": 1.0,
                                                              "high_freq_factor": 1.0,
                                                              "original_max_position_embeddings": 8192}},
    "sliding-window": {"model_type": "mistral", "num_hidden_layers": 32, "hidden_size": 4096, "num_attention_heads": 32,
                       "max_position_embeddings": 32768, "rope_theta": 10000.0, "sliding_window": 4096},
    "alternating-windows": {"model_type": "gpt_oss", "num_hidden_layers": 24, "hidden_size": 2880, "head_dim": 64,
                            "num_attention_heads": 64, "max_position_embeddings": 131072, "sliding_window": 128,
                            "rope_theta": 150000, "rope_scaling": {"rope_type": "yarn", "factor": 32.0,
                                                                   "beta_fast": 32.0, "beta_slow": 1.0,
                                                                   "original_max_position_embeddings": 4096}},
    "unknown-type": {"model_type": "my_new_model", "num_hidden_layers": 4, "hidden_size": 512,
                     "num_attention_heads": 8, "max_position_embeddings": 2048, "rope_theta": 10000.0},
}


def groups(key: str) -> dict[str, dict]:
    mc = read_config(validate_config(FIXTURES[key], key), key)
    rows = group_rows(mc, claimed_context=mc.max_position_embeddings, training_dtype="bf16", settings=FAST)
    return {r["group"]: r for r in rows}, mc


def test_legacy_rope_scaling_with_type_and_rope_type():
    g, mc = groups("legacy-type")
    assert g["full_attention"]["scaling"] == "linear" and g["full_attention"]["scaling_factor"] == 4.0
    assert mc.rotary_dims == 128 and mc.origin["hidden_size"] == "file"
    g, _ = groups("legacy-rope_type")
    assert g["full_attention"]["scaling"] == "llama3"
    assert g["full_attention"]["effective_base"] == pytest.approx(5e5 * 8.0 ** (128 / 126), rel=1e-6)


def test_v5_rope_parameters():
    g, _ = groups("v5-rope_parameters")
    r = g["full_attention"]
    assert r["scaling"] == "yarn" and r["rope_theta"] == 1e4
    assert r["effective_base"] == pytest.approx(1e4 * 32.0 ** (128 / 126), rel=1e-6)


def test_per_layer_type_rope_parameters():
    g, mc = groups("per-layer-type")
    assert set(g) == {"sliding_attention", "full_attention"}
    s, f = g["sliding_attention"], g["full_attention"]
    assert (s["rope_theta"], s["scaling"], s["judged_length"]) == (1e4, "none", 512)
    assert (f["rope_theta"], f["scaling"], f["judged_length"]) == (1e6, "linear", 32768)
    assert s["group_layers"] + f["group_layers"] == 12 and f["is_label_group"] and not s["is_label_group"]
    assert s["depth_layers"] == f["depth_layers"] == 12  # every rotating layer compounds


def test_text_config_and_transformers_defaults_are_named():
    """A real-style Gemma 3 wrapper: rope_theta, rope_local_base_freq, max_position_embeddings absent."""
    g, mc = groups("text_config")
    assert mc.model_type == "gemma3_text" and mc.reader == "transformers Gemma3TextConfig"
    assert g["full_attention"]["rope_theta"] == 1e6 and g["sliding_attention"]["rope_theta"] == 1e4
    assert g["full_attention"]["judged_length"] == 131072 and g["sliding_attention"]["judged_length"] == 1024
    assert (g["full_attention"]["group_layers"], g["sliding_attention"]["group_layers"]) == (10, 52)
    for k in ("rope_theta", "rope_local_base_freq", "max_position_embeddings", "layer_types"):
        assert k in mc.defaults_used(), mc.origin
    assert "head_dim" not in mc.defaults_used()


def test_mla_rotary_dims_are_qk_rope_head_dim():
    g, mc = groups("mla")
    assert mc.rotary_dims == 64 and g["full_attention"]["scaling"] == "yarn"
    assert g["full_attention"]["effective_base"] == pytest.approx(1e4 * 40.0 ** (64 / 62), rel=1e-6)


def test_partial_rotary_factor():
    g, mc = groups("partial-rotary")
    assert (mc.head_dim, mc.rotary_dims) == (128, 64)
    assert g["full_attention"]["effective_base"] == 1e6


def test_nope_layers_get_no_bound_and_chunked_layers_their_chunk():
    g, mc = groups("nope-layers")  # Llama 4: every fourth layer NoPE, the RoPE layers chunked (8192)
    nope, ch = g["full_attention, NoPE"], g["chunked_attention"]
    assert nope["group_layers"] == 2 and nope["label"] == "no RoPE bound" and nope["depth_layers"] == 0
    assert ch["group_layers"] == 6 and ch["judged_length"] == 8192 and ch["depth_layers"] == 6
    assert ch["is_label_group"]  # no full-attention RoPE layer: the longest RoPE group gives the label


def test_sliding_window_models():
    g, _ = groups("sliding-window")  # Mistral 7B v0.1: every layer windowed
    assert list(g) == ["sliding_attention"] and g["sliding_attention"]["judged_length"] == 4096
    g, _ = groups("alternating-windows")  # gpt-oss: 128-token windows alternate with full attention
    assert g["sliding_attention"]["judged_length"] == 128 and g["full_attention"]["judged_length"] == 131072
    assert g["sliding_attention"]["group_layers"] == g["full_attention"]["group_layers"] == 12


def test_unknown_model_type_is_read_generically_naming_the_fields():
    g, mc = groups("unknown-type")
    assert mc.reader.startswith("generic (fields: ") and "rope_theta" in mc.reader
    assert "max_position_embeddings" in mc.reader and mc.rotary_dims == 64
    assert g["full_attention"]["rope_theta"] == 1e4


# ----------------------------------------------------------------------------- real configs
def _real(cid: str):
    p = CONFIGS / cid / "config.json"
    if not p.is_file():
        pytest.skip(f"{p} not stored (data/configs/SOURCES.yaml lists what was found)")
    mc = read_config(load_config_json(p), cid)
    rows = group_rows(mc, claimed_context=mc.max_position_embeddings, training_dtype="bf16", settings=FAST)
    return {r["group"]: r for r in rows}, mc


def test_real_gemma3():
    g, mc = _real("gemma-3-4b-it")
    assert mc.model_type == "gemma3_text" and mc.rotary_dims == 256
    assert (g["sliding_attention"]["rope_theta"], g["full_attention"]["rope_theta"]) == (1e4, 1e6)
    assert g["sliding_attention"]["judged_length"] == 1024 and g["full_attention"]["judged_length"] == 131072
    assert "rope_theta" in mc.defaults_used()


@pytest.mark.parametrize("cid,layers", [("gpt-oss-20b", 24), ("gpt-oss-120b", 36)])
def test_real_gpt_oss(cid, layers):
    g, mc = _real(cid)
    assert g["sliding_attention"]["judged_length"] == 128 and g["full_attention"]["judged_length"] == 131072
    assert g["full_attention"]["scaling"] == "yarn" and mc.num_layers == layers and mc.rotary_dims == 64


@pytest.mark.parametrize("cid", ["qwen3-8b", "qwen3-30b-a3b", "qwen3-coder-30b-a3b-instruct"])
def test_real_qwen3(cid):
    g, mc = _real(cid)
    assert list(g) == ["full_attention"] and mc.rotary_dims == 128


def test_real_smollm3_nope_layers():
    g, mc = _real("smollm3-3b")
    assert g["full_attention, NoPE"]["group_layers"] == mc.num_layers // 4
    assert g["full_attention"]["depth_layers"] == mc.num_layers - mc.num_layers // 4


def test_real_qwen35_linear_attention_layers_have_no_rope():
    g, mc = _real("qwen3.5-9b")
    assert g["linear_attention, NoPE"]["label"] == "no RoPE bound"
    assert mc.rotary_dims == int(mc.head_dim * 0.25)


def test_real_glm45_air_partial_rotary():
    """GLM-4.5-Air (a Markdown quote of transformers' printed Glm4MoeConfig): half of each 128-dim head rotates."""
    g, mc = _real("glm-4.5-air")
    assert mc.model_type == "glm4_moe" and mc.num_layers == 46 and mc.head_dim == 128 and mc.rotary_dims == 64
    assert list(g) == ["full_attention"] and g["full_attention"]["rope_theta"] == 1e6
    assert g["full_attention"]["judged_length"] == 131072 and g["full_attention"]["scaling"] == "none"


def test_every_stored_config_is_read():
    for p in sorted(CONFIGS.glob("*/config.json")):
        mc = read_config(load_config_json(p), p.parent.name)
        assert mc.rotary_dims > 0 and layer_groups(mc, mc.max_position_embeddings), p
        json.dumps(mc.origin)
