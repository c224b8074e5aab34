"""Steps: how every result of the workflow is made.

A **step** is one analysis function with named inputs, named outputs and the settings it reads,
declared once in its stage's ``analysis/<stage>/steps.py`` (``STEPS``, a registry in the spirit of
transformers' ``ROPE_INIT_FUNCTIONS``). Its Snakemake rule is named ``<stage>_<step>`` and runs the
one generic script ``workflow/scripts/step.py``, which calls :func:`run_step`:

1. read each named input file by its suffix (Parquet/CSV: a DataFrame; JSON: its value; the
   published values YAML: a mapping) and pass it as the keyword of the same name;
2. pass each setting (a dotted key of ``config/config.yaml``) as its keyword;
3. call the function; it returns a mapping ``{output name: value}`` (or one value, for a step with a
   single output);
4. write each value to the rule's output of that name by its type: a DataFrame as a table (by the
   path's suffix), a chart as a figure (its renderings), a list of findings as ``findings.json``, a
   list of scorecard rows as the stage's scorecard table, a string as text, anything else as JSON
   (a result key ``device`` names the torch device the step ran on, recorded in every sidecar; a
   result key ``sidecar`` holds run-to-run facts such as timings, recorded in every sidecar and never
   in a result); outputs the function writes itself (``written``, a saved model) get their sidecar
   too; every file with its provenance sidecar, which records the
   step, the function, the inputs (relative paths and SHA-256), the settings read and the machine.

Findings say where their number was computed: a finding made with ``source="men"`` (the name of one
of the findings step's inputs) records in ``findings.json`` the step and function that wrote that
input, read from its sidecar; a finding without a source was computed by the findings function
itself. A page's number is then two hops from its function: page -> ``findings.json`` -> function.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# a step function's result may name the torch device it ran on under this key (not an output)
DEVICE = "device"
# ... and, under this key, run-to-run facts for every sidecar (timings), kept out of the results
SIDECAR = "sidecar"

__all__ = ["DEVICE", "SIDECAR", "Step", "step_registry", "find_step", "read_input", "run_step", "written_by"]


@dataclass(frozen=True)
class Step:
    """One step: ``function(**inputs, **settings, **constants)`` -> ``{output: value}``.

    ``function``: the analysis function's dotted name (``analysis.bounds.men.men_min_base_table``,
    as sidecars record it), imported when the step runs, so that declaring every step of a stage
    imports none of its science;
    ``inputs``: the rule's named inputs passed to the function (keyword = input name);
    ``settings``: keyword -> dotted config key; ``outputs``: the rule's named outputs, in order;
    ``constants``: fixed keyword arguments (e.g. ``progress=True``); ``copies``: outputs that hold
    another output's value in a second format (``{"csv": "table"}``); ``paths``: inputs passed as their paths (a list for a list input), not
    read (a model file, a folder, files the function reads itself); ``sources``: outputs that display
    one input's numbers (``{"men_table": "compare"}``: a display table of ``compare``), whose
    sidecars then name the step and function that computed them (``computed_by``); ``params``: the
    rule's ``params`` passed as keywords of the same name (a wildcard, ``variant="{variant}"``, or a
    path derived from one); ``written``: outputs the function writes itself (a saved model), passed as
    their paths (keyword = output name; a list of files for a list output), checked to exist and given
    their sidecars; ``key_params``: rule params that complete setting keys written with a placeholder
    (``"longctx.{profile}.seeds"`` with ``profile`` = the rule's ``params.profile``). What the step computes is its
    function's docstring (and its rule's); its threads are its rule's ``threads:``."""

    function: str
    outputs: tuple[str, ...]
    inputs: tuple[str, ...] = ()
    settings: Mapping[str, str] = field(default_factory=dict)
    constants: Mapping[str, Any] = field(default_factory=dict)
    copies: Mapping[str, str] = field(default_factory=dict)
    paths: tuple[str, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)
    params: tuple[str, ...] = ()
    written: tuple[str, ...] = ()
    key_params: tuple[str, ...] = ()

    def resolve(self) -> Callable[..., Any]:
        """The function itself."""
        import importlib

        module, _, name = self.function.rpartition(".")
        return getattr(importlib.import_module(module), name)

    @property
    def setting_keys(self) -> list[str]:
        """The dotted config keys the step reads (its rule's ``params: settings``)."""
        return self.keys_for()

    def keys_for(self, **key_params: str) -> list[str]:
        """The setting keys with their placeholders filled from ``key_params``."""
        return list(dict.fromkeys(k.format(**key_params) for k in self.settings.values()))


def step_registry(stage: str) -> Mapping[str, Step]:
    """``STEPS`` of ``analysis/<stage>/steps.py``."""
    import importlib

    return importlib.import_module(f"analysis.{stage}.steps").STEPS


def find_step(name: str) -> Step:
    """The step ``<stage>.<step>`` (``bounds.men_table``); KeyError naming what exists."""
    stage, _, step = name.partition(".")
    steps = step_registry(stage)
    if step not in steps:
        raise KeyError(f"stage {stage!r} has no step {step!r} (steps: {', '.join(steps)})")
    return steps[step]


def read_input(path: str | Path) -> Any:
    """A result file as a step receives it, by suffix."""
    from analysis.core.results import read_table

    p = Path(path)
    if p.suffix in (".parquet", ".csv"):
        return read_table(p)
    if p.suffix == ".json":
        return json.loads(p.read_text())
    if p.suffix in (".yaml", ".yml"):
        from analysis.core.config import load_yaml

        return load_yaml(p)
    return p


