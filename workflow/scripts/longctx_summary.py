"""Adapter: every base's evaluation -> summary.json, by_base.csv, by_distance.parquet, bases_table.parquet, scorecard.csv."""

import json

import pandas as pd

from analysis.core.adapter import Adapter
from analysis.core.results import read_table
from analysis.longctx import summary

smk = snakemake  # noqa: F821 (injected by Snakemake)
with Adapter(smk) as a:
    load = lambda name: pd.concat([read_table(p) for p in a.input(name)], ignore_index=True)  # noqa: E731
    out = a.call(
        summary.longctx_summary_tables,
        grid=json.loads(open(a.input("bases")).read()),
        curves=read_table(a.input("curves")),
        runs=[json.loads(open(p).read()) for p in a.input("runs")],
        perplexity=load("perplexity"),
        models=summary.per_model(load("retrieval"), load("attention")),
        paper_scale=a.setting("longctx.paper_scale"),
        n_records=a.setting("longctx.probe")["n_records"],
        source="quick run of this build",
    )
    a.json(out["summary"], "summary")
    for name in ("by_base", "by_distance", "bases_table", "scorecard"):
        a.table(out[name], name)
