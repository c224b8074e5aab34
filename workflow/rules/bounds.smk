# bounds stage: phase-modulation bounds (seeds 000/001) and the Men et al. table (seed 003).

BOUNDS_CFG = config["bounds"]


rule bounds_phase_grid:
    """Phase-modulation bounds (aliasing, DC, depth; paper and exact forms) and precision walls for
    every context length 2^k and layer count N of the config."""
    output:
        with_prov(res("bounds", "phase_bounds.parquet")),
        with_prov(res("bounds", "phase_bounds.csv")),
    params:
        cfg=BOUNDS_CFG,
    log:
        log_path("bounds", "bounds_phase_grid"),
    benchmark:
        bench_path("bounds", "bounds_phase_grid")
    script:
        "../scripts/bounds_phase_grid.py"


ALL_TARGETS.extend(
    [
        res("bounds", "phase_bounds.parquet"),
    ]
)
