"""The summary of one run: walls, both erasure definitions, the scorecard and the all-device tables."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.precision.claims import scorecard_rows
from analysis.precision.datasets import combine_devices
from analysis.precision.walls import erasure_table, measured_walls

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["precision_summary_tables"]


def precision_summary_tables(
    *, collisions: "pd.DataFrame", logit_error: "pd.DataFrame", invariance: "pd.DataFrame",
    throughput: "pd.DataFrame", published: dict[str, Any], folders: Sequence[str | Path], head_dim: int,
) -> dict[str, Any]:
    """``walls``, ``erasure``, ``scorecard`` (this run's device), ``devices_<table>`` for every table of
    :data:`analysis.precision.datasets.TABLES` (this run stacked with the committed data sets) and the
    ``device`` this run measured on (its name, for the sidecars)."""
    from analysis.core.scorecard import rows_to_frame

    current = {"collisions": collisions, "logit_error": logit_error, "invariance": invariance,
               "throughput": throughput, "walls": measured_walls(collisions, head_dim),
               "erasure": erasure_table(collisions)}
    device = str(collisions["device"].iloc[0])
    out: dict[str, Any] = {"device": device, "walls": current["walls"], "erasure": current["erasure"],
           "scorecard": rows_to_frame(scorecard_rows(current["walls"], logit_error, published, device))}
    for name, df in combine_devices(current, folders).items():
        out[f"devices_{name}"] = df
    return out
