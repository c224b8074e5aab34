"""Adapter: Men et al. minimum base for each context length -> results/bounds/men_table.{parquet,csv}."""

from analysis import bounds
from analysis.core.adapter import Adapter

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake); limits BLAS to the rule's 1 thread
    table = a.call(bounds.men_min_base_table, a.setting("bounds.men_context_lengths"),
                   head_dim=a.setting("physics.head_dim"), progress=True)
    a.table(table, "table")
    a.table(table, "csv")
