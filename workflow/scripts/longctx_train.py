"""Adapter: train one base, every seed -> models/<factor>/seed<s>/ and train/<factor>.json."""

import json
import time

from analysis.core.adapter import Adapter
from analysis.longctx import train

smk = snakemake  # noqa: F821 (injected by Snakemake)
with Adapter(smk) as a:
    p = f"longctx.{smk.params.profile}"
    grid = json.loads(open(a.input("bases")).read())
    row = train.row_for_factor(grid, float(smk.wildcards.factor))
    t0 = time.perf_counter()
    runs = a.call(
        train.train_base,
        base=row["base"],
        seeds=a.setting(f"{p}.seeds"),
        train_cfg=a.setting(f"{p}.train"),
        probe_cfg=a.setting("longctx.probe"),
        corpus_cfg=a.setting("longctx.corpus"),
        models_dir=smk.params.models_dir,
        checkpoint_dir=smk.params.checkpoints,
        device="cuda" if smk.params.profile == "gpu" else "cpu",
    )
    runs.update(factor=row["factor"], profile=smk.params.profile)
    seconds = time.perf_counter() - t0
    a.log.info("base %.6g (%s x Men's bound): %d seeds in %.1f s", row["base"], row["factor"], len(runs["runs"]), seconds)
    a.json(runs, "runs", device=runs["device"], train_seconds=seconds)
