"""Loading and validating the workflow config against its JSON schema.

Errors name the offending key as a dotted path (``bounds.epsilon``), never a deep traceback.
"""

from __future__ import annotations

import copy
import functools
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from analysis.core.errors import ConfigError

__all__ = ["ROOT", "SCHEMA", "CONFIG", "PUBLISHED_VALUES", "setting_at", "default_setting", "parse_yaml", "load_yaml", "validate", "load_config"]

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
CONFIG = ROOT / "config" / "config.yaml"  # the default settings of every stage
PUBLISHED_VALUES = ROOT / "config" / "published_values.yaml"  # the papers' numbers, with their sources


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader reading YAML 1.2 floats: ``1.6e4`` is a number, not the string PyYAML's YAML 1.1
    rules make of it (they require a dot and a signed exponent). libyaml's parser when PyYAML has it
    (ten times faster on config.yaml; the resolver and constructor are the same Python classes)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def parse_yaml(text: str) -> Any:
    """Parse YAML text with :class:`_Loader` (YAML 1.2 floats)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader


def load_yaml(path: str | os.PathLike[str]) -> Any:
    """Parse a YAML file; a missing file or bad YAML raises :class:`ConfigError` naming it."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file not found: {p}")
    try:
        return parse_yaml(p.read_text())
    except yaml.YAMLError as e:
        raise ConfigError(f"{p}: invalid YAML: {str(e).splitlines()[0]}") from None


def setting_at(cfg: Mapping[str, Any], key: str) -> Any:
    """The value of the dotted ``key`` (``case_study.angle_dtype``) in the config mapping ``cfg``;
    a key that does not exist raises :class:`ConfigError` naming it."""
    node: Any = cfg
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise ConfigError(f"config key {key!r} does not exist")
        node = node[part]
    return node


@functools.lru_cache(maxsize=1)
def _default_config() -> dict[str, Any]:
    return load_yaml(CONFIG)


def default_setting(key: str) -> Any:
    """The default of setting ``key`` (dotted), from config/config.yaml: the one place the command
    line reads the workflow's defaults (a copy: callers may change it)."""
    return copy.deepcopy(setting_at(_default_config(), key))


def _key(path: Any) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in path]
    return "".join(parts).lstrip(".") or "<top level>"


def validate(
    data: Any, schema: Mapping[str, Any] | str | os.PathLike[str] = SCHEMA, what: str = "config"
) -> Any:
    """Validate ``data`` against a JSON schema (a mapping or a YAML/JSON file), filling defaults.

    Raises :class:`ConfigError` with the first error, naming the key: ``config key 'bounds.epsilon':
    1.5 is greater than the maximum of 1``.
    """
    import jsonschema

    if not isinstance(schema, Mapping):
        path = Path(schema)
        schema = _inline_refs(load_yaml(path), path.parent)
    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        e = errors[0]
        key = _key(e.absolute_path)
        raise ConfigError(f"{what} key '{key}': {e.message}")
    _fill_defaults(data, schema)
    return data


def _inline_refs(node: Any, base_dir: Path) -> Any:
    """Replace ``{"$ref": "other.schema.yaml"}`` by that file's schema (one file per stage)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return _inline_refs(load_yaml(base_dir / ref), base_dir)
        return {k: _inline_refs(v, base_dir) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(v, base_dir) for v in node]
    return node


def _fill_defaults(data: Any, schema: Mapping[str, Any]) -> None:
    if isinstance(data, dict) and isinstance(schema.get("properties"), Mapping):
        for k, sub in schema["properties"].items():
            if k not in data and isinstance(sub, Mapping) and "default" in sub:
                data[k] = sub["default"]
            if k in data and isinstance(sub, Mapping):
                _fill_defaults(data[k], sub)


def load_config(
    *paths: str | os.PathLike[str], overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Load one or more YAML configs (later ones deep-merge over earlier), validate, return."""
    cfg: dict[str, Any] = {}
    for p in paths:
        _deep_merge(cfg, load_yaml(p) or {})
    if overrides:
        _deep_merge(cfg, dict(overrides))
    return validate(cfg)


def _deep_merge(into: dict[str, Any], new: Mapping[str, Any]) -> None:
    for k, v in new.items():
        if isinstance(v, Mapping) and isinstance(into.get(k), dict):
            _deep_merge(into[k], v)
        else:
            into[k] = v
