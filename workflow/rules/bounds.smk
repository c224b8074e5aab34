# bounds stage: phase-modulation bounds (seeds 000/001), the Men et al. table (seed 003), the shipped
# Men et al. minimum-base curves, the stage's figures and the findings of report/bounds.qmd.
# Every rule runs one single-threaded NumPy job (the searches multiply many small matrices: one BLAS
# thread is fastest), so `threads: 1` and the scheduler may run as many of them as it has cores.
import os

MEN_CURVE_FILE = os.path.join(workflow.basedir, "analysis", "bounds", "data", "men_min_base_curve.csv")


def bounds_code(*modules):
    """The analysis sources a bounds rule runs: the named modules of analysis/bounds/, the package's
    __init__ and input checks, and RoPE (so editing findings.py does not rerun the Men search)."""
    return stage_code("bounds/__init__.py", "bounds/inputs.py", "core/rope.py", "core/men.py", *modules)


rule bounds_phase_grid:
    """Phase-modulation bounds (aliasing, DC, depth; paper and exact forms) and precision walls for
    every context length 2^k and layer count N of the config."""
    input:
        code=bounds_code("bounds/phase.py", "bounds/dtypes.py"),
    output:
        table=result("bounds", "phase_bounds.parquet"),
        csv=result("bounds", "phase_bounds.csv", caption="phase_bounds.parquet"),
    params:
        settings=settings("physics.head_dim", "physics.epsilon", "physics.dtypes", "bounds.layers",
                          "bounds.log2_context_min", "bounds.log2_context_max"),
    threads: 1
    log:
        log_path("bounds", "bounds_phase_grid"),
    benchmark:
        bench_path("bounds", "bounds_phase_grid")
    script:
        "../scripts/bounds_phase_grid.py"


rule bounds_men_table:
    """Men et al.'s minimum base (smallest base with B(m) >= 0 for all m <= L, certified search of
    analysis.bounds.men_min_base_search) for each context length in bounds.men_context_lengths."""
    input:
        code=bounds_code("bounds/men.py"),
    output:
        table=result("bounds", "men_table.parquet"),
        csv=result("bounds", "men_table.csv", caption="men_table.csv"),
    params:
        settings=settings("physics.head_dim", "bounds.men_context_lengths"),
    threads: 1
    log:
        log_path("bounds", "bounds_men_table"),
    benchmark:
        bench_path("bounds", "bounds_men_table")
    script:
        "../scripts/bounds_men_table.py"


rule bounds_men_checks:
    """Our Men et al. table beside the paper's and Su's values (with why they differ), the power-law
    fit, the Method 1/2 negative-count check, and the stage's scorecard rows."""
    input:
        code=bounds_code("bounds/men.py", "bounds/comparison.py", "bounds/claims.py", "core/scorecard.py"),
        table=res("bounds", "men_table.parquet"),
        published=PUBLISHED_VALUES,
    output:
        compare=result("bounds", "men_compare.parquet"),
        compare_csv=result("bounds", "men_compare.csv", caption="men_compare.parquet"),
        fit=result("bounds", "men_fit.json"),
        methods=result("bounds", "men_methods.csv"),
        scorecard=result("bounds", "scorecard.csv"),
    params:
        settings=settings("physics.head_dim"),
    threads: 1
    log:
        log_path("bounds", "bounds_men_checks"),
    benchmark:
        bench_path("bounds", "bounds_men_checks")
    script:
        "../scripts/bounds_men_checks.py"


rule bounds_curve_check:
    """Verify the shipped Men et al. minimum-base curves (analysis/bounds/data/): structure, sampled
    pieces, fresh certified searches at a few lengths, and every row of our Men et al. table. The
    shipped file is never rewritten here (rebuild: python -m analysis.bounds.curve build)."""
    input:
        code=bounds_code("bounds/men.py", "bounds/curve.py"),
        curve=MEN_CURVE_FILE,
        table=res("bounds", "men_table.parquet"),
    output:
        check=result("bounds", "men_curve_check.csv"),
    params:
        settings=settings("physics.head_dim", "bounds.curve_spot_lengths", "bounds.curve_segment_checks"),
    threads: 1
    log:
        log_path("bounds", "bounds_curve_check"),
    benchmark:
        bench_path("bounds", "bounds_curve_check")
    script:
        "../scripts/bounds_curve_check.py"


