"""Charts of the precision stage: built from a tiny measurement, one panel per source, and
rebuildable by the report pages (reportkit rebuilds figures with ``alt.Chart.from_dict``)."""

from __future__ import annotations

import json

import altair as alt
import pytest
import torch

from analysis import precision as P
from analysis.precision.charts import CHARTS
from analysis.core.config import ROOT, load_config


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    cfg = load_config(ROOT / "config" / "config.yaml", ROOT / "config" / "smoke.yaml")
    pr = cfg["precision"]
    pr["collisions"] = dict(pr["collisions"], formats=["bf16", "fp16"], base_log10_max=3.0)
    pr["logits"] = dict(pr["logits"], log2_max_position=8)
    folder = P.export(cfg, tmp_path_factory.mktemp("m"), torch.device("cpu"))
    tabs = P.load_measurements(folder)
    return P.combine_devices({k: v.copy() for k, v in tabs.items()}, [folder])


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_roundtrips_through_from_dict(tables, name):
    table, make = CHARTS[name]
    spec = make(tables[table]).to_dict()
    rebuilt = alt.Chart.from_dict(json.loads(json.dumps(spec)), validate=False)
    rebuilt.to_dict()  # validates: a facet/layer spec would fail here as it does in the report
    values = spec["datasets"][next(iter(spec["datasets"]))]
    sources = {v["source"] for v in values}
    assert len(sources) == 2  # this run + committed copy: devices side by side
    assert all(v.get("status", "ok") == "ok" for v in values if "status" in v)
