"""The data each figure of the stage draws, as tables (written to ``results/harmonics/plots/``):
spectra thinned for plotting, amplitudes floored for log axes, the sweep normalised and in long
form. :mod:`analysis.harmonics.charts` only encodes these tables."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.harmonics.spectra import decimate_spectrum

__all__ = [
    "FLOOR", "floor_amplitudes", "embedding_figure_data", "harmonics_figure_data", "intermod_figure_data",
    "ffn_figure_data", "sweep_figure_data", "real_figure_data", "figure_tables", "INPUT_AMPLITUDE", "ENTROPY_SERIES",
]

FLOOR = 1e-10  # amplitudes below this are drawn at the floor of the log axis
INPUT_AMPLITUDE = "|cos(φ/2)| (input)"  # the series of the input amplitude in the sweep's left panel
# entropy columns of the sweep and the names of their series in the right panel
ENTROPY_SERIES = (
    ("target", "one aligned key + W distractors"),
    ("bi", "RoPE kernel, bidirectional (−W..W)"),
    ("causal", "RoPE kernel, causal (−W..0)"),
)


def floor_amplitudes(df: pd.DataFrame, col: str = "amplitude") -> pd.DataFrame:
    """A copy of ``df`` with ``col`` raised to at least :data:`FLOOR` (log axes cannot show 0)."""
    out = df.copy()
    out[col] = np.maximum(out[col].to_numpy(dtype=float), FLOOR)
    return out


def embedding_figure_data(spectrum: pd.DataFrame, lines: pd.DataFrame, points: int) -> dict[str, pd.DataFrame]:
    """The embedding spectrum thinned to ``points`` cells per pair, and its predicted lines labelled."""
    return {
        "embedding_spectrum": floor_amplitudes(decimate_spectrum(spectrum, points)),
        "embedding_lines": lines.assign(label=[f"θ{i}/(2π)" for i in lines["pair"]]),
    }


def harmonics_figure_data(harm: pd.DataFrame) -> pd.DataFrame:
    """The harmonics table with floored amplitudes and a ``tone_bias`` series label."""
    df = floor_amplitudes(floor_amplitudes(harm, "measured"), "predicted")
    df["tone_bias"] = df["tone"] + ", b=" + df["bias"].map(lambda b: f"{b:g}")
    return df


def intermod_figure_data(inter: pd.DataFrame) -> pd.DataFrame:
    """The intermodulation table with floored amplitudes."""
    return floor_amplitudes(floor_amplitudes(inter, "measured"), "predicted")


def ffn_figure_data(spectra: pd.DataFrame, lines: pd.DataFrame, points: int) -> dict[str, pd.DataFrame]:
    """FFN spectra thinned to ``points`` cells per source, and the (non-DC) combination lines
    repeated for each source's panel."""
    sp = floor_amplitudes(decimate_spectrum(spectra, points))
    sources = list(dict.fromkeys(sp["source"]))
    ln = pd.concat([lines.assign(source=s) for s in sources], ignore_index=True)
    return {"ffn_spectra": sp, "ffn_lines": ln[ln["folded_freq"] > 0]}


def sweep_figure_data(sweep: pd.DataFrame, activations: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Left panel: RMS activation over its value at phi = 0 per nonlinearity, and the input amplitude
    |cos(phi/2)|; right panel: the three attention entropies. Long form, sorted by phi."""
    s = sweep.sort_values("phi")
    i0 = int(s["phi"].abs().argmin())
    act = pd.concat(
        [
            pd.DataFrame({"phi": s["phi"], "value": s[f"act_rms_{a}"] / s[f"act_rms_{a}"].iloc[i0], "series": a})
            for a in activations
        ]
        + [pd.DataFrame({"phi": s["phi"], "value": s["input_amplitude"] / 2, "series": INPUT_AMPLITUDE})],
        ignore_index=True,
    )
    ent = pd.concat(
        [pd.DataFrame({"phi": s["phi"], "entropy": s[f"entropy_{w}"], "window": name}) for w, name in ENTROPY_SERIES],
        ignore_index=True,
    )
    return {"sweep_activation": act, "sweep_entropy": ent}


def real_figure_data(plot_spectra: pd.DataFrame, lines: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The real model's thinned spectra with a series label per layer (-1: the embeddings, the
    control), and its non-DC RoPE lines."""
    sp = floor_amplitudes(plot_spectra)
    sp = sp.assign(series=np.where(sp["layer"] < 0, "embeddings (control)", "MLP layer " + sp["layer"].astype(str)))
    return {"real_spectra": sp, "real_lines": lines[lines["folded_freq"] > 0]}


def figure_tables(
    *,
    embedding_spectrum: pd.DataFrame,
    embedding_lines: pd.DataFrame,
    harmonics: pd.DataFrame,
    intermod: pd.DataFrame,
    ffn_spectra: pd.DataFrame,
    ffn_lines: pd.DataFrame,
    sweep: pd.DataFrame,
    activations: Sequence[str],
    plot_points: int,
) -> dict[str, pd.DataFrame]:
    """The data of every synthetic figure, from the stage's result tables (as read back from their files)."""
    pts = int(plot_points)
    return {
        **embedding_figure_data(embedding_spectrum, embedding_lines, pts),
        "harmonics": harmonics_figure_data(harmonics),
        "intermod": intermod_figure_data(intermod),
        **ffn_figure_data(ffn_spectra, ffn_lines, pts),
        **sweep_figure_data(sweep, list(activations)),
    }
