"""Model case study: real RoPE models, read from their own config.json, judged against the bounds.

One concept per module (all imported lazily, so ``classify`` checks its input before torch loads):

- :mod:`~analysis.case_study.validate`: checks of a raw config.json (no torch);
- :mod:`~analysis.case_study.reader`: the config read as transformers reads it (defaults, text_config,
  rope_parameters per layer type, legacy rope_scaling, partial rotary, MLA);
- :mod:`~analysis.case_study.frequencies`: effective frequencies from transformers' RoPE functions;
- :mod:`~analysis.case_study.groups`: layers grouped by what their attention sees, each judged at its length;
- :mod:`~analysis.case_study.labels`: bounds, margins, ε* and the label rule;
- :mod:`~analysis.case_study.men`: Men et al.'s minimum base (shipped curve, else the certified search);
- :mod:`~analysis.case_study.config_verdict`: one config judged (the CLI `classify`);
- :mod:`~analysis.case_study.models`: config/models.yaml;
- :mod:`~analysis.case_study.table`: the case-study table (one row per model and layer group);
- :mod:`~analysis.case_study.display`: the page's display table, Markdown/LaTeX, the column schema, BibTeX;
- :mod:`~analysis.case_study.curves`: the chart's reference curves (a result file);
- :mod:`~analysis.case_study.charts`, :mod:`~analysis.case_study.findings`, :mod:`~analysis.case_study.claims`.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "validate_config": "validate", "load_config_json": "validate",
    "ModelConfig": "reader", "read_config": "reader",
    "SCALING_TYPES": "frequencies", "transformers_config": "frequencies", "effective_frequencies": "frequencies",
    "group_frequencies": "frequencies", "effective_base": "frequencies",
    "JUDGING_KEYS": "groups", "JudgingSettings": "groups", "layer_groups": "groups", "group_rows": "groups", "men_text": "groups",
    "LABELS": "labels", "NO_BOUND": "labels", "classify": "labels", "epsilon_star": "labels", "judge": "labels",
    "men_min_base_and_method": "men",
    "classify_config": "config_verdict",
    "load_models": "models", "MODELS_SCHEMA": "models",
    "case_study_table": "table", "model_table": "table",
    "display_table": "display", "to_markdown": "display", "to_latex": "display", "bibtex": "display",
    "COLUMNS": "display", "columns_schema": "display",
    "reference_curves": "curves",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"analysis.case_study.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'analysis.case_study' has no attribute {name!r}")
