# harmonics stage: RoPE phase shifts and harmonics through FFN nonlinearities (seed 002).
# Synthetic spectra and Fourier-series predictions, the phase-alignment sweep, the figures' data and
# figures, the scorecard, the page's findings and, when the probes stage's subject model is
# configured, the spectra of its real MLP activations. Stage contract: workflow/README.md.

from analysis.core.config import ROOT as HARMONICS_ROOT

HARMONICS_VARIANT = config.get("probes", {}).get("subject_variant")
H_SPECTRA_CODE = ["harmonics/__init__.py", "harmonics/spectra.py", "harmonics/fourier.py", "core/rope.py"]
H_PLOT_CODE = ["harmonics/__init__.py", "harmonics/charts.py", "harmonics/figure_data.py"]


def h_res(name):
    return res("harmonics", name)


rule harmonics_spectra:
    """Spectra of a RoPE-modulated embedding (lines at theta_i/(2 pi)), harmonics of one tone and
    intermodulation of two tones through each nonlinearity and a SwiGLU unit (measured vs Fourier-series
    prediction by quadrature), and the spectra of a random FFN layer driven by the embedding."""
    input:
        code=stage_code(*H_SPECTRA_CODE, "harmonics/synthetic.py"),
    output:
        embedding_lines=result("harmonics", "embedding_lines.csv", caption="embedding_lines.csv"),
        harmonics=result("harmonics", "harmonics.csv", caption="harmonics.csv"),
        intermod=result("harmonics", "intermod.csv", caption="intermod.csv"),
        ffn_summary=result("harmonics", "ffn_summary.csv", caption="ffn_summary.csv"),
        ffn_lines=result("harmonics", "ffn_lines.csv"),
        embedding_spectrum=result("harmonics", "embedding_spectrum.parquet"),
        ffn_spectra=result("harmonics", "ffn_spectra.parquet"),
        summary=result("harmonics", "spectra_summary.json"),
    params:
        settings=settings(
            *[f"harmonics.{k}" for k in ("base", "head_dim", "n_positions", "window", "activations", "biases",
                                          "tone_amplitude", "max_harmonic", "ffn_hidden", "max_line_order", "seed")],
            *[f"harmonics.intermod.{k}" for k in ("amplitudes", "bias", "max_order", "torus_grid")],
            *[f"harmonics.swiglu.{k}" for k in ("gate_amplitude", "up_amplitude", "gate_bias", "max_harmonic")],
        ),
    threads: 1
    log:
        log_path("harmonics", "harmonics_spectra"),
    benchmark:
        bench_path("harmonics", "harmonics_spectra")
    script:
        "../scripts/harmonics_spectra.py"


rule harmonics_phase_sweep:
    """Phase-alignment sweep: FFN activation magnitude of two RoPE components with phase offset phi, and
    attention entropy / weights of a query against a phase-offset key among distractors and against
    all-offset keys (RoPE kernel), for phi in [-pi, pi]; with its symmetry and ReLU-law summary."""
    input:
        code=stage_code(*H_SPECTRA_CODE, "harmonics/sweep.py"),
    output:
        sweep=result("harmonics", "phase_sweep.csv", caption="phase_sweep.csv"),
        summary=result("harmonics", "sweep_summary.json"),
    params:
        settings=settings(
            *[f"harmonics.{k}" for k in ("base", "head_dim", "ffn_hidden", "activations", "n_positions", "seed")],
            *[f"harmonics.sweep.{k}" for k in ("n_offsets", "attn_head_dim", "attn_window")],
        ),
    threads: 1
    log:
        log_path("harmonics", "harmonics_phase_sweep"),
    benchmark:
        bench_path("harmonics", "harmonics_phase_sweep")
    script:
        "../scripts/harmonics_phase_sweep.py"


H_PLOTS = ["embedding_spectrum", "embedding_lines", "harmonics", "intermod", "ffn_spectra", "ffn_lines",
           "sweep_activation", "sweep_entropy"]


rule harmonics_figure_data:
    """The data every synthetic figure draws (results/harmonics/plots/): spectra thinned for plotting,
    amplitudes floored for log axes, the sweep normalised to phi = 0 and in long form."""
    input:
        code=stage_code(*H_PLOT_CODE, "harmonics/spectra.py"),
        embedding_spectrum=h_res("embedding_spectrum.parquet"),
        embedding_lines=h_res("embedding_lines.csv"),
        harmonics=h_res("harmonics.csv"),
        intermod=h_res("intermod.csv"),
        ffn_spectra=h_res("ffn_spectra.parquet"),
        ffn_lines=h_res("ffn_lines.csv"),
        sweep=h_res("phase_sweep.csv"),
    output:
        **{name: result("harmonics", f"plots/{name}.parquet") for name in H_PLOTS},
    params:
        settings=settings("harmonics.activations", "harmonics.plot_points"),
    threads: 1
    log:
        log_path("harmonics", "harmonics_figure_data"),
    benchmark:
        bench_path("harmonics", "harmonics_figure_data")
    script:
        "../scripts/harmonics_figure_data.py"


