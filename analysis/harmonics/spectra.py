"""Spectra of position sequences: windows, amplitude spectra, line probes, resolvability, and the
RoPE embedding as a sum of pure tones (seed 002).

Units: positions are integers ``p = 0 .. N-1``; angular frequencies ``omega`` are in radians per
position; spectral frequencies ``f = omega / (2 pi)`` are in cycles per position. Sampling once per
position puts the Nyquist frequency at 0.5 cycles/position: a line at ``f`` appears at its folded
(aliased) frequency :func:`fold` ``(f)`` in ``[0, 0.5]``. Every computation is float64.

How the lines are made resolvable. A finite record of ``N`` positions has bins ``1/N`` cycles/position
apart. RoPE frequencies ``theta_i / (2 pi)`` are irrational, so they never sit on a bin: with a
rectangular window their energy leaks over the whole spectrum (side lobes falling only as 1/bin) and
buries weak harmonics. We therefore taper with a 4-term Blackman-Harris window (side lobes below
-92 dB, main lobe +-4 bins), require every predicted line to lie at least :data:`MAIN_LOBE_BINS`
bins from DC and from every other line (:func:`check_resolvable`), and read line amplitudes with a
windowed DTFT probe evaluated exactly at the predicted frequency (:func:`line_amplitude`), which
removes the scalloping loss of reading the nearest bin. Tests of exact amplitudes use coherent
sampling instead (a tone on a bin, rectangular window: no leakage at all).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import signal, special

from analysis.core.errors import InputError
from analysis.core.rope import apply_rope, inv_freq, validate_head_dim

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "WINDOWS",
    "MAIN_LOBE_BINS",
    "activation",
    "fold",
    "window",
    "amplitude_spectrum",
    "line_amplitude",
    "peak_frequency",
    "check_resolvable",
    "rope_embedding",
    "embedding_lines",
    "decimate_spectrum",
]

Activation = Callable[[NDArray[np.float64]], NDArray[np.float64]]

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)

# Nonlinearities, float64, with the definitions torch uses (F.relu, F.gelu(approximate="none" /
# "tanh"), F.silu); tests check them against torch.
ACTIVATIONS: dict[str, Activation] = {
    "relu": lambda x: np.maximum(x, 0.0),
    "gelu": lambda x: x * special.ndtr(x),
    "gelu_tanh": lambda x: 0.5 * x * (1.0 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3))),
    "silu": lambda x: x * special.expit(x),
}

WINDOWS: tuple[str, ...] = ("blackman_harris", "hann", "rect")
# half-width of the main lobe of each window, in bins (a line closer than this to another is unresolved)
MAIN_LOBE_BINS: dict[str, float] = {"blackman_harris": 4.0, "hann": 2.0, "rect": 1.0}


def activation(name: str) -> Activation:
    """The nonlinearity ``name`` (one of :data:`ACTIVATIONS`)."""
    if name not in ACTIVATIONS:
        raise InputError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def fold(freq: float | NDArray[np.float64]) -> float | NDArray[np.float64]:
    """Frequency in cycles/position as seen after sampling once per position: folded into [0, 0.5]."""
    f = np.mod(np.abs(np.asarray(freq, dtype=np.float64)), 1.0)
    out = np.minimum(f, 1.0 - f)
    return float(out) if np.ndim(out) == 0 else out


def window(name: str, n: int) -> NDArray[np.float64]:
    """Periodic (DFT-even) window of length ``n``: ``blackman_harris`` (4-term), ``hann`` or ``rect``."""
    n = _positive_int(n, "number of positions")
    if name == "rect":
        return np.ones(n)
    if name == "blackman_harris":
        return signal.windows.blackmanharris(n, sym=False)
    if name == "hann":
        return signal.windows.hann(n, sym=False)
    raise InputError(f"unknown window {name!r}; choose one of {list(WINDOWS)}")


def amplitude_spectrum(
    x: NDArray[np.floating], window_name: str = "blackman_harris"
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One-sided amplitude spectrum of ``x[p]`` or ``x[p, channel]`` along positions.

    Returns ``(freqs, amps)``: ``freqs`` in cycles/position (``k / N``), ``amps`` scaled by the window's
    coherent gain so that ``A cos(2 pi f p)`` with ``f`` on a bin reads ``A`` and a constant ``c``
    reads ``|c|`` at DC.
    """
    x = _positions_array(x)
    n = x.shape[0]
    w = window(window_name, n)
    spec = np.fft.rfft(x * (w[:, None] if x.ndim == 2 else w), axis=0)
    amps = np.abs(spec) * (2.0 / w.sum())
    amps[0] /= 2.0
    if n % 2 == 0:
        amps[-1] /= 2.0
    return np.fft.rfftfreq(n), amps


