"""Harmonics and intermodulation: what a nonlinearity makes of RoPE tones, predicted and measured.

Predictions are independent of the FFT measurement: the Fourier-series coefficients of a
nonlinearity driven by a cosine come from adaptive quadrature over one period (scipy ``quad``), or, for
two incommensurate tones, from a trapezoidal rule on the 2-D torus of their phases, never from the
position sequence that is measured (units as in :mod:`analysis.harmonics.spectra`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from itertools import product

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import integrate

from analysis.core.errors import InputError
from analysis.core.rope import inv_freq
from analysis.harmonics.spectra import (
    ACTIVATIONS,
    MAIN_LOBE_BINS,
    Activation,
    _positive_int,
    activation,
    amplitude_spectrum,
    check_resolvable,
    fold,
    line_amplitude,
    rope_embedding,
)

__all__ = [
    "relu_fourier",
    "fourier_coefficients",
    "torus_coefficients",
    "harmonic_table",
    "intermod_table",
    "COINCIDENCE_ORDER",
    "swiglu_table",
    "combination_lines",
    "ffn_spectra",
]


def relu_fourier(amplitude: float, n_max: int) -> NDArray[np.float64]:
    """Closed-form cosine-series coefficients ``a_0 .. a_n_max`` of ``ReLU(A cos t)``, A > 0.

    ``ReLU(A cos t) = a_0 + sum_n a_n cos(n t)`` with ``a_0 = A / pi``, ``a_1 = A / 2``, odd ``n >= 3``:
    0, even ``n``: ``a_n = 2 A (-1)^(n/2 + 1) / (pi (n^2 - 1))`` (magnitude ``2 A / (pi (n^2 - 1))``;
    from ``ReLU(x) = (x + |x|) / 2`` and the series of ``|cos t|``).
    """
    a = float(amplitude)
    if not (math.isfinite(a) and a > 0):
        raise InputError(f"amplitude must be a finite number > 0, got {amplitude!r}")
    n_max = _positive_int(n_max, "n_max")
    out = np.zeros(n_max + 1)
    out[0] = a / math.pi
    out[1] = a / 2.0
    for n in range(2, n_max + 1, 2):
        out[n] = 2.0 * a * (-1) ** (n // 2 + 1) / (math.pi * (n * n - 1))
    return out


def fourier_coefficients(
    fn: Activation | str, amplitude: float, bias: float, n_max: int
) -> NDArray[np.float64]:
    """Cosine-series coefficients ``a_0 .. a_n_max`` of ``f(A cos t + b)`` by adaptive quadrature.

    ``f(A cos t + b)`` is even in ``t``, so ``a_0 = (1/pi) int_0^pi f dt`` and
    ``a_n = (2/pi) int_0^pi f cos(n t) dt``. A line of frequency ``n omega`` in the output of a tone of
    frequency ``omega`` has amplitude ``|a_n|``.
    """
    name = fn if isinstance(fn, str) else None
    f = activation(fn) if isinstance(fn, str) else fn
    a, b = float(amplitude), float(bias)
    if not (math.isfinite(a) and a > 0):
        raise InputError(f"amplitude must be a finite number > 0, got {amplitude!r}")
    if not math.isfinite(b):
        raise InputError(f"bias must be finite, got {bias!r}")
    n_max = _positive_int(n_max, "n_max")
    # the kink of ReLU (where A cos t + b = 0) is passed to quad as a break point
    points = [math.acos(-b / a)] if name == "relu" and abs(b) < a else None
    out = np.empty(n_max + 1)
    for n in range(n_max + 1):
        val, _ = integrate.quad(
            lambda t, n=n: float(f(np.float64(a * math.cos(t) + b))) * math.cos(n * t),
            0.0,
            math.pi,
            points=points,
            limit=400,
            epsabs=1e-13,
            epsrel=1e-11,
        )
        out[n] = val / math.pi * (1.0 if n == 0 else 2.0)
    return out


def torus_coefficients(
    fn: Activation | str, amplitudes: tuple[float, float], bias: float, max_order: int, grid: int
) -> dict[tuple[int, int], complex]:
    """Complex Fourier coefficients ``c_{m,n}`` of ``f(A1 cos t1 + A2 cos t2 + b)`` on the torus.

    ``c_{m,n} = (2 pi)^-2 int int f(...) exp(-i (m t1 + n t2)) dt1 dt2`` by the trapezoidal rule on a
    ``grid x grid`` periodic grid (spectrally accurate for smooth ``f``, second order at ReLU's kink),
    for ``|m| + |n| <= max_order``. With incommensurate frequencies the output line at
    ``|m omega1 + n omega2|`` has amplitude ``2 |c_{m,n}|`` (``(m, n)`` and ``(-m, -n)`` together).
    """
    f = activation(fn) if isinstance(fn, str) else fn
    grid = _positive_int(grid, "torus grid")
    max_order = _positive_int(max_order, "max_order")
    t = 2 * np.pi * np.arange(grid) / grid
    vals = f(amplitudes[0] * np.cos(t)[:, None] + amplitudes[1] * np.cos(t)[None, :] + float(bias))
    ms = np.arange(-max_order, max_order + 1)
    e = np.exp(-1j * np.outer(ms, t))  # (orders, grid)
    coef = e @ vals @ e.T / grid**2
    return {
        (int(m), int(n)): complex(coef[i, j])
        for (i, m), (j, n) in product(enumerate(ms), enumerate(ms))
        if abs(m) + abs(n) <= max_order
    }


def harmonic_table(
    activations: Iterable[str],
    biases: Iterable[float],
    omegas: Mapping[str, float],
    amplitude: float,
    n_max: int,
    n_positions: int,
    window_name: str,
) -> pd.DataFrame:
    """Harmonics of one tone ``A cos(omega p) + b`` through each nonlinearity: predicted vs measured.

    For each activation, bias and named tone ``omegas[label]`` (rad/position): the line ``n omega`` for
    ``n = 0 .. n_max`` at its folded frequency, its predicted amplitude ``|a_n|`` (quadrature) and the
    measured amplitude (windowed DTFT probe of the sampled activation). Columns also say whether the
    line is aliased (``n omega / (2 pi) > 0.5``).
    """
    p = np.arange(_positive_int(n_positions, "number of positions"), dtype=np.float64)
    rows = []
    for name, b, (label, om) in product(list(activations), list(biases), omegas.items()):
        f = activation(name)
        freqs = np.arange(n_max + 1) * om / (2 * np.pi)
        check_resolvable(freqs[1:], len(p), window_name, f"harmonics of tone {label}")
        pred = fourier_coefficients(name, amplitude, b, n_max)
        y = f(amplitude * np.cos(om * p) + b)
        meas = line_amplitude(y, freqs, window_name)
        for n in range(n_max + 1):
            rows.append(
                {
                    "activation": name,
                    "bias": float(b),
                    "tone": label,
                    "omega": om,
                    "n": n,
                    "freq": freqs[n],
                    "folded_freq": fold(freqs[n]),
                    "aliased": bool(freqs[n] > 0.5),
                    "predicted": abs(pred[n]),
                    "predicted_signed": pred[n],
                    "measured": meas[n],
                    "abs_error": abs(meas[n] - abs(pred[n])),
                }
            )
    return pd.DataFrame(rows)


def intermod_table(
    activations: Iterable[str],
    omegas: tuple[float, float],
    amplitudes: tuple[float, float],
    bias: float,
    max_order: int,
    n_positions: int,
    window_name: str,
    grid: int,
) -> pd.DataFrame:
    """Harmonics and intermodulation products of two tones through each nonlinearity.

    Input ``A1 cos(omega1 p) + A2 cos(omega2 p) + b``; lines at ``m omega1 + n omega2`` for
    ``1 <= |m| + |n| <= max_order`` (one of each +- pair), predicted ``2 |c_{m,n}|`` from
    :func:`torus_coefficients`, measured by the DTFT probe. ``kind`` is ``fundamental``,
    ``harmonic`` (one tone only) or ``intermod`` (both). ``coincident_order`` is the lowest order
    (up to :data:`COINCIDENCE_ORDER`) of another product whose folded frequency falls within the
    window's main lobe of this line (0 if none): with commensurate tones (``omega2 / omega1``
    rational, e.g. base 1e4 with d = 8 gives exactly 1/10) distinct products land on the same
    frequency and add, so the measured line is no longer the single predicted coefficient.
    """
    n_pos = _positive_int(n_positions, "number of positions")
    p = np.arange(n_pos, dtype=np.float64)
    keys = [
        (m, n)
        for m in range(0, max_order + 1)
        for n in range(-max_order, max_order + 1)
        if 1 <= abs(m) + abs(n) <= max_order and (m > 0 or n > 0)
    ]
    freqs = np.array([(m * omegas[0] + n * omegas[1]) / (2 * np.pi) for m, n in keys])
    check_resolvable(freqs, n_pos, window_name, "intermodulation lines")
    coincident = _coincident_orders(keys, omegas, n_pos, window_name)
    rows = []
    for name in activations:
        f = activation(name)
        coef = torus_coefficients(name, amplitudes, bias, max_order, grid)
        y = f(amplitudes[0] * np.cos(omegas[0] * p) + amplitudes[1] * np.cos(omegas[1] * p) + bias)
        meas = line_amplitude(y, freqs, window_name)
        for (m, n), fr, me in zip(keys, freqs, meas):
            kind = "fundamental" if abs(m) + abs(n) == 1 else ("intermod" if m and n else "harmonic")
            rows.append(
                {
                    "activation": name,
                    "m": m,
                    "n": n,
                    "order": abs(m) + abs(n),
                    "kind": kind,
                    "label": _combo_label({0: m, 1: n}, ("ω1", "ω2")),
                    "freq": abs(fr),
                    "folded_freq": fold(fr),
                    "predicted": 2 * abs(coef[(m, n)]),
                    "measured": me,
                    "abs_error": abs(me - 2 * abs(coef[(m, n)])),
                    "coincident_order": coincident[(m, n)],
                }
            )
    return pd.DataFrame(rows)


# highest order of the other two-tone products checked for coincidence with a measured line
COINCIDENCE_ORDER = 16


def _coincident_orders(
    keys: Sequence[tuple[int, int]], omegas: tuple[float, float], n_pos: int, window_name: str
) -> dict[tuple[int, int], int]:
    lobe = MAIN_LOBE_BINS[window_name] / n_pos
    others = [
        (abs(m) + abs(n), fold((m * omegas[0] + n * omegas[1]) / (2 * np.pi)), (m, n))
        for m in range(-COINCIDENCE_ORDER, COINCIDENCE_ORDER + 1)
        for n in range(-COINCIDENCE_ORDER, COINCIDENCE_ORDER + 1)
        if 1 <= abs(m) + abs(n) <= COINCIDENCE_ORDER
    ]
    out = {}
    for m, n in keys:
        f0 = fold((m * omegas[0] + n * omegas[1]) / (2 * np.pi))
        hits = [o for o, fr, k in others if k not in ((m, n), (-m, -n)) and abs(fr - f0) < lobe]
        out[(m, n)] = min(hits) if hits else 0
    return out


def swiglu_table(
    omega_gate: float,
    omega_up: float,
    amplitude_gate: float,
    amplitude_up: float,
    bias: float,
    n_max: int,
    n_positions: int,
    window_name: str,
) -> pd.DataFrame:
    """Lines of one SwiGLU unit ``SiLU(g) * u`` with gate tone ``g = A cos(wg p) + b`` and up tone
    ``u = B cos(wu p)``.

    With ``SiLU(g) = sum a_n cos(n wg p)`` the product is ``a_0 B cos(wu p) + sum_n (a_n B / 2)
    [cos((n wg + wu) p) + cos((n wg - wu) p)]``: lines at ``n wg +- wu``, every one an intermodulation
    product of the gate's harmonics with the up tone; predicted from the quadrature coefficients.
    """
    n_pos = _positive_int(n_positions, "number of positions")
    p = np.arange(n_pos, dtype=np.float64)
    a = fourier_coefficients("silu", amplitude_gate, bias, n_max)
    y = ACTIVATIONS["silu"](amplitude_gate * np.cos(omega_gate * p) + bias) * (
        amplitude_up * np.cos(omega_up * p)
    )
    lines: list[tuple[int, int, float]] = [(0, 1, abs(a[0]) * amplitude_up)]
    for n in range(1, n_max + 1):
        lines += [(n, 1, abs(a[n]) * amplitude_up / 2), (n, -1, abs(a[n]) * amplitude_up / 2)]
    freqs = np.array([(n * omega_gate + s * omega_up) / (2 * np.pi) for n, s, _ in lines])
    check_resolvable(freqs, n_pos, window_name, "SwiGLU lines")
    meas = line_amplitude(y, freqs, window_name)
    return pd.DataFrame(
        [
            {
                "activation": "swiglu",
                "m": n,
                "n": s,
                "order": n + 1,
                "kind": "fundamental" if n == 0 else "intermod",
                "label": _combo_label({0: n, 1: s}, ("ωg", "ωu")),
                "freq": abs(fr),
                "folded_freq": fold(fr),
                "predicted": pr,
                "measured": me,
                "abs_error": abs(me - pr),
            }
            for (n, s, pr), fr, me in zip(lines, freqs, meas)
        ]
    )


def combination_lines(thetas: Sequence[float], max_order: int) -> pd.DataFrame:
    """Every combination frequency ``sum_i k_i theta_i`` with ``1 <= sum |k_i| <= max_order``.

    Columns: ``label``, ``order``, ``kind`` (fundamental / harmonic / intermod), ``freq``
    (cycles/position, ``>= 0``) and ``folded_freq``. One row per +- pair; duplicates by frequency removed.
    """
    th = np.asarray(thetas, dtype=np.float64)
    max_order = _positive_int(max_order, "max_order")
    rows, seen = [], set()
    for k in product(range(-max_order, max_order + 1), repeat=len(th)):
        order = sum(abs(v) for v in k)
        nz = [v for v in k if v]
        if not (1 <= order <= max_order) or nz[0] < 0:
            continue
        fr = abs(float(np.dot(k, th))) / (2 * np.pi)
        key = round(fr, 12)
        if key in seen:
            continue
        seen.add(key)
        kind = "fundamental" if order == 1 else ("harmonic" if len(nz) == 1 else "intermod")
        labels = tuple(f"θ{i}" for i in range(len(th)))
        rows.append(
            {
                "label": _combo_label(dict(enumerate(k)), labels),
                "order": order,
                "kind": kind,
                "freq": fr,
                "folded_freq": fold(fr),
            }
        )
    return pd.DataFrame(rows)


def ffn_spectra(
    base: float,
    d: int,
    hidden: int,
    activations: Iterable[str],
    n_positions: int,
    window_name: str,
    max_order: int,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Spectra of a random FFN layer's activations driven by a RoPE embedding.

    The embedding (unit amplitude per pair, random phases) goes through ``W`` (``hidden x d``, entries
    ``N(0, 1/d)``) and each activation, and through a SwiGLU block ``SiLU(W_g x) * (W_u x)``. Returns
    ``(spectra, summary)``: ``spectra`` has the RMS amplitude over hidden units at every bin
    (columns ``source``, ``freq``, ``amplitude``; ``source`` is ``embedding`` or the activation) and
    ``summary`` the fraction of non-DC power within the main lobe of a predicted combination line of
    order ``<= max_order`` (``line_power_fraction``).
    """
    rng = np.random.default_rng(seed)
    theta = inv_freq(base, d)
    emb = rope_embedding(n_positions, base, d, rng.uniform(0, 2 * np.pi, d // 2))
    w_in = rng.normal(0, 1 / math.sqrt(d), (d, hidden))
    w_gate = rng.normal(0, 1 / math.sqrt(d), (d, hidden))
    w_up = rng.normal(0, 1 / math.sqrt(d), (d, hidden))
    lines = combination_lines(theta, max_order)
    freqs = np.fft.rfftfreq(n_positions)
    half = MAIN_LOBE_BINS[window_name] / n_positions
    near = np.zeros(len(freqs), dtype=bool)
    for fl in lines["folded_freq"]:
        near |= np.abs(freqs - fl) <= half
    near[0] = False
    out, summary = [], []
    names = ["embedding", *activations, "swiglu"]
    for src in names:
        if src == "embedding":
            y = emb
        elif src == "swiglu":
            y = ACTIVATIONS["silu"](emb @ w_gate) * (emb @ w_up)
        else:
            y = activation(src)(emb @ w_in)
        _, amps = amplitude_spectrum(y, window_name)
        power = (amps**2).mean(axis=1)
        total = power[1:].sum()
        summary.append(
            {
                "source": src,
                "line_power_fraction": float(power[near].sum() / total),
                "lines": len(lines),
                "max_order": max_order,
            }
        )
        out.append(pd.DataFrame({"source": src, "freq": freqs, "amplitude": np.sqrt(power)}))
    return pd.concat(out, ignore_index=True), pd.DataFrame(summary)



def _combo_label(k: Mapping[int, int], names: Sequence[str]) -> str:
    parts = []
    for i, v in k.items():
        if not v:
            continue
        sign = "-" if v < 0 else "+"
        mag = "" if abs(v) == 1 else str(abs(v))
        parts.append(f"{sign}{mag}{names[i]}")
    s = "".join(parts)
    return s[1:] if s.startswith("+") else s


