"""The case-study table: every model of models.yaml, one row per model and layer group.

Each model is read from its config (:func:`analysis.case_study.models.model_config`) by the reader of
``classify`` and judged group by group (:mod:`analysis.case_study.groups`); the model's own columns
(label, label group, reading, defaults used) repeat on each of its group rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.case_study.config_verdict import model_summary
from analysis.case_study.groups import JudgingSettings, group_rows
from analysis.case_study.models import model_config
from analysis.case_study.reader import read_config
from analysis.core.config import ROOT

__all__ = ["model_rows", "case_study_table", "model_table", "case_study_outputs", "case_study_results"]


def _pretrain(entry: Mapping[str, Any], mc: Any) -> int:
    if entry.get("pretrain_context"):
        return int(entry["pretrain_context"])
    origs = [p.get("original_max_position_embeddings") for p in mc.rope.values()]
    origs = [int(o) for o in origs if o]
    return max(origs) if origs else int(mc.max_position_embeddings)


def model_rows(entry: Mapping[str, Any], *, settings: JudgingSettings, root: Path = ROOT) -> list[dict[str, Any]]:
    """The group rows of one models.yaml entry, with the model's columns."""
    raw, where = model_config(dict(entry), root)
    mc = read_config(raw, entry["id"])
    L = int(entry.get("claimed_context") or mc.max_position_embeddings)
    train = str(entry["training_dtype"])
    rows = group_rows(mc, claimed_context=L, training_dtype=train, settings=settings)
    summ = model_summary(mc, rows, claimed_context=L, training_dtype=train, epsilon=settings.epsilon)
    pl = entry.get("paper_label") or None
    src = entry.get("source") or {}
    meta = {
        "id": entry["id"], "name": entry["name"], "family": entry["family"], "config_file": where,
        "source_repo": src.get("repo", ""), "source_path": src.get("path", ""), "source_url": src.get("url", ""),
        "model_type": mc.model_type, "reader": mc.reader, "defaults_used": ", ".join(mc.defaults_used()),
        "layers": mc.num_layers, "head_dim": mc.head_dim, "claimed_context": L,
        "pretrain_context": _pretrain(entry, mc), "max_position_embeddings": mc.max_position_embeddings,
        "training_dtype": summ["training_dtype"], "angle_dtype": settings.angle_dtype,
        "model_label": summ["label"], "model_label_paper_form": summ["label_paper_form"],
        "label_group": summ["label_group"], "model_epsilon_star_depth": summ["epsilon_star_depth"],
        "why": summ["why"], "paper_label": pl["label"] if pl else "unconfirmed",
        "paper_label_confirmed": bool(pl["confirmed"]) if pl else False, "note": entry.get("note", ""),
    }
    return [{**meta, **r} for r in rows]


def case_study_table(models: Sequence[Mapping[str, Any]], *, settings: JudgingSettings, root: Path = ROOT) -> pd.DataFrame:
    """Every model's group rows (see the module docstring), in models.yaml order."""
    from tqdm import tqdm

    rows: list[dict[str, Any]] = []
    for m in tqdm(models, desc="case study", unit="model"):
        rows += model_rows(m, settings=settings, root=root)
    return pd.DataFrame(rows)


def model_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per model: its label group's row."""
    return table[table["is_label_group"]].reset_index(drop=True)


def case_study_outputs(
    *, models_file: str, include: Sequence[str], settings: JudgingSettings, root: Path = ROOT,
) -> dict[str, Any]:
    """Everything the table rule writes: the full table, the page's display table, the documented
    columns (table and JSON schema) and Markdown / LaTeX renderings (the scorecard is made from the
    table by the stage's own step, :func:`analysis.case_study.claims.case_study_scorecard`)."""
    from analysis.case_study.display import columns_schema, columns_table, display_table, to_latex, to_markdown
    from analysis.case_study.models import load_models

    table = case_study_table(load_models(models_file, include), settings=settings, root=root)
    return {
        "table": table, "display": display_table(table), "columns": columns_table(table),
        "schema": columns_schema(table), "md": to_markdown(table), "tex": to_latex(table),
    }


def case_study_results(*, models_file: str, include: Sequence[str], epsilon: float, angle_dtype: str,
                       very_stable_margin: float, men_scan_chunk: int, men_max_context: int) -> dict[str, Any]:
    """The stage's table step: :func:`case_study_outputs` with the judging settings (the values of
    :data:`~analysis.case_study.groups.JUDGING_KEYS`) given one by one."""
    settings = JudgingSettings(epsilon=epsilon, angle_dtype=angle_dtype, very_stable_margin=very_stable_margin,
                               men_scan_chunk=men_scan_chunk, men_max_context=men_max_context)
    return case_study_outputs(models_file=models_file, include=include, settings=settings)
