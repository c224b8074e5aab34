"""Adapter: phase-modulation bound grid -> results/bounds/phase_bounds.{parquet,csv}."""

from analysis import bounds
from analysis.core.adapter import Adapter

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    grid = a.call(
        bounds.phase_bound_grid, head_dim=a.setting("physics.head_dim"), epsilon=a.setting("physics.epsilon"),
        layers=a.setting("bounds.layers"), dtypes=a.setting("physics.dtypes"),
        log2_context_min=a.setting("bounds.log2_context_min"), log2_context_max=a.setting("bounds.log2_context_max"),
    )
    a.log.info("phase bound grid: %d rows", len(grid))
    a.table(grid, "table")
    a.table(grid, "csv")
