"""Harmonics stage: spectra, Fourier-series predictions, aliasing, the phase sweep, bad input."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from analysis import harmonics as h
from analysis.core.config import ROOT, load_config
from analysis.core.errors import ConfigError, InputError


def test_activations_match_torch_definitions():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    x = np.linspace(-8, 8, 2001)
    t = torch.tensor(x, dtype=torch.float64)
    ref = {
        "relu": F.relu(t),
        "gelu": F.gelu(t),
        "gelu_tanh": F.gelu(t, approximate="tanh"),
        "silu": F.silu(t),
    }
    for name, r in ref.items():
        np.testing.assert_allclose(h.activation(name)(x), r.numpy(), rtol=1e-13, atol=1e-15, err_msg=name)


def test_fold_into_nyquist_band():
    np.testing.assert_allclose(
        h.fold(np.array([0.1, 0.5, 0.7, 1.2, -0.1, 3.0])), [0.1, 0.5, 0.3, 0.2, 0.1, 0.0]
    )


def test_amplitude_spectrum_matches_naive_dft():
    rng = np.random.default_rng(1)
    x = rng.normal(size=64)
    freqs, amps = h.amplitude_spectrum(x, "hann")
    w = h.window("hann", 64)
    p = np.arange(64)
    naive = np.array([abs(sum(w[j] * x[j] * np.exp(-2j * np.pi * k * j / 64) for j in p)) for k in range(33)])
    naive = naive * 2 / w.sum()
    naive[0] /= 2
    naive[-1] /= 2
    np.testing.assert_allclose(amps, naive, rtol=1e-12)
    np.testing.assert_allclose(freqs, np.arange(33) / 64)


def test_line_amplitude_reads_off_bin_tone():
    n, f = 20000, 0.0123456
    x = 0.7 * np.cos(2 * np.pi * f * np.arange(n) + 0.4) + 0.2
    assert h.line_amplitude(x, f)[0] == pytest.approx(0.7, rel=1e-7)
    assert h.line_amplitude(x, 0.0)[0] == pytest.approx(0.2, abs=1e-6)  # leakage below -92 dB


def test_relu_closed_form_matches_quadrature():
    closed = h.relu_fourier(1.7, 12)
    quad = h.fourier_coefficients("relu", 1.7, 0.0, 12)
    np.testing.assert_allclose(quad, closed, atol=1e-11)
    assert closed[0] == pytest.approx(1.7 / math.pi)
    assert closed[1] == pytest.approx(1.7 / 2)
    assert abs(closed[2]) == pytest.approx(2 * 1.7 / (math.pi * 3))
    assert np.all(closed[3::2] == 0)


@pytest.mark.parametrize("name", ["gelu", "silu", "gelu_tanh"])
def test_zero_bias_has_no_odd_harmonics_above_fundamental(name):
    # f(x) = x/2 + even(x) for GELU and SiLU: only DC, the fundamental A/2 and even harmonics survive
    a = h.fourier_coefficients(name, 2.0, 0.0, 9)
    assert a[1] == pytest.approx(1.0, abs=1e-10)
    assert np.all(np.abs(a[3::2]) < 1e-10)
    assert np.all(np.abs(a[2::2][:2]) > 1e-3)
    b = h.fourier_coefficients(name, 2.0, 0.5, 9)
    assert abs(b[3]) > 1e-4  # a bias breaks the symmetry


def test_pure_tone_through_relu_gives_known_harmonics():
    """Coherent sampling (tone on bin k0, rectangular window): the spectrum's peaks sit exactly at the
    multiples 0, 1, 2, 4, 6, ... of k0 with the amplitude ratios of the ReLU Fourier series."""
    n, k0, amp = 8192, 8, 1.3  # period 1024 positions: aliased harmonics (n ~ 1024) are ~1e-6
    y = np.maximum(amp * np.cos(2 * np.pi * k0 * np.arange(n) / n), 0.0)
    _, spec = h.amplitude_spectrum(y, "rect")
    top = sorted(np.argsort(spec)[::-1][:6].tolist())
    assert top == [0, k0, 2 * k0, 4 * k0, 6 * k0, 8 * k0]
    a = h.relu_fourier(amp, 8)
    for m in (2, 4, 6, 8):
        assert spec[m * k0] / spec[k0] == pytest.approx(abs(a[m]) / a[1], rel=2e-4)
        assert spec[m * k0] / spec[k0] == pytest.approx(4 / (math.pi * (m * m - 1)), rel=2e-4)
    assert spec[0] == pytest.approx(amp / math.pi, rel=1e-4)
    assert max(spec[3 * k0], spec[5 * k0], spec[7 * k0]) < 1e-10


def test_aliasing_folds_harmonics_exactly():
    """A tone with period M = 10 positions: harmonic n lands on bin n mod M (folded), and each bin holds
    the sum of every harmonic that folds there (signed Fourier coefficients)."""
    n, period, amp = 1000, 10, 1.0
    k0 = n // period
    y = np.maximum(amp * np.cos(2 * np.pi * np.arange(n) / period), 0.0)
    _, spec = h.amplitude_spectrum(y, "rect")
    a = h.relu_fourier(amp, 200_001)
    for r in range(0, period // 2 + 1):
        folded = sum(a[m] for m in range(len(a)) if m % period in (r, (period - r) % period))
        assert spec[r * k0] == pytest.approx(abs(folded), abs=2e-6), r
    # without folding the 4th-harmonic bin would read |a_4| only; the folded 6th harmonic adds to it
    assert abs(spec[4 * k0] - abs(a[4])) > 1e-3


def test_embedding_peaks_within_one_bin_of_theta():
    lines = h.embedding_lines(10_000.0, 8, 65_536, "blackman_harris")
    assert len(lines) == 4
    assert (lines["error_bins"].abs() <= 1).all()
    assert (lines["refined_error_bins"].abs() < 0.05).all()
    np.testing.assert_allclose(lines["amplitude"], 1.0, atol=1e-6)
    np.testing.assert_allclose(lines["predicted_freq"], 10_000.0 ** (-2 * np.arange(4) / 8) / (2 * np.pi))


@pytest.mark.parametrize("base,d,n", [(500.0, 6, 4096), (2_000.0, 10, 32_768)])
def test_embedding_peaks_other_settings(base, d, n):
    assert (h.embedding_lines(base, d, n, "hann")["error_bins"].abs() <= 1).all()


def test_unresolvable_lines_are_refused():
    with pytest.raises(InputError, match="not resolvable.*increase n_positions"):
        h.embedding_lines(10_000.0, 8, 4096, "blackman_harris")


def test_harmonic_table_matches_fourier_series_including_aliased():
    tab = h.harmonic_table(
        ["relu", "gelu", "silu"], [0.0, 0.5], {"θ0": 1.0, "θ1": 0.1}, 2.0, 8, 16_384, "blackman_harris"
    )
    assert tab["aliased"].any()
    assert tab["abs_error"].max() < 2e-5
    relu = tab[(tab.activation == "relu") & (tab.bias == 0.0) & (tab.tone == "θ0")].set_index("n")
    assert relu.loc[2, "measured"] / relu.loc[1, "measured"] == pytest.approx(4 / (3 * math.pi), rel=1e-4)


def test_intermodulation_products_match_torus_quadrature():
    w2 = 10**-0.8  # irrational ratio: no two products coincide
    tab = h.intermod_table(
        ["relu", "gelu", "silu"], (1.0, w2), (1.0, 0.7), 0.3, 3, 32_768, "blackman_harris", 1024
    )
    assert set(tab["kind"]) == {"fundamental", "harmonic", "intermod"}
    assert (tab["coincident_order"] == 0).all()
    assert tab["abs_error"].max() < 2e-5
    im = tab[(tab.kind == "intermod") & (tab.order == 2)]
    assert (im["measured"] > 1e-2).all()  # sum and difference lines are strong
    # zero bias: ReLU = x/2 + |x|/2 has no odd-order products
    z = h.intermod_table(["relu"], (1.0, w2), (1.0, 0.7), 0.0, 3, 32_768, "blackman_harris", 1024)
    assert (z.loc[z.order == 3, "predicted"] < 1e-12).all()
    assert (z.loc[z.order == 3, "measured"] < 2e-5).all()


def test_commensurate_tones_flag_coincident_products():
    # omega2 = omega1 / 10 (base 1e4, d = 8): 3*omega2 coincides with omega1 - 7*omega2 (order 8)
    tab = h.intermod_table(["relu"], (1.0, 0.1), (1.0, 0.7), 0.3, 3, 32_768, "blackman_harris", 256)
    row = tab[(tab.m == 0) & (tab.n == 3)].iloc[0]
    assert row["coincident_order"] == 8
    assert (tab["coincident_order"] > 0).all()


def test_torus_quadrature_matches_one_tone_quadrature():
    # with A2 -> tiny, c_{n,0} reduces to the single-tone coefficient a_n / 2
    c = h.torus_coefficients("silu", (1.5, 1e-9), 0.2, 4, 256)
    a = h.fourier_coefficients("silu", 1.5, 0.2, 4)
    for n in range(1, 5):
        assert 2 * abs(c[(n, 0)]) == pytest.approx(abs(a[n]), abs=1e-8)


def test_swiglu_lines_are_gate_harmonics_times_up_tone():
    tab = h.swiglu_table(1.0, 0.1, 2.0, 1.0, 0.0, 4, 32_768, "blackman_harris")
    assert tab["abs_error"].max() < 1e-6
    a = h.fourier_coefficients("silu", 2.0, 0.0, 4)
    row = tab[(tab.m == 2) & (tab.n == -1)].iloc[0]
    assert row["predicted"] == pytest.approx(abs(a[2]) / 2)


def test_combination_lines_two_frequencies():
    lines = h.combination_lines([1.0, 0.1], 2)
    assert sorted(lines["label"]) == sorted(["θ0", "θ1", "2θ0", "2θ1", "θ0+θ1", "θ0-θ1"])
    assert set(lines.loc[lines.label == "θ0-θ1", "kind"]) == {"intermod"}


def test_ffn_spectra_lines_carry_the_power():
    _, summary = h.ffn_spectra(10_000.0, 8, 8, ["relu", "silu"], 65_536, "blackman_harris", 3, 0)
    frac = dict(zip(summary["source"], summary["line_power_fraction"]))
    assert frac["embedding"] > 0.999999
    assert frac["silu"] > 0.8 and frac["swiglu"] > 0.8 and frac["relu"] > 0.6


@pytest.fixture(scope="module")
def sweep() -> pd.DataFrame:
    return h.phase_sweep(10_000.0, 8, 16, ["relu", "gelu", "silu"], 65_536, 25, 64, 64, 0)


def test_sweep_symmetric_where_theory_says(sweep):
    for col in ("entropy_target", "target_weight", "entropy_bi", "max_weight_bi", "input_amplitude"):
        assert h.sweep_symmetry(sweep, col) < 1e-12, col
    # the causal window has no phi -> -phi symmetry
    assert h.sweep_symmetry(sweep, "entropy_causal") > 1e-3
    # activations: symmetric up to the finite record (the torus average is phase-shift invariant)
    for a in ("relu", "gelu", "silu"):
        assert h.sweep_symmetry(sweep, f"act_rms_{a}") < 1e-4 * sweep[f"act_rms_{a}"].max(), a


def test_relu_activation_follows_cos_half_offset(sweep):
    s = sweep.sort_values("phi")
    r = s["act_rms_relu"] / s.loc[s.phi.abs().idxmin(), "act_rms_relu"]
    np.testing.assert_allclose(r, np.abs(np.cos(s["phi"] / 2)), atol=1e-4)


def test_alignment_amplifies_and_sharpens(sweep):
    s = sweep.sort_values("phi")
    at0, atpi = s.iloc[s.phi.abs().argmin()], s.iloc[-1]
    for a in ("relu", "gelu", "silu"):
        assert at0[f"act_rms_{a}"] > 10 * atpi[f"act_rms_{a}"] + 1e-3
    assert at0["target_weight"] > 0.5 > atpi["target_weight"]
    half = s[s.phi >= 0]
    assert np.all(np.diff(half["target_weight"]) < 0)


def test_bad_input_errors():
    with pytest.raises(InputError, match="unknown activation 'tanh'"):
        h.activation("tanh")
    with pytest.raises(InputError, match="unknown window 'kaiser'"):
        h.window("kaiser", 16)
    with pytest.raises(InputError, match="NaN"):
        h.amplitude_spectrum(np.array([1.0, np.nan, 0.0, 1.0]))
    with pytest.raises(InputError, match="at least 4 positions"):
        h.line_amplitude(np.ones(2), 0.1)
    with pytest.raises(InputError, match="amplitude must be"):
        h.fourier_coefficients("relu", -1.0, 0.0, 4)
    with pytest.raises(InputError, match="number of positions"):
        h.rope_embedding(0, 10_000.0, 8)
    with pytest.raises(InputError, match="phases must have one entry per frequency pair"):
        h.rope_embedding(16, 10_000.0, 8, np.zeros(3))
    cfg = load_config(ROOT / "config" / "config.yaml", ROOT / "config" / "smoke.yaml")["harmonics"]
    with pytest.raises(InputError, match="sweep.n_offsets must be odd"):
        h.sweep_results(
            base=cfg["base"], head_dim=cfg["head_dim"], ffn_hidden=cfg["ffn_hidden"], activations=cfg["activations"],
            n_positions=cfg["n_positions"], n_offsets=12, attn_head_dim=16, attn_window=16, seed=0,
        )


@pytest.mark.parametrize(
    "override,key",
    [
        ({"window": "kaiser"}, "harmonics.window"),
        ({"head_dim": 7}, "harmonics.head_dim"),
        ({"activations": ["relu", "tanh"]}, "harmonics.activations[1]"),
        ({"sweep": {"n_offsets": 12, "attn_head_dim": 16, "attn_window": 8}}, "harmonics.sweep.n_offsets"),
        ({"extra": 1}, "harmonics"),
    ],
)
def test_bad_config_names_the_key(override, key):
    with pytest.raises(ConfigError, match=re.escape(f"'{key}'")):
        load_config(ROOT / "config" / "config.yaml", overrides={"harmonics": override})


def test_sweep_summary_reports_symmetry_and_relu_law(sweep):
    s = h.sweep_summary(sweep)
    assert s["symmetry"]["entropy_bi"] < 1e-12 and s["symmetry"]["entropy_causal"] > 1e-3
    assert s["relu_cos_law_max_error"] < 1e-4
    assert s["aligned"]["input_amplitude"] == pytest.approx(2.0)
    assert s["opposed"]["input_amplitude"] == pytest.approx(0.0, abs=1e-12)
