"""Adapter: an archived longctx run (data/archive/longctx/<run>/) -> the same summary tables and
scorecard rows as the quick run, computed by the same functions."""

import os

from analysis.core.adapter import Adapter
from analysis.core.config import ROOT
from analysis.core.archive import describe
from analysis.longctx import archive, bases, summary

smk = snakemake  # noqa: F821 (injected by Snakemake)
with Adapter(smk) as a:
    arc = archive.load_archive(smk.params.folder)
    rec = arc["record"]
    curves = bases.men_curves(arc["grid"])
    out = a.call(
        summary.longctx_summary_tables,
        grid=arc["grid"],
        curves=curves,
        runs=arc["runs"],
        perplexity=arc["perplexity"],
        models=arc["models"],
        paper_scale=a.setting("longctx.paper_scale"),
        n_records=rec["settings"]["longctx.probe"]["n_records"],
        source=describe(rec),
    )
    out["summary"]["record"] = {k: rec.get(k) for k in ("profile", "device", "command", "wall_seconds",
                                                        "train_seconds", "eval_seconds", "commit", "date")}
    out["summary"]["record"]["folder"] = os.path.relpath(smk.params.folder, ROOT)
    a.json(out["summary"], "summary")
    a.table(curves, "curves")
    for name in ("by_base", "by_distance", "bases_table", "scorecard"):
        a.table(out[name], name)