rule bounds_collision:
    """Collision-horizon figure: similarity between positions 0 and p for the base
    bounds.collision_base, with the paper's and the exact horizon."""
    input:
        code=bounds_code("bounds/figdata.py", "bounds/phase.py", "bounds/men.py", "bounds/charts.py"),
        published=PUBLISHED_VALUES,
    output:
        curve=result("bounds", "collision_horizon.parquet"),
        marks=result("bounds", "collision_marks.csv"),
        figure=figure_files("bounds", "collision_horizon"),
    params:
        settings=settings("physics.head_dim", "bounds.collision_base", "bounds.collision_max_position"),
    threads: 1
    log:
        log_path("bounds", "bounds_collision"),
    benchmark:
        bench_path("bounds", "bounds_collision")
    script:
        "../scripts/bounds_collision.py"


rule bounds_men_curves:
    """B(m) against m for the bases bounds.men_curve_bases, with each base's first negative m."""
    input:
        code=bounds_code("bounds/figdata.py", "bounds/men.py", "bounds/charts.py"),
    output:
        curves=result("bounds", "men_B_curves.parquet"),
        crossings=result("bounds", "men_B_crossings.csv"),
        figure=figure_files("bounds", "men_B_curves"),
    params:
        settings=settings("physics.head_dim", "bounds.men_curve_bases", "bounds.men_curve_max_position"),
    threads: 1
    log:
        log_path("bounds", "bounds_men_curves"),
    benchmark:
        bench_path("bounds", "bounds_men_curves")
    script:
        "../scripts/bounds_men_curves.py"


rule bounds_goldilocks:
    """Goldilocks figure: lower bounds, Men et al.'s bound and precision walls against L."""
    input:
        code=bounds_code("bounds/figdata.py", "bounds/dtypes.py", "bounds/charts.py"),
        phase=res("bounds", "phase_bounds.parquet"),
        men=res("bounds", "men_table.parquet"),
    output:
        data=result("bounds", "goldilocks.parquet"),
        figure=figure_files("bounds", "goldilocks"),
    params:
        settings=settings("physics.head_dim", "bounds.goldilocks_dtypes"),
    threads: 1
    log:
        log_path("bounds", "bounds_goldilocks"),
    benchmark:
        bench_path("bounds", "bounds_goldilocks")
    script:
        "../scripts/bounds_goldilocks.py"


rule bounds_findings:
    """The numbers, sentence fragments and display tables of report/bounds.qmd."""
    input:
        code=bounds_code("bounds/findings.py", "core/numfmt.py", "core/findings.py"),
        phase=res("bounds", "phase_bounds.parquet"),
        marks=res("bounds", "collision_marks.csv"),
        crossings=res("bounds", "men_B_crossings.csv"),
        men=res("bounds", "men_table.parquet"),
        compare=res("bounds", "men_compare.parquet"),
        fit=res("bounds", "men_fit.json"),
        methods=res("bounds", "men_methods.csv"),
        published=PUBLISHED_VALUES,
    output:
        findings=result("bounds", "findings.json"),
        phase_table=result("bounds", "display/phase_bounds.parquet"),
        men_table=result("bounds", "display/men_compare.parquet"),
        methods_table=result("bounds", "display/men_methods.parquet"),
    params:
        settings=settings("bounds.collision_base"),
    threads: 1
    log:
        log_path("bounds", "bounds_findings"),
    benchmark:
        bench_path("bounds", "bounds_findings")
    script:
        "../scripts/bounds_findings.py"


ALL_TARGETS.extend(
    [
        res("bounds", "phase_bounds.parquet"),
        res("bounds", "men_table.parquet"),
        res("bounds", "men_compare.parquet"),
        res("bounds", "scorecard.csv"),
        res("bounds", "men_curve_check.csv"),
        res("bounds", "figures/collision_horizon.vl.json"),
        res("bounds", "figures/men_B_curves.vl.json"),
        res("bounds", "figures/goldilocks.vl.json"),
        res("bounds", "findings.json"),
    ]
)
