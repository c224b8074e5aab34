"""The harmonics page's numbers and data-dependent sentences (``results/harmonics/findings.json``)
and its display tables, from the stage's result files. The page (report/harmonics.qmd) only shows
them: every number and every sentence that depends on the data is built here."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.findings import Finding, computed_in, finding
from analysis.core.numfmt import fmt, fmt_column
from analysis.harmonics.claims import FOCUS_MIN_SPEARMAN, MONOTONE_STEP, focus_trend, sweep_ends

__all__ = ["harmonics_findings", "WINDOW_NAMES", "ffn_power_table", "scorecard_table"]

WINDOW_NAMES = {"blackman_harris": "Blackman–Harris", "hann": "Hann", "rect": "rectangular"}
SMOOTH = ("gelu", "gelu_tanh", "silu")
ACT_NAMES = {"relu": "ReLU", "gelu": "GELU", "gelu_tanh": "GELU (tanh)", "silu": "SiLU", "swiglu": "SwiGLU",
             "embedding": "embedding (no nonlinearity)"}


def setup_findings(summary: Mapping[str, Any]) -> list[Finding]:
    """The synthetic set-up and the embedding's lines."""
    return computed_in("summary", [
        finding("base", summary["base"]),
        finding("head_dim", int(summary["head_dim"])),
    ]) + [finding("n_pairs", int(summary["head_dim"]) // 2)] + computed_in("summary", [
        finding("n_positions", int(summary["n_positions"])),
        finding("window", summary["window"], WINDOW_NAMES.get(summary["window"], summary["window"])),
        finding("main_lobe_bins", summary["main_lobe_bins"]),
        finding("lowest_line_bins", summary["lowest_line_bins"]),
        finding("max_peak_error_bins", summary["max_peak_error_bins"], digits=2),
        finding("max_refined_error_bins", summary["max_refined_error_bins"], digits=2),
        finding("max_embedding_amplitude_error", summary["max_embedding_amplitude_error"], digits=2),
        finding("n_rotary_dims", int(summary["head_dim"])),
    ])


def alias_sentence(harmonics: pd.DataFrame) -> str:
    """Which harmonic of theta_0 is the first to fold back below Nyquist (plain text)."""
    alias = harmonics[(harmonics["tone"] == "θ0") & harmonics["aliased"]].drop_duplicates("n").sort_values("n")
    if alias.empty:
        return "no harmonic of θ0 is aliased with these settings"
    a = alias.iloc[0]
    return (f"harmonic {int(a['n'])} of θ0 ({fmt(a['freq'])} cycles/position) appears at "
            f"{fmt(a['folded_freq'])} cycles/position")


def spectral_findings(summary: Mapping[str, Any], harmonics: pd.DataFrame, intermod: pd.DataFrame) -> list[Finding]:
    """Harmonics, aliasing and intermodulation: measured against predicted."""
    th = summary["thetas"]
    coincident = int(intermod["coincident_order"].fillna(0).max())
    return [
        finding("relu_ratio_2nd_to_1st", summary["relu_ratio_2nd_to_1st"], digits=5, source="summary"),
        finding("harmonics_max_abs_error", summary["harmonics_max_abs_error"], digits=2, source="summary"),
        finding("largest_predicted_amplitude", float(harmonics["predicted"].max()), source="harmonics"),
        finding("alias_sentence", int(summary["aliased_harmonics"]), alias_sentence(harmonics)),
        finding("intermod_max_abs_error", summary["intermod_max_abs_error"], digits=2, source="summary"),
        finding("theta_ratio", th[1] / th[0], digits=4),
        finding(
            "coincidence_sentence", coincident,
            "no other product of order ≤ 16 falls within a main lobe of a measured line" if coincident == 0 else
            "some other products of order ≤ 16 fall within a main lobe of a measured line (column "
            "`coincident_order` of `intermod.csv`), so those lines are sums", markdown=coincident != 0,
        ),
        *computed_in("summary", [
            finding("swiglu_max_abs_error", summary["swiglu_max_abs_error"], digits=2),
            finding("synthetic_max_error", max(summary["harmonics_max_abs_error"], summary["intermod_max_abs_error"]),
                    digits=2)]),
    ]


