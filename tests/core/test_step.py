"""The step mechanism (analysis.core.step): every registered step resolves to a function whose
parameters are its inputs, settings and constants; every setting exists in config.yaml; the generic
runner writes each output by type with its sidecar, tuples by position, copies in a second format,
scorecard rows as a table, and findings with the step and function that computed their value."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.core.config import ROOT, load_yaml
from analysis.core.step import Step, find_step, run_step, step_registry

STAGES = [p.parent.name for p in sorted((ROOT / "analysis").glob("*/steps.py"))]


def _dig(cfg, key):
    node = cfg
    for part in key.split("."):
        node = node[part]
    return node


@pytest.mark.parametrize("stage", STAGES)
def test_every_step_resolves_and_its_keywords_are_parameters(stage):
    cfg = load_yaml(ROOT / "config" / "config.yaml")
    for name, step in step_registry(stage).items():
        fn = step.resolve()
        params = inspect.signature(fn).parameters
        has_kwargs = any(p.kind is p.VAR_KEYWORD for p in params.values())
        for kw in [*step.inputs, *step.settings, *step.constants, *step.params, *step.written]:
            assert has_kwargs or kw in params, f"{stage}.{name}: {step.function} has no parameter {kw!r}"
        for key in step.keys_for(**{k: "cpu" for k in step.key_params}):  # the cpu profile where a key has one
            _dig(cfg, key)  # KeyError names a setting that config.yaml lacks
        assert set(step.copies) <= set(step.outputs) and set(step.copies.values()) <= set(step.outputs)
        assert set(step.written) <= set(step.outputs) and set(step.paths) <= set(step.inputs)


def test_unknown_step_names_what_exists():
    with pytest.raises(KeyError, match="men_table"):
        find_step("bounds.no_such_step")


class _Named(dict):
    """Snakemake's named lists, enough for the adapter: attributes and items()."""

    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k) from None


def _smk(tmp: Path, rule: str, step: str, inputs: dict, outputs: dict, settings: dict):
    return SimpleNamespace(rule=rule, input=_Named(inputs), output=_Named(outputs), log=[str(tmp / "log.txt")],
                           threads=1, params=SimpleNamespace(step=step, settings=settings), scriptdir=None)


def _toy(a: pd.DataFrame, k: int):
    from analysis.core.findings import finding
    from analysis.core.scorecard import ScoreRow

    b = a.assign(y=a["x"] * k)
    found = [finding("total", int(b["y"].sum()), source="a"), finding("k", k)]
    row = ScoreRow("toy", "claim", "paper", 1.0, 1.0, 0.1, "reproduced", "why", "criterion")
    return b, found, [row], b.astype(str)


def test_run_step_writes_each_output_by_type_with_step_and_sources(tmp_path, monkeypatch):
    import analysis.core.step as step_mod

    monkeypatch.chdir(tmp_path)
    src = tmp_path / "a.csv"
    pd.DataFrame({"x": [1, 2, 3]}).to_csv(src, index=False)
    (tmp_path / "a.csv.provenance.json").write_text(json.dumps({"step": "toy.make", "function": "toy.make_a"}))
    toy = Step(f"{__name__}._toy", inputs=("a",), settings={"k": "toy.k"},
               outputs=("table", "csv", "findings", "scorecard", "display"), copies={"csv": "table"},
               sources={"display": "a"})
    monkeypatch.setattr(step_mod, "find_step", lambda name: toy)
    out = {"table": str(tmp_path / "b.parquet"), "csv": str(tmp_path / "b.csv"),
           "findings": str(tmp_path / "findings.json"), "scorecard": str(tmp_path / "scorecard.csv"),
           "display": str(tmp_path / "display.parquet")}
    run_step(_smk(tmp_path, "toy_combine", "toy.combine", {"a": str(src)}, out, {"toy.k": 10}), "toy.combine")
    assert pd.read_parquet(out["table"])["y"].tolist() == [10, 20, 30]
    assert pd.read_csv(out["csv"])["y"].tolist() == [10, 20, 30]
    assert pd.read_csv(out["scorecard"])["verdict"].tolist() == ["reproduced"]
    found = json.loads(Path(out["findings"]).read_text())
    assert found["total"]["computed_by"] == {"step": "toy.make", "function": "toy.make_a", "file": "a.csv"}
    assert found["k"]["computed_by"]["step"] == "toy.combine" and found["k"]["computed_by"]["function"].endswith("._toy")
    side = json.loads(Path(out["table"] + ".provenance.json").read_text())
    assert side["step"] == "toy.combine" and side["rule"] == "toy_combine" and side["settings"] == {"toy.k": 10}
    assert side["inputs"]["a"][0]["path"] == "a.csv"  # relative, never the machine's absolute path
    shown = json.loads(Path(out["display"] + ".provenance.json").read_text())
    assert shown["computed_by"] == {"step": "toy.make", "function": "toy.make_a", "file": "a.csv"}


