"""Adapter: walls, erasure, scorecard and all-device tables -> results/precision/."""

from analysis.core.adapter import Adapter
from analysis.core.results import read_table
from analysis.core.scorecard import published
from analysis.precision import TABLES, precision_summary_tables

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    coll = read_table(a.input("collisions"))
    a.device = str(coll["device"].iloc[0])
    out = a.call(precision_summary_tables, collisions=coll, logit_error=read_table(a.input("error")),
                 invariance=read_table(a.input("invariance")), throughput=read_table(a.input("throughput")),
                 published=published(a.input("published")), folders=snakemake.params.folders,  # noqa: F821
                 head_dim=a.setting("physics.head_dim"))
    for name in ["walls", "erasure", "scorecard"] + [f"devices_{t}" for t in TABLES]:
        a.table(out[name], name)