def ffn_sentence(ffn_summary: pd.DataFrame) -> str:
    """How the share of power on low-order lines compares between ReLU and the smooth nonlinearities."""
    frac = dict(zip(ffn_summary["source"], ffn_summary["line_power_fraction"]))
    smooth = {a: frac[a] for a in SMOOTH if a in frac}
    if "relu" not in frac or not smooth:
        return "compared across the nonlinearities of this run in the table"
    names = "/".join(ACT_NAMES[a] for a in smooth)
    shares = ", ".join(fmt(v) for v in smooth.values())
    if frac["relu"] < min(smooth.values()):
        return (f"is smaller for ReLU ({fmt(frac['relu'])}), whose kink spreads energy to high harmonics "
                f"(|aₙ| ∝ 1/n²), than for the smooth {names} ({shares})")
    return (f"is not smaller for ReLU ({fmt(frac['relu'])}) than for the smooth {names} ({shares}) in this run, "
            "although its kink spreads energy to high harmonics (|aₙ| ∝ 1/n²)")


def focus_sentence(sweep: pd.DataFrame) -> str:
    """How the aligned key's weight and the attention entropy move with |phi| (plain text)."""
    _, _, half = sweep_ends(sweep)
    w_falls = bool(np.all(np.diff(half["target_weight"].to_numpy()) <= MONOTONE_STEP))
    t = focus_trend(sweep)
    weight = f"The key's weight {'falls' if w_falls else 'does not fall'} monotonically in |φ|"
    if t["rho"] >= FOCUS_MIN_SPEARMAN and t["phi_max"] >= float(half["phi"].max()) - 1e-12:
        return f"{weight}, and the entropy rises with it (Spearman ρ = {fmt(t['rho'], 2)})"
    return (f"{weight}; the entropy does not rise monotonically: it peaks at {fmt(t['max'], 3)} nats at "
            f"|φ| = {fmt(t['phi_max'], 3)} rad, where the fading key ties with the distractors, then falls to the "
            f"distractors' own entropy (Spearman ρ between entropy and |φ|: {fmt(t['rho'], 2)})")


def kernel_sentence(sweep: pd.DataFrame) -> str:
    """How the entropy of the RoPE kernel (all keys offset, bidirectional window) moves with |phi|."""
    at0, atpi, _ = sweep_ends(sweep)
    t = focus_trend(sweep, "entropy_bi")
    shape = ("rises monotonically" if t["rho"] >= 1 - 1e-12 else
             f"is not monotone in |φ| (Spearman ρ = {fmt(t['rho'], 2)})")
    return (f"alignment gives entropy {fmt(at0['entropy_bi'], 3)} nats against {fmt(atpi['entropy_bi'], 3)} "
            f"opposed, and the curve {shape}")


def sweep_findings(sweep: pd.DataFrame, sweep_summary: Mapping[str, Any]) -> list[Finding]:
    """The phase sweep: the ReLU law, the aligned-key attention, symmetry, the RoPE kernel."""
    at0, atpi, half = sweep_ends(sweep)
    at90 = half.iloc[int((half["phi"] - math.pi / 2).abs().argmin())]
    sym = sweep_summary["symmetry"]
    acts = [c for c in sweep.columns if c.startswith("act_rms_")]
    law = sweep_summary["relu_cos_law_max_error"]
    return [
        finding("relu_cos_law_max_error", law, "not measured (no ReLU in this run)" if law is None or
                not math.isfinite(law) else fmt(law, 2), source="sweep_summary"),
        *computed_in("sweep", [
            finding("aligned_target_weight", float(at0["target_weight"])),
            finding("aligned_entropy", float(at0["entropy_target"])),
            finding("half_pi_phi", float(abs(at90["phi"]))),
            finding("half_pi_target_weight", float(at90["target_weight"])),
            finding("opposed_target_weight", float(atpi["target_weight"]), digits=2),
            finding("opposed_entropy", float(atpi["entropy_target"]))]),
        finding("focus_sentence", focus_trend(sweep)["rho"], focus_sentence(sweep)),
        *computed_in("sweep_summary", [
            finding("symmetric_max_difference",
                    max(sym["entropy_target"], sym["target_weight"], sym["entropy_bi"]), digits=2),
            finding("causal_asymmetry", sym["entropy_causal"], digits=2),
            finding("activation_asymmetry", max(sym[c] for c in acts), digits=2)]),
        finding("kernel_sentence", focus_trend(sweep, "entropy_bi")["rho"], kernel_sentence(sweep)),
    ]


