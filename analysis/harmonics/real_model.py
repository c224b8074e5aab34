"""Real FFN activations: spectra across positions of a trained byte-level model's MLP activations
(the probes stage's subject model), with the model's RoPE lines; token embeddings as control."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analysis.core.device import choose_device
from analysis.core.errors import InputError
from analysis.core.rope import inv_freq
from analysis.harmonics.figure_data import real_figure_data
from analysis.harmonics.fourier import combination_lines
from analysis.harmonics.spectra import (
    MAIN_LOBE_BINS,
    _positions_array,
    _positive_int,
    amplitude_spectrum,
    decimate_spectrum,
)

__all__ = ["mlp_activations", "activation_spectra", "real_model_spectra", "real_model_results"]

LINE_COLUMNS = ["label", "order", "kind", "freq", "folded_freq"]


def mlp_activations(model: Any, input_ids: Any) -> list[NDArray[np.float64]]:
    """Hooked MLP activations of a Gemma/Llama-style model: for every MLP module (one with
    ``gate_proj``, ``up_proj``, ``down_proj``), the input of ``down_proj``, i.e.
    ``act_fn(gate_proj(x)) * up_proj(x)``, for batch element 0, as float64 arrays ``(positions, units)``
    in layer order."""
    import torch

    mlps = [m for m in model.modules() if all(hasattr(m, a) for a in ("gate_proj", "up_proj", "down_proj"))]
    if not mlps:
        raise InputError("model has no MLP modules with gate_proj/up_proj/down_proj to hook")
    store: list[NDArray[np.float64]] = [np.empty(0)] * len(mlps)
    handles = []
    for i, m in enumerate(mlps):

        def hook(_mod: Any, args: tuple[Any, ...], i: int = i) -> None:
            store[i] = args[0][0].detach().to("cpu", torch.float64).numpy()

        handles.append(m.down_proj.register_forward_pre_hook(hook))
    try:
        with torch.no_grad():
            model(input_ids=input_ids)
    finally:
        for h in handles:
            h.remove()
    return store


def activation_spectra(acts: NDArray[np.floating], window_name: str = "hann") -> tuple[NDArray, NDArray]:
    """RMS-over-units amplitude spectrum of ``acts[p, unit]`` after removing each unit's mean."""
    a = _positions_array(acts)
    if a.ndim != 2:
        raise InputError("activations must be 2-D (positions, units)")
    freqs, amps = amplitude_spectrum(a - a.mean(axis=0, keepdims=True), window_name)
    return freqs, np.sqrt((amps**2).mean(axis=1))


def _load_model(model_dir: str, device: str | None) -> tuple[Any, str]:
    import torch
    from transformers import AutoModelForCausalLM

    dev = choose_device(device).type
    model = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True, dtype=torch.float32)
    model.to(dev).eval()
    return model, dev


def _input_ids(model: Any, text: str, max_positions: int, dev: str) -> Any:
    """The text's UTF-8 bytes as input ids, at most ``max_positions`` and the model's context."""
    import torch

    ids = list(text.encode("utf-8"))
    vocab = int(model.config.vocab_size)
    if not ids:
        raise InputError("text is empty")
    if max(ids) >= vocab:
        raise InputError(f"text has byte {max(ids)} outside the model's vocabulary of {vocab}")
    n = min(
        len(ids),
        _positive_int(max_positions, "max_positions"),
        int(getattr(model.config, "max_position_embeddings", len(ids))),
    )
    return torch.tensor([ids[:n]], device=dev)


def _rope_of(cfg: Any) -> tuple[float, int]:
    """RoPE base and head dim of a transformers model config."""
    rope_params = getattr(cfg, "rope_parameters", None) or {}
    base = float(rope_params.get("rope_theta", getattr(cfg, "rope_theta", 10000.0)))
    head_dim = int(getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads)
    return base, head_dim


