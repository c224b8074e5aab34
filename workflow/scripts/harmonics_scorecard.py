"""Adapter: synthetic summary, harmonics table, sweep (and real-model summary) -> scorecard.csv."""

import json
from pathlib import Path

from analysis.core.adapter import Adapter
from analysis.core.results import read_table
from analysis.core.scorecard import rows_to_frame
from analysis.harmonics import claims

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    real = [json.loads(Path(p).read_text()) for p in a.input("real")]
    rows = a.call(
        claims.claim_rows,
        summary=json.loads(Path(a.input("summary")).read_text()), harmonics=read_table(a.input("harmonics")),
        sweep=read_table(a.input("sweep")), activations=a.setting("harmonics.activations"),
        amplitude_tolerance=a.setting("harmonics.amplitude_tolerance"),
        tone_amplitude=a.setting("harmonics.tone_amplitude"),
        line_ratio_threshold=a.setting("harmonics.real_model.line_ratio_threshold"),
        real=real[0] if real else None,
    )
    df = rows_to_frame(rows)
    a.log.info("scorecard:\n%s", df[["item", "verdict"]].to_string())
    a.table(df, "scorecard")
