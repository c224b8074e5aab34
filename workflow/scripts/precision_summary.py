"""Adapter: walls, Wang et al. claims, scorecard and all-device tables -> results/precision/."""

from analysis.core.logs import log_to
from analysis.precision import TABLES, combine_devices, measured_walls, precision_scorecard, wang_claims
from analysis.core.results import read_table, write_table
from analysis.core.scorecard import published

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
inp, out = snakemake.input, snakemake.output  # noqa: F821
with log_to(snakemake.log[0]) as log:  # noqa: F821
    current = {
        "collisions": read_table(inp.collisions),
        "logit_error": read_table(inp.error),
        "invariance": read_table(inp.invariance),
        "throughput": read_table(inp.throughput),
    }
    current["walls"] = measured_walls(current["collisions"], int(cfg["head_dim"]))
    device = str(current["collisions"]["device"].iloc[0])
    claims = wang_claims(current["logit_error"], current["invariance"])
    score = precision_scorecard(current["walls"], claims, published(inp.published), device)
    write_table(current["walls"], out.walls, cfg, measured_on=device)
    write_table(claims, out.claims[0], cfg, measured_on=device)
    write_table(score, out.scorecard[0], cfg, measured_on=device)
    combined = combine_devices(current, snakemake.params.folders)  # noqa: F821
    for name in TABLES:
        path = next(p for p in out.devices if p.endswith(f"devices_{name}.parquet"))
        write_table(combined[name], path, cfg, sources=sorted(combined[name]["source"].unique()))
    log.info("sources: %s", sorted(combined["walls"]["source"].unique()))
