"""Adapter: the probes stage's scorecard rows (analysis/probes/claims.py) -> results/probes/scorecard.csv."""

import json
from pathlib import Path

import pandas as pd

from analysis.core.adapter import Adapter
from analysis.core.config import load_yaml
from analysis.probes.claims import probes_claims

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    summary = json.loads(Path(a.input("summary")).read_text())
    table = a.call(probes_claims, load_yaml(a.input("published"))["barbero2024"], pd.read_csv(a.input("prope")),
                   summary, json.loads(Path(a.input("synthetic")).read_text()), pd.read_csv(a.input("heads")),
                   json.loads(Path(a.input("subject")).read_text()), steps=int(summary["profile"]["steps"]))
    a.table(table, "table")
