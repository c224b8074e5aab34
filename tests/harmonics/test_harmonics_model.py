"""Harmonics stage on a (tiny, randomly initialised) Gemma model saved like the probes stage's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis import harmonics as h
from analysis.core.config import ROOT
from analysis.core.errors import InputError
from tests.conftest import save_tiny_gemma

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer byte-level GemmaForCausalLM saved with save_pretrained (config.json + model.safetensors)."""
    out = save_tiny_gemma(tmp_path_factory.mktemp("tiny_gemma"))
    assert (out / "model.safetensors").is_file() and (out / "config.json").is_file()
    return out


def test_hooked_activations_equal_gate_times_up(tiny_model_dir):
    model = transformers.AutoModelForCausalLM.from_pretrained(
        tiny_model_dir, local_files_only=True, dtype=torch.float32
    ).eval()
    ids = torch.tensor([list(b"phase and harmonics")])
    acts = h.mlp_activations(model, ids)
    assert len(acts) == 2
    # reference: the MLP input x, then act_fn(gate_proj(x)) * up_proj(x) computed by hand
    inputs = []
    mlp0 = model.model.layers[0].mlp
    handle = mlp0.register_forward_pre_hook(lambda _m, args: inputs.append(args[0].detach()))
    with torch.no_grad():
        model(input_ids=ids)
        handle.remove()
        x = inputs[0]
        ref = (mlp0.act_fn(mlp0.gate_proj(x)) * mlp0.up_proj(x))[0].double().numpy()
    assert acts[0].shape == (ids.shape[1], 48)
    np.testing.assert_allclose(acts[0], ref, rtol=1e-6, atol=1e-7)
    assert acts[0].dtype == np.float64


def test_real_model_spectra_generic(tiny_model_dir):
    text = (ROOT / "data" / "harmonics" / "passage.txt").read_text()
    spectra, lines, info = h.real_model_spectra(str(tiny_model_dir), text, 256, "hann", 2, device="cpu")
    assert info["n_positions"] == 256 and info["layers"] == 2 and info["head_dim"] == 16
    assert info["base"] == pytest.approx(10_000.0)
    assert set(spectra["layer"]) == {-1, 0, 1}
    assert len(spectra) == 3 * 129
    assert np.isfinite(spectra["amplitude"]).all()
    assert set(info["line_power_ratio"]) == {"-1", "0", "1"}
    # only lines at least one main lobe (2 bins) from DC are used
    theta = 10_000.0 ** (-np.arange(0, 16, 2) / 16)
    assert info["lines_used"] == min(4, int((theta / (2 * np.pi) >= 2 / 256).sum()))
    assert (lines["folded_freq"] <= 0.5).all()


def test_real_model_bad_input(tiny_model_dir):
    with pytest.raises(InputError, match="text is empty"):
        h.real_model_spectra(str(tiny_model_dir), "", 64, "hann", 2, device="cpu")
    with pytest.raises(InputError, match="activations must be 2-D"):
        h.activation_spectra(np.ones(16))
    with pytest.raises(InputError, match="no MLP modules"):
        h.mlp_activations(torch.nn.Linear(2, 2), torch.zeros(1, 2))
