"""Adapter: probes result tables -> every figure of the stage (results/probes/figures/)."""

import json
from pathlib import Path

import altair as alt
import pandas as pd

from analysis.core.adapter import Adapter
from analysis.probes import charts as ch

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    subject = json.loads(Path(a.input("subject")).read_text())["name"]
    syn = json.loads(Path(a.input("synthetic")).read_text())
    norms, heads = pd.read_parquet(a.input("norms")), pd.read_csv(a.input("heads"))
    charts = {
        "figure2": (ch.figure2_chart, pd.read_parquet(a.input("figure2")), syn["head_dim"], syn["base"]),
        "prop31": (ch.prop31_chart, pd.read_parquet(a.input("prop31"))),
        "positional_heads": (ch.positional_heads_chart, pd.read_parquet(a.input("heads_syn"))),
        "freq_norms_layers": (ch.freq_norms_layers_chart, norms, subject),
        "freq_norms_heads": (ch.freq_norms_heads_chart, norms, subject),
        "positional_scores": (ch.positional_scores_chart, heads, subject),
        "attention_examples": (ch.attention_examples_chart, pd.read_parquet(a.input("examples")), subject),
        "prope": (ch.prope_chart, pd.read_csv(a.input("prope")), pd.read_parquet(a.input("curves"))),
    }
    with alt.data_transformers.disable_max_rows():  # Figure 2 and the head maps hold > 5,000 rows
        for name, (fn, *args) in charts.items():
            a.figure(a.call(fn, *args), name, subject=subject)
            a.log.info("figure %s written", name)