def line_amplitude(
    x: NDArray[np.floating], freq: float | Sequence[float], window_name: str = "blackman_harris"
) -> NDArray[np.float64]:
    """Amplitude of the line at ``freq`` (cycles/position, any real value) by a windowed DTFT probe.

    ``x`` is ``x[p]`` or ``x[p, channel]``; returns shape ``(len(freq),)`` or ``(len(freq), channels)``.
    A line ``A cos(2 pi f p + phi)`` reads ``A`` at ``f`` (up to leakage from other lines, below the
    window's side lobes when lines are resolved).
    """
    x = _positions_array(x)
    n = x.shape[0]
    w = window(window_name, n)
    f = np.atleast_1d(np.asarray(freq, dtype=np.float64))
    p = np.arange(n, dtype=np.float64)
    basis = np.exp(-2j * np.pi * np.outer(f, p)) * w[None, :]
    amp = np.abs(basis @ x) / w.sum()
    ff = fold(f)
    edge = (ff < 1e-12) | (np.abs(ff - 0.5) < 1e-12)
    scale = np.where(edge, 1.0, 2.0)
    return amp * (scale[:, None] if amp.ndim == 2 else scale)


def peak_frequency(x: NDArray[np.floating], window_name: str = "blackman_harris") -> tuple[int, float]:
    """Location of the largest non-DC peak of the spectrum of a 1-D ``x``: ``(bin, refined_freq)``.

    ``refined_freq`` (cycles/position) interpolates a parabola through the log amplitudes of the peak
    bin and its neighbours.
    """
    x = _positions_array(x)
    if x.ndim != 1:
        raise InputError("peak_frequency needs a 1-D signal x[p]")
    freqs, amps = amplitude_spectrum(x, window_name)
    k = int(np.argmax(amps[1:])) + 1
    if 1 <= k < len(amps) - 1:
        a, b, c = np.log(np.maximum(amps[k - 1 : k + 2], 1e-300))
        den = a - 2 * b + c
        delta = 0.5 * (a - c) / den if den != 0 else 0.0
    else:
        delta = 0.0
    return k, float((k + delta) / len(x))


def check_resolvable(
    freqs: Sequence[float], n_positions: int, window_name: str, what: str = "lines"
) -> float:
    """Smallest distance (bins) between the folded ``freqs``, and from each to DC and Nyquist.

    Raises :class:`InputError` when it is below the window's main-lobe half-width
    (:data:`MAIN_LOBE_BINS`): those lines would merge, so more positions are needed.
    """
    f = np.sort(np.asarray(fold(np.asarray(freqs, dtype=np.float64)), dtype=np.float64).ravel())
    pts = np.concatenate([[0.0], f, [0.5]])
    sep = float(np.min(np.diff(pts))) * n_positions
    need = MAIN_LOBE_BINS[window_name if window_name in MAIN_LOBE_BINS else _bad_window(window_name)]
    if sep < need:
        raise InputError(
            f"{what} are not resolvable with {n_positions} positions and the {window_name} window: "
            f"closest pair {sep:.2f} bins apart, need >= {need:g}; increase n_positions"
        )
    return sep


