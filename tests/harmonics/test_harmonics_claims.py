"""Harmonics scorecard claims: every verdict by its stated criterion, and the corrected verdict of
"misalignment disrupts attention focus" (issue 13, item 8; judged by the paper's own comparison,
misaligned against aligned, since issue 23 item 4)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import harmonics as h
from analysis.core.config import ROOT, load_config
from analysis.core.scorecard import VERDICTS, rows_to_frame
from analysis.harmonics import claims

FOCUS = "misalignment disrupts attention focus"
WEAKEN = "misalignment weakens FFN activations"


def smoke_cfg() -> dict:
    return load_config(ROOT / "config" / "config.yaml", ROOT / "config" / "smoke.yaml")["harmonics"]


def fake_sweep(entropy_half: list[float], weight_half: list[float] | None = None,
               act_half: list[float] | None = None) -> pd.DataFrame:
    """A symmetric sweep over [-pi, pi] from its values on [0, pi] (phi = 0 first)."""
    n = len(entropy_half)
    phi = np.linspace(0, math.pi, n)
    w = np.asarray(weight_half if weight_half is not None else np.linspace(0.9, 0.001, n))
    act = np.asarray(act_half if act_half is not None else np.abs(np.cos(phi / 2)))
    half = pd.DataFrame({
        "phi": phi, "input_amplitude": 2 * np.abs(np.cos(phi / 2)), "act_rms_relu": act, "act_rms_silu": 0.8 * act,
        "entropy_target": entropy_half, "target_weight": w, "entropy_bi": np.linspace(3.0, 3.2, n),
    })
    neg = half.iloc[1:].assign(phi=-half["phi"].iloc[1:]).iloc[::-1]
    return pd.concat([neg, half], ignore_index=True)


def rows_for(sweep: pd.DataFrame, real=None) -> dict[str, object]:
    summary = {"max_peak_error_bins": 0.4, "thetas": [1.0, 0.1], "harmonics_max_abs_error": 1e-6,
               "intermod_max_abs_error": 1e-6, "swiglu_max_abs_error": 1e-6}
    harm = pd.DataFrame({"n": [0, 1, 2], "measured": [0.6, 1.0, 0.42]})
    rows = claims.claim_rows(summary=summary, harmonics=harm, sweep=sweep, activations=["relu", "silu"],
                             amplitude_tolerance=1e-3, tone_amplitude=2.0, line_ratio_threshold=2.0, real=real)
    return {r.item: r for r in rows}


# the shape measured on the smoke profile: entropy rises to a peak before pi, then falls a little
PEAKED = [0.706, 1.069, 2.144, 2.436, 2.374, 2.360, 2.358]


def test_focus_reproduced_when_entropy_saturates_before_pi():
    """Issue 23 item 4: the entropy rises from 0.71 to 2.44 nats and then settles 0.08 nats lower at the
    distractors' level. Every misaligned offset is less focused than the aligned key, which is the
    claim; the earlier Spearman >= 0.9 rule (rho = 0.64 here) called it differs."""
    sweep = fake_sweep(PEAKED)
    half = sweep[sweep.phi >= 0]
    assert np.all(np.diff(half["target_weight"]) < 0) and np.all(np.diff(half["act_rms_relu"]) < 0)
    rows = rows_for(sweep)
    assert claims.focus_trend(sweep)["rho"] < claims.FOCUS_MIN_SPEARMAN
    assert rows[FOCUS].verdict == "reproduced"
    assert "not monotone" in rows[FOCUS].reason and "Revised after seeing the data" in rows[FOCUS].criterion
    assert "Revised after seeing the data" in rows[FOCUS].criterion
    assert rows[WEAKEN].verdict == "reproduced"  # the activation half of the old row still holds
    assert "misalignment weakens activations and disrupts attention focus" not in rows


def test_focus_reproduced_when_entropy_rises_with_offset():
    rows = rows_for(fake_sweep([0.7, 1.0, 1.6, 2.2, 2.3, 2.35, 2.36]))
    assert rows[FOCUS].verdict == "reproduced"
    # a tiny wiggle on the plateau keeps rank correlation above the threshold
    rows = rows_for(fake_sweep([0.7, 1.0, 1.6, 2.2, 2.3, 2.36, 2.359, 2.37, 2.38, 2.39]))
    assert rows[FOCUS].verdict == "reproduced"


def test_focus_differs_without_a_rise_or_when_falling():
    assert rows_for(fake_sweep([2.0, 2.01, 2.02, 2.03, 2.04]))[FOCUS].verdict == "differs"  # rise 0.04 < 0.1
    assert rows_for(fake_sweep([2.4, 2.0, 1.5, 1.0, 0.7]))[FOCUS].verdict == "differs"
    # some misaligned offset sharper than the aligned key: misalignment does not disrupt focus there
    row = rows_for(fake_sweep([1.0, 0.9, 1.6, 2.2, 2.3]))[FOCUS]
    assert row.verdict == "differs" and "at or below the aligned one" in row.reason


def test_focus_trend_matches_naive_spearman():
    sweep = fake_sweep(PEAKED)
    t = claims.focus_trend(sweep)
    x = np.arange(len(PEAKED), dtype=float)  # phi is increasing, so its ranks are 0..n-1
    r = np.argsort(np.argsort(PEAKED)).astype(float)  # no ties
    naive = 1 - 6 * np.sum((x - r) ** 2) / (len(x) * (len(x) ** 2 - 1))
    assert t["rho"] == pytest.approx(naive, abs=1e-12) and naive == pytest.approx(1 - 120 / 336)
    assert t["max"] == 2.436 and t["phi_max"] == pytest.approx(math.pi / 2)
    assert t["at_0"] == 0.706 and t["at_pi"] == 2.358


def test_focus_verdict_on_the_smoke_profile_sweep():
    """The real sweep of the smoke profile: entropy 0.706 -> 2.44 (|phi| = pi/2) -> 2.36 nats, rho = 0.64."""
    cfg = smoke_cfg()
    sw = cfg["sweep"]
    sweep, _ = h.sweep_results(base=cfg["base"], head_dim=cfg["head_dim"], ffn_hidden=cfg["ffn_hidden"],
                               activations=cfg["activations"], n_positions=cfg["n_positions"],
                               n_offsets=sw["n_offsets"], attn_head_dim=sw["attn_head_dim"],
                               attn_window=sw["attn_window"], seed=cfg["seed"])
    t = claims.focus_trend(sweep)
    assert t["rho"] == pytest.approx(1 - 120 / 336, abs=1e-12)
    assert t["at_0"] == pytest.approx(0.70597, abs=1e-4) and t["max"] == pytest.approx(2.43617, abs=1e-4)
    assert rows_for(sweep)[FOCUS].verdict == "reproduced"


def test_every_row_states_a_criterion_and_verdicts_follow_it():
    rows = rows_for(fake_sweep(PEAKED))
    df = rows_to_frame(list(rows.values()))
    assert set(df["verdict"]) <= set(VERDICTS)
    assert (df["criterion"].str.len() > 20).all() and (df["reason"].str.len() > 10).all()
    assert rows["harmonics in a trained model's FFN activations"].verdict == "not reproducible offline"
    assert rows["phase alignment amplifies FFN activations"].verdict == "reproduced"
    real = {"line_power_ratio": {"-1": 0.9, "0": 2.5, "1": 1.1}}
    assert rows_for(fake_sweep(PEAKED), real)["harmonics in a trained model's FFN activations"].verdict == "reproduced"
    real = {"line_power_ratio": {"-1": 0.9, "0": 1.9}}
    assert rows_for(fake_sweep(PEAKED), real)["harmonics in a trained model's FFN activations"].verdict == "differs"


def test_embedding_and_harmonics_claims_by_their_tolerances():
    assert claims.embedding_claim({"max_peak_error_bins": 1.5, "thetas": [1.0]}).verdict == "differs"
    assert claims.embedding_claim({"max_peak_error_bins": 1.0, "thetas": [1.0]}).verdict == "reproduced"
    s = {"harmonics_max_abs_error": 1e-3, "intermod_max_abs_error": 1e-6, "swiglu_max_abs_error": 1e-6}
    harm = pd.DataFrame({"n": [1, 2], "measured": [1.0, 0.4]})
    assert claims.harmonics_claim(s, harm, 2e-3).verdict == "reproduced"
    assert claims.harmonics_claim(s, harm, 5e-4).verdict == "differs"  # error above the tolerance
    assert claims.harmonics_claim(s, harm.assign(measured=[1.0, 0.1]), 2e-3).verdict == "differs"  # 0.1 < 100 tol


def test_weakening_claim_fails_on_a_rising_activation():
    act = [1.0, 0.9, 0.95, 0.5, 0.0]
    rows = rows_for(fake_sweep([0.7, 1.0, 1.6, 2.2, 2.3], act_half=act))
    assert rows[WEAKEN].verdict == "differs" and "relu" in rows[WEAKEN].reason
