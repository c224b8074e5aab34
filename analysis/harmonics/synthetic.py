"""The stage's synthetic results: the RoPE embedding's lines and spectrum, harmonics of one tone,
intermodulation of two tones and a SwiGLU unit, and the spectra of a random FFN layer, with the
headline numbers (``spectra_summary.json``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analysis.core.rope import inv_freq
from analysis.harmonics.fourier import combination_lines, ffn_spectra, harmonic_table, intermod_table, swiglu_table
from analysis.harmonics.spectra import MAIN_LOBE_BINS, amplitude_spectrum, embedding_lines, rope_embedding

__all__ = ["harmonics_synthetic_tables", "embedding_spectrum", "synthetic_summary"]


def embedding_spectrum(base: float, d: int, n: int, window_name: str) -> pd.DataFrame:
    """Amplitude spectrum (all bins) of the even coordinate of every pair of the RoPE embedding:
    columns ``source`` (``pair i``), ``freq``, ``amplitude``."""
    emb = rope_embedding(n, base, d)
    freqs, amps = amplitude_spectrum(emb[:, 0::2], window_name)
    return pd.concat(
        [pd.DataFrame({"source": f"pair {i}", "freq": freqs, "amplitude": amps[:, i]}) for i in range(d // 2)],
        ignore_index=True,
    )


def synthetic_summary(
    *, base: float, d: int, n: int, window_name: str, theta: NDArray[np.float64], lines: pd.DataFrame,
    harm: pd.DataFrame, inter: pd.DataFrame, swig: pd.DataFrame, ffn_summary: pd.DataFrame,
) -> dict[str, Any]:
    """Headline numbers of the synthetic results (``spectra_summary.json``)."""
    nonzero_h = harm[(harm["n"] >= 2) & (harm["predicted"] > 0)]
    return {
        "base": base,
        "head_dim": d,
        "n_positions": n,
        "window": window_name,
        "bin_width": 1.0 / n,
        "main_lobe_bins": MAIN_LOBE_BINS[window_name],
        "thetas": theta.tolist(),
        "lowest_line_bins": float(theta[-1] / (2 * np.pi) * n),
        "max_peak_error_bins": float(lines["error_bins"].abs().max()),
        "max_refined_error_bins": float(lines["refined_error_bins"].abs().max()),
        "max_embedding_amplitude_error": float((lines["amplitude"] - 1).abs().max()),
        "harmonics_max_abs_error": float(harm["abs_error"].max()),
        "harmonics_max_rel_error_nonzero": float(
            (nonzero_h["abs_error"] / nonzero_h["predicted"])[nonzero_h["predicted"] > 1e-6].max()
        ),
        "intermod_max_abs_error": float(inter["abs_error"].max()),
        "swiglu_max_abs_error": float(swig["abs_error"].max()),
        "aliased_harmonics": int(harm.loc[harm["tone"] == "θ0", "aliased"].sum()),
        "relu_ratio_2nd_to_1st": _ratio(harm, "relu", 2),
        "line_power_fraction": dict(zip(ffn_summary["source"], ffn_summary["line_power_fraction"])),
    }


def harmonics_synthetic_tables(
    *,
    base: float,
    head_dim: int,
    n_positions: int,
    window: str,
    activations: Sequence[str],
    biases: Sequence[float],
    tone_amplitude: float,
    max_harmonic: int,
    intermod_amplitudes: Sequence[float],
    intermod_bias: float,
    intermod_max_order: int,
    torus_grid: int,
    swiglu_gate_amplitude: float,
    swiglu_up_amplitude: float,
    swiglu_gate_bias: float,
    swiglu_max_harmonic: int,
    ffn_hidden: int,
    max_line_order: int,
    seed: int,
) -> dict[str, Any]:
    """Every synthetic spectral result of the stage (settings of config section ``harmonics``).

    Returns a dict of tables: ``embedding_lines``, ``embedding_spectrum`` (per pair, all bins),
    ``harmonics`` (:func:`harmonic_table` on the tones ``theta_0`` and ``theta_1``), ``intermod``
    (:func:`intermod_table` plus :func:`swiglu_table`), ``ffn_spectra``, ``ffn_summary``, ``ffn_lines``
    (:func:`combination_lines`), and ``summary`` (a dict of headline numbers).
    """
    base, d, n, win = float(base), int(head_dim), int(n_positions), str(window)
    theta = inv_freq(base, d)
    lines = embedding_lines(base, d, n, win)
    tones = {"θ0": float(theta[0]), "θ1": float(theta[1])}
    harm = harmonic_table(activations, biases, tones, float(tone_amplitude), int(max_harmonic), n, win)
    inter = intermod_table(
        activations, (tones["θ0"], tones["θ1"]), tuple(intermod_amplitudes), float(intermod_bias),
        int(intermod_max_order), n, win, int(torus_grid),
    )
    swig = swiglu_table(
        tones["θ0"], tones["θ1"], float(swiglu_gate_amplitude), float(swiglu_up_amplitude),
        float(swiglu_gate_bias), int(swiglu_max_harmonic), n, win,
    )
    spectra, ffn_summary = ffn_spectra(base, d, int(ffn_hidden), activations, n, win, int(max_line_order), int(seed))
    summary = synthetic_summary(
        base=base, d=d, n=n, window_name=win, theta=theta, lines=lines, harm=harm, inter=inter, swig=swig,
        ffn_summary=ffn_summary,
    )
    return {
        "embedding_lines": lines,
        "embedding_spectrum": embedding_spectrum(base, d, n, win),
        "harmonics": harm,
        "intermod": pd.concat([inter, swig], ignore_index=True),
        "ffn_spectra": spectra,
        "ffn_summary": ffn_summary,
        "ffn_lines": combination_lines(theta, int(max_line_order)),
        "summary": summary,
    }


def _ratio(harm: pd.DataFrame, name: str, n: int) -> float:
    sel = harm[(harm["activation"] == name) & (harm["bias"] == 0.0) & (harm["tone"] == "θ0")]
    if sel.empty:
        return math.nan
    by_n = sel.set_index("n")["measured"]
    return float(by_n[n] / by_n[1])
