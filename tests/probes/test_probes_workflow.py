"""The probes stage end to end on the smoke profile: results, scorecard, model contract, page; and its
rules in the step shape (every rule runs a step of analysis/probes/steps.py)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.core.config import ROOT
from analysis.core.scorecard import COLUMNS, VERDICTS


def test_rules_run_steps():
    """Every probes rule runs a step of the registry with the one step script (no adapter scripts);
    the training rule passes its wildcard and checkpoint folder as params, and a forced device reads
    only its own training profile."""
    import re

    from analysis.core.step import step_registry

    steps = step_registry("probes")
    smk = (ROOT / "workflow" / "rules" / "probes.smk").read_text()
    rules = re.findall(r"^\s*rule (probes_\w+):", smk, flags=re.M)  # the archived run's rules are indented
    assert len(re.findall(r"script:\n\s+STEP_SCRIPT", smk)) == len(rules) and "../scripts/" not in smk
    assert not list((ROOT / "workflow" / "scripts").glob("probes_*.py"))
    assert {f"probes_{n}" for n in steps if not n.startswith("train")} | {"probes_train"} == set(rules)
    assert "import os" in smk  # parse-time Python imports what it uses
    assert steps["train_cpu"].setting_keys.count("probes.train.cpu") == 1
    assert "probes.train.gpu" not in steps["train_cpu"].setting_keys
    assert "probes.train.cpu" not in steps["train_cuda"].setting_keys
    assert {"probes.train.cpu", "probes.train.gpu"} <= set(steps["train"].setting_keys)
    assert steps["train"].params == ("variant", "checkpoints") and steps["train"].written == ("config", "weights")


@pytest.mark.slow
def test_scorecard_and_tables(smoke_results):
    p = smoke_results / "probes"
    score = pd.read_csv(p / "scorecard.csv")
    assert list(score.columns) == list(COLUMNS) and set(score.verdict) <= set(VERDICTS)
    syn = score[score.item.str.startswith(("Proposition", "Theorem", "Figure 2"))]
    assert (syn.verdict != "not reproducible offline").all()
    assert (score[score.item.str.contains("validation perplexity")].verdict == "not reproducible offline").all()
    assert (score.criterion.str.len() > 0).all()
    assert set(score[score.item.str.startswith("Table 2 ordering")].verdict) <= {"reproduced", "differs", "inconclusive"}
    prope = pd.read_csv(p / "prope.csv")
    assert set(prope.variant) == {"rope10k", "nope"} and (prope.val_perplexity > 1).all()
    assert (prope.seeds == 2).all() and (prope.val_loss_min <= prope.val_loss_mean).all()
    runs = pd.read_csv(p / "prope_runs.csv")
    corpus = json.loads((p / "corpus.json").read_text())
    assert len(runs) == 4 and (runs.val_bytes == corpus["val_bytes"] - 1).all()  # the whole held-out split
    heads = pd.read_csv(p / "head_summary.csv")
    assert heads[["diag_score", "prev_score"]].apply(lambda c: c.between(0, 1)).all().all()
    assert (p / "freq_norms.parquet.provenance.json").is_file()
    for name in ("figure2", "prop31", "positional_heads", "freq_norms_layers", "prope"):
        assert (p / "figures" / f"{name}.svg").stat().st_size > 1000

    side = json.loads((p / "train" / "rope10k.json.provenance.json").read_text())
    assert side["step"].startswith("probes.train") and side["device"]["used"] == "cpu"
    assert [t["seed"] for t in side["timing"]["runs"]] == [0, 1]  # timings in the sidecar, never the result
    assert "timing" not in json.loads((p / "train" / "rope10k.json").read_text())
    assert (p / "models" / "rope10k" / "model.safetensors.provenance.json").is_file()


@pytest.mark.slow
def test_subject_model_contract(smoke_results):
    """The harmonics stage loads results/probes/models/<subject_variant>/ with AutoModelForCausalLM
    and feeds raw bytes as input ids."""
    import torch
    from transformers import AutoModelForCausalLM

    d = smoke_results / "probes" / "models" / "rope10k"
    cfg = json.loads((d / "config.json").read_text())
    assert (
        cfg["vocab_size"] == 256 and cfg["model_type"] == "gemma" and cfg["rope_variant"]["name"] == "rope10k"
    )
    model = AutoModelForCausalLM.from_pretrained(str(d), local_files_only=True)
    ids = torch.tensor([list(b"def f(x):\n    return x")])
    assert model(input_ids=ids).logits.shape == (1, ids.shape[1], 256)


@pytest.mark.slow
def test_findings_and_display_tables(smoke_results):
    from analysis.core.findings import MARKUP

    p = smoke_results / "probes"
    items = json.loads((p / "findings.json").read_text())
    assert items and all(v["text"].strip() for v in items.values())
    assert all(v["markdown"] or not MARKUP.search(v["text"]) for v in items.values())
    assert "fewer than the 3" in items["seeds_sentence"]["text"]  # the smoke profile trains 2 seeds
    for name in ("prop32", "prope", "scorecard"):
        df = pd.read_parquet(p / "display" / f"{name}.parquet")
        assert all(str(t) == "string" for t in df.dtypes) and "index" not in df.columns
    by = {k: v["computed_by"] for k, v in items.items()}
    assert by["prev_score"]["step"] == "probes.measure" and by["prev_score"]["file"].endswith("head_summary.csv")
    assert by["corpus_sha"]["step"] == "probes.corpus" and by["n_rows"]["step"] == "probes.findings"
    assert by["our_order"]["function"] == "analysis.probes.prope.prope_outputs"


@pytest.mark.slow
def test_page_executes(smoke_results):
    from tests.qmd import execute_qmd

    execute_qmd("report/probes.qmd", smoke_results)
