"""Adapter: the precision page's findings and display tables -> results/precision/."""

from analysis.core.adapter import Adapter
from analysis.core.results import read_table
from analysis.precision import findings

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    tables = {k: read_table(a.input(k)) for k in ("collisions", "walls", "erasure", "scorecard", "devices_walls")}
    items, display = a.call(
        findings.page, **tables, logit_error=read_table(a.input("error")),
        invariance=read_table(a.input("invariance")), head_dim=a.setting("physics.head_dim"),
        logits_base=a.setting("precision.logits.base"), delta=a.setting("precision.logits.delta"),
        n_vectors=a.setting("precision.logits.n_vectors"),
        bases_per_decade=a.setting("precision.collisions.bases_per_decade"))
    a.findings(items, "findings")
    for name, df in display.items():
        a.table(df, name)
