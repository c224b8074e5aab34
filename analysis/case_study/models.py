"""``config/models.yaml``: the models of the case study, each read from its own config.json.

An entry names the model (id, name, family), where its config comes from (``config``: a stored copy
of the model's ``config.json``, path relative to the project root, with ``source`` repo/path), and
only what the config cannot say: the claimed or pre-training context where the model card differs,
the training dtype, the paper's label where one is known, a note. An entry whose config.json is not
stored gives the config's fields inline under ``values`` (copied from the cited file, config.json
names). Either way the row is read by :func:`analysis.case_study.reader.read_config`, the reader of
``classify``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.core.config import ROOT, load_yaml
from analysis.core.errors import InputError

__all__ = ["MODELS_SCHEMA", "load_models", "model_config", "not_included"]

MODELS_SCHEMA = ROOT / "workflow" / "schemas" / "models.schema.yaml"


def _schema_error(data: Any, name: str) -> None:
    import jsonschema

    schema = load_yaml(MODELS_SCHEMA)
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return
    e = errors[0]
    p = list(e.absolute_path)
    if len(p) >= 2 and p[0] == "models" and isinstance(p[1], int):
        entry = data["models"][p[1]]
        mid = entry.get("id", f"#{p[1]}") if isinstance(entry, dict) else f"#{p[1]}"
        key = ".".join(str(x) for x in p[2:])
        if not key and e.validator == "required":
            key = str(e.message).split("'")[1]
        raise InputError(f"{name}: model '{mid}' key '{key or '<entry>'}': {e.message}")
    raise InputError(f"{name}: key '{'.'.join(map(str, p)) or '<top level>'}': {e.message}")


def load_models(path: str | os.PathLike[str], include: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Read and validate ``models.yaml``; return its entries (only ``include`` ids when given).

    A schema error raises :class:`InputError` naming the model and the key."""
    data = load_yaml(path)
    name = Path(path).name
    _schema_error(data, name)
    models = data["models"]
    ids = [m["id"] for m in models]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(f"{name}: duplicate model id(s): {', '.join(dup)}")
    if include:
        unknown = sorted(set(include) - set(ids))
        if unknown:
            raise InputError(f"{name}: unknown model id(s) in case_study.include: {', '.join(unknown)}")
        models = [m for m in models if m["id"] in set(include)]
    return models


def config_file(entry: dict[str, Any], root: Path = ROOT) -> Path | None:
    """The stored config.json of an entry (None for inline ``values``)."""
    if "config" not in entry:
        return None
    p = Path(entry["config"])
    return p if p.is_absolute() else root / p


def model_config(entry: dict[str, Any], root: Path = ROOT) -> tuple[dict[str, Any], str]:
    """``(parsed config, where it came from)`` of an entry, checked like ``classify``'s input."""
    from analysis.case_study.validate import load_config_json, validate_config

    p = config_file(entry, root)
    if p is None:
        return validate_config(entry["values"], f"models.yaml '{entry['id']}' values"), "models.yaml values"
    try:
        return load_config_json(p), str(p.relative_to(root)) if p.is_relative_to(root) else str(p)
    except InputError as e:
        raise InputError(f"model '{entry['id']}': {e}") from None


def not_included(data: dict[str, Any]) -> list[dict[str, str]]:
    """The ``not_included`` list of models.yaml: models left out, with the reason."""
    return [dict(x) for x in data.get("not_included", [])]
