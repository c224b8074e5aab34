"""Adapter: the case-study table -> results/case_study/findings.json (the page's numbers and sentences)."""

import datetime as dt

from analysis.case_study.findings import page_findings
from analysis.core.adapter import Adapter
from analysis.core.results import read_table
from analysis.report.version import package_version

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    items = a.call(page_findings, table=read_table(a.input("table")), models_file=a.input("models"),
                   version=package_version(), year=dt.date.today().year, epsilon=a.setting("physics.epsilon"),
                   very_stable_margin=a.setting("case_study.very_stable_margin"),
                   men_max_context=a.setting("case_study.men_max_context"))
    a.findings(items, "findings")
