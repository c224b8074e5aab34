"""Adapter: the case-study table -> results/case_study/table.{parquet,csv,md,tex} and scorecard.csv."""

import json
from pathlib import Path

import pandas as pd

from analysis.case_study import case_study_table, load_models, scorecard_rows, to_latex, to_markdown
from analysis.core.logs import log_to
from analysis.core.results import write_table, write_text
from analysis.core.scorecard import rows_to_frame

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
out = snakemake.output  # noqa: F821
with log_to(snakemake.log[0]) as log:  # noqa: F821
    models = load_models(snakemake.input.models, cfg["include"])  # noqa: F821
    men = pd.DataFrame([json.loads(Path(p).read_text()) for p in snakemake.input.men],  # noqa: F821
                       columns=["context_length", "head_dim", "min_base"])
    table = case_study_table(models, cfg, men)
    log.info("case study: %d models; labels %s", len(table), table["label"].value_counts().to_dict())
    write_table(table, out[0], cfg)
    write_table(table, out.csv, cfg)
    write_text(to_markdown(table), out.md[0], cfg)
    write_text(to_latex(table), out.tex[0], cfg)
    write_table(rows_to_frame(scorecard_rows(table)), out.scorecard[0], cfg)
