"""Adapter: the stage's scorecard -- the archived run's rows (the run with power) beside the quick run's
verdicts, or the quick run's rows when no run is archived."""

from analysis.core.adapter import Adapter
from analysis.core.results import read_table
from analysis.longctx import summary

smk = snakemake  # noqa: F821 (injected by Snakemake)
with Adapter(smk) as a:
    quick = read_table(a.input("quick"))
    archived = read_table(a.input("archived")) if "archived" in smk.input.keys() else None
    a.table(a.call(summary.stage_scorecard, quick=quick, archived=archived), "scorecard")