def written_by(path: str | Path) -> dict[str, Any]:
    """The step and function recorded in the sidecar of result ``path`` (empty when none)."""
    from analysis.core.provenance import sidecar_path

    side = sidecar_path(path)
    if not side.is_file():
        return {}
    rec = json.loads(side.read_text())
    return {k: rec[k] for k in ("step", "function") if rec.get(k)}


def _sources(items: list[Any], inputs: Mapping[str, Any], function: str, step: str) -> list[Any]:
    """Findings with ``computed_by`` filled: the step/function that wrote their source input, or the
    findings step itself."""
    from dataclasses import replace

    from analysis.core.adapter import portable_path

    own = {"step": step, "function": function}
    out = []
    for f in items:
        if f.source is None:
            out.append(replace(f, computed_by=own))
            continue
        if f.source not in inputs:
            raise KeyError(f"finding {f.name!r}: source {f.source!r} is not an input of step {step!r}")
        paths = inputs[f.source]
        first = paths if isinstance(paths, (str, Path)) else list(paths)[0]
        out.append(replace(f, computed_by={**(written_by(first) or own), "file": portable_path(first)}))
    return out


def run_step(smk: Any, name: str) -> None:
    """Run step ``name`` inside a Snakemake job ``smk`` (its named inputs, outputs, settings, log,
    threads) and write every output with its sidecar (see the module docstring)."""
    from analysis.core.adapter import Adapter, portable_path
    from analysis.core.findings import Finding
    from analysis.core.scorecard import ScoreRow, rows_to_frame

    step = find_step(name)
    declared = set(dict(smk.output.items())) if hasattr(smk.output, "items") else set()
    if declared and declared != set(step.outputs):
        raise KeyError(f"rule {smk.rule!r} declares outputs {sorted(declared)}, step {name!r} makes {sorted(step.outputs)}")
    with Adapter(smk) as a:
        a.step = name
        kwargs: dict[str, Any] = {k: _read_named(a.input(k)) for k in step.inputs if k not in step.paths}
        kwargs.update({k: _as_paths(a.input(k)) for k in step.paths})
        fill = {k: getattr(smk.params, k) for k in step.key_params}
        kwargs.update({kw: a.setting(key.format(**fill)) for kw, key in step.settings.items()})
        kwargs.update({k: getattr(smk.params, k) for k in step.params})
        kwargs.update({k: _as_paths(a.output(k)) for k in step.written})
        kwargs.update(step.constants)
        made = [o for o in step.outputs if o not in step.copies and o not in step.written]
        result = _by_name(a.call(step.resolve(), **kwargs), made)
        if isinstance(result.get(DEVICE), str):  # the torch device the step ran on, for every sidecar
            a.device = result.pop(DEVICE)
        run_facts = dict(result.pop(SIDECAR, None) or {})
        result.update({copy: result[of] for copy, of in step.copies.items()})
        missing = [o for o in step.outputs if o not in result and o not in step.written]
        missing += [o for o in step.written if not all(Path(p).is_file() for p in _files(a.output(o)))]
        if missing:
            raise KeyError(f"step {name!r}: {step.function} returned or wrote no {missing}")
        named_inputs = {k: a.input(k) for k in step.inputs}
        from analysis.core.results import write_sidecar

        for path in (p for out in step.written for p in _files(a.output(out))):
            write_sidecar(path, None, **a._prov(None, run_facts))
        for out in (o for o in step.outputs if o not in step.written):
            value = result[out]
            extra = dict(run_facts)
            if out in step.sources:
                src = named_inputs[step.sources[out]]
                first = src if isinstance(src, (str, Path)) else list(src)[0]
                extra["computed_by"] = {**written_by(first), "file": portable_path(first)}
            if isinstance(value, list) and value and all(isinstance(x, Finding) for x in value):
                a.findings(_sources(value, named_inputs, a.function or "", name), out, **extra)
            elif isinstance(value, list) and value and all(isinstance(x, ScoreRow) for x in value):
                a.table(rows_to_frame(value), out, **extra)
            elif _is_chart(value):
                a.figure(value, out, **extra)
            elif _is_frame(value):
                a.table(value, out, **extra)
            elif isinstance(value, str):
                a.text(value, out, **extra)
            else:
                a.json(value, out, **extra)


def _files(paths: Any) -> list[str]:
    return [str(paths)] if isinstance(paths, (str, Path)) else [str(p) for p in paths]


def _as_paths(paths: Any) -> Any:
    return str(paths) if isinstance(paths, (str, Path)) else [str(p) for p in paths]


def _read_named(paths: Any) -> Any:
    """A named input as the function receives it: one file read by suffix; an optional input (a
    list in the rule) None when empty, its one file's value, or the values of several files."""
    if isinstance(paths, (str, Path)):
        return read_input(paths)
    paths = list(paths)
    if not paths:
        return None
    return read_input(paths[0]) if len(paths) == 1 else [read_input(p) for p in paths]


def _by_name(result: Any, names: list[str]) -> dict[str, Any]:
    """A step function's result as ``{output: value}``: a mapping as it is, a tuple by position, a
    single value for the single output."""
    if isinstance(result, Mapping) and all(n in result for n in names):
        return dict(result)
    if isinstance(result, tuple) and len(result) == len(names):
        return dict(zip(names, result))
    if len(names) == 1:
        return {names[0]: result}
    raise TypeError(f"a step function must return a mapping with {names}, or a tuple of {len(names)}")


def _is_frame(value: Any) -> bool:
    import pandas as pd

    return isinstance(value, pd.DataFrame)


def _is_chart(value: Any) -> bool:
    try:
        import altair as alt
    except ImportError:  # pragma: no cover - altair is a dependency
        return False
    return isinstance(value, alt.TopLevelMixin)
