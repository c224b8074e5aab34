"""Tests of the corrected verdicts (issue 13: items 1, 5, 6, 9), the whole-vector collision, the
transformers-exact frequencies, the findings and the schema."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from analysis import precision as P
from analysis.core.config import ROOT, load_config
from analysis.core.errors import ConfigError
from analysis.core.findings import findings_dict
from analysis.core.scorecard import published
from analysis.precision import claims as CL
from analysis.precision import findings as F

CPU = torch.device("cpu")
PUB = published()


# ------------------------------------------------------------------ item 9: inv_freq as transformers
@pytest.mark.parametrize("base,d", [(1e4, 128), (5e5, 128), (1e6, 64), (1234.5, 80), (1e4, 16)])
def test_inv_freq_equals_transformers_rotary_module_bit_for_bit(base, d):
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

    cfg = LlamaConfig(hidden_size=d * 2, num_attention_heads=2, head_dim=d, rope_theta=base)
    hf = LlamaRotaryEmbedding(cfg).inv_freq
    ours = P.inv_freq_torch(base, d)
    assert ours.dtype == torch.float32 and torch.equal(ours.view(torch.int32), hf.view(torch.int32))


def test_fp32_first_collision_at_base_1e4_uses_transformers_theta():
    hf = float(P.inv_freq_torch(1e4, 128)[-1])
    rounded = float(torch.tensor(P.inv_freq(1e4, 128)[-1]).float())
    assert hf != rounded and abs(np.float32(hf).view(np.int32) - np.float32(rounded).view(np.int32)) == 1
    # one ULP of theta_min moves the first collision of the fp32 lowest angle by ten positions
    assert P.first_collision(hf, "fp32", "native", 2**25, 10, 2**22, CPU)["first_collision"] == 8_867_483
    assert P.first_collision(rounded, "fp32", "native", 2**25, 10, 2**22, CPU)["first_collision"] == 8_867_493


def test_sweep_uses_transformers_theta():
    df = P.collision_sweep(head_dim=128, formats=["fp32"], base_log10_min=4.0, base_log10_max=4.0 + 1e-12,
                           bases_per_decade=1, context_length=10, max_position=2**25, chunk_positions=2**22,
                           device=CPU)
    row = df[df["mode"] == "native"].iloc[0]
    assert row["first_collision"] == 8_867_483
    assert row["theta_min_in_format"] == float(P.inv_freq_torch(1e4, 128)[-1])
    assert row["theta_min"] == float(P.inv_freq(1e4, 128)[-1])  # the exact value, kept beside it


def test_float64_inv_freq_unchanged():
    """The bounds and case-study stages use the exact float64 frequencies: not the fp32 ones."""
    th = P.inv_freq(1e4, 128)
    assert th.dtype == np.float64 and th[0] == 1.0
    np.testing.assert_array_equal(th, np.power(1e4, -2.0 * np.arange(64) / 128))


# ----------------------------------------------------------------- item 5: both erasure definitions
def _naive_vector_collision(inv, fmt, mode, cap):
    pos = torch.arange(0, cap + 1, dtype=torch.int64)
    vals = P.rope_values(pos, inv, fmt, mode)
    same = torch.ones(cap, dtype=torch.bool)
    for v in vals:
        same &= (v[1:] == v[:-1]).all(dim=-1)
    idx = torch.nonzero(same)
    return None if len(idx) == 0 else int(idx[0, 0]) + 1


@pytest.mark.parametrize("fmt", ["bf16", "fp16", "fp8_e4m3"])
@pytest.mark.parametrize("mode", P.MODES)
def test_vector_collision_matches_naive_scan(fmt, mode):
    if fmt.startswith("fp8") and mode == "native":
        pytest.skip("fp8 arithmetic is not implemented on CPU")
    for base in (10.0, 1e4, 1e8):
        inv = P.inv_freq_torch(base, 16)
        for start, chunk in ((1, 5000), (1, 7)):
            got = P.first_vector_collision(inv, fmt, mode, 6000, chunk, CPU, start=start)
            assert got == _naive_vector_collision(inv, fmt, mode, 6000), (fmt, mode, base, chunk)


def test_whole_vector_numbers_of_issue_13():
    """Native bf16 repeats the whole vector at 257 (= position 256's), fp16 at 2,049; the
    transformers path (fp32 angles, cos/sin cast) keeps it distinct until 2^24 for fp32 and bf16."""
    inv = P.inv_freq_torch(1e4, 128)
    assert P.first_vector_collision(inv, "bf16", "native", 10**5, 2**16, CPU) == 257
    assert P.first_vector_collision(inv, "fp16", "native", 10**5, 2**16, CPU) == 2049
    for fmt in ("fp32", "bf16"):
        assert P.first_vector_collision(inv, fmt, "cos_sin_cast", 2**25, 2**22, CPU) == 2**24 + 1
    # ... while the lowest pair alone repeats near 1/eps: bf16 ~ 10^2, fp32 ~ 10^7 positions
    th = float(inv[-1])
    assert P.first_collision(th, "bf16", "cos_sin_cast", 10**5, 10, 2**16, CPU)["first_collision"] < 300
    assert P.first_collision(th, "fp32", "cos_sin_cast", 2**25, 10, 2**22, CPU)["first_collision"] < 2**24


def test_sweep_shares_scans_but_equals_single_jobs():
    """The shared pass per base gives what one scan per (format, mode) gives."""
    df = P.collision_sweep(head_dim=128, formats=["bf16", "fp16", "fp8_e4m3"], base_log10_min=1.0,
                           base_log10_max=6.0, bases_per_decade=1, context_length=3000, max_position=70000,
                           chunk_positions=4096, device=CPU)
    for _, r in df[df["status"] == "ok"].iterrows():
        th = float(P.inv_freq_torch(r["base"], 128)[-1])
        one = P.first_collision(th, r["dtype"], r["mode"], 70000, 3000, 4096, CPU)
        fc = None if pd.isna(r["first_collision"]) else int(r["first_collision"])
        assert fc == one["first_collision"] and r["distinct_fraction"] == pytest.approx(one["distinct_fraction"])
        vec = P.first_vector_collision(P.inv_freq_torch(r["base"], 128), r["dtype"], r["mode"], 70000, 4096, CPU)
        assert (None if pd.isna(r["first_collision_vector"]) else int(r["first_collision_vector"])) == vec


def test_erasure_table_reports_both_definitions():
    df = P.collision_sweep(head_dim=128, formats=["bf16", "fp16"], base_log10_min=2.0, base_log10_max=6.0,
                           bases_per_decade=1, context_length=1000, max_position=70000, chunk_positions=8192,
                           device=CPU)
    e = P.erasure_table(df).set_index(["dtype", "mode"])
    assert e.loc[("bf16", "native"), "whole_vector_min"] == 257 == e.loc[("bf16", "native"), "whole_vector_max"]
    assert e.loc[("fp16", "native"), "whole_vector_min"] == 2049
    assert math.isnan(e.loc[("bf16", "cos_sin_cast"), "whole_vector_min"])  # none up to 70,000
    assert e.loc[("bf16", "cos_sin_cast"), "lowest_pair_median"] < 1000


# ------------------------------------------------------------- item 1: the fp32 wall, like with like
def _coll(first: dict[float, float], L: int, fmt: str = "fp32", mode: str = "native") -> pd.DataFrame:
    rows = [dict(device="dev", device_type="cpu", torch_version="x", dtype=fmt, mode=mode, base=b, head_dim=128,
                 theta_min=b ** (-126 / 128), context_length=L, max_position=2**25, eps_mach=2.0**-23,
                 theta_min_in_format=b ** (-126 / 128), first_collision=fc, angle_at_collision=None,
                 distinct_fraction=1.0, first_collision_vector=2**24 + 1, status="ok", reason="")
            for b, fc in first.items()]
    df = pd.DataFrame(rows)
    df["first_collision"] = df["first_collision"].astype("Int64")
    return df


def test_fp32_wall_row_differs_when_collisions_do_not_depend_on_the_base():
    # the measured situation: about 1.1e7 positions at every base, a context of 262,144
    coll = pd.concat([_coll({b: 11_000_000 + i for i, b in enumerate(10.0 ** np.arange(1, 10))}, 262_144, mode=m)
                      for m in ("native", "cos_sin_cast")])
    walls = P.measured_walls(coll, 128)
    rows = CL.wall_rows(walls, PUB, "dev")
    assert [r.verdict for r in rows] == ["differs", "differs"]
    # today's reasoning read the median collision *position* as a base: within a factor 2 of 8.4e6
    med = float(walls["median_first_collision"].iloc[0])
    assert abs(med / PUB["liu2026"]["fp32_precision_wall"] - 1) <= 1.0
    assert "no base wall" in str(rows[0].our_value) and "position" in rows[0].reason
    assert rows[0].criterion and "base with a base" in rows[0].criterion


def test_fp32_wall_row_can_reproduce_a_real_base_wall():
    # a hypothetical sweep with a wall in the paper's sense: bases from 1e7 on erase within L
    coll = _coll({1e5: None, 1e6: None, 1e7: 50, 1e8: 20, 1e9: 3}, 1000)
    [row] = CL.wall_rows(P.measured_walls(coll, 128), PUB, "dev")
    assert row.verdict == "reproduced" and row.our_value == 1e7
    assert P.context_base_wall(_coll({1e5: 5, 1e6: None, 1e7: 5}, 100))["kind"] == "mixed"
    assert P.context_base_wall(_coll({1e5: 5, 1e6: 5}, 100))["kind"] == "all"


# ------------------------------------------------------------------- item 6: Wang et al. criteria
def _err(rms: dict[tuple[str, str], list[float]]) -> pd.DataFrame:
    rows = []
    for (fmt, impl), vals in rms.items():
        for j, v in enumerate(vals):
            rows.append(dict(device="dev", dtype=fmt, implementation=impl, bin=j, position_lo=0 if j == 0 else 2 ** (j - 1),
                             position_hi=max(1, 2**j), max_rel_error=3 * v, rms_rel_error=v, n=100,
                             nonfinite_fraction=0.0, status="ok", reason=""))
    return pd.DataFrame(rows)


def _verdicts(err: pd.DataFrame) -> dict[str, str]:
    rows = CL.wang_rows(err, PUB)
    keys = ["c1_hf", "c1_native", "c2", "c3_hf", "c3_native", "c4"]
    return dict(zip(keys, (r.verdict for r in rows)))


def test_wang_claim1_not_met_by_rounding_noise():
    """bf16 rounding of constant size (flat RMS error) far above fp32's is *not* a position effect:
    the old criterion (bf16 spread > 10x fp32's at some L, met at L = 2) credited it."""
    n = 21
    flat = [3e-4] * n
    f32 = [4e-8 * 2 ** max(0, j - 8) for j in range(n)]  # fp32 grows with position (its angles)
    v = _verdicts(_err({("bf16", "hf"): flat, ("bf16", "native"): flat, ("fp32", "fp32"): f32}))
    assert v["c1_hf"] == "differs" and v["c1_native"] == "differs"
    assert v["c4"] == "reproduced"  # fp32 grows, but stays 30x below bf16 up to 65,536 (the claim compares the two)
    assert v["c3_hf"] == "differs"  # bf16 grows no more than fp32 (here: not at all)
    assert v["c2"] == "not reproducible offline"


def test_wang_claims_reproduced_by_a_real_position_effect():
    n = 21
    grow = [2e-3 * 1.3 ** j for j in range(n)]  # x190 over the sweep
    hf = [3e-4 + 1e-9 * 2**j for j in range(n)]  # bf16 rounding + the shared fp32 angle error
    f32 = [4e-8] * n  # fp32 flat: no position dependence
    v = _verdicts(_err({("bf16", "hf"): hf, ("bf16", "native"): grow, ("fp32", "fp32"): f32}))
    assert v["c1_native"] == "reproduced" and v["c3_native"] == "reproduced"
    assert v["c4"] == "reproduced"
    assert v["c1_hf"] == "differs"


def test_wang_fp32_claim_judged_against_bf16_not_its_own_floor():
    """Issue 23 item 5: fp32's error grows 1000x above its own m < 2 floor (the earlier rule's 'differs')
    but stays 20x below the transformers path and far below bf16 angles in every octave: reproduced.
    Where fp32 comes within a decade of a bf16 path in some octave, differs."""
    n = 21
    f32 = [4e-8 * 2 ** max(0, j - 10) for j in range(n)]  # 4e-8 -> 4.1e-5
    hf = [3e-4 + 4e-5 * 2 ** max(0, j - 10) * 19 for j in range(n)]  # >= 20x fp32 everywhere
    native = [2e-3 * 1.3 ** j for j in range(n)]
    v = _verdicts(_err({("bf16", "hf"): hf, ("bf16", "native"): native, ("fp32", "fp32"): f32}))
    assert f32[16] / f32[0] > RATIO_OLD and v["c4"] == "reproduced"
    close = [x * 5 for x in f32]  # bf16 only 5x above fp32
    v = _verdicts(_err({("bf16", "hf"): close, ("bf16", "native"): native, ("fp32", "fp32"): f32}))
    assert v["c4"] == "differs"


RATIO_OLD = 10.0


def test_wang_criteria_have_no_preregistration_wording():
    import inspect

    src = inspect.getsource(CL)
    assert "widened" not in src and "first full run" not in src and "before measuring" not in src
    for r in CL.wang_rows(_err({("bf16", "hf"): [1e-4] * 5, ("bf16", "native"): [1e-4] * 5,
                                 ("fp32", "fp32"): [1e-8] * 5}), PUB):
        assert r.criterion


def test_wang_on_measured_smoke_logits():
    lg = {**load_config(ROOT / "config" / "config.yaml", ROOT / "config" / "smoke.yaml")["precision"]["logits"]}
    err, _ = P.logit_sweep(head_dim=128, formats=["fp32", "bf16"], seed=0, device=CPU, **lg)
    v = _verdicts(err)
    assert v["c1_hf"] == "differs"  # the transformers path: bf16's error is flat in position
    assert v["c3_hf"] == "differs"


# ----------------------------------------------------------------------------- findings, schema
def test_findings_are_plain_nonempty_and_complete(tmp_path):
    cfg = load_config(ROOT / "config" / "config.yaml", ROOT / "config" / "smoke.yaml")
    cfg["precision"]["collisions"] = dict(cfg["precision"]["collisions"], base_log10_max=4.0)
    cfg["precision"]["logits"] = dict(cfg["precision"]["logits"], log2_max_position=11)
    tabs = P.run_all(cfg, CPU)
    out = P.precision_summary_tables(collisions=tabs["collisions"], logit_error=tabs["logit_error"],
                      invariance=tabs["invariance"], throughput=tabs["throughput"], folders=[], head_dim=128)
    score = P.precision_scorecard(collisions=tabs["collisions"], walls=out["walls"], logit_error=tabs["logit_error"],
                                  published=PUB)
    assert score["device"] == out["device"]
    items, disp = F.page(collisions=tabs["collisions"], walls=out["walls"], erasure=out["erasure"],
                         scorecard=score["scorecard"], devices_walls=out["devices_walls"],
                         logit_error=tabs["logit_error"], invariance=tabs["invariance"], head_dim=128,
                         logits_base=5e5, delta=128, n_vectors=2, bases_per_decade=1)
    d = findings_dict(items)  # checks: no empty text, no markup in plain findings
    assert "summary" in d and "1/ε" in d["summary"]["text"] and "whole RoPE vector" in d["summary"]["text"]
    assert d["until_hf_bf16"]["text"].startswith("up to the search limit") and "257" in d["summary"]["text"]
    assert d["vec_native_bf16"]["value"] == 257 and d["wall_native_verdict"]["text"] == "differs"
    for name, t in disp.items():
        assert list(t.index) == list(range(len(t))) and len(t), name
        assert all(t[c].map(lambda x: isinstance(x, str)).all() for c in t.columns), name
    assert not any("@fig-" in f["text"] or "@tbl-" in f["text"] for f in d.values())


def test_schema_rejects_bad_precision_config():
    base = [ROOT / "config" / "config.yaml"]
    small = load_config(*base, ROOT / "config" / "smoke.yaml")["precision"]
    with pytest.raises(ConfigError, match="precision.collisions"):
        load_config(*base, overrides={"precision": {**small, "collisions": dict(small["collisions"], formats=["fp12"])}})
    with pytest.raises(ConfigError, match="precision.collisions"):
        load_config(*base, overrides={"precision": {**small, "collisions": dict(small["collisions"], extra=1)}})
    with pytest.raises(ConfigError, match="precision.device"):
        load_config(*base, overrides={"precision": {**small, "device": "gpu"}})
    with pytest.raises(ConfigError, match="precision"):  # head_dim is physics.head_dim, stated once
        load_config(*base, overrides={"precision": {**small, "head_dim": 64}})


def test_rules_run_steps_that_read_existing_keys():
    """Every precision rule runs a step of analysis/precision/steps.py (no adapter scripts), whose
    settings exist in config.yaml (physics.* instead of duplicates); the all-device tables the summary
    step writes are those of analysis.precision.datasets."""
    import re

    from analysis.core.step import step_registry
    from analysis.precision import steps as S

    cfg = load_config(ROOT / "config" / "config.yaml")
    smk = (ROOT / "workflow" / "rules" / "precision.smk").read_text()
    rules = re.findall(r"^rule (precision_\w+):", smk, flags=re.M)
    assert sorted(rules) == sorted(f"precision_{n}" for n in step_registry("precision"))
    assert smk.count("script:\n        STEP_SCRIPT") == len(rules) and "../scripts/" not in smk
    assert not list((ROOT / "workflow" / "scripts").glob("precision_*.py"))
    keys = {k for step in step_registry("precision").values() for k in step.setting_keys}
    assert "physics.head_dim" in keys and not any(k in keys for k in ("precision.head_dim", "precision.formats"))
    for k in keys:
        node = cfg
        for part in k.split("."):
            assert part in node, k
            node = node[part]
    assert S.TABLES == P.TABLES


def test_committed_default_profile_data_set_reproduces_issue_numbers():
    """The committed CPU data set (default profile, up to 2^25 positions): the whole vector of the
    transformers path stays distinct up to 2^24 for fp32 and bf16; the fp32 wall is 'differs'."""
    folder = sorted((ROOT / "data" / "measurements").glob("cpu-*/provenance.json"))[0].parent
    t = P.load_measurements(folder)
    out = P.precision_summary_tables(collisions=t["collisions"], logit_error=t["logit_error"], invariance=t["invariance"],
                      throughput=t["throughput"], folders=[], head_dim=128)
    score = P.precision_scorecard(collisions=t["collisions"], walls=out["walls"], logit_error=t["logit_error"],
                                  published=PUB)["scorecard"]
    items, _ = F.page(collisions=t["collisions"], walls=out["walls"], erasure=out["erasure"],
                      scorecard=score, devices_walls=out["devices_walls"], logit_error=t["logit_error"],
                      invariance=t["invariance"], head_dim=128, logits_base=5e5, delta=128, n_vectors=8,
                      bases_per_decade=3)
    d = findings_dict(items)
    assert d["until_hf_fp32"]["text"] == d["until_hf_bf16"]["text"] == "up to position 16,777,216"
    assert d["vec_native_bf16"]["value"] == 257 and d["vec_native_fp16"]["value"] == 2049
    assert d["wall_native_verdict"]["text"] == d["wall_cossin_verdict"]["text"] == "differs"
    c = t["collisions"]
    row = c[(c["dtype"] == "fp32") & (c["mode"] == "native") & (c["base"].round() == 10000)]
    assert int(row["first_collision"].iloc[0]) == 8_867_483
    v = {r.item: r.verdict for r in CL.wang_rows(t["logit_error"], PUB)}
    assert [v[k] for k in v if "transformers path" in k] == ["differs", "differs"]
    assert [v[k] for k in v if "angles computed in bf16" in k] == ["reproduced", "reproduced"]
    # the claim's own comparison (issue 23 item 5): fp32 at least 10x below both bf16 paths in every octave
    row = [r for r in CL.wang_rows(t["logit_error"], PUB) if r.item == "Wang et al.: fp32 does not show it"][0]
    assert row.verdict == "reproduced" and "Revised after seeing the data" in row.criterion
