"""Frequency probes: hooks on tiny random models of each supported architecture."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from analysis import probes
from analysis.core.errors import InputError

SMALL = dict(
    vocab_size=64,
    hidden_size=32,
    intermediate_size=48,
    num_hidden_layers=2,
    num_attention_heads=4,
    head_dim=8,
    max_position_embeddings=64,
    rope_parameters={"rope_type": "default", "rope_theta": 100.0},
)


def tiny(arch: str, kv_heads: int = 2):
    import transformers as tf

    cfg_cls, model_cls = {
        "llama": (tf.LlamaConfig, tf.LlamaForCausalLM),
        "gemma": (tf.GemmaConfig, tf.GemmaForCausalLM),
        "mistral": (tf.MistralConfig, tf.MistralForCausalLM),
        "qwen2": (tf.Qwen2Config, tf.Qwen2ForCausalLM),
    }[arch]
    torch.manual_seed(0)
    cfg = cfg_cls(num_key_value_heads=kv_heads, **SMALL)
    cfg._attn_implementation = "eager"
    return model_cls(cfg).eval()


def hook_count(model) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


@pytest.mark.parametrize("arch", probes.SUPPORTED_MODEL_TYPES)
def test_capture_shapes_and_rotation_reproduces_attention(arch):
    model = tiny(arch)
    ids = torch.randint(0, 64, (1, 11), generator=torch.Generator().manual_seed(1))
    with probes.capture(model) as caps, torch.no_grad():
        model(input_ids=ids)
    assert hook_count(model) == 0
    assert len(caps) == 2
    for c in caps:
        assert tuple(c.q_pre.shape) == (1, 4, 11, 8) and tuple(c.q_post.shape) == (1, 4, 11, 8)
        assert tuple(c.k_pre.shape) == (1, 2, 11, 8) and tuple(c.k_post.shape) == (1, 2, 11, 8)
        assert tuple(c.attn.shape) == (1, 4, 11, 11)
        # the captured post-rotation q, k give exactly the model's attention weights
        k = c.k_post.repeat_interleave(2, dim=1)
        logits = c.q_post @ k.transpose(-1, -2) * 8**-0.5
        logits = logits.masked_fill(torch.triu(torch.ones(11, 11, dtype=torch.bool), 1), float("-inf"))
        torch.testing.assert_close(torch.softmax(logits, -1), c.attn, atol=1e-5, rtol=1e-4)
        # rotation preserves every chunk's norm (HF pairing (i, i + D/2)); position 0 is not rotated
        np.testing.assert_allclose(
            probes.chunk_norms(c.q_pre.numpy()), probes.chunk_norms(c.q_post.numpy()), rtol=1e-5
        )
        torch.testing.assert_close(c.q_pre[:, :, 0], c.q_post[:, :, 0])


@pytest.mark.parametrize("arch", probes.SUPPORTED_MODEL_TYPES)
def test_hooks_removed_when_forward_fails(arch):
    model = tiny(arch)

    def boom(*_):
        raise RuntimeError("boom")

    h = model.model.norm.register_forward_hook(boom)
    with pytest.raises(RuntimeError, match="boom"), probes.capture(model), torch.no_grad():
        assert hook_count(model) > 1
        model(input_ids=torch.tensor([[1, 2, 3]]))
    h.remove()
    assert hook_count(model) == 0


def test_chunk_norms_use_hf_pairing():
    x = np.zeros((1, 1, 1, 8))
    x[..., 0], x[..., 4] = 3.0, 4.0  # pair 0 is (dim 0, dim 4)
    x[..., 3], x[..., 7] = 1.0, 1.0  # pair 3 is (dim 3, dim 7)
    np.testing.assert_allclose(probes.chunk_norms(x)[0], [5.0, 0.0, 0.0, np.sqrt(2)])
    hi, lo = probes.band_shares(probes.chunk_norms(x), 0.25)
    assert hi[0] == pytest.approx(5 / (5 + np.sqrt(2))) and lo[0] == pytest.approx(
        np.sqrt(2) / (5 + np.sqrt(2))
    )


def test_positional_scores_on_constructed_maps():
    T = 6
    a = np.zeros((1, 2, T, T))
    a[0, 0] = np.eye(T)  # diagonal head
    a[0, 1, 0, 0] = 1.0
    a[0, 1, np.arange(1, T), np.arange(T - 1)] = 1.0  # previous-token head
    d, p = probes.positional_scores(a)
    np.testing.assert_allclose(d, [1.0, 0.0])
    np.testing.assert_allclose(p, [0.0, 1.0])


def test_probe_model_tables(tmp_path):
    model = tiny("gemma", kv_heads=1)
    out = probes.probe_model(model, [[1, 2, 3, 4, 5], [9, 8, 7, 6]], 0.25, example_tokens=4)
    n = out["norms"]
    assert len(n) == 2 * 4 * 4 * 2 * 2  # layers x heads x freqs x {q,k} x {pre,post}
    np.testing.assert_allclose(n[n.freq_index == 0].theta, 1.0)
    assert n.theta.min() == pytest.approx(100.0 ** (-6 / 8))
    h = out["heads"]
    assert len(h) == 8 and h[["diag_score", "prev_score"]].apply(lambda c: c.between(0, 1)).all().all()
    assert set(out["examples"].pattern) == {"previous-token", "diagonal"}


def test_subject_errors_name_the_checkpoint(tmp_path):
    with pytest.raises(InputError, match="not found: .*nowhere"):
        probes.load_subject(tmp_path / "nowhere")
    (tmp_path / "gpt").mkdir()
    (tmp_path / "gpt" / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    with pytest.raises(InputError, match="gpt.*unsupported model_type 'gpt2'"):
        probes.load_subject(tmp_path / "gpt")


def test_read_texts(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("# comment\nTo be, or not to be.\n\n\nShall I compare thee\nto a summer's day?\n")
    assert probes.read_texts(f) == ["To be, or not to be.", "Shall I compare thee\nto a summer's day?"]
    with pytest.raises(InputError, match="probe texts not found"):
        probes.read_texts(tmp_path / "missing.txt")
