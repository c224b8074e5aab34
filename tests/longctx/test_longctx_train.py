"""Training: a few steps run, same seeds give the same files, an interrupted run resumes exactly."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import torch

from analysis.core.errors import InputError
from analysis.longctx import task, train
from analysis.probes.train import load_model

pytestmark = pytest.mark.slow  # trains tiny models (seconds each)

TINY = {"layers": 1, "hidden": 16, "heads": 2, "head_dim": 16, "mlp": 32, "seq_len": 32, "batch": 4,
        "steps": 4, "lr": 0.01, "warmup": 1, "checkpoint_every": 2}
PROBE = {"n_records": 3, "extra_queries": 2}
CORPUS = {"bytes": 30000, "val_every": 3}


def _run(tmp, name, seeds=(0, 1), base=500.0):
    return train.train_base(base, list(seeds), TINY, PROBE, CORPUS, tmp / name / "models", tmp / name / "ckpt", "cpu")


def test_same_seeds_give_the_same_files_and_the_base_is_applied(tmp_path):
    a, b = _run(tmp_path, "a"), _run(tmp_path, "b")
    assert a == b
    for s in (0, 1):
        fa = (tmp_path / "a" / "models" / f"seed{s}" / "model.safetensors").read_bytes()
        fb = (tmp_path / "b" / "models" / f"seed{s}" / "model.safetensors").read_bytes()
        assert fa == fb
        assert (tmp_path / "a" / "models" / f"seed{s}" / "config.json").read_text() == \
            (tmp_path / "b" / "models" / f"seed{s}" / "config.json").read_text()
    assert (tmp_path / "a" / "models" / "seed0" / "model.safetensors").read_bytes() != \
        (tmp_path / "a" / "models" / "seed1" / "model.safetensors").read_bytes()
    assert not (tmp_path / "a" / "ckpt").exists()  # checkpoints removed once every seed is done
    m = load_model(tmp_path / "a" / "models" / "seed0")
    expect = 1.0 / 500.0 ** (torch.arange(0, 16, 2, dtype=torch.int64).float() / 16)
    torch.testing.assert_close(m.model.rotary_emb.inv_freq, expect)
    assert len(a["runs"][0]["train_answer_loss_curve"]) == TINY["steps"]


def test_interrupted_run_resumes_to_the_same_model(tmp_path, monkeypatch):
    ref = _run(tmp_path, "ref", seeds=(0,))
    real, calls = task.train_batch, {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:  # step 3: after the checkpoint of step 2
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(task, "train_batch", flaky)
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, "int", seeds=(0,))
    assert (tmp_path / "int" / "ckpt" / "seed0" / "checkpoint.pt").is_file()
    monkeypatch.setattr(task, "train_batch", real)
    res = _run(tmp_path, "int", seeds=(0,))
    assert res["runs"][0]["steps_resumed_from"] == 2
    strip = lambda r: {k: v for k, v in r.items() if k != "steps_resumed_from"}  # noqa: E731
    assert strip(res["runs"][0]) == strip(ref["runs"][0])
    assert (tmp_path / "int" / "models" / "seed0" / "model.safetensors").read_bytes() == \
        (tmp_path / "ref" / "models" / "seed0" / "model.safetensors").read_bytes()


def test_a_finished_seed_is_not_retrained(tmp_path):
    ckpt = tmp_path / "x" / "ckpt" / "seed0" / "final"
    _run(tmp_path, "first", seeds=(0,))
    ckpt.mkdir(parents=True)
    for f in ("config.json", "model.safetensors"):
        (ckpt / f).write_bytes((tmp_path / "first" / "models" / "seed0" / f).read_bytes())
    marker = {"base": 500.0, "seed": 0, "steps": 4, "marker": True}
    (ckpt / "metrics.json").write_text(json.dumps(marker))
    res = _run(tmp_path, "x", seeds=(0,))
    assert res["runs"][0] == marker


def test_bad_base_and_seeds_are_rejected(tmp_path):
    with pytest.raises(InputError, match="base"):
        train.base_spec(1.0)
    with pytest.raises(InputError, match="seeds"):
        _run(tmp_path, "s", seeds=(0, 0))


def test_evaluation_is_deterministic_and_complete(tmp_path):
    from analysis.longctx import measure

    _run(tmp_path, "e")
    ev = {"distances": [1, 7, 31], "per_distance": 3, "seed": 0, "windows": 2, "batch": 4}
    args = (str(tmp_path / "e" / "models"), [0, 1], 500.0, 1.0, 32, ev, PROBE, CORPUS, "cpu")
    a, b = measure.evaluate_base(*args), measure.evaluate_base(*args)
    for name in ("perplexity", "retrieval", "attention"):
        pd.testing.assert_frame_equal(a[name], b[name])
    assert len(a["retrieval"]) == 2 * 9 and len(a["attention"]) == 2 * 9 * 1 * 2  # seeds x probes (x layers x heads)
    assert (a["perplexity"].val_perplexity > 1).all() and a["attention"].key_mass.between(0, 1).all()
