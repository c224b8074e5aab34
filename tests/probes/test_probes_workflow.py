"""The probes stage end to end on the smoke profile: results, scorecard, model contract, page."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.core.scorecard import COLUMNS, VERDICTS

pytestmark = pytest.mark.slow


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


def test_page_executes(smoke_results):
    from tests.qmd import execute_qmd

    execute_qmd("report/probes.qmd", smoke_results)
