"""Adapter: the findings and display tables of report/bounds.qmd -> results/bounds/findings.json, display/."""

import json

from analysis.bounds import findings
from analysis.core.adapter import Adapter
from analysis.core.results import read_table
from analysis.core.scorecard import published

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    with open(a.input("fit")) as fh:
        fit = json.load(fh)
    page = a.call(
        findings.bounds_page, phase=read_table(a.input("phase")), marks=read_table(a.input("marks")),
        crossings=read_table(a.input("crossings")), men=read_table(a.input("men")),
        compare=read_table(a.input("compare")), fit=fit, methods=read_table(a.input("methods")),
        published=published(a.input("published")), collision_base=a.setting("bounds.collision_base"),
    )
    a.findings(page["findings"], "findings")
    for name in ("phase_table", "men_table", "methods_table"):
        a.table(page[name], name)
