# bounds stage: phase-modulation bounds (seeds 000/001) and the Men et al. table (seed 003).
import os

BOUNDS_CFG = config["bounds"]
PUBLISHED_VALUES = os.path.join(workflow.basedir, "config", "published_values.yaml")


def bounds_caption(name):
    """Caption file of a bounds result for `snakemake --report`."""
    return f"../report/bounds/{name}.rst"


def bounds_fig(name):
    """All renderings of figure `name`, the SVG wrapped for `snakemake --report` (vl.json first)."""
    files = fig("bounds", name)
    return [f if not f.endswith(".svg") else report(f, caption=bounds_caption(name), category="Bounds") for f in files]


rule bounds_phase_grid:
    """Phase-modulation bounds (aliasing, DC, depth; paper and exact forms) and precision walls for
    every context length 2^k and layer count N of the config."""
    output:
        with_prov(res("bounds", "phase_bounds.parquet")),
        report(res("bounds", "phase_bounds.csv"), caption=bounds_caption("phase_bounds"), category="Bounds"),
        res("bounds", "phase_bounds.csv.provenance.json"),
    params:
        cfg=BOUNDS_CFG,
    log:
        log_path("bounds", "bounds_phase_grid"),
    benchmark:
        bench_path("bounds", "bounds_phase_grid")
    script:
        "../scripts/bounds_phase_grid.py"


rule bounds_men_table:
    """Men et al.'s minimum base (smallest base with B(m) >= 0 for all m <= L, certified search of
    analysis.bounds.men_min_base_search) for each context length in bounds.men_context_lengths."""
    output:
        with_prov(res("bounds", "men_table.parquet")),
        report(res("bounds", "men_table.csv"), caption=bounds_caption("men_table"), category="Bounds"),
        res("bounds", "men_table.csv.provenance.json"),
    params:
        cfg=BOUNDS_CFG,
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
        table=res("bounds", "men_table.parquet"),
        published=PUBLISHED_VALUES,
    output:
        compare_parquet=res("bounds", "men_compare.parquet"),
        compare_csv=report(res("bounds", "men_compare.csv"), caption=bounds_caption("men_compare"), category="Bounds"),
        fit=res("bounds", "men_fit.json"),
        methods=res("bounds", "men_methods.csv"),
        scorecard=res("bounds", "scorecard.csv"),
        sidecars=[
            str(sidecar_path(res("bounds", n)))
            for n in ("men_compare.parquet", "men_compare.csv", "men_fit.json", "men_methods.csv", "scorecard.csv")
        ],
    params:
        cfg=BOUNDS_CFG,
    log:
        log_path("bounds", "bounds_men_checks"),
    benchmark:
        bench_path("bounds", "bounds_men_checks")
    script:
        "../scripts/bounds_men_checks.py"


rule bounds_figures:
    """The bounds figures and their data: collision horizon (bounds.collision_*), B(m) against m
    (bounds.men_curve_*), and the Goldilocks zone (phase grid + Men table, bounds.goldilocks_dtypes)."""
    input:
        phase=res("bounds", "phase_bounds.parquet"),
        men=res("bounds", "men_table.parquet"),
        published=PUBLISHED_VALUES,
    output:
        collision_data=res("bounds", "collision_horizon.parquet"),
        collision_marks=res("bounds", "collision_marks.csv"),
        curves_data=res("bounds", "men_B_curves.parquet"),
        crossings=res("bounds", "men_B_crossings.csv"),
        goldilocks_data=res("bounds", "goldilocks.parquet"),
        sidecars=[
            str(sidecar_path(res("bounds", n)))
            for n in ("collision_horizon.parquet", "collision_marks.csv", "men_B_curves.parquet",
                      "men_B_crossings.csv", "goldilocks.parquet")
        ],
        collision_fig=bounds_fig("collision_horizon"),
        curves_fig=bounds_fig("men_B_curves"),
        goldilocks_fig=bounds_fig("goldilocks"),
    params:
        cfg=BOUNDS_CFG,
    log:
        log_path("bounds", "bounds_figures"),
    benchmark:
        bench_path("bounds", "bounds_figures")
    script:
        "../scripts/bounds_figures.py"


ALL_TARGETS.extend(
    [
        res("bounds", "phase_bounds.parquet"),
        res("bounds", "men_table.parquet"),
        res("bounds", "men_compare.parquet"),
        res("bounds", "scorecard.csv"),
        res("bounds", "figures/collision_horizon.vl.json"),
        res("bounds", "figures/men_B_curves.vl.json"),
        res("bounds", "figures/goldilocks.vl.json"),
    ]
)