# figure name -> (chart function of analysis/harmonics/charts.py, {chart argument: data file}, settings)
HARMONICS_SETUP_KEYS = [f"harmonics.{k}" for k in ("base", "head_dim", "n_positions", "window")]
H_FIGURES = {
    "embedding_spectrum": ("embedding_spectrum_chart",
                           {"spectrum": "plots/embedding_spectrum.parquet", "lines": "plots/embedding_lines.parquet"},
                           HARMONICS_SETUP_KEYS),
    "harmonics": ("harmonics_chart", {"harmonics": "plots/harmonics.parquet"}, ["harmonics.tone_amplitude"]),
    "intermod": ("intermod_chart", {"intermod": "plots/intermod.parquet"}, []),
    "ffn_spectra": ("ffn_spectra_chart",
                    {"spectra": "plots/ffn_spectra.parquet", "lines": "plots/ffn_lines.parquet"}, HARMONICS_SETUP_KEYS),
    "phase_sweep": ("phase_sweep_chart",
                    {"activation": "plots/sweep_activation.parquet", "entropy": "plots/sweep_entropy.parquet"},
                    ["harmonics.head_dim", "harmonics.sweep.attn_head_dim", "harmonics.sweep.attn_window"]),
}
if HARMONICS_VARIANT:
    H_FIGURES["real_spectra"] = (
        "real_spectra_chart",
        {"spectra": "plots/real_spectra.parquet", "lines": "plots/real_lines.parquet", "summary": "real_summary.json"},
        [],
    )
else:
    H_FIGURES["real_spectra"] = ("unavailable_chart", {}, ["probes.subject_variant"])

for _name, (_chart, _data, _keys) in H_FIGURES.items():

    rule:
        """One figure of the stage, drawn by its chart function from its data files."""
        name:
            f"harmonics_figure_{_name}"
        input:
            code=stage_code(*H_PLOT_CODE),
            **{arg: h_res(path) for arg, path in _data.items()},
        output:
            figure=figure_files("harmonics", _name),
        params:
            chart=_chart,
            settings=settings(*_keys),
        threads: 1
        log:
            log_path("harmonics", f"harmonics_figure_{_name}"),
        benchmark:
            bench_path("harmonics", f"harmonics_figure_{_name}")
        script:
            "../scripts/harmonics_figure.py"


if HARMONICS_VARIANT:

    rule harmonics_real_model:
        """Spectra across positions of the trained subject model's MLP activations
        (act_fn(gate_proj(x)) * up_proj(x)) over a text, with its RoPE lines; token embeddings as
        control; and the figure's data (thinned spectra, non-DC lines)."""
        input:
            code=stage_code(*H_PLOT_CODE, "harmonics/spectra.py", "harmonics/fourier.py", "harmonics/real_model.py"),
            model=res("probes", f"models/{HARMONICS_VARIANT}/model.safetensors"),
            text=os.path.join(str(HARMONICS_ROOT), config["harmonics"]["real_model"]["text"]),
        output:
            spectra=result("harmonics", "real_spectra.parquet"),
            lines=result("harmonics", "real_lines.csv"),
            summary=result("harmonics", "real_summary.json"),
            plot_spectra=result("harmonics", "plots/real_spectra.parquet"),
            plot_lines=result("harmonics", "plots/real_lines.parquet"),
        params:
            settings=settings(
                *[f"harmonics.real_model.{k}" for k in ("text", "max_positions", "window", "max_line_order")],
                "harmonics.plot_points",
            ),
        threads: 1
        log:
            log_path("harmonics", "harmonics_real_model"),
        benchmark:
            bench_path("harmonics", "harmonics_real_model")
        script:
            "../scripts/harmonics_real_model.py"


H_REAL = [h_res("real_summary.json")] if HARMONICS_VARIANT else []


rule harmonics_scorecard:
    """Scorecard: the seed's claims (harmonics appear; alignment amplifies activations and sharpens
    attention; misalignment weakens activations and disrupts focus; trained models) as reproduced /
    differs / not reproducible offline, each with its criterion and a one-line reason."""
    input:
        code=stage_code("harmonics/claims.py", "core/scorecard.py"),
        summary=h_res("spectra_summary.json"),
        harmonics=h_res("harmonics.csv"),
        sweep=h_res("phase_sweep.csv"),
        real=H_REAL,
    output:
        scorecard=result("harmonics", "scorecard.csv", caption="scorecard.csv"),
    params:
        settings=settings("harmonics.activations", "harmonics.amplitude_tolerance", "harmonics.tone_amplitude",
                          "harmonics.real_model.line_ratio_threshold"),
    threads: 1
    log:
        log_path("harmonics", "harmonics_scorecard"),
    benchmark:
        bench_path("harmonics", "harmonics_scorecard")
    script:
        "../scripts/harmonics_scorecard.py"


rule harmonics_findings:
    """The page's numbers and data-dependent sentences (findings.json) and its display tables."""
    input:
        code=stage_code("harmonics/findings.py", "harmonics/claims.py", "core/findings.py", "core/numfmt.py"),
        summary=h_res("spectra_summary.json"),
        harmonics=h_res("harmonics.csv"),
        intermod=h_res("intermod.csv"),
        ffn_summary=h_res("ffn_summary.csv"),
        sweep=h_res("phase_sweep.csv"),
        sweep_summary=h_res("sweep_summary.json"),
        scorecard=h_res("scorecard.csv"),
        real=H_REAL,
    output:
        findings=result("harmonics", "findings.json"),
        ffn_power=result("harmonics", "display/ffn_power.parquet"),
        scorecard=result("harmonics", "display/scorecard.parquet"),
    params:
        settings=settings(),
    threads: 1
    log:
        log_path("harmonics", "harmonics_findings"),
    benchmark:
        bench_path("harmonics", "harmonics_findings")
    script:
        "../scripts/harmonics_findings.py"


ALL_TARGETS.extend(
    [h_res("scorecard.csv"), h_res("findings.json")]
    + [figure_files("harmonics", name)[0] for name in H_FIGURES]
)
