"""The longctx run of a profile too costly for the default build (``full``: CPU, about 45 min on one
core; ``gpu``), made once with ``python -m analysis.longctx archive --profile full`` and committed as
metrics under ``data/archive/longctx/<profile>-<device>/`` (:mod:`analysis.core.archive`).

It runs the same code path as the workflow's rules (:func:`analysis.longctx.bases.base_grid`,
:func:`analysis.longctx.train.train_base`, :func:`analysis.longctx.measure.evaluate_base`,
:func:`analysis.longctx.summary.per_model`) for every base and seed of the profile and keeps:

- ``bases.json``: the base grid (bounds, trained bases, their B(m) facts);
- ``runs.json``: per base, the training metrics of every seed (loss curves thinned to every 10th step);
- ``perplexity.csv``: held-out perplexity per (base, seed);
- ``models.parquet``: per (base, seed, distance) retrieval accuracy, p(answer) and the retrieval head's
  key mass and entropy (:func:`analysis.longctx.summary.per_model`);
- ``provenance.json``: the command, profile, device, settings, date, commit and wall time.

Model weights stay in the work folder (``--work``, default ``results/longctx/archive-work/<profile>``);
an interrupted run resumes (finished bases are kept there).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["run_archive", "load_archive", "main", "CURVE_EVERY", "archived_results"]

CURVE_EVERY = 10  # training-loss curves are kept at every 10th step in runs.json


def _thin(run: dict[str, Any]) -> dict[str, Any]:
    out = dict(run)
    for k in ("train_text_loss_curve", "train_answer_loss_curve"):
        if k in out:
            out[k] = [round(float(x), 5) for x in out[k][::CURVE_EVERY]]
    out["curve_every"] = CURVE_EVERY
    return out


def run_archive(config: dict[str, Any], profile: str, out_root: str | Path, work: str | Path,
                command: str) -> Path:
    """Train and evaluate every base and seed of ``longctx.<profile>`` and write the archive folder
    ``<out_root>/longctx/<profile>-<device>``; returns it."""
    import pandas as pd

    from analysis.core.archive import archive_folder, write_archive
    from analysis.longctx import bases, measure, summary, train
    from analysis.core.device import limit_threads, profile_device

    t0 = time.perf_counter()
    lc = config["longctx"]
    prof = lc[profile]
    tr = prof["train"]
    import torch

    dev = profile_device(profile)
    if dev == "cpu":  # the CPU profiles are sized for one core: one thread unless OMP_NUM_THREADS says otherwise
        limit_threads()
    grid = bases.base_grid(tr["seq_len"], tr["head_dim"], config["physics"]["epsilon"], tr["layers"],
                           prof["base_factors"])
    grid["profile"] = profile
    work = Path(work)
    runs, ppl, models = [], [], []
    for row in grid["bases"]:
        f = row["factor"]
        done = work / f"{f:g}" / "done.json"
        if done.is_file():
            d = json.loads(done.read_text())
            runs.append(d["runs"])
            ppl.append(pd.read_json(work / f"{f:g}" / "perplexity.json"))
            models.append(pd.read_parquet(work / f"{f:g}" / "models.parquet"))
            continue
        tb = time.perf_counter()
        r = train.train_base(row["base"], list(prof["seeds"]), tr, lc["probe"], lc["corpus"],
                             work / f"{f:g}" / "models", work / f"{f:g}" / "checkpoints", dev)
        r.update(factor=f, profile=profile, train_seconds=time.perf_counter() - tb)
        te = time.perf_counter()
        ev = measure.evaluate_base(str(work / f"{f:g}" / "models"), list(prof["seeds"]), row["base"], f,
                                   tr["seq_len"], prof["eval"], lc["probe"], lc["corpus"], dev)
        r["eval_seconds"] = time.perf_counter() - te
        r["runs"] = [_thin(x) for x in r["runs"]]
        m = summary.per_model(ev["retrieval"], ev["attention"])
        ev["perplexity"].to_json(work / f"{f:g}" / "perplexity.json")
        m.to_parquet(work / f"{f:g}" / "models.parquet", index=False)
        done.write_text(json.dumps({"runs": r}))
        runs.append(r)
        ppl.append(ev["perplexity"])
        models.append(m)
        print(f"base {row['base']:.6g} ({f:g}x): train {r['train_seconds']:.0f} s, eval {r['eval_seconds']:.0f} s",
              flush=True)
    folder = archive_folder("longctx", profile, "cuda" if dev.startswith("cuda") else "cpu", out_root)
    settings = {"physics.epsilon": config["physics"]["epsilon"], f"longctx.{profile}": prof,
                "longctx.probe": lc["probe"], "longctx.corpus": lc["corpus"]}
    record = {"stage": "longctx", "profile": profile, "device": dev, "command": command,
              "wall_seconds": round(time.perf_counter() - t0, 1),
              "train_seconds": round(sum(r["train_seconds"] for r in runs), 1),
              "eval_seconds": round(sum(r["eval_seconds"] for r in runs), 1),
              "threads": torch.get_num_threads() if dev == "cpu" else None,
              "seeds": list(prof["seeds"]), "base_factors": list(prof["base_factors"]), "steps": tr["steps"]}
    return write_archive(folder, settings=settings, record=record,
                         tables={"perplexity.csv": pd.concat(ppl, ignore_index=True),
                                 "models.parquet": pd.concat(models, ignore_index=True)},
                         jsons={"bases.json": grid, "runs.json": runs})


def load_archive(folder: str | Path) -> dict[str, Any]:
    """An archive folder's contents: ``grid``, ``runs``, ``perplexity``, ``models``, ``record``."""
    import pandas as pd

    from analysis.core.archive import read_provenance
    from analysis.core.errors import InputError

    folder = Path(folder)
    for name in ("bases.json", "runs.json", "perplexity.csv", "models.parquet"):
        if not (folder / name).is_file():
            raise InputError(f"longctx archive {folder} lacks {name}")
    return {"grid": json.loads((folder / "bases.json").read_text()),
            "runs": json.loads((folder / "runs.json").read_text()),
            "perplexity": pd.read_csv(folder / "perplexity.csv"),
            "models": pd.read_parquet(folder / "models.parquet"),
            "record": read_provenance(folder)}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.longctx archive --profile full [--config C ...] [--out data/archive]
    [--work DIR]``: train and evaluate the profile once and write its archive folder."""
    from analysis.core.archive import archive_main, archive_parser

    p, _ = archive_parser("longctx", ["cpu", "full", "gpu"], "train + evaluate a profile", main.__doc__)
    a = p.parse_args(argv)
    return archive_main("longctx", a, lambda cfg, work, cmd: run_archive(cfg, a.profile, a.out, work, cmd))


def archived_results(*, folder: str, paper_scale: dict[str, str]) -> dict[str, Any]:
    """The stage's archived step: the archive ``folder``'s metrics through the quick run's functions
    (:func:`analysis.longctx.summary.longctx_summary_tables`), its B(m) curves, and the run's record
    (profile, device, command, wall time, commit, date, folder relative to the project)."""
    import os

    from analysis.core.archive import describe
    from analysis.core.config import ROOT
    from analysis.longctx.bases import men_curves
    from analysis.longctx.summary import longctx_summary_tables

    arc = load_archive(folder)
    rec = arc["record"]
    curves = men_curves(arc["grid"])
    out = longctx_summary_tables(grid=arc["grid"], curves=curves, runs=arc["runs"], perplexity=arc["perplexity"],
                                 models=arc["models"], paper_scale=paper_scale,
                                 n_records=rec["settings"]["longctx.probe"]["n_records"], source=describe(rec))
    out["summary"]["record"] = {k: rec.get(k) for k in ("profile", "device", "command", "wall_seconds",
                                                        "train_seconds", "eval_seconds", "commit", "date")}
    out["summary"]["record"]["folder"] = os.path.relpath(folder, ROOT)
    return {**out, "curves": curves}
