"""The p-RoPE comparison at a profile too costly for the default build (``full``: CPU, 5 seeds, 1,024-byte
windows, 1,000 steps; about an hour of one core), made once with
``python -m analysis.probes archive --profile full`` and committed as metrics under
``data/archive/probes/<profile>-<device>/`` (:mod:`analysis.core.archive`).

It runs the workflow's own code path (:func:`analysis.probes.train.train_variant` for every configured
variant, each seed evaluated on the whole held-out split, ``restore_check`` variants also with their
removed frequencies restored) and keeps:

- ``results.json``: per variant, the training result the workflow's ``probes_train`` rule writes
  (profile, per-seed held-out losses, training-loss curves thinned to every 10th step);
- ``provenance.json``: the command, profile, device, settings, date, commit and seconds per variant.

Model weights stay in the work folder (``--work``, default ``results/probes/archive-work/<profile>``);
an interrupted run resumes, and ``--variants a,b`` trains only those (two processes can share the
work folder, one variant list each); the archive is written once every configured variant is done.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["CURVE_EVERY", "run_archive", "load_archive", "archived_prope", "main"]

CURVE_EVERY = 10  # training-loss curves are kept at every 10th step in results.json


def _thin(result: dict[str, Any]) -> dict[str, Any]:
    out = dict(result)
    out["runs"] = [{**r, "train_loss_curve": [round(float(x), 5) for x in r["train_loss_curve"][::CURVE_EVERY]],
                    "curve_every": CURVE_EVERY} for r in result["runs"]]
    return out


def run_archive(config: Mapping[str, Any], profile: str, out_root: str | os.PathLike[str],
                work: str | os.PathLike[str], command: str, variants: Sequence[str] | None = None) -> Path | None:
    """Train every variant of ``probes.train.variants`` (or only ``variants``) with profile
    ``probes.train.<profile>`` into ``work``; once all are done, write the archive folder
    ``<out_root>/probes/<profile>-<device>`` and return it (None while variants are missing)."""
    import torch

    from analysis.core.archive import archive_folder, write_archive
    from analysis.core.device import limit_threads, profile_device
    from analysis.core.errors import InputError
    from analysis.probes.corpus import stdlib_corpus
    from analysis.probes.train import train_variant

    t0 = time.perf_counter()
    tcfg = config["probes"]["train"]
    if profile not in tcfg:
        raise InputError(f"probes.train has no profile {profile!r}")
    prof = tcfg[profile]
    every = list(tcfg["variants"])
    todo = list(variants) if variants else every
    unknown = sorted(set(todo) - set(every))
    if unknown:
        raise InputError(f"variants {unknown} are not in probes.train.variants {every}")
    dev = profile_device(profile)
    if dev == "cpu":  # sized for one core: one thread unless OMP_NUM_THREADS says otherwise
        limit_threads()
    corpus = stdlib_corpus(int(tcfg["corpus_bytes"]), int(tcfg["val_every"]))
    work = Path(work)
    for v in todo:
        done = work / v / "done.json"
        if done.is_file():
            continue
        tv = time.perf_counter()
        result, _timing = train_variant(v, prof, dev, work / v / "model", work / v / "checkpoints", corpus,
                                        restore=v in tcfg["restore_check"])
        result = {**_thin(result), "train_seconds": round(time.perf_counter() - tv, 1),
                  "threads": torch.get_num_threads() if dev == "cpu" else None}
        done.parent.mkdir(parents=True, exist_ok=True)
        done.write_text(json.dumps(result))
        print(f"{v}: {result['train_seconds']:.0f} s", flush=True)
    missing = [v for v in every if not (work / v / "done.json").is_file()]
    if missing:
        print(f"not yet trained: {', '.join(missing)} (the archive is written once every variant is done)")
        return None
    results = [json.loads((work / v / "done.json").read_text()) for v in every]
    folder = archive_folder("probes", profile, "cuda" if dev == "cuda" else "cpu", out_root)
    settings = {f"probes.train.{profile}": dict(prof), "probes.train.variants": every,
                "probes.train.corpus_bytes": tcfg["corpus_bytes"], "probes.train.val_every": tcfg["val_every"],
                "probes.train.restore_check": list(tcfg["restore_check"])}
    record = {"stage": "probes", "profile": profile, "device": dev, "command": command,
              "train_seconds": round(sum(r["train_seconds"] for r in results), 1),
              "seconds_by_variant": {r["variant"]: r["train_seconds"] for r in results},
              "assembly_seconds": round(time.perf_counter() - t0, 1),
              "threads": results[0]["threads"], "seeds": list(prof["seeds"]), "variants": every,
              "steps": prof["steps"], "seq_len": prof["seq_len"]}
    return write_archive(folder, settings=settings, record=record, jsons={"results.json": results})


def load_archive(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """An archive folder's ``results`` (one training result per variant) and its ``record``."""
    from analysis.core.archive import read_provenance
    from analysis.core.errors import InputError

    f = Path(folder) / "results.json"
    if not f.is_file():
        raise InputError(f"probes archive {folder} lacks results.json")
    return {"results": json.loads(f.read_text()), "record": read_provenance(folder)}


def archived_prope(*, folder: str, published: Mapping[str, Any]) -> dict[str, Any]:
    """The archived p-RoPE step: the archive ``folder``'s results through the quick run's
    :func:`analysis.probes.prope.prope_table`, each variant compared with RoPE 10k by the paired rule
    (:func:`analysis.probes.prope.paired_comparisons`), the run's record, and the two display tables
    (:func:`analysis.probes.display.prope_display`, :func:`analysis.probes.display.paired_display`). The corpus is the one the
    archive was trained on (its digest is recorded), not this machine's."""
    from analysis.core.archive import describe
    from analysis.core.config import ROOT
    from analysis.probes.display import paired_display, prope_display
    from analysis.probes.prope import paired_comparisons, prope_table, training_curves

    arc = load_archive(folder)
    rec = arc["record"]
    table, runs, summary = prope_table(arc["results"], published["barbero2024"]["prope_perplexity"])
    summary["paired"] = paired_comparisons(runs, table)
    summary["record"] = {k: rec.get(k) for k in ("profile", "device", "command", "train_seconds",
                                                 "seconds_by_variant", "threads", "commit", "date")}
    summary["record"]["folder"] = os.path.relpath(folder, ROOT)
    summary["record"]["describe"] = describe(rec)
    summary["corpus_sha256"] = sorted({r["corpus_sha256"] for r in arc["results"]})
    return {"table": table, "runs": runs, "summary": summary, "curves": training_curves(arc["results"]),
            "prope_display": prope_display(table), "paired_display": paired_display(summary["paired"])}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.probes archive --profile full [--variants a,b] [--config C ...]
    [--out data/archive] [--work DIR]``: train the p-RoPE variants once and write the archive folder."""
    from analysis.core.archive import archive_main, archive_parser

    p, e = archive_parser("probes", ["full", "gpu"], "train the variants of a profile", main.__doc__)
    e.add_argument("--variants", default=None, help="comma-separated variants to train in this process")
    a = p.parse_args(argv)
    variants = [v.strip() for v in a.variants.split(",") if v.strip()] if a.variants else None
    return archive_main("probes", a, lambda cfg, work, cmd: run_archive(cfg, a.profile, a.out, work, cmd, variants))
