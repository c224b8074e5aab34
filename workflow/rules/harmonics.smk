# harmonics stage: RoPE phase shifts and harmonics through FFN nonlinearities (seed 002).
# Synthetic spectra and Fourier-series predictions, the phase-alignment sweep, the figures' data and
# figures, the scorecard, the page's findings and, when the probes stage's subject model is
# configured, the spectra of its real MLP activations. Stage contract: workflow/README.md.

import os

from analysis.core.config import ROOT as HARMONICS_ROOT

HARMONICS_VARIANT = config.get("probes", {}).get("subject_variant")
HARMONICS_SPECTRA_CODE = ["harmonics/__init__.py", "harmonics/spectra.py", "harmonics/fourier.py", "core/rope.py"]
HARMONICS_PLOT_CODE = ["harmonics/__init__.py", "harmonics/steps.py", "harmonics/charts.py", "harmonics/figure_data.py",
                       "core/step.py"]


def harmonics_path(name):
    return result_path("harmonics", name)


rule harmonics_spectra:
    """Spectra of a RoPE-modulated embedding (lines at theta_i/(2 pi)), harmonics of one tone and
    intermodulation of two tones through each nonlinearity and a SwiGLU unit (measured vs Fourier-series
    prediction by quadrature), and the spectra of a random FFN layer driven by the embedding."""
    input:
        code=stage_code(*HARMONICS_SPECTRA_CODE, "harmonics/steps.py", "core/step.py", "harmonics/synthetic.py"),
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
        step="harmonics.spectra",
        settings=step_settings("harmonics.spectra"),
    threads: 1
    log:
        log_path("harmonics", "harmonics_spectra"),
    benchmark:
        bench_path("harmonics", "harmonics_spectra")
    script:
        STEP_SCRIPT


rule harmonics_phase_sweep:
    """Phase-alignment sweep: FFN activation magnitude of two RoPE components with phase offset phi, and
    attention entropy / weights of a query against a phase-offset key among distractors and against
    all-offset keys (RoPE kernel), for phi in [-pi, pi]; with its symmetry and ReLU-law summary."""
    input:
        code=stage_code(*HARMONICS_SPECTRA_CODE, "harmonics/steps.py", "core/step.py", "harmonics/sweep.py"),
    output:
        sweep=result("harmonics", "phase_sweep.csv", caption="phase_sweep.csv"),
        summary=result("harmonics", "sweep_summary.json"),
    params:
        step="harmonics.phase_sweep",
        settings=step_settings("harmonics.phase_sweep"),
    threads: 1
    log:
        log_path("harmonics", "harmonics_phase_sweep"),
    benchmark:
        bench_path("harmonics", "harmonics_phase_sweep")
    script:
        STEP_SCRIPT


HARMONICS_PLOTS = ["embedding_spectrum", "embedding_lines", "harmonics", "intermod", "ffn_spectra", "ffn_lines",
                   "sweep_activation", "sweep_entropy"]
HARMONICS_FIGURES = ["embedding_spectrum", "harmonics", "intermod", "ffn_spectra", "phase_sweep", "real_spectra"]


rule harmonics_figure_data:
    """The data every synthetic figure draws (results/harmonics/plots/): spectra thinned for plotting,
    amplitudes floored for log axes, the sweep normalised to phi = 0 and in long form."""
    input:
        code=stage_code(*HARMONICS_PLOT_CODE, "harmonics/spectra.py"),
        embedding_spectrum=harmonics_path("embedding_spectrum.parquet"),
        embedding_lines=harmonics_path("embedding_lines.csv"),
        harmonics=harmonics_path("harmonics.csv"),
        intermod=harmonics_path("intermod.csv"),
        ffn_spectra=harmonics_path("ffn_spectra.parquet"),
        ffn_lines=harmonics_path("ffn_lines.csv"),
        sweep=harmonics_path("phase_sweep.csv"),
    output:
        **{name: result("harmonics", f"plots/{name}.parquet") for name in HARMONICS_PLOTS},
    params:
        step="harmonics.figure_data",
        settings=step_settings("harmonics.figure_data"),
    threads: 1
    log:
        log_path("harmonics", "harmonics_figure_data"),
    benchmark:
        bench_path("harmonics", "harmonics_figure_data")
    script:
        STEP_SCRIPT


