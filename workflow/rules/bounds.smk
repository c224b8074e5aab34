# bounds stage: phase-modulation bounds (seeds 000/001), the Men et al. table (seed 003), the shipped
# Men et al. minimum-base curves, the stage's figures and the findings of report/bounds.qmd.
# Rule bounds_<step> runs step "bounds.<step>" of analysis/bounds/steps.py (the function, its inputs,
# outputs and settings) with the generic script STEP_SCRIPT. Every rule runs one single-threaded NumPy
# job (the searches multiply many small matrices: one BLAS thread is fastest).


def bounds_code(*modules):
    """The analysis sources a bounds rule runs: the named modules of analysis/bounds/, the package's
    __init__, input checks and step registry, RoPE and B(m) (so editing findings.py does not rerun the search)."""
    return stage_code("bounds/__init__.py", "bounds/inputs.py", "bounds/steps.py", "core/rope.py", "core/men.py",
                      "core/step.py", *modules)

rule bounds_phase_grid:
    """Phase-modulation bounds (aliasing, DC, depth; paper and exact forms) and precision walls for
    every context length 2^k and layer count N of the config."""
    input:
        code=bounds_code("bounds/phase.py", "bounds/dtypes.py"),
    output:
        table=result("bounds", "phase_bounds.parquet"),
        csv=result("bounds", "phase_bounds.csv", caption="phase_bounds.parquet"),
    params:
        step="bounds.phase_grid",
        settings=step_settings("bounds.phase_grid"),
    threads: 1
    log:
        log_path("bounds", "bounds_phase_grid"),
    benchmark:
        bench_path("bounds", "bounds_phase_grid")
    script:
        STEP_SCRIPT


rule bounds_men_table:
    """Men et al.'s minimum base (smallest base with B(m) >= 0 for all m <= L, certified search) for
    each context length in bounds.men_context_lengths."""
    input:
        code=bounds_code("bounds/men.py"),
    output:
        table=result("bounds", "men_table.parquet"),
        csv=result("bounds", "men_table.csv", caption="men_table.csv"),
    params:
        step="bounds.men_table",
        settings=step_settings("bounds.men_table"),
    threads: 1
    log:
        log_path("bounds", "bounds_men_table"),
    benchmark:
        bench_path("bounds", "bounds_men_table")
    script:
        STEP_SCRIPT


rule bounds_men_checks:
    """Our Men et al. table beside the paper's and Su's values (with why they differ), the power-law
    fit and the Method 1/2 negative-count check."""
    input:
        code=bounds_code("bounds/men.py", "bounds/comparison.py", "bounds/claims.py"),
        table=result_path("bounds", "men_table.parquet"),
        published=PUBLISHED_VALUES,
    output:
        compare=result("bounds", "men_compare.parquet"),
        compare_csv=result("bounds", "men_compare.csv", caption="men_compare.parquet"),
        fit=result("bounds", "men_fit.json"),
        counts=result("bounds", "men_methods.csv"),
    params:
        step="bounds.men_checks",
        settings=step_settings("bounds.men_checks"),
    threads: 1
    log:
        log_path("bounds", "bounds_men_checks"),
    benchmark:
        bench_path("bounds", "bounds_men_checks")
    script:
        STEP_SCRIPT


rule bounds_scorecard:
    """Scorecard: Men et al.'s table and Su's values against our certified infima, the paper's
    power-law fit and the Method 1/2 negative counts, each with its criterion, verdict and reason."""
    input:
        code=bounds_code("bounds/comparison.py", "bounds/claims.py", "core/scorecard.py"),
        compare=result_path("bounds", "men_compare.parquet"),
        fit=result_path("bounds", "men_fit.json"),
        counts=result_path("bounds", "men_methods.csv"),
        published=PUBLISHED_VALUES,
    output:
        scorecard=result("bounds", "scorecard.csv"),
    params:
        step="bounds.scorecard",
        settings=step_settings("bounds.scorecard"),
    threads: 1
    log:
        log_path("bounds", "bounds_scorecard"),
    benchmark:
        bench_path("bounds", "bounds_scorecard")
    script:
        STEP_SCRIPT


rule bounds_curve_check:
    """Verify the shipped Men et al. minimum-base curves (analysis/bounds/data/): structure, sampled
    pieces, fresh certified searches at a few lengths, and every row of our Men et al. table. The
    shipped file is never rewritten here (rebuild: python -m analysis.bounds.curve build)."""
    input:
        code=bounds_code("bounds/men.py", "bounds/curve.py"),
        curve=MEN_CURVE_FILE,
        men_table=result_path("bounds", "men_table.parquet"),
    output:
        check=result("bounds", "men_curve_check.csv"),
    params:
        step="bounds.curve_check",
        settings=step_settings("bounds.curve_check"),
    threads: 1
    log:
        log_path("bounds", "bounds_curve_check"),
    benchmark:
        bench_path("bounds", "bounds_curve_check")
    script:
        STEP_SCRIPT


