"""The precision stage on the smoke profile, in the step shape: display tables under display/, findings
that name the step and function that computed their number, sidecars that name the device."""

from __future__ import annotations

import json

import pandas as pd
import pytest

pytestmark = pytest.mark.slow


def test_findings_display_tables_and_sidecars(smoke_results):
    p = smoke_results / "precision"
    items = json.loads((p / "findings.json").read_text())
    by = {k: v["computed_by"] for k, v in items.items()}
    assert by["vec_native_bf16"]["step"] == "precision.summary" and by["vec_native_bf16"]["file"].endswith("erasure.csv")
    assert by["e_bf16_hf"]["function"] == "analysis.precision.logits.logit_results"
    assert by["summary"]["step"] == "precision.findings"
    for name in ("walls", "erasure", "wang"):
        df = pd.read_parquet(p / "display" / f"{name}.parquet")
        assert len(df) and not (p / f"{name}_display.parquet").exists()
    side = json.loads((p / "collisions.csv.provenance.json").read_text())
    rows = pd.read_csv(p / "collisions.csv")
    assert side["step"] == "precision.collisions" and side["device"]["used"] == rows["device"].iloc[0]
    assert {"device", "device_type", "torch_version"} <= set(rows.columns)  # what measured_on recorded
