"""Adapter: evaluate every seed's model of one base -> eval/<factor>/{perplexity,retrieval,attention}."""

import json

from analysis.core.adapter import Adapter
from analysis.longctx import measure, train

smk = snakemake  # noqa: F821 (injected by Snakemake)
with Adapter(smk) as a:
    p = f"longctx.{smk.params.profile}"
    row = train.row_for_factor(json.loads(open(a.input("bases")).read()), float(smk.wildcards.factor))
    device = "cuda" if smk.params.profile == "gpu" else "cpu"
    tables = a.call(
        measure.evaluate_base,
        models_dir=smk.params.models_dir,
        seeds=a.setting(f"{p}.seeds"),
        base=row["base"],
        factor=row["factor"],
        seq_len=a.setting(f"{p}.train.seq_len"),
        eval_cfg=a.setting(f"{p}.eval"),
        probe_cfg=a.setting("longctx.probe"),
        corpus_cfg=a.setting("longctx.corpus"),
        device=device,
    )
    for name in ("perplexity", "retrieval", "attention"):
        a.table(tables[name], name, device=device)
