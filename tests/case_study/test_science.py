"""Tests of the case study's science: effective frequencies against transformers' own rotary modules
for every scaling type, Men et al.'s B(m) scan, the label rule, ε*, the paper form, and the corrected
verdicts of issue 13 (each test below would fail on the reasoning before it)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from analysis import case_study as cs
from analysis.case_study.groups import JudgingSettings, men_text
from analysis.case_study.labels import epsilon_star
from analysis.case_study.models import load_models
from analysis.case_study.table import case_study_table, model_table
from analysis.core.config import ROOT, load_yaml
from analysis.core.errors import InputError
from analysis.core.men import men_B, men_scan
from analysis.core.rope import inv_freq

MODELS_FILE = ROOT / "config" / "models.yaml"
FAST = replace(JudgingSettings.defaults(), epsilon=0.5, men_max_context=1)  # Men et al.'s bound not searched (seconds, not minutes)


@pytest.fixture(scope="module")
def models() -> dict[str, dict]:
    """models.yaml entries, with the old field names the frequency tests use."""
    out = {}
    for m in load_models(MODELS_FILE):
        v = m.get("values", {})
        out[m["id"]] = {**m, "rope_theta": v.get("rope_theta"), "rope_scaling": v.get("rope_scaling"),
                        "head_dim": v.get("head_dim") or 96, "claimed_context": v.get("max_position_embeddings")}
    return out


@pytest.fixture(scope="module")
def table():
    return case_study_table(load_models(MODELS_FILE), settings=FAST)


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
    scan = men_scan(th, 5000, chunk=1024)
    assert scan["first_negative"] == neg[0] and scan["n_negative"] == len(neg)
    assert scan["min_B"] == pytest.approx(min(B), abs=1e-9) and scan["argmin_m"] == B.index(min(B))
    clean = men_scan(th, neg[0] - 1, chunk=100)
    assert clean["first_negative"] is None and clean["n_negative"] == 0 and clean["min_B"] >= 0


@pytest.mark.parametrize("base, d", [(1e4, 64), (5e5, 128), (1e6, 128)])
def test_men_B_is_exact_to_1e12_at_a_million_distances(base, d):
    """B(m) against mpmath (40 digits, the same float64 frequencies) at distances near 1M, where
    ``cos(m * theta)`` evaluated directly is off by ~1e-10 (half an ulp of the angle): the
    angle-addition product must stay within 1e-12."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    th = inv_freq(base, d)
    start = 1_048_576 - 2_500
    B = men_B(th, start, 1_048_577)
    assert B.shape == (2_501,)
    for j in np.random.default_rng(0).integers(0, B.size, 40):
        exact = mpmath.fsum(mpmath.cos((start + int(j)) * mpmath.mpf(float(t))) for t in th)
        assert abs(float(B[j]) - float(exact)) < 1e-12, (start + int(j), float(B[j]) - float(exact))


def test_men_B_ranges_join_up():
    """Any split of 0..L into ranges (unaligned to the 1,024-distance rows) gives the same B(m), B(0) = d/2."""
    th = inv_freq(1e4, 32)
    whole = men_B(th, 0, 5_000)
    parts = np.concatenate([men_B(th, a, b) for a, b in [(0, 1), (1, 1_500), (1_500, 1_500), (1_500, 5_000)]])
    assert whole[0] == pytest.approx(16.0, abs=1e-14) and np.allclose(whole, parts, rtol=0, atol=1e-13)
    assert men_B(th, 7, 7).shape == (0,)
    scans = [men_scan(th, 4_321, chunk=c) for c in (1, 1_024, 3_000, 65_536)]  # the block is a memory knob
    for s in scans[1:]:
        assert [s[k] for k in ("first_negative", "n_negative", "argmin_m")] == \
            [scans[0][k] for k in ("first_negative", "n_negative", "argmin_m")]
        assert s["min_B"] == pytest.approx(scans[0]["min_B"], abs=1e-13)


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


# ------------------------------------------------------------------------------------ ε* (issue 13)
# the issue's numbers: the largest ε for which each model meets the depth bound at its own context
ISSUE_EPS_STAR = {"llama-2-7b": "0.024", "llama-2-70b-chat": "9e-05", "gemma-7b": "3e-06", "gemma-2-9b-it": "6e-09",
                  "deepseek-v3": "7e-05"}


@pytest.mark.parametrize("mid", list(ISSUE_EPS_STAR))
def test_epsilon_star_reproduces_the_issue(table, mid):
    r = model_table(table).set_index("id").loc[mid]
    v = r["model_epsilon_star_depth"]
    shown = f"{v:.3f}" if mid == "llama-2-7b" else f"{v:.0e}"
    assert shown == ISSUE_EPS_STAR[mid], v


def test_epsilon_star_is_where_the_depth_bound_flips():
    """ε* = cos(L θ_min)^N: just below it the depth bound is met, just above it is not."""
    from analysis import bounds

    L, d, N, base = 4096, 128, 32, 1e4
    tmin = float(inv_freq(base, d)[-1])
    e = epsilon_star(L, tmin, N)
    assert e == pytest.approx(math.cos(L * tmin) ** N, rel=1e-15)
    assert bounds.depth_min_base(L, e * 0.999, N, d)["exact"] < base < bounds.depth_min_base(L, e * 1.001, N, d)["exact"]
    assert epsilon_star(10 * L, tmin, N) == 0.0  # L theta_min > pi/2: no ε > 0 is met