def real_model_sentence(real: Mapping[str, Any] | None) -> str:
    """What the real-model spectra show (Markdown: the text path and activation name as code)."""
    if real is None:
        return ("The trained subject model of the probes stage was not configured in this run, so no real "
                "activations were measured; the corresponding scorecard row says so.")
    r = real["line_power_ratio"]
    layer_r = {k: v for k, v in r.items() if k != "-1"}
    best = max(layer_r, key=lambda k: layer_r[k])
    return (f"Over {fmt(real['n_positions'])} bytes of `{real['text']}`, the {real['layers']}-layer subject model "
            f"(RoPE base {fmt(real['base'])}, head dim {real['head_dim']}, `{real['hidden_act']}`, run on "
            f"{real['device']}) shows at its RoPE lines a power ratio (power in the bins of the predicted "
            f"lines over the mean power) of at most {fmt(layer_r[best], 3)} (MLP layer {best}), against "
            f"{fmt(r.get('-1', math.nan), 3)} for the token embeddings.")


def closing_findings(sweep: pd.DataFrame, scorecard: pd.DataFrame, real: Mapping[str, Any] | None) -> list[Finding]:
    """The real model, the scorecard counts and the qualifications of the closing paragraph."""
    t = focus_trend(sweep)
    focus = scorecard.loc[scorecard["item"] == "misalignment disrupts attention focus", "verdict"]
    verdict = str(focus.iloc[0]) if len(focus) else "not judged"
    n_rep = int((scorecard["verdict"] == "reproduced").sum())
    return [
        finding("real_model_sentence", real is not None, real_model_sentence(real), markdown=real is not None),
        finding("real_model_status", real is not None,
                "measured in the last section" if real is not None
                else "not tested in this run (no trained subject model)"),
        finding("n_reproduced", n_rep),
        finding("n_rows", len(scorecard)),
        finding("focus_verdict", verdict, source="scorecard"),
        finding("focus_qualification", t["rho"],
                ("misalignment disrupts attention focus at every offset (verdict reproduced)"
                 + ("" if t["rho"] >= FOCUS_MIN_SPEARMAN else
                    f", though not monotonically: the entropy peaks at |φ| = {fmt(t['phi_max'], 3)} rad, then "
                    f"settles {fmt(t['max'] - t['at_pi'], 2)} nats lower at the distractors' level"))
                if verdict == "reproduced" else
                f"misalignment does not disrupt attention focus at every offset (verdict {verdict})"),
    ]


def ffn_power_table(ffn_summary: pd.DataFrame) -> pd.DataFrame:
    """Display table: share of each FFN output's power on the predicted lines (formatted)."""
    return pd.DataFrame({
        "signal": [ACT_NAMES.get(s, s) for s in ffn_summary["source"]],
        "power at predicted lines": fmt_column(ffn_summary["line_power_fraction"], 3),
        "max order": fmt_column(ffn_summary["max_order"]),
    })


def scorecard_table(scorecard: pd.DataFrame) -> pd.DataFrame:
    """Display table of the stage's scorecard: claim, ours, criterion, verdict, reason (plain text; a
    missing value is an en dash)."""
    def text(col: str) -> list[str]:
        vals = scorecard[col].astype(object).where(scorecard[col].notna(), None)
        return [v if isinstance(v, str) else fmt(v) for v in vals]

    return pd.DataFrame({
        "claim": text("item"), "ours": text("our_value"), "criterion": text("criterion"),
        "verdict": text("verdict"), "reason": text("reason"),
    })


def harmonics_findings(
    *,
    summary: Mapping[str, Any],
    harmonics: pd.DataFrame,
    intermod: pd.DataFrame,
    ffn_summary: pd.DataFrame,
    sweep: pd.DataFrame,
    sweep_summary: Mapping[str, Any],
    scorecard: pd.DataFrame,
    real: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the page shows: ``findings`` (a list of :class:`Finding`), and the display tables
    ``ffn_power`` and ``scorecard`` (already formatted)."""
    items = (
        setup_findings(summary) + spectral_findings(summary, harmonics, intermod)
        + [finding("ffn_sentence", len(ffn_summary), ffn_sentence(ffn_summary))]
        + sweep_findings(sweep, sweep_summary) + closing_findings(sweep, scorecard, real)
    )
    return {"findings": items, "ffn_power": ffn_power_table(ffn_summary), "scorecard": scorecard_table(scorecard)}
