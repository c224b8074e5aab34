"""Phase shifts and harmonics: RoPE oscillations through FFN nonlinearities (seed 002).

One module per concept:

- :mod:`~analysis.harmonics.spectra`: windows, amplitude spectra, line probes, resolvability, the
  RoPE embedding as a sum of pure tones (units and methods in its docstring);
- :mod:`~analysis.harmonics.fourier`: Fourier-series predictions of harmonics and intermodulation
  through each nonlinearity and a SwiGLU unit, combination lines, random-FFN spectra;
- :mod:`~analysis.harmonics.sweep`: the phase-alignment sweep (FFN activation, attention entropy);
- :mod:`~analysis.harmonics.real_model`: spectra of a trained model's MLP activations;
- :mod:`~analysis.harmonics.synthetic`: the stage's synthetic results and headline numbers;
- :mod:`~analysis.harmonics.figure_data` and :mod:`~analysis.harmonics.charts`: the figures' data
  and their encodings;
- :mod:`~analysis.harmonics.claims`: the scorecard claims and their criteria;
- :mod:`~analysis.harmonics.findings`: the page's numbers and sentences.

The names below are re-exported so that ``from analysis import harmonics as h; h.phase_sweep(...)``
keeps working.
"""

from analysis.harmonics.fourier import (
    COINCIDENCE_ORDER,
    combination_lines,
    ffn_spectra,
    fourier_coefficients,
    harmonic_table,
    intermod_table,
    relu_fourier,
    swiglu_table,
    torus_coefficients,
)
from analysis.harmonics.real_model import activation_spectra, mlp_activations, real_model_results, real_model_spectra
from analysis.harmonics.spectra import (
    ACTIVATIONS,
    MAIN_LOBE_BINS,
    WINDOWS,
    activation,
    amplitude_spectrum,
    check_resolvable,
    decimate_spectrum,
    embedding_lines,
    fold,
    line_amplitude,
    peak_frequency,
    rope_embedding,
    window,
)
from analysis.harmonics.sweep import phase_sweep, sweep_results, sweep_summary, sweep_symmetry
from analysis.harmonics.synthetic import harmonics_synthetic_tables

__all__ = [
    "ACTIVATIONS", "WINDOWS", "MAIN_LOBE_BINS", "COINCIDENCE_ORDER", "activation", "fold", "window",
    "amplitude_spectrum", "line_amplitude", "peak_frequency", "check_resolvable", "rope_embedding",
    "embedding_lines", "relu_fourier", "fourier_coefficients", "torus_coefficients", "harmonic_table",
    "intermod_table", "swiglu_table", "combination_lines", "ffn_spectra", "decimate_spectrum", "phase_sweep",
    "sweep_results", "sweep_summary", "sweep_symmetry", "harmonics_synthetic_tables", "mlp_activations",
    "activation_spectra", "real_model_spectra", "real_model_results",
]
