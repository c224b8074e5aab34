"""Trainer and p-RoPE: frequency masks, save/load round trip, a few training steps, resume."""

from __future__ import annotations

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
    "eval_windows": 4,
    "checkpoint_every": 2,
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


def test_training_steps_lower_loss_and_resume(tmp_path):
    corpus = train.stdlib_corpus(60_000, val_every=3)
    cfg = {"device": "cpu", "seed": 0, "cpu": dict(TINY, steps=30, checkpoint_every=10)}
    m1 = train.train_variant("rope10k", cfg, tmp_path / "a", tmp_path / "ck_a", corpus, threads=1)
    assert (tmp_path / "a" / "config.json").is_file() and (tmp_path / "a" / "model.safetensors").is_file()
    assert not (tmp_path / "ck_a").exists()  # checkpoint removed after success
    assert np.mean(m1["train_loss_curve"][-5:]) < np.mean(m1["train_loss_curve"][:5])
    assert m1["val_perplexity"] < 256 and m1["device"] == "cpu"
    # interrupted run: stop after the step-10 checkpoint, then resume to the same end point
    cfg_short = {"device": "cpu", "seed": 0, "cpu": dict(TINY, steps=30, checkpoint_every=10)}
    ck = tmp_path / "ck_b"

    class Stop(Exception):
        pass

    orig = train._lr

    def stop_at_15(step, *a):
        if step == 15:
            raise Stop
        return orig(step, *a)

    train._lr = stop_at_15
    try:
        with pytest.raises(Stop):
            train.train_variant("rope10k", cfg_short, tmp_path / "b", ck, corpus, threads=1)
    finally:
        train._lr = orig
    assert (ck / "checkpoint.pt").is_file()
    m2 = train.train_variant("rope10k", cfg_short, tmp_path / "b", ck, corpus, threads=1)
    assert m2["steps_resumed_from"] == 10
    assert m2["val_loss"] == pytest.approx(m1["val_loss"], rel=1e-4)


def test_bad_variant_and_missing_model(tmp_path):
    with pytest.raises(InputError, match="unknown RoPE variant 'p050'"):
        train.variant_spec("p050")
    with pytest.raises(InputError, match="no model checkpoint"):
        train.load_model(tmp_path)
