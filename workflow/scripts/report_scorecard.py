"""Adapter: every stage's scorecard.csv -> results/report/ scorecard table, display tables, changes
since the previous release and the report pages' findings."""

from analysis.core.adapter import Adapter
from analysis.report import summary
from analysis.report.reportkit import chapter_titles
from analysis.report.version import package_version, previous_snapshot

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    current = package_version()
    prev = previous_snapshot(current)
    out = a.call(summary.build_scorecard, list(a.input("scorecards")), current, prev, titles=chapter_titles())
    a.log.info("scorecard: %d rows from %s", len(out.card), list(a.input("scorecards")))
    a.table(out.card, "table")
    a.table(out.card, "parquet")
    a.text(out.summary_md, "summary")
    a.text(out.detail_md, "detail")
    a.text(out.changes_md, "changes")
    a.findings(out.findings)
