"""Adapter: trained variants' perplexities beside the paper's Table 2, and the stage's scorecard."""

import json
from pathlib import Path

import pandas as pd

from analysis import probes
from analysis.core.errors import InputError
from analysis.core.logs import log_to
from analysis.core.results import write_json, write_table
from analysis.core.scorecard import published, rows_to_frame
from analysis.probes.train import prope_table

smk = snakemake  # noqa: F821 (injected by Snakemake)

cfg = smk.params.cfg
inp, out = smk.input, smk.output
with log_to(smk.log[0]) as log:
    runs = [json.loads(Path(p).read_text()) for p in inp.runs]
    sha = json.loads(Path(inp.corpus).read_text())["sha256"]
    stale = [r["variant"] for r in runs if r["corpus_sha256"] != sha]
    if stale:
        raise InputError(
            f"variants {stale} were trained on another corpus than {inp.corpus}; "
            "retrain them (snakemake --forcerun probes_train)"
        )
    pub = published()["barbero2024"]
    table, summary = prope_table(runs, pub["prope_perplexity"])
    log.info("p-RoPE ordering: ours %s, paper %s", summary["our_order"], summary["paper_order"])
    rows = probes.scorecard_rows(
        pub,
        table,
        summary,
        json.loads(Path(inp.synthetic).read_text()),
        pd.read_csv(inp.heads),
        json.loads(Path(inp.subject).read_text()),
    )
    write_table(table, out[0], cfg)
    write_json(summary, out[2], cfg)
    write_table(rows_to_frame(rows), out[4], cfg)
