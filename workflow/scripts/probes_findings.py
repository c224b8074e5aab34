"""Adapter: the probes page's findings (results/probes/findings.json) and display tables."""

import json
from pathlib import Path

import pandas as pd

from analysis.core.adapter import Adapter
from analysis.probes.findings import probes_findings

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    def js(name):
        return json.loads(Path(a.input(name)).read_text())

    out = a.call(probes_findings, js("synthetic"), pd.read_csv(a.input("prop32")), js("subject"),
                 pd.read_csv(a.input("heads")), js("corpus"), pd.read_csv(a.input("prope")), js("summary"),
                 pd.read_csv(a.input("scorecard")))
    a.findings(out["findings"], "findings")
    for name in ("prop32", "prope", "scorecard"):
        a.table(out[name], name)