rule bounds_collision:
    """Collision-horizon data: similarity between positions 0 and p for the base
    bounds.collision_base, with the paper's and the exact horizon."""
    input:
        code=bounds_code("bounds/figure_data.py", "bounds/phase.py", "bounds/men.py"),
        published=PUBLISHED_VALUES,
    output:
        curve=result("bounds", "collision_horizon.parquet"),
        marks=result("bounds", "collision_marks.csv"),
    params:
        step="bounds.collision",
        settings=step_settings("bounds.collision"),
    threads: 1
    log:
        log_path("bounds", "bounds_collision"),
    benchmark:
        bench_path("bounds", "bounds_collision")
    script:
        STEP_SCRIPT


rule bounds_men_curves:
    """B(m) against m for the bases bounds.men_curve_bases, with each base's first negative m."""
    input:
        code=bounds_code("bounds/figure_data.py", "bounds/men.py"),
    output:
        curves=result("bounds", "men_B_curves.parquet"),
        crossings=result("bounds", "men_B_crossings.csv"),
    params:
        step="bounds.men_curves",
        settings=step_settings("bounds.men_curves"),
    threads: 1
    log:
        log_path("bounds", "bounds_men_curves"),
    benchmark:
        bench_path("bounds", "bounds_men_curves")
    script:
        STEP_SCRIPT


rule bounds_goldilocks:
    """The Goldilocks figure's data: lower bounds, Men et al.'s bound and precision walls against L."""
    input:
        code=bounds_code("bounds/figure_data.py", "bounds/dtypes.py"),
        phase_grid=result_path("bounds", "phase_bounds.parquet"),
        men_table=result_path("bounds", "men_table.parquet"),
    output:
        data=result("bounds", "goldilocks.parquet"),
    params:
        step="bounds.goldilocks",
        settings=step_settings("bounds.goldilocks"),
    threads: 1
    log:
        log_path("bounds", "bounds_goldilocks"),
    benchmark:
        bench_path("bounds", "bounds_goldilocks")
    script:
        STEP_SCRIPT


rule bounds_figures:
    """Every figure of the bounds chapter, drawn from the stage's result tables."""
    input:
        code=bounds_code("bounds/charts.py", "core/figures.py"),
        collision_curve=result_path("bounds", "collision_horizon.parquet"),
        collision_marks=result_path("bounds", "collision_marks.csv"),
        men_curves=result_path("bounds", "men_B_curves.parquet"),
        men_crossings=result_path("bounds", "men_B_crossings.csv"),
        goldilocks=result_path("bounds", "goldilocks.parquet"),
    output:
        collision_horizon=figure_files("bounds", "collision_horizon"),
        men_B_curves=figure_files("bounds", "men_B_curves"),
        goldilocks=figure_files("bounds", "goldilocks"),
    params:
        step="bounds.figures",
        settings=step_settings("bounds.figures"),
    threads: 1
    log:
        log_path("bounds", "bounds_figures"),
    benchmark:
        bench_path("bounds", "bounds_figures")
    script:
        STEP_SCRIPT


rule bounds_findings:
    """The numbers, sentence fragments and display tables of report/bounds.qmd."""
    input:
        code=bounds_code("bounds/findings.py", "core/numfmt.py", "core/findings.py", "core/markdown.py"),
        phase=result_path("bounds", "phase_bounds.parquet"),
        marks=result_path("bounds", "collision_marks.csv"),
        crossings=result_path("bounds", "men_B_crossings.csv"),
        men=result_path("bounds", "men_table.parquet"),
        compare=result_path("bounds", "men_compare.parquet"),
        fit=result_path("bounds", "men_fit.json"),
        methods=result_path("bounds", "men_methods.csv"),
        published=PUBLISHED_VALUES,
    output:
        findings=result("bounds", "findings.json"),
        phase_table=result("bounds", "display/phase_bounds.parquet"),
        men_table=result("bounds", "display/men_compare.parquet"),
        methods_table=result("bounds", "display/men_methods.parquet"),
    params:
        step="bounds.findings",
        settings=step_settings("bounds.findings"),
    threads: 1
    log:
        log_path("bounds", "bounds_findings"),
    benchmark:
        bench_path("bounds", "bounds_findings")
    script:
        STEP_SCRIPT


ALL_TARGETS.extend(
    [
        result_path("bounds", "phase_bounds.parquet"),
        result_path("bounds", "men_table.parquet"),
        result_path("bounds", "men_compare.parquet"),
        result_path("bounds", "scorecard.csv"),
        result_path("bounds", "men_curve_check.csv"),
        result_path("bounds", "figures/collision_horizon.vl.json"),
        result_path("bounds", "figures/men_B_curves.vl.json"),
        result_path("bounds", "figures/goldilocks.vl.json"),
        result_path("bounds", "findings.json"),
    ]
)