def _layer_spectra(
    layers: list[tuple[int, NDArray[np.float64]]], lines: pd.DataFrame, n: int, window_name: str
) -> tuple[pd.DataFrame, dict[int, float]]:
    """RMS spectrum of each layer and its line power ratio (mean power in the bins nearest the
    predicted lines over the mean power of all non-DC bins; NaN without lines)."""
    spectra, ratios = [], {}
    for layer, a in layers:
        freqs, amp = activation_spectra(a, window_name)
        spectra.append(pd.DataFrame({"layer": layer, "freq": freqs, "amplitude": amp}))
        power = amp**2
        if len(lines):
            kb = np.unique(
                np.clip(np.rint(lines["folded_freq"].to_numpy() * n).astype(int), 1, len(freqs) - 1)
            )
            ratios[layer] = float(power[kb].mean() / power[1:].mean())
        else:
            ratios[layer] = math.nan
    return pd.concat(spectra, ignore_index=True), ratios


def real_model_spectra(
    model_dir: str,
    text: str,
    max_positions: int,
    window_name: str,
    max_order: int,
    device: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Spectra of a saved byte-level model's MLP activations over ``text`` (input ids = UTF-8 bytes).

    Loads ``AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True)`` in float32 on
    ``device`` (CUDA when present unless given). Returns ``(spectra, lines, info)``: ``spectra`` has per
    layer (``layer`` = -1 for the token embeddings, the control: they carry no RoPE rotation) the RMS
    amplitude over units at each bin; ``lines`` the model's RoPE lines and their harmonics/intermods of
    order ``<= max_order``; ``info`` the ``line_power_ratio`` per layer (1 means no excess at the lines).
    """
    import torch

    model, dev = _load_model(model_dir, device)
    input_ids = _input_ids(model, text, max_positions, dev)
    n = int(input_ids.shape[1])
    acts = mlp_activations(model, input_ids)
    with torch.no_grad():
        emb = model.get_input_embeddings()(input_ids)[0].to("cpu", torch.float64).numpy()
    cfg = model.config
    base, head_dim = _rope_of(cfg)
    theta = inv_freq(base, head_dim)
    # lines resolvable in this short record: frequencies at least one main lobe from DC
    used = theta[theta / (2 * np.pi) >= MAIN_LOBE_BINS[window_name] / n][:4]
    lines = combination_lines(used, max_order) if len(used) else pd.DataFrame(columns=LINE_COLUMNS)
    spectra, ratios = _layer_spectra([(-1, emb)] + list(enumerate(acts)), lines, n, window_name)
    info = {
        "n_positions": n,
        "layers": len(acts),
        "base": base,
        "head_dim": head_dim,
        "device": dev,
        "window": window_name,
        "lines_used": int(len(used)),
        "line_power_ratio": {str(k): v for k, v in ratios.items()},
        "hidden_act": str(getattr(cfg, "hidden_act", getattr(cfg, "hidden_activation", ""))),
        "model_type": str(cfg.model_type),
    }
    return spectra, lines, info


def real_model_results(
    *, model_file: str, text_file: str, text_name: str, max_positions: int, window: str, max_line_order: int,
    plot_points: int,
) -> dict[str, Any]:
    """The stage's real-model results for the subject model whose weights are ``model_file``
    (its folder is loaded) over the text file ``text_file`` (``text_name`` as configured):
    ``spectra``, ``lines``, ``summary`` (:func:`real_model_spectra`'s info plus ``model_dir`` and
    ``text``) and the figure's data ``plot_spectra`` (peak-preserving thinning to ``plot_points``
    cells per layer, :func:`~analysis.harmonics.figure_data.real_figure_data`) and ``plot_lines``."""
    model_dir = str(Path(model_file).parent)
    text = Path(text_file).read_text(encoding="utf-8")
    spectra, lines, info = real_model_spectra(model_dir, text, int(max_positions), window, int(max_line_order))
    info["model_dir"] = model_dir
    info["text"] = text_name
    plot = real_figure_data(decimate_spectrum(spectra, int(plot_points), by="layer"), lines)
    return {"spectra": spectra, "lines": lines, "summary": info, "plot_spectra": plot["real_spectra"],
            "plot_lines": plot["real_lines"], "device": str(info["device"])}
