"""Adapter: the bounds for the model's (d, L) and the trained bases -> bases.json, men_B.parquet."""

from analysis.core.adapter import Adapter
from analysis.longctx import bases

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    p = f"longctx.{snakemake.params.profile}"  # noqa: F821
    grid = a.call(
        bases.base_grid,
        seq_len=a.setting(f"{p}.train.seq_len"),
        head_dim=a.setting(f"{p}.train.head_dim"),
        epsilon=a.setting("physics.epsilon"),
        layers=a.setting(f"{p}.train.layers"),
        factors=a.setting(f"{p}.base_factors"),
    )
    grid["profile"] = snakemake.params.profile  # noqa: F821
    a.json(grid, "bases")
    a.table(a.call(bases.men_curves, grid), "curves")