def test_a_page_number_names_its_function_on_the_website_and_stays_plain_in_the_pdf(tmp_path, monkeypatch):
    from IPython.display import Markdown

    from analysis.report import reportkit as rk

    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "findings.json").write_text(json.dumps({"n": {
        "value": 3, "text": "3 of 4 | *x*", "markdown": False,
        "computed_by": {"step": "s.make", "function": "analysis.s.make_n"}}}))
    monkeypatch.setenv("ROPE_BOUNDS_RESULTS", str(tmp_path))
    info = tmp_path / "info.json"
    info.write_text(json.dumps({"format": {"identifier": {"base-format": "html"}}, "document-path": "x.qmd"}))
    monkeypatch.setenv("QUARTO_EXECUTE_INFO", str(info))
    html = rk.f("s", "n")
    assert isinstance(html, Markdown)
    assert html.data == '[3 of 4 \\| \\*x\\*]{.finding title="computed by analysis.s.make_n (step s.make)"}'
    info.write_text(json.dumps({"format": {"identifier": {"base-format": "typst"}}, "document-path": "x.qmd"}))
    assert rk.f("s", "n") == "3 of 4 | *x*"


def _toy_model(variant: str, folder: str, weights: str):
    Path(weights).write_bytes(variant.encode())
    return {"metrics": {"variant": variant, "folder": folder}, "device": "cpu", "sidecar": {"timing": {"s": 1.5}}}


def test_run_step_passes_params_and_wildcards_and_checks_what_the_function_writes(tmp_path, monkeypatch):
    """A wildcard (or a path made from one) reaches the function through the rule's ``params``; an
    output the function writes itself (``written``) is passed as its path, checked and given a
    sidecar; run-to-run facts (``sidecar``) go to every sidecar, never into the results."""
    import analysis.core.step as step_mod

    monkeypatch.chdir(tmp_path)
    toy = Step(f"{__name__}._toy_model", params=("variant", "folder"), written=("weights",),
               outputs=("weights", "metrics"))
    monkeypatch.setattr(step_mod, "find_step", lambda name: toy)
    out = {"weights": str(tmp_path / "w.bin"), "metrics": str(tmp_path / "m.json")}
    smk = _smk(tmp_path, "toy_train", "toy.train", {}, out, {})
    smk.params.variant, smk.params.folder = "nope", "ck/nope"
    run_step(smk, "toy.train")
    assert json.loads(Path(out["metrics"]).read_text()) == {"variant": "nope", "folder": "ck/nope"}
    assert Path(out["weights"]).read_bytes() == b"nope"
    for f in out.values():
        side = json.loads(Path(f + ".provenance.json").read_text())
        assert side["device"]["used"] == "cpu" and side["timing"] == {"s": 1.5} and side["step"] == "toy.train"
    toy_lazy = Step(f"{__name__}._toy_model", params=("variant", "folder"), written=("weights",),
                    outputs=("weights", "metrics"), constants={"weights": str(tmp_path / "elsewhere.bin")})
    monkeypatch.setattr(step_mod, "find_step", lambda name: toy_lazy)
    out2 = {"weights": str(tmp_path / "w2.bin"), "metrics": str(tmp_path / "m2.json")}
    smk2 = _smk(tmp_path, "toy_train", "toy.train", {}, out2, {})
    smk2.params.variant, smk2.params.folder = "nope", "ck"
    with pytest.raises(KeyError, match="wrote no"):
        run_step(smk2, "toy.train")


def test_run_step_refuses_a_rule_whose_outputs_differ_from_the_step(tmp_path, monkeypatch):
    import analysis.core.step as step_mod

    monkeypatch.setattr(step_mod, "find_step", lambda name: Step(f"{__name__}._toy", outputs=("table",)))
    with pytest.raises(KeyError, match="declares outputs"):
        run_step(_smk(tmp_path, "toy", "toy.x", {}, {"other": str(tmp_path / "o.csv")}, {}), "toy.x")
