"""Adapter: the numbers and phrases of report/longctx.qmd -> findings.json."""

import json

from analysis.core.adapter import Adapter
from analysis.core.results import read_table
from analysis.longctx import findings

smk = snakemake  # noqa: F821 (injected by Snakemake)
with Adapter(smk) as a:
    items = a.call(findings.longctx_findings, summary=json.loads(open(a.input("summary")).read()),
                   scorecard=read_table(a.input("scorecard")),
                   archived=json.loads(open(a.input("archived")).read()) if "archived" in smk.input.keys() else None)
    a.findings(items, "findings")
