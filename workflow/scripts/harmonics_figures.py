"""Adapter: harmonics result tables -> results/harmonics/figures/*."""

from pathlib import Path

from analysis.harmonics import charts as ch
from analysis.core.figures import save_chart
from analysis.harmonics import decimate_spectrum
from analysis.core.logs import log_to
from analysis.core.results import read_table

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
inp = snakemake.input  # noqa: F821
with log_to(snakemake.log[0]) as log:  # noqa: F821
    pts = int(cfg["plot_points"])
    setup = f"base {cfg['base']:g}, d = {cfg['head_dim']}, N = {cfg['n_positions']}, {cfg['window']} window"
    charts = {
        "embedding_spectrum": ch.embedding_spectrum_chart(
            decimate_spectrum(read_table(inp.embedding_spectrum), pts),
            read_table(inp.lines),
            f"RoPE embedding spectrum, predicted lines dashed ({setup})",
        ),
        "harmonics": ch.harmonics_chart(
            read_table(inp.harmonics),
            "Harmonics of A cos(θ p) + b: measured (points) vs Fourier series (ticks); "
            f"A = {cfg['tone_amplitude']:g}",
        ),
        "intermod": ch.intermod_chart(
            read_table(inp.intermod), "Two tones θ0, θ1 and a SwiGLU unit: every line, measured vs predicted"
        ),
        "ffn_spectra": ch.ffn_spectra_chart(
            decimate_spectrum(read_table(inp.ffn_spectra), pts),
            read_table(inp.ffn_lines),
            f"Random FFN driven by a RoPE embedding: RMS spectra with predicted lines ({setup})",
        ),
        "phase_sweep": ch.phase_sweep_chart(
            read_table(inp.sweep),
            list(cfg["activations"]),
            f"Phase-alignment sweep (FFN: d = {cfg['head_dim']}; "
            f"attention: d = {cfg['sweep']['attn_head_dim']}, W = {cfg['sweep']['attn_window']})",
        ),
    }
    for name in snakemake.params.names:  # noqa: F821
        stem = Path(snakemake.output[0]).parent / name  # noqa: F821
        save_chart(charts[name], stem, cfg)
        log.info("saved figure %s", stem)
