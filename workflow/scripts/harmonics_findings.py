"""Adapter: harmonics results -> the page's findings.json and display tables."""

import json
from pathlib import Path

from analysis.core.adapter import Adapter
from analysis.core.results import read_table
from analysis.harmonics import findings


def _json(path):
    return json.loads(Path(path).read_text())


with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    real = [_json(p) for p in a.input("real")]
    r = a.call(
        findings.harmonics_findings,
        summary=_json(a.input("summary")), harmonics=read_table(a.input("harmonics")),
        intermod=read_table(a.input("intermod")), ffn_summary=read_table(a.input("ffn_summary")),
        sweep=read_table(a.input("sweep")), sweep_summary=_json(a.input("sweep_summary")),
        scorecard=read_table(a.input("scorecard")), real=real[0] if real else None,
    )
    a.findings(r["findings"], "findings")
    a.table(r["ffn_power"], "ffn_power")
    a.table(r["scorecard"], "scorecard")