def rope_embedding(
    n_positions: int, base: float, d: int, phases: NDArray[np.floating] | None = None
) -> NDArray[np.float64]:
    """RoPE-rotated copies of one vector at positions ``0 .. N-1``: shape ``(N, d)``.

    The vector has unit amplitude in every pair (pair ``i`` at initial phase ``phases[i]``, default 0),
    so coordinate ``2i`` is ``cos(p theta_i + phase_i)`` and ``2i + 1`` is ``sin(p theta_i + phase_i)``:
    pure tones at ``theta_i / (2 pi)`` cycles/position.
    """
    n = _positive_int(n_positions, "number of positions")
    d = validate_head_dim(d)
    ph = np.zeros(d // 2) if phases is None else np.asarray(phases, dtype=np.float64)
    if ph.shape != (d // 2,):
        raise InputError(f"phases must have one entry per frequency pair ({d // 2}), got shape {ph.shape}")
    x0 = np.empty(d)
    x0[0::2], x0[1::2] = np.cos(ph), np.sin(ph)
    return apply_rope(np.broadcast_to(x0, (n, d)), np.arange(n), base)


def embedding_lines(base: float, d: int, n_positions: int, window_name: str) -> pd.DataFrame:
    """Spectral line of each frequency pair of a RoPE embedding: predicted vs measured location.

    Columns: ``pair``, ``theta`` (rad/position), ``predicted_freq`` (``theta/(2 pi)``, cycles/position),
    ``peak_bin``, ``predicted_bin`` (``N theta / (2 pi)``), ``error_bins`` (peak bin minus predicted bin),
    ``refined_freq``, ``refined_error_bins``, ``amplitude`` (DTFT probe at the predicted frequency;
    1 in theory).
    """
    theta = inv_freq(base, d)
    check_resolvable(theta / (2 * np.pi), n_positions, window_name, "RoPE lines")
    emb = rope_embedding(n_positions, base, d)
    rows = []
    for i, th in enumerate(theta):
        f = th / (2 * np.pi)
        k, fr = peak_frequency(emb[:, 2 * i], window_name)
        rows.append(
            {
                "pair": i,
                "theta": th,
                "predicted_freq": f,
                "predicted_bin": f * n_positions,
                "peak_bin": k,
                "error_bins": k - f * n_positions,
                "refined_freq": fr,
                "refined_error_bins": (fr - f) * n_positions,
                "amplitude": float(line_amplitude(emb[:, 2 * i], f, window_name)[0]),
            }
        )
    return pd.DataFrame(rows)




def decimate_spectrum(df: pd.DataFrame, points: int, by: str = "source") -> pd.DataFrame:
    """Peak-preserving thinning of spectra for plotting: for each group ``by``, the maximum amplitude
    within each of ``points`` log-spaced frequency cells (DC dropped)."""
    parts = []
    for _, g in df.groupby(by, sort=False):
        g = g[g["freq"] > 0]
        edges = np.geomspace(g["freq"].min(), g["freq"].max() * (1 + 1e-12), points + 1)
        cell = np.digitize(g["freq"], edges)
        idx = g.groupby(cell)["amplitude"].idxmax()
        parts.append(g.loc[idx.values])
    return pd.concat(parts, ignore_index=True)




def _positions_array(x: NDArray[np.floating]) -> NDArray[np.float64]:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim not in (1, 2) or a.shape[0] < 4:
        raise InputError(
            f"signal must be x[p] or x[p, channel] with at least 4 positions, got shape {a.shape}"
        )
    if not np.all(np.isfinite(a)):
        raise InputError("signal contains NaN or infinite values")
    return a


def _positive_int(v: Any, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
        raise InputError(f"{name} must be a positive integer, got {v!r}")
    return int(v)


def _bad_window(name: str) -> str:
    raise InputError(f"unknown window {name!r}; choose one of {list(WINDOWS)}")


