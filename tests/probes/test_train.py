"""Trainer and p-RoPE: frequency masks, save/load round trip, a few training steps, resume."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from analysis.probes import train
from analysis.core.errors import InputError

TINY = {
    "layers": 1,
    "hidden": 32,
    "heads": 2,
    "head_dim": 16,
    "mlp": 48,
    "seq_len": 32,
    "batch": 2,
    "steps": 4,
    "lr": 3e-3,
    "warmup": 1,
    "checkpoint_every": 2,
    "seeds": [0],
}


def test_prope_masks_lowest_and_reversed_masks_highest():
    m = train.frequency_keep_mask(8, 0.75)
    assert m.tolist() == [True] * 6 + [False] * 2  # index 0 = highest frequency: the lowest 2 removed
    r = train.frequency_keep_mask(8, 0.75, reversed=True)
    assert r.tolist() == [False] * 2 + [True] * 6
    assert not train.frequency_keep_mask(8, 0.0).any() and train.frequency_keep_mask(8, 1.0).all()
    with pytest.raises(InputError, match="keep_fraction"):
        train.frequency_keep_mask(8, 1.5)


@pytest.mark.parametrize("name", list(train.VARIANTS))
def test_variant_inv_freq_and_roundtrip(name, tmp_path):
    spec = train.variant_spec(name)
    model = train.build_model(spec, TINY, seed=0)
    full = 1.0 / spec["base"] ** (torch.arange(0, 16, 2, dtype=torch.float) / 16)
    keep = torch.from_numpy(train.frequency_keep_mask(8, spec["keep_fraction"], spec["reversed"]))
    expect = torch.where(keep, full, torch.zeros(8))
    torch.testing.assert_close(model.model.rotary_emb.inv_freq, expect)
    model.save_pretrained(tmp_path)
    # transformers recomputes inv_freq at load time; load_model re-applies the stored variant
    loaded = train.load_model(tmp_path)
    torch.testing.assert_close(loaded.model.rotary_emb.inv_freq, expect)
    x = torch.randint(0, 256, (1, 10))
    torch.testing.assert_close(
        loaded(input_ids=x).logits, model.eval()(input_ids=x).logits, atol=1e-5, rtol=1e-5
    )


def test_nope_ignores_order_of_the_prefix():
    # one layer: the last position attends to the prefix as a set under NoPE, not under RoPE
    nope = train.build_model(train.variant_spec("nope"), TINY, seed=0).eval()
    rope = train.build_model(train.variant_spec("rope10k"), TINY, seed=0).eval()
    a, b = torch.tensor([[10, 20, 30, 40, 50]]), torch.tensor([[30, 10, 40, 20, 50]])
    with torch.no_grad():
        torch.testing.assert_close(
            nope(input_ids=a).logits[0, -1], nope(input_ids=b).logits[0, -1], atol=1e-5, rtol=1e-5
        )
        assert not torch.allclose(rope(input_ids=a).logits[0, -1], rope(input_ids=b).logits[0, -1], atol=1e-5)


def test_corpus_is_deterministic_and_splits_files():
    a, b = train.stdlib_corpus(50_000, val_every=3), train.stdlib_corpus(50_000, val_every=3)
    assert a.sha256 == b.sha256 and a.files == b.files and np.array_equal(a.train, b.train)
    assert a.val_files == a.files[2::3] and a.train.dtype == np.uint8
    assert len(a.train) + len(a.val) >= 50_000
    with pytest.raises(InputError, match="no Python standard library"):
        train.stdlib_corpus(50_000, root="/nonexistent")


def test_eval_windows_predict_every_byte_once():
    for n, seq in ((1000, 32), (33, 32), (34, 32), (2, 5), (257, 256)):
        spans = train.eval_windows(n, seq)
        predicted = [i for a, b in spans for i in range(a + 1, b)]
        assert predicted == list(range(1, n)), (n, seq)
        assert all(b - a <= seq + 1 for a, b in spans)
    with pytest.raises(InputError):
        train.eval_windows(1, 32)


def test_evaluate_matches_naive_per_window_loss():
    model = train.build_model(train.variant_spec("rope10k"), TINY, seed=0).eval()
    data = np.random.default_rng(1).integers(0, 256, 150).astype(np.uint8)
    m = train.evaluate(model, data, 32, "cpu")
    tot = 0.0
    with torch.no_grad():
        for a, b in train.eval_windows(len(data), 32):
            x = torch.from_numpy(data[a:b].astype(np.int64))[None]
            tot += float(torch.nn.functional.cross_entropy(model(input_ids=x[:, :-1]).logits[0], x[0, 1:], reduction="sum"))
    assert m["bytes"] == len(data) - 1 and m["windows"] == 5
    assert m["loss"] == pytest.approx(tot / (len(data) - 1), rel=1e-5)
    assert m["perplexity"] == pytest.approx(np.exp(m["loss"]))


def test_training_lowers_loss_is_deterministic_and_resumes(tmp_path):
    corpus = train.stdlib_corpus(60_000, val_every=3)
    prof = dict(TINY, steps=30, checkpoint_every=10, seeds=[0, 1])
    r1, t1 = train.train_variant("p075", prof, "cpu", tmp_path / "a", tmp_path / "ck_a", corpus, restore=True)
    assert (tmp_path / "a" / "config.json").is_file() and (tmp_path / "a" / "model.safetensors").is_file()
    assert not (tmp_path / "ck_a").exists()  # checkpoints removed after success
    assert [r["seed"] for r in r1["runs"]] == [0, 1] and r1["seeds"] == [0, 1]
    for run in r1["runs"]:
        assert np.mean(run["train_loss_curve"][-5:]) < np.mean(run["train_loss_curve"][:5])
        assert run["val_perplexity"] < 256 and run["val_bytes"] == len(corpus.val) - 1
        assert run["restored_val_loss"] is not None and np.isfinite(run["restored_val_loss"])
    assert r1["runs"][0]["val_loss"] != r1["runs"][1]["val_loss"]  # seeds differ
    assert "train_seconds" not in json.dumps(r1) and t1["runs"][0]["train_seconds"] > 0
    # same seeds, same result (bit for bit), and the saved model is the first seed's
    r2, _ = train.train_variant("p075", prof, "cpu", tmp_path / "c", tmp_path / "ck_c", corpus, restore=True)
    assert json.dumps(r1, sort_keys=True) == json.dumps(r2, sort_keys=True)
    assert (tmp_path / "a" / "model.safetensors").read_bytes() == (tmp_path / "c" / "model.safetensors").read_bytes()
    loaded = train.load_model(tmp_path / "a", attn_implementation="sdpa")
    assert train.evaluate(loaded, corpus.val, 32, "cpu")["loss"] == pytest.approx(r1["runs"][0]["val_loss"], rel=1e-6)
    # interrupted run: stop in seed 1 after its step-10 checkpoint, then resume to the same end point
    ck = tmp_path / "ck_b"

    class Stop(Exception):
        pass

    orig, calls = train._lr, []

    def stop_in_seed_1(step, *a):
        calls.append(step)
        if len(calls) == 30 + 15:
            raise Stop
        return orig(step, *a)

    train._lr = stop_in_seed_1
    try:
        with pytest.raises(Stop):
            train.train_variant("p075", prof, "cpu", tmp_path / "b", ck, corpus, restore=True)
    finally:
        train._lr = orig
    assert (ck / "seed0.json").is_file() and (ck / "seed1.pt").is_file()
    r3, t3 = train.train_variant("p075", prof, "cpu", tmp_path / "b", ck, corpus, restore=True)
    assert [t["steps_resumed_from"] for t in t3["runs"]] == [0, 10]
    assert json.dumps(r3, sort_keys=True) == json.dumps(r1, sort_keys=True)


def test_restoring_frequencies_of_full_rope_changes_nothing(tmp_path):
    corpus = train.stdlib_corpus(30_000, val_every=3)
    r, _ = train.train_variant("rope10k", dict(TINY, steps=3), "cpu", tmp_path / "m", tmp_path / "ck", corpus,
                               restore=True)
    assert r["runs"][0]["restored_val_loss"] == r["runs"][0]["val_loss"]


def test_bad_seeds_are_rejected(tmp_path):
    corpus = train.stdlib_corpus(30_000, val_every=3)
    for seeds in ([], [1, 1]):
        with pytest.raises(InputError, match="seeds"):
            train.train_variant("nope", dict(TINY, seeds=seeds), "cpu", tmp_path / "m", tmp_path / "ck", corpus)


def test_bad_variant_and_missing_model(tmp_path):
    with pytest.raises(InputError, match="unknown RoPE variant 'p050'"):
        train.variant_spec("p050")
    with pytest.raises(InputError, match="no model checkpoint"):
        train.load_model(tmp_path)
