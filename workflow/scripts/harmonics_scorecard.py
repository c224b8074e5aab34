"""Adapter: synthetic summary, harmonics table, sweep (and real-model summary) -> scorecard.csv."""

import json

from analysis.harmonics import scorecard_rows
from analysis.core.logs import log_to
from analysis.core.results import read_table, write_table
from analysis.core.scorecard import rows_to_frame

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
inp = snakemake.input  # noqa: F821
with log_to(snakemake.log[0]) as log:  # noqa: F821
    summary = json.loads(open(inp.summary).read())
    real = json.loads(open(inp.real[0]).read()) if len(inp.real) else None
    df = rows_to_frame(scorecard_rows(summary, read_table(inp.harmonics), read_table(inp.sweep), cfg, real))
    log.info("scorecard:\n%s", df[["item", "verdict"]].to_string())
    write_table(df, snakemake.output[0], cfg)  # noqa: F821
