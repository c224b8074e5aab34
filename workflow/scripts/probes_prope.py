"""Adapter: trained variants' held-out losses over seeds beside the paper's Table 2, per-seed table,
training curves and the orderings against RoPE 10k."""

import json
from pathlib import Path

from analysis.core.adapter import Adapter
from analysis.core.config import load_yaml
from analysis.probes.prope import prope_results

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    results = [json.loads(Path(p).read_text()) for p in a.input("runs")]
    corpus = json.loads(Path(a.input("corpus")).read_text())
    paper = load_yaml(a.input("published"))["barbero2024"]["prope_perplexity"]
    out = a.call(prope_results, results, paper, corpus_sha256=corpus["sha256"])
    a.log.info("p-RoPE ordering: ours %s, paper %s", out["summary"]["our_order"], out["summary"]["paper_order"])
    a.table(out["table"], "table")
    a.table(out["runs"], "runs")
    a.table(out["curves"], "curves")
    a.json(out["summary"], "summary")
