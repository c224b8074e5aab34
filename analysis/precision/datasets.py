"""Device data sets: every measurement of one device, committed as ``data/measurements/<device>/``
(``python -m analysis.precision export``, written by :func:`analysis.core.archive.write_archive`, the
mechanism of every archived run), and the all-device tables the charts draw."""

from __future__ import annotations

import argparse
import time
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.core.errors import ConfigError, InputError
from analysis.precision.collisions import collision_sweep
from analysis.core.device import DEVICE_SETTINGS, choose_device
from analysis.precision.device import device_record, device_slug
from analysis.precision.logits import logit_sweep
from analysis.precision.throughput import throughput_sweep
from analysis.precision.walls import erasure_table, measured_walls

if TYPE_CHECKING:
    import pandas as pd
    import torch

__all__ = ["TABLES", "run_all", "export", "load_measurements", "combine_devices", "main"]

TABLES: tuple[str, ...] = ("collisions", "logit_error", "invariance", "throughput", "walls", "erasure")


def run_all(config: Mapping[str, Any], device: "torch.device | None" = None) -> dict[str, "pd.DataFrame"]:
    """Every measurement on ``device`` (default: ``precision.device``) with the settings of the
    whole ``config`` (``physics.head_dim``, ``physics.dtypes``, the ``precision`` section)."""
    ph, pr = config["physics"], config["precision"]
    device = device or choose_device(pr.get("device", "auto"))
    d, c, lg, t = int(ph["head_dim"]), pr["collisions"], pr["logits"], pr["throughput"]
    coll = collision_sweep(head_dim=d, device=device, **c)
    err, inv = logit_sweep(head_dim=d, formats=ph["dtypes"], seed=pr["seed"], device=device, **lg)
    thr = throughput_sweep(formats=ph["dtypes"], head_dim=d, base=lg["base"], device=device, **t)
    return {"collisions": coll, "logit_error": err, "invariance": inv, "throughput": thr,
            "walls": measured_walls(coll, d), "erasure": erasure_table(coll)}


def export(config: Mapping[str, Any], out_root: str | Path, device: "torch.device | None" = None) -> Path:
    """Run :func:`run_all` and write ``<out_root>/<device-slug>/<name>.csv`` (each with its
    provenance sidecar) plus ``provenance.json`` naming device, torch version and settings."""
    import time

    from analysis.core.archive import write_archive

    t0 = time.perf_counter()
    device = device or choose_device(config["precision"].get("device", "auto"))
    rec = device_record(device)
    folder = Path(out_root) / device_slug(rec)
    used = {"physics.head_dim": config["physics"]["head_dim"], "physics.dtypes": config["physics"]["dtypes"],
            "precision": config["precision"]}
    tables = run_all(config, device)
    summary = {**rec, "slug": device_slug(rec), "tables": sorted(tables), "stage": "precision",
               "profile": "measurements", "command": "python -m analysis.precision export",
               "wall_seconds": round(time.perf_counter() - t0, 1)}
    return write_archive(folder, tables={f"{name}.csv": df for name, df in tables.items()}, settings=used,
                         record=summary, measured_on=rec)


def load_measurements(folder: str | Path) -> dict[str, "pd.DataFrame"]:
    """A committed device data set written by :func:`export`: its tables by name (every name of
    :data:`TABLES` must be present; a missing one raises :class:`InputError` naming it)."""
    import pandas as pd

    folder = Path(folder)
    out = {}
    for name in TABLES:
        f = folder / f"{name}.csv"
        if not f.is_file():
            raise InputError(f"measurement data set {folder} lacks {name}.csv")
        df = pd.read_csv(f)
        if "reason" in df.columns:
            df["reason"] = df["reason"].astype(object).where(df["reason"].notna(), "").astype(str)
        out[name] = df
    return out


def combine_devices(
    current: Mapping[str, "pd.DataFrame"], folders: Sequence[str | Path]
) -> dict[str, "pd.DataFrame"]:
    """The current run's tables and every committed data set's, stacked with a ``source`` column:
    ``this run: <device>`` or ``committed: <folder name>``."""
    import pandas as pd

    parts: dict[str, list[pd.DataFrame]] = {n: [] for n in TABLES}
    for name in TABLES:
        df = current[name].copy()
        df.insert(0, "source", f"this run: {df['device'].iloc[0]}" if len(df) else "this run")
        parts[name].append(df)
    for folder in folders:
        tabs = load_measurements(folder)
        for name in TABLES:
            df = tabs[name].copy()
            df.insert(0, "source", f"committed: {Path(folder).name}")
            parts[name].append(df)
    return {n: pd.concat(v, ignore_index=True) for n, v in parts.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.precision export [--config C ...] [--out data/measurements] [--device auto]``:
    measure on this device and write its data set folder."""
    from analysis.core.config import CONFIG, ROOT, load_config

    p = argparse.ArgumentParser(prog="python -m analysis.precision", description=main.__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export", help="measure on this device, write data/measurements/<device>/")
    e.add_argument("--config", action="append", default=None,
                   help="config YAML(s), later ones override (default: config/config.yaml)")
    e.add_argument("--out", default=str(ROOT / "data" / "measurements"), help="folder of device folders")
    e.add_argument("--device", default="auto", choices=list(DEVICE_SETTINGS))
    a = p.parse_args(argv)
    try:
        cfg = load_config(*(a.config or [CONFIG]))
        folder = export(cfg, a.out, choose_device(a.device))
    except (InputError, ConfigError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(folder)
    return 0
