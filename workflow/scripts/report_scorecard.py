"""Adapter: every stage's scorecard.csv -> results/report/scorecard.{csv,parquet}."""

from analysis.core.logs import log_to
from analysis.core.results import write_table
from analysis.core.scorecard import concat_scorecards, verdict_counts

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
with log_to(snakemake.log[0]) as log:  # noqa: F821
    sources = list(snakemake.input)  # noqa: F821
    df = concat_scorecards(sources)
    log.info("scorecard: %d rows from %d stage(s) %s; verdicts %s", len(df), len(sources), sources, verdict_counts(df))
    write_table(df, snakemake.output[0], cfg, sources=sources)  # noqa: F821
    write_table(df, snakemake.output[2], cfg, sources=sources)  # noqa: F821
