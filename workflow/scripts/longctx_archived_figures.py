"""Adapter: the archived run's figures (perplexity vs base, retrieval vs distance, B(m))."""

import json

from analysis.core.adapter import Adapter
from analysis.core.results import read_table
from analysis.longctx import charts

smk = snakemake  # noqa: F821 (injected by Snakemake)
with Adapter(smk) as a:
    figs = a.call(
        charts.longctx_charts,
        summary=json.loads(open(a.input("summary")).read()),
        by_base=read_table(a.input("by_base")),
        by_distance=read_table(a.input("by_distance")),
        curves=read_table(a.input("curves")),
    )
    for name in ("perplexity", "retrieval", "men_B"):
        a.figure(figs[name], name)
