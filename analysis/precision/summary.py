"""The summary of one run: walls, both erasure definitions and the all-device tables (step ``summary``;
the stage's scorecard is made from them by step ``scorecard``, :func:`analysis.precision.claims.precision_scorecard`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.precision.datasets import combine_devices
from analysis.precision.walls import erasure_table, measured_walls

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["precision_summary_tables"]


def precision_summary_tables(
    *, collisions: "pd.DataFrame", logit_error: "pd.DataFrame", invariance: "pd.DataFrame",
    throughput: "pd.DataFrame", folders: Sequence[str | Path], head_dim: int,
) -> dict[str, Any]:
    """``walls``, ``erasure``, ``devices_<table>`` for every table of
    :data:`analysis.precision.datasets.TABLES` (this run stacked with the committed data sets) and the
    ``device`` this run measured on (its name, for the sidecars)."""
    current = {"collisions": collisions, "logit_error": logit_error, "invariance": invariance,
               "throughput": throughput, "walls": measured_walls(collisions, head_dim),
               "erasure": erasure_table(collisions)}
    device = str(collisions["device"].iloc[0])
    out: dict[str, Any] = {"device": device, "walls": current["walls"], "erasure": current["erasure"]}
    for name, df in combine_devices(current, folders).items():
        out[f"devices_{name}"] = df
    return out