if HARMONICS_VARIANT:

    rule harmonics_real_model:
        """Spectra across positions of the trained subject model's MLP activations
        (act_fn(gate_proj(x)) * up_proj(x)) over a text, with its RoPE lines; token embeddings as
        control; and the figure's data (thinned spectra, non-DC lines)."""
        input:
            code=stage_code(*HARMONICS_PLOT_CODE, "harmonics/spectra.py", "harmonics/fourier.py", "harmonics/real_model.py"),
            model_file=result_path("probes", f"models/{HARMONICS_VARIANT}/model.safetensors"),
            text_file=os.path.join(str(HARMONICS_ROOT), config["harmonics"]["real_model"]["text"]),
        output:
            spectra=result("harmonics", "real_spectra.parquet"),
            lines=result("harmonics", "real_lines.csv"),
            summary=result("harmonics", "real_summary.json"),
            plot_spectra=result("harmonics", "plots/real_spectra.parquet"),
            plot_lines=result("harmonics", "plots/real_lines.parquet"),
        params:
            step="harmonics.real_model",
            settings=step_settings("harmonics.real_model"),
        threads: 1
        log:
            log_path("harmonics", "harmonics_real_model"),
        benchmark:
            bench_path("harmonics", "harmonics_real_model")
        script:
            STEP_SCRIPT


# the real-model results, when a subject model is configured (else the inputs are empty: None)
HARMONICS_REAL = [harmonics_path("real_summary.json")] if HARMONICS_VARIANT else []


def harmonics_real(name):
    return [harmonics_path(name)] if HARMONICS_VARIANT else []


rule harmonics_figures:
    """Every figure of the harmonics chapter, drawn from the stage's figure data."""
    input:
        code=stage_code(*HARMONICS_PLOT_CODE, "core/figures.py"),
        **{name: harmonics_path(f"plots/{name}.parquet") for name in HARMONICS_PLOTS},
        real_spectra=harmonics_real("plots/real_spectra.parquet"),
        real_lines=harmonics_real("plots/real_lines.parquet"),
        real_summary=HARMONICS_REAL,
    output:
        **{name: figure_files("harmonics", name) for name in HARMONICS_FIGURES},
    params:
        step="harmonics.figures",
        settings=step_settings("harmonics.figures"),
    threads: 1
    log:
        log_path("harmonics", "harmonics_figures"),
    benchmark:
        bench_path("harmonics", "harmonics_figures")
    script:
        STEP_SCRIPT


rule harmonics_scorecard:
    """Scorecard: the seed's claims (harmonics appear; alignment amplifies activations and sharpens
    attention; misalignment weakens activations and disrupts focus; trained models), each with its
    criterion, verdict and a one-line reason."""
    input:
        code=stage_code("harmonics/claims.py", "core/scorecard.py"),
        summary=harmonics_path("spectra_summary.json"),
        harmonics=harmonics_path("harmonics.csv"),
        sweep=harmonics_path("phase_sweep.csv"),
        real=HARMONICS_REAL,
    output:
        scorecard=result("harmonics", "scorecard.csv", caption="scorecard.csv"),
    params:
        step="harmonics.scorecard",
        settings=step_settings("harmonics.scorecard"),
    threads: 1
    log:
        log_path("harmonics", "harmonics_scorecard"),
    benchmark:
        bench_path("harmonics", "harmonics_scorecard")
    script:
        STEP_SCRIPT


rule harmonics_findings:
    """The page's numbers and data-dependent sentences (findings.json) and its display tables."""
    input:
        code=stage_code("harmonics/findings.py", "harmonics/claims.py", "core/findings.py", "core/numfmt.py"),
        summary=harmonics_path("spectra_summary.json"),
        harmonics=harmonics_path("harmonics.csv"),
        intermod=harmonics_path("intermod.csv"),
        ffn_summary=harmonics_path("ffn_summary.csv"),
        sweep=harmonics_path("phase_sweep.csv"),
        sweep_summary=harmonics_path("sweep_summary.json"),
        scorecard=harmonics_path("scorecard.csv"),
        real=HARMONICS_REAL,
    output:
        findings=result("harmonics", "findings.json"),
        ffn_power=result("harmonics", "display/ffn_power.parquet"),
        scorecard=result("harmonics", "display/scorecard.parquet"),
    params:
        step="harmonics.findings",
        settings=step_settings("harmonics.findings"),
    threads: 1
    log:
        log_path("harmonics", "harmonics_findings"),
    benchmark:
        bench_path("harmonics", "harmonics_findings")
    script:
        STEP_SCRIPT


ALL_TARGETS.extend(
    [harmonics_path("scorecard.csv"), harmonics_path("findings.json")]
    + [figure_files("harmonics", name)[0] for name in HARMONICS_FIGURES]
)
