"""Adapter: probes result tables -> every figure of the stage (results/probes/figures/)."""

import json
from pathlib import Path

import altair as alt
import pandas as pd

from analysis.probes import charts as ch
from analysis.core.figures import save_chart
from analysis.core.logs import log_to

smk = snakemake  # noqa: F821 (injected by Snakemake)

cfg = smk.params.cfg
inp = smk.input
fig_dir = Path(smk.output[0]).parent
with log_to(smk.log[0]) as log:
    subject = json.loads(Path(inp.subject).read_text())["name"]
    norms, heads = pd.read_parquet(inp.norms), pd.read_csv(inp.heads)
    runs = [json.loads(Path(p).read_text()) for p in inp.runs]
    curves = pd.concat(
        [
            pd.DataFrame(
                {
                    "label": r["label"],
                    "step": range(1, len(r["train_loss_curve"]) + 1),
                    "loss": pd.Series(r["train_loss_curve"]).rolling(20, min_periods=1).mean(),
                }
            )
            for r in runs
        ],
        ignore_index=True,
    )
    charts = {
        "figure2": ch.figure2_chart(
            pd.read_parquet(inp.figure2), cfg["synthetic"]["head_dim"], cfg["synthetic"]["base"]
        ),
        "prop31": ch.prop31_chart(pd.read_parquet(inp.prop31)),
        "positional_heads": ch.positional_heads_chart(pd.read_parquet(inp.heads_syn)),
        "freq_norms_layers": ch.freq_norms_layers_chart(norms, subject),
        "freq_norms_heads": ch.freq_norms_heads_chart(norms, subject),
        "positional_scores": ch.positional_scores_chart(heads, subject),
        "attention_examples": ch.attention_examples_chart(pd.read_parquet(inp.examples), subject),
        "prope": ch.prope_chart(pd.read_csv(inp.prope), curves),
    }
    with alt.data_transformers.disable_max_rows():  # Figure 2 and the head maps hold > 5,000 rows
        for name, chart in charts.items():
            save_chart(chart, fig_dir / name, cfg, subject=subject)
            log.info("figure %s written", name)
