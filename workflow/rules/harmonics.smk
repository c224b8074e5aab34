# harmonics stage: RoPE phase shifts and harmonics through FFN nonlinearities (seed 002).
# Synthetic spectra, Fourier-series predictions, the phase-alignment sweep, the scorecard and, when the
# probes stage's subject model is configured, the spectra of its real MLP activations.

from analysis.core.config import ROOT as HARMONICS_ROOT

HARMONICS_CFG = config["harmonics"]
HARMONICS_VARIANT = config.get("probes", {}).get("subject_variant")
HARMONICS_FIGURES = ["embedding_spectrum", "harmonics", "intermod", "ffn_spectra", "phase_sweep"]


def harmonics_report_fig(name):
    """All files of figure `name`, its SVG wrapped for `snakemake --report` with its RST caption."""
    cap = f"../report/harmonics/{name}.rst"
    return [report(f, caption=cap, category="Harmonics") if f.endswith(".svg") else f for f in fig("harmonics", name)]


def harmonics_report_table(name, caption):
    """A result table and its sidecar, the table wrapped for `snakemake --report`."""
    path, side = with_prov(res("harmonics", name))
    return [report(path, caption=f"../report/harmonics/{caption}.rst", category="Harmonics"), side]


rule harmonics_spectra:
    """Spectra of a RoPE-modulated embedding (lines at theta_i/(2 pi)), harmonics of one tone and
    intermodulation of two tones through each nonlinearity and a SwiGLU unit (measured vs Fourier-series
    prediction by quadrature), and the spectra of a random FFN layer driven by the embedding."""
    output:
        harmonics_report_table("embedding_lines.csv", "embedding_lines"),
        harmonics_report_table("harmonics.csv", "harmonics_table"),
        harmonics_report_table("intermod.csv", "intermod_table"),
        with_prov(res("harmonics", "ffn_summary.csv")),
        with_prov(res("harmonics", "ffn_lines.csv")),
        with_prov(res("harmonics", "embedding_spectrum.parquet")),
        with_prov(res("harmonics", "ffn_spectra.parquet")),
        with_prov(res("harmonics", "spectra_summary.json")),
    params:
        cfg=HARMONICS_CFG,
    log:
        log_path("harmonics", "harmonics_spectra"),
    benchmark:
        bench_path("harmonics", "harmonics_spectra")
    script:
        "../scripts/harmonics_spectra.py"


rule harmonics_phase_sweep:
    """Phase-alignment sweep: FFN activation magnitude of two RoPE components with phase offset phi, and
    attention entropy / weights of a query against a phase-offset key among distractors and against
    all-offset keys (RoPE kernel), for phi in [-pi, pi]."""
    output:
        harmonics_report_table("phase_sweep.csv", "phase_sweep_table"),
        with_prov(res("harmonics", "sweep_summary.json")),
    params:
        cfg=HARMONICS_CFG,
    log:
        log_path("harmonics", "harmonics_phase_sweep"),
    benchmark:
        bench_path("harmonics", "harmonics_phase_sweep")
    script:
        "../scripts/harmonics_phase_sweep.py"


rule harmonics_figures:
    """Figures of the synthetic spectra, harmonic and intermodulation amplitudes, and the sweep."""
    input:
        lines=res("harmonics", "embedding_lines.csv"),
        harmonics=res("harmonics", "harmonics.csv"),
        intermod=res("harmonics", "intermod.csv"),
        ffn_lines=res("harmonics", "ffn_lines.csv"),
        embedding_spectrum=res("harmonics", "embedding_spectrum.parquet"),
        ffn_spectra=res("harmonics", "ffn_spectra.parquet"),
        sweep=res("harmonics", "phase_sweep.csv"),
    output:
        [harmonics_report_fig(name) for name in HARMONICS_FIGURES],
    params:
        cfg=HARMONICS_CFG,
        names=HARMONICS_FIGURES,
    log:
        log_path("harmonics", "harmonics_figures"),
    benchmark:
        bench_path("harmonics", "harmonics_figures")
    script:
        "../scripts/harmonics_figures.py"


if HARMONICS_VARIANT:

    rule harmonics_real_model:
        """Spectra across positions of the trained subject model's MLP activations
        (act_fn(gate_proj(x)) * up_proj(x)) over a text, with its RoPE lines; token embeddings as control."""
        input:
            model=res("probes", f"models/{HARMONICS_VARIANT}/model.safetensors"),
            text=os.path.join(str(HARMONICS_ROOT), HARMONICS_CFG["real_model"]["text"]),
        output:
            with_prov(res("harmonics", "real_spectra.parquet")),
            with_prov(res("harmonics", "real_lines.csv")),
            with_prov(res("harmonics", "real_summary.json")),
            harmonics_report_fig("real_spectra"),
        params:
            cfg=HARMONICS_CFG,
        log:
            log_path("harmonics", "harmonics_real_model"),
        benchmark:
            bench_path("harmonics", "harmonics_real_model")
        script:
            "../scripts/harmonics_real_model.py"


rule harmonics_scorecard:
    """Scorecard: the seed's qualitative claims (harmonics appear; alignment amplifies activations and
    sharpens attention; misalignment weakens) as reproduced / differs, each with a one-line reason."""
    input:
        summary=res("harmonics", "spectra_summary.json"),
        harmonics=res("harmonics", "harmonics.csv"),
        sweep=res("harmonics", "phase_sweep.csv"),
        real=[res("harmonics", "real_summary.json")] if HARMONICS_VARIANT else [],
    output:
        harmonics_report_table("scorecard.csv", "scorecard"),
    params:
        cfg=HARMONICS_CFG,
    log:
        log_path("harmonics", "harmonics_scorecard"),
    benchmark:
        bench_path("harmonics", "harmonics_scorecard")
    script:
        "../scripts/harmonics_scorecard.py"


ALL_TARGETS.extend(
    [
        res("harmonics", "scorecard.csv"),
    ]
    + [fig("harmonics", name)[0] for name in HARMONICS_FIGURES]
    + ([fig("harmonics", "real_spectra")[0]] if HARMONICS_VARIANT else [])
)
