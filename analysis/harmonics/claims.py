"""The harmonics stage's scorecard claims, as data: each claim of the seed (Ruscio & Silvestri) set
against our measurement by a criterion stated here, in code, with the verdict it gives and why.

The thresholds below are the criteria; they are part of the claim's definition and are not tuned to
the data. Where a criterion was added or revised after the first measurement (the attention-focus claim,
issue 13 item 8, revised again by issue 23 item 4), its docstring and its scorecard criterion say so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis.core.scorecard import ScoreRow

__all__ = [
    "SOURCE", "CHAPTER", "PEAK_TOLERANCE_BINS", "HARMONIC_VISIBILITY", "MONOTONE_STEP", "FOCUS_MIN_SPEARMAN",
    "FOCUS_MIN_RISE_NATS", "claim_rows", "sweep_ends", "focus_trend",
]

SOURCE = "Ruscio & Silvestri, Beyond position (arXiv 2410.18067)"
CHAPTER = "harmonics"
# an embedding line counts as found when its spectral peak is within this many FFT bins of theta_i/(2 pi)
PEAK_TOLERANCE_BINS = 1.0
# harmonics "appear" when the largest one (n >= 2) exceeds this multiple of the amplitude tolerance
HARMONIC_VISIBILITY = 100.0
# a sampled curve is monotone when no step goes the wrong way by more than this (float64 round-off)
MONOTONE_STEP = 1e-12
# "misalignment disrupts focus" (the paper's comparison: misaligned against aligned): every misaligned
# offset's attention entropy above the aligned one's, and the opposed one (phi = pi) at least
# FOCUS_MIN_RISE_NATS above it. FOCUS_MIN_SPEARMAN was the earlier (issue 13) monotonicity criterion,
# kept only to describe the curve's shape on the page; it no longer decides the verdict (issue 23).
FOCUS_MIN_SPEARMAN = 0.9
FOCUS_MIN_RISE_NATS = 0.1


def _row(item: str, paper: Any, ours: Any, tol: float | None, ok: bool, reason: str, criterion: str,
         fail: str = "differs") -> ScoreRow:
    return ScoreRow(CHAPTER, item, SOURCE, paper, ours, tol, "reproduced" if ok else fail, reason, criterion)


def sweep_ends(sweep: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """The sweep's aligned row (phi = 0), opposed row (|phi| largest) and the half 0 <= phi <= pi
    sorted by phi."""
    s = sweep.sort_values("phi")
    at0 = s.iloc[(s["phi"]).abs().argmin()]
    atpi = s.iloc[s["phi"].abs().argmax()]
    return at0, atpi, s[s["phi"] >= -1e-12]


def focus_trend(sweep: pd.DataFrame, column: str = "entropy_target") -> dict[str, float]:
    """How attention entropy ``column`` moves with |phi| on [0, pi]: Spearman rank correlation
    ``rho`` with phi, the values at 0 and pi, and the maximum and where it lies."""
    _, _, half = sweep_ends(sweep)
    h, phi = half[column].to_numpy(dtype=float), half["phi"].to_numpy(dtype=float)
    rho = float(stats.spearmanr(phi, h).statistic) if len(h) > 2 and np.ptp(h) > 0 else math.nan
    k = int(np.argmax(h))
    return {"rho": rho, "at_0": float(h[0]), "at_pi": float(h[-1]), "max": float(h[k]), "phi_max": float(phi[k])}


def embedding_claim(summary: Mapping[str, Any]) -> ScoreRow:
    err = summary["max_peak_error_bins"]
    ok = err <= PEAK_TOLERANCE_BINS
    return _row(
        "RoPE embeddings oscillate at theta_i/(2 pi) cycles/position", "spectral lines at RoPE frequencies",
        f"max peak offset {err:.2f} bins over {len(summary['thetas'])} pairs", PEAK_TOLERANCE_BINS, ok,
        "every pair's spectral peak within one FFT bin of theta_i/(2 pi)"
        if ok else f"a peak lies {err:.2f} bins from its predicted frequency",
        f"reproduced when every pair's spectral peak lies within {PEAK_TOLERANCE_BINS:g} FFT bin of θ_i/(2π)",
    )


def harmonics_claim(summary: Mapping[str, Any], harmonics: pd.DataFrame, tol: float) -> ScoreRow:
    h_err = max(summary["harmonics_max_abs_error"], summary["intermod_max_abs_error"], summary["swiglu_max_abs_error"])
    h2 = harmonics[(harmonics["n"] >= 2)]["measured"].max()
    ok = h_err <= tol and h2 > HARMONIC_VISIBILITY * tol
    return _row(
        "FFN nonlinearities turn RoPE oscillations into harmonics (and intermodulation products)", "harmonics appear",
        f"largest harmonic (n>=2) {h2:.3g}; max |measured - Fourier prediction| {h_err:.1e}", tol, ok,
        "lines at integer multiples and sums/differences, amplitudes as the Fourier series predicts"
        if ok else f"measured amplitudes deviate from the Fourier series by {h_err:.1e} > {tol:.1e}",
        f"reproduced when every measured harmonic, intermodulation and SwiGLU line is within {tol:g} of its "
        f"Fourier-series amplitude and the largest harmonic (n ≥ 2) exceeds {HARMONIC_VISIBILITY:g}× that",
    )


def amplification_claim(sweep: pd.DataFrame, activations: Sequence[str]) -> ScoreRow:
    at0, atpi, _ = sweep_ends(sweep)
    ok = all(at0[f"act_rms_{a}"] > atpi[f"act_rms_{a}"] for a in activations)
    return _row(
        "phase alignment amplifies FFN activations", "aligned > opposed",
        "; ".join(f"{a}: rms {at0[f'act_rms_{a}']:.3g} aligned vs {atpi[f'act_rms_{a}']:.2g} opposed"
                  for a in activations),
        None, ok,
        "two in-phase components add (amplitude 2|cos(phi/2)|) and the FFN passes the larger input"
        if ok else "some activation is not larger at phi = 0 than at phi = pi",
        "reproduced when the RMS activation of every nonlinearity is larger at φ = 0 than at φ = π",
    )


def sharpening_claim(sweep: pd.DataFrame) -> ScoreRow:
    at0, atpi, _ = sweep_ends(sweep)
    ok = at0["entropy_target"] < atpi["entropy_target"] and at0["target_weight"] > atpi["target_weight"]
    kern_ok = at0["entropy_bi"] < atpi["entropy_bi"]
    return _row(
        "phase alignment sharpens attention", "lower entropy when aligned",
        f"aligned key among distractors: entropy {at0['entropy_target']:.3g} nats aligned vs "
        f"{atpi['entropy_target']:.3g} opposed, its weight {at0['target_weight']:.3g} vs {atpi['target_weight']:.2g}",
        None, ok,
        ("an aligned key gets the largest logit |q|^2/sqrt(d)" if ok
         else "entropy at phi = 0 is not below that at phi = pi")
        + ("; with all keys phase-offset (RoPE kernel) too" if kern_ok
           else "; but with all keys phase-offset (RoPE kernel) opposed is sharper"),
        "reproduced when, for one key offset by φ among random distractors, the attention entropy is lower "
        "and the key's weight higher at φ = 0 than at φ = π",
    )


def weakening_claim(sweep: pd.DataFrame, activations: Sequence[str]) -> ScoreRow:
    at0, atpi, half = sweep_ends(sweep)
    falls = {a: bool(np.all(np.diff(half[f"act_rms_{a}"].to_numpy()) <= MONOTONE_STEP)) for a in activations}
    ok = all(falls.values())
    return _row(
        "misalignment weakens FFN activations", "activation falls as abs(phi) grows",
        "; ".join(f"{a}: rms {at0[f'act_rms_{a}']:.3g} at phi = 0 to {atpi[f'act_rms_{a}']:.2g} at pi, "
                  + ("monotone" if falls[a] else "not monotone") for a in activations),
        None, ok,
        "the RMS activation of every nonlinearity falls monotonically in abs(phi) on [0, pi], as the input "
        "amplitude 2|cos(phi/2)|" if ok else
        "the RMS activation of " + ", ".join(a for a in activations if not falls[a]) + " is not monotone in abs(phi)",
        f"reproduced when the RMS activation of every nonlinearity never rises (by more than {MONOTONE_STEP:g}) "
        "from one sampled abs(φ) to the next on [0, π]",
    )


def focus_claim(sweep: pd.DataFrame) -> ScoreRow:
    """"Misalignment disrupts focus", judged as the paper states it: focus with a misaligned key is worse
    than with an aligned one. Measured on the attention entropy of one key offset by phi among random
    distractors: reproduced when the entropy at every sampled misaligned offset 0 < |phi| <= pi is above
    the aligned one's (phi = 0) and the opposed key's (phi = pi) is at least FOCUS_MIN_RISE_NATS above it.

    Criterion history (stated on the scorecard too): issue 13 item 8 replaced a weight-only verdict by
    "entropy monotone in abs(phi)" (Spearman rho >= FOCUS_MIN_SPEARMAN), a threshold chosen after seeing
    the data; that rule failed only on a 0.02-nat dip after the entropy had saturated at the distractors'
    level (0.70 -> 3.8 nats aligned -> opposed). The paper claims no monotone law, only that misalignment
    disrupts focus, so issue 23 item 4 revised the criterion, after seeing the data, to the paper's own
    comparison (misaligned against aligned)."""
    t = focus_trend(sweep)
    _, _, half = sweep_ends(sweep)
    h = half["entropy_target"].to_numpy(dtype=float)
    w = half["target_weight"].to_numpy()
    w_falls = bool(np.all(np.diff(w) <= MONOTONE_STEP))
    rise = t["at_pi"] - t["at_0"]
    min_excess = float(np.min(h[1:] - h[0])) if len(h) > 1 else math.nan
    every = math.isfinite(min_excess) and min_excess > 0
    ok = every and rise >= FOCUS_MIN_RISE_NATS
    ours = (f"entropy {t['at_0']:.3g} nats at phi = 0, max {t['max']:.3g} at abs(phi) = {t['phi_max']:.2f}, "
            f"{t['at_pi']:.3g} at pi; every misaligned offset at least {min_excess:+.3g} nats above aligned")
    weight = (f"the aligned key's weight falls {'monotonically' if w_falls else 'but not monotonically'} "
              f"({w[0]:.3g} to {w[-1]:.2g})")
    shape = ("" if t["rho"] >= FOCUS_MIN_SPEARMAN else
             f"; the curve is not monotone (it peaks at abs(phi) = {t['phi_max']:.2f}, where the fading key ties with "
             f"the distractors, and ends {t['max'] - t['at_pi']:.2g} nats lower), which the claim does not require")
    if ok:
        reason = (f"every misaligned offset has higher entropy than the aligned key (+{rise:.2f} nats from 0 to pi)"
                  f"{shape}; {weight}")
    elif not every:
        reason = (f"some misaligned offset has entropy at or below the aligned one (by {min_excess:+.3g} nats): "
                  f"misalignment does not always disrupt focus; {weight}")
    else:
        reason = f"entropy at pi is not above that at 0 by {FOCUS_MIN_RISE_NATS:g} nats (change {rise:+.2f}); {weight}"
    return _row(
        "misalignment disrupts attention focus", "entropy higher when misaligned", ours, FOCUS_MIN_RISE_NATS, ok, reason,
        f"reproduced when, for one key offset by φ among random distractors, the attention entropy at every sampled "
        f"misaligned offset 0 < abs(φ) ≤ π is above the aligned one (φ = 0) and the opposed one (φ = π) at least "
        f"{FOCUS_MIN_RISE_NATS:g} nats above it; differs otherwise. Revised after seeing the data: the "
        f"earlier rule (entropy monotone in abs(φ), Spearman ρ ≥ {FOCUS_MIN_SPEARMAN:g}, itself chosen after the data) "
        "judged a monotone law the paper does not claim and failed only on a 0.02-nat dip after saturation",
    )


def real_model_claim(real: Mapping[str, Any] | None, threshold: float) -> ScoreRow:
    item, paper = "harmonics in a trained model's FFN activations", "harmonics appear"
    if real is None:
        return ScoreRow(
            CHAPTER, item, SOURCE, paper, None, None, "not reproducible offline",
            "the subject model (probes stage) is not configured in this run: no trained activations",
            "needs the probes stage's trained subject model (probes.subject_variant)",
        )
    ratios = {k: v for k, v in real["line_power_ratio"].items() if k != "-1"}
    best = max(ratios.values()) if ratios else math.nan
    ok = math.isfinite(best) and best >= threshold
    return _row(
        item, paper,
        f"max line power ratio over layers {best:.3g} "
        f"(embedding control {real['line_power_ratio'].get('-1', math.nan):.3g})",
        threshold, ok,
        f"power at the model's RoPE lines exceeds {threshold:g}x the mean spectrum" if ok
        else f"power at the model's RoPE lines stays below {threshold:g}x the mean spectrum over a text "
        "(RoPE rotates only q/k: the FFN input carries no direct RoPE rotation)",
        f"reproduced when some MLP layer's mean power at the model's RoPE lines is at least {threshold:g}× "
        "its mean spectral power (harmonics.real_model.line_ratio_threshold)",
    )


def figures_claim() -> ScoreRow:
    return ScoreRow(
        CHAPTER, "the paper's figures (spectra, activation and attention plots)", SOURCE, "unconfirmed", None, None,
        "not reproducible offline",
        "no primary source of the figures was reachable; only the qualitative claims were checked",
        "needs the paper's figures or their data, which were not reachable offline",
    )


def claim_rows(
    *,
    summary: Mapping[str, Any],
    harmonics: pd.DataFrame,
    sweep: pd.DataFrame,
    activations: Sequence[str],
    amplitude_tolerance: float,
    tone_amplitude: float,
    line_ratio_threshold: float,
    real: Mapping[str, Any] | None,
) -> list[ScoreRow]:
    """Every claim of the seed that this stage checks, in page order (``real`` is the real-model
    summary, None when no subject model is configured)."""
    tol = float(amplitude_tolerance) * float(tone_amplitude)
    acts = list(activations)
    return [
        embedding_claim(summary),
        harmonics_claim(summary, harmonics, tol),
        amplification_claim(sweep, acts),
        sharpening_claim(sweep),
        weakening_claim(sweep, acts),
        focus_claim(sweep),
        real_model_claim(real, float(line_ratio_threshold)),
        figures_claim(),
    ]
