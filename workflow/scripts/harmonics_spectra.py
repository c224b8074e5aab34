"""Adapter: harmonics settings -> synthetic spectra, harmonics, intermodulation (results/harmonics/*)."""

from analysis.core.adapter import Adapter
from analysis.harmonics import synthetic

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    s = a.setting
    r = a.call(
        synthetic.harmonics_synthetic_tables,
        base=s("harmonics.base"), head_dim=s("harmonics.head_dim"), n_positions=s("harmonics.n_positions"),
        window=s("harmonics.window"), activations=s("harmonics.activations"), biases=s("harmonics.biases"),
        tone_amplitude=s("harmonics.tone_amplitude"), max_harmonic=s("harmonics.max_harmonic"),
        intermod_amplitudes=s("harmonics.intermod.amplitudes"), intermod_bias=s("harmonics.intermod.bias"),
        intermod_max_order=s("harmonics.intermod.max_order"), torus_grid=s("harmonics.intermod.torus_grid"),
        swiglu_gate_amplitude=s("harmonics.swiglu.gate_amplitude"),
        swiglu_up_amplitude=s("harmonics.swiglu.up_amplitude"), swiglu_gate_bias=s("harmonics.swiglu.gate_bias"),
        swiglu_max_harmonic=s("harmonics.swiglu.max_harmonic"), ffn_hidden=s("harmonics.ffn_hidden"),
        max_line_order=s("harmonics.max_line_order"), seed=s("harmonics.seed"),
    )
    a.log.info("summary: %s", r["summary"])
    for name in ("embedding_lines", "harmonics", "intermod", "ffn_summary", "ffn_lines", "embedding_spectrum",
                 "ffn_spectra"):
        a.table(r[name], name)
    a.json(r["summary"], "summary")