def test_model_with_epsilon_star_below_epsilon_is_labelled_unstable(table):
    m = model_table(table)
    uns = m["model_label"] == "unstable"
    depth_binding = m["depth_min_base_exact"] >= m[["aliasing_min_base_exact", "dc_min_base_exact"]].max(axis=1)
    assert ((m["model_epsilon_star_depth"] < 0.5) == uns)[depth_binding].all()
    assert uns.sum() >= 5  # the depth bound calls working models unstable at ε = 0.5


def test_paper_form_uses_one_over_theta_min(table):
    """Phi-3 mini 128K: stable under the old mixed convention, unstable in the consistent paper form."""
    r = model_table(table).set_index("id").loc["phi-3-mini-128k"]
    assert r["paper_form_base"] == pytest.approx(1.0 / r["effective_min_frequency"], rel=1e-12)
    assert r["model_label_paper_form"] == "unstable"
    assert r["effective_base"] / r["lower_bound_paper"] > 1  # the old reading (exact base, paper bound): stable


def test_men_verdict_in_words_names_distances_not_positions(table):
    r = model_table(table).set_index("id").loc["llama-2-7b"]
    assert r["men_text"] == (f"B < 0 at {int(r['men_negative_count']):,} of 4,096 distances, "
                             f"first at m = {int(r['men_first_negative_m']):,}")
    assert men_text(None, 0, 10) == "meets" and "fails at" not in r["men_text"]


def test_no_circular_hypothetical_row_and_the_depth_claim_differs(table):
    from analysis.case_study.claims import case_study_claims

    assert "hypothetical-target" not in set(table["id"])
    rows = case_study_claims(table, epsilon=0.5)
    claim = [r for r in rows if r.item == "bounds separate stable from unstable models"]
    assert len(claim) == 1 and claim[0].verdict == "differs" and "contradicted" in claim[0].reason
    # issue 23 item 6: the paper's case study is one claim, not one row per model we configured
    assert not any(r.item.startswith("label: ") for r in rows)
    assert len(rows) == 2 and sum(r.verdict == "not reproducible offline" for r in rows) == 1
    assert len(table[table["is_label_group"]]) > 2  # the models stay in the chapter's table


def test_existing_models_keep_their_values(table):
    """The models of the former table (stored copies where found): same base, rotary dims, layers and context where the config agrees."""
    m = model_table(table).set_index("id")
    want = {"llama-2-7b": (1e4, 128, 32, 4096), "llama-3.1-8b": (5e5, 128, 32, 131072),
            "deepseek-v3": (1e4, 64, 61, 163840), "gemma-2-9b-it": (1e4, 256, 42, 8192),
            "gemma-3-27b-it": (1e6, 128, 62, 131072), "phi-3-mini-128k": (1e4, 96, 32, 131072),
            "qwen2.5-7b-instruct-1m": (1e7, 128, 28, 1010000)}
    for mid, (base, d, n, L) in want.items():
        r = m.loc[mid]
        assert (r["rope_theta"], r["rotary_dims"], r["depth_layers"], r["judged_length"]) == (base, d, n, L), mid
    assert m.loc["llama-3.1-8b", "effective_base"] == pytest.approx(4.134231e6, rel=1e-6)
    assert m.loc["gemma-3-27b-it", "effective_base"] == pytest.approx(8.268462e6, rel=1e-6)


def test_windowed_layers_are_judged_at_their_window(table):
    g = table.set_index(["id", "group"])
    assert g.loc[("gemma-3-27b-it", "sliding_attention"), "judged_length"] == 1024
    assert g.loc[("gemma-3-27b-it", "sliding_attention"), "rope_theta"] == 1e4
    assert g.loc[("gemma-3-27b-it", "full_attention"), "is_label_group"]
    assert g.loc[("mistral-7b-v0.1", "sliding_attention"), "judged_length"] == 4096  # was 32,768
    assert g.loc[("gemma-2-9b-it", "sliding_attention"), "group_layers"] == 21


def test_every_column_is_documented(table):
    from analysis.case_study.display import COLUMNS, columns_schema, display_table

    assert set(table.columns) <= set(COLUMNS), sorted(set(table.columns) - set(COLUMNS))
    schema = columns_schema(table)
    assert all(p["description"] for p in schema["properties"].values())
    disp = display_table(table)
    assert len(disp) == table["id"].nunique()
    for c in ("eff. base", "lower bound", "ε* (depth)"):  # one number style per column
        col = list(disp[c])
        assert not any("e+" in v or "e-" in v for v in col), col
        sci = ["×10" in v for v in col if v not in ("–", "0", "1.0")]
        assert all(sci) or not any(sci), (c, col)


def test_findings_are_never_empty_and_hold_no_cross_references(table):
    from analysis.case_study.findings import case_study_findings
    from analysis.core.findings import findings_dict

    items = findings_dict(case_study_findings(table, not_included=[{"name": "x", "reason": "y"}], version="1.2.3",
                                              year=2026, epsilon=0.5, very_stable_margin=10, men_max_context=1))
    assert all(v["text"].strip() for v in items.values())
    assert not any("@tbl-" in v["text"] or "@fig-" in v["text"] for v in items.values())
    assert items["csv_name"]["text"] == "rope-bounds-1.2.3-case-study.csv"
    assert "contradicted by models known to work" in items["depth_contradiction"]["text"]


def test_citation_cff_is_valid_and_versioned():
    import analysis

    cff = load_yaml(ROOT / "CITATION.cff")
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):
        assert cff[key], key
    assert str(cff["version"]) == analysis.__version__.split("+")[0]
    for ref in cff.get("references", []):
        assert ref["type"] and ref["title"] and ref["authors"]
