"""Frequency probes on a model (Barbero et al. 2024, Figures 3-5): per-frequency q/k chunk norms,
high/low band shares, diagonal and previous-token scores, attention maps of the most positional
heads, and a description of the probed model. Hooks: :mod:`analysis.probes.hooks`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.probes.hooks import SUPPORTED_MODEL_TYPES, capture

__all__ = [
    "band_shares", "chunk_norms", "encode", "load_subject", "measure_results", "measure_subject", "positional_scores",
    "probe_model", "read_texts", "subject_info",
]


def chunk_norms(x: Any) -> np.ndarray:
    """Mean 2-norm of each RoPE 2-D chunk ``(x_i, x_{i+D/2})`` over batch and tokens:
    ``x`` ``[batch, heads, tokens, D]`` -> ``[heads, D/2]`` (frequency ``i = 0`` the highest)."""
    a = np.asarray(x, dtype=np.float64)
    half = a.shape[-1] // 2
    return np.sqrt(a[..., :half] ** 2 + a[..., half:] ** 2).mean(axis=(0, 2))


def band_shares(norms: np.ndarray, band_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Share of the summed chunk norms ``[..., D/2]`` in the highest and in the lowest
    ``max(1, round(band_fraction * D/2))`` frequencies (dimensionless, each in [0, 1])."""
    n = norms.shape[-1]
    m = max(1, int(round(float(band_fraction) * n)))
    tot = norms.sum(-1)
    tot = np.where(tot > 0, tot, np.nan)
    return norms[..., :m].sum(-1) / tot, norms[..., n - m :].sum(-1) / tot


def positional_scores(attn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal and previous-token scores of attention maps ``[batch, heads, T, T]``: mean over
    batch and queries ``t >= 1`` of ``A[t, t]`` and ``A[t, t-1]`` (query 0 is left out: it can only
    attend to itself). Each ``[heads]``, in [0, 1]."""
    a = np.asarray(attn, dtype=np.float64)
    T = a.shape[-1]
    if T < 2:
        raise InputError("positional scores need at least 2 tokens")
    t = np.arange(1, T)
    return a[..., t, t].mean(axis=(0, 2)), a[..., t, t - 1].mean(axis=(0, 2))


def read_texts(path: str | os.PathLike[str]) -> list[str]:
    """Passages of a text file: blocks separated by blank lines; lines starting with ``#`` are
    comments. A missing or empty file raises InputError naming it."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"probe texts not found: {p}")
    lines = [ln for ln in p.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    blocks = [b.strip() for b in "\n".join(lines).split("\n\n")]
    texts = [b for b in blocks if b]
    if not texts:
        raise InputError(f"no passages in {p}")
    return texts


def load_subject(path: str | os.PathLike[str]) -> Any:
    """A local Hugging Face causal LM in eval mode with eager attention (never downloads); our trained
    models get their RoPE variant re-applied. Missing or unsupported checkpoints raise InputError
    with one line naming the checkpoint."""
    from analysis.probes.model import load_model

    p = Path(path)
    cfg_file = p / "config.json"
    if not cfg_file.is_file():
        raise InputError(f"subject checkpoint not found: {p} (no config.json; nothing is downloaded)")
    mt = json.loads(cfg_file.read_text()).get("model_type")
    if mt not in SUPPORTED_MODEL_TYPES:
        raise InputError(
            f"subject checkpoint {p} has unsupported model_type {mt!r} "
            f"(supported: {', '.join(SUPPORTED_MODEL_TYPES)})"
        )
    try:
        return load_model(p, attn_implementation="eager")
    except (OSError, ValueError) as e:
        raise InputError(f"cannot load subject checkpoint {p}: {str(e).splitlines()[0]}") from None


def encode(model: Any, text: str, path: str | os.PathLike[str] | None, max_tokens: int) -> list[int]:
    """Token ids of ``text`` (at most ``max_tokens``): raw UTF-8 bytes for our byte-level models,
    else the checkpoint's own tokenizer (loaded locally from ``path``)."""
    if getattr(model.config, "byte_level", False):
        return list(text.encode("utf-8"))[: int(max_tokens)]
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    except (OSError, ValueError) as e:
        raise InputError(
            f"no local tokenizer for subject checkpoint {path}: {str(e).splitlines()[0]}"
        ) from None
    return tok(text)["input_ids"][: int(max_tokens)]


_KINDS = (("q", "pre"), ("k", "pre"), ("q", "post"), ("k", "post"))


def _one_text(caps: list[Any]) -> tuple[dict[tuple[str, str], np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """What one forward pass left in the captures: chunk norms per (kind, stage) ``[layers, heads, D/2]``
    (key heads repeated onto their query heads), diagonal and previous-token scores ``[layers, heads]``
    and the attention maps of the first sequence ``[layers, heads, T, T]``."""
    per: dict[tuple[str, str], list[np.ndarray]] = {key: [] for key in _KINDS}
    d_l, p_l, a_l = [], [], []
    for c in caps:
        rep = c.q_pre.shape[1] // c.k_pre.shape[1]
        for (kind, stage), x in zip(_KINDS, (c.q_pre, c.k_pre, c.q_post, c.k_post)):
            if x is None:
                raise InputError("the attention modules did not receive position_embeddings (cos, sin)")
            cn = chunk_norms(x.numpy())
            per[(kind, stage)].append(np.repeat(cn, rep, axis=0) if kind == "k" else cn)
        if c.attn is None:
            raise InputError("no attention weights captured: the model must use eager attention")
        dd, pp = positional_scores(c.attn.numpy())
        d_l.append(dd)
        p_l.append(pp)
        a_l.append(c.attn[0].numpy())
    return {k: np.stack(v) for k, v in per.items()}, np.stack(d_l), np.stack(p_l), np.stack(a_l)


def _norms_table(acc: dict[tuple[str, str], list[np.ndarray]], inv: np.ndarray | None) -> pd.DataFrame:
    rows = []
    for (kind, stage), v in acc.items():
        m = np.mean(v, axis=0)
        L, H, F = m.shape
        li, hi, fi = np.meshgrid(np.arange(L), np.arange(H), np.arange(F), indexing="ij")
        theta = inv[fi] if inv is not None and inv.shape[0] == F else np.full(fi.shape, np.nan)
        rows.append(pd.DataFrame({"layer": li.ravel(), "head": hi.ravel(), "kind": kind, "stage": stage,
                                  "freq_index": fi.ravel(), "theta": theta.ravel(), "norm": m.ravel()}))
    return pd.concat(rows, ignore_index=True)


def _heads_table(acc: dict[tuple[str, str], list[np.ndarray]], diag: list[np.ndarray], prev: list[np.ndarray],
                 band_fraction: float) -> pd.DataFrame:
    qn, kn = np.mean(acc[("q", "pre")], axis=0), np.mean(acc[("k", "pre")], axis=0)
    qh, ql = band_shares(qn, band_fraction)
    kh, kl = band_shares(kn, band_fraction)
    dg, pv = np.mean(diag, axis=0), np.mean(prev, axis=0)
    L, H = dg.shape
    li, hi = np.meshgrid(np.arange(L), np.arange(H), indexing="ij")
    return pd.DataFrame({
        "layer": li.ravel(), "head": hi.ravel(), "q_high_share": qh.ravel(), "q_low_share": ql.ravel(),
        "k_high_share": kh.ravel(), "k_low_share": kl.ravel(), "diag_score": dg.ravel(), "prev_score": pv.ravel(),
    })


def _examples_table(heads: pd.DataFrame, first_attn: np.ndarray, example_tokens: int) -> pd.DataFrame:
    ex = []
    T = min(int(example_tokens), first_attn.shape[-1])
    for label, col in (("previous-token", "prev_score"), ("diagonal", "diag_score")):
        best = heads.loc[heads[col].idxmax()]
        la, ha = int(best.layer), int(best["head"])
        a = first_attn[la, ha, :T, :T]
        qi, ki = np.nonzero(np.tril(np.ones((T, T))))
        ex.append(pd.DataFrame({"pattern": label, "layer": la, "head": ha, "score": float(best[col]),
                                "query": qi, "key": ki, "weight": a[qi, ki]}))
    return pd.concat(ex, ignore_index=True)


def probe_model(
    model: Any, token_ids: list[list[int]], band_fraction: float, example_tokens: int = 48
) -> dict[str, pd.DataFrame]:
    """Run each token sequence through ``model`` under :func:`analysis.probes.hooks.capture` and
    measure, per layer and head:

    * ``norms``: mean 2-norm of each q/k chunk by frequency, before and after rotation (columns
      ``layer``, ``head``, ``kind`` in {q, k}, ``stage`` in {pre, post}, ``freq_index``, ``theta``,
      ``norm``), averaged over tokens and then over texts (Figures 3 and 4 of the paper);
    * ``heads``: ``q_high_share``, ``q_low_share``, ``k_high_share``, ``k_low_share`` (pre-rotation,
      :func:`band_shares`), ``diag_score``, ``prev_score`` (:func:`positional_scores`, mean over texts);
    * ``examples``: the first text's attention map (first ``example_tokens`` tokens) of the head with
      the highest previous-token score and of the head with the highest diagonal score.

    Key heads are mapped to query heads (grouped-query attention: head ``h`` uses key head
    ``h // (heads / kv_heads)``)."""
    import torch

    if not token_ids or any(len(t) < 2 for t in token_ids):
        raise InputError("every probe text must give at least 2 tokens")
    dev = next(model.parameters()).device
    acc: dict[tuple[str, str], list[np.ndarray]] = {}
    diag, prev, first_attn = [], [], None
    with capture(model) as caps, torch.no_grad():
        for n, ids in enumerate(token_ids):
            model(input_ids=torch.tensor([ids], device=dev))
            per, dd, pp, attn = _one_text(caps)
            for key, v in per.items():
                acc.setdefault(key, []).append(v)
            diag.append(dd)
            prev.append(pp)
            if n == 0:
                first_attn = attn
    heads = _heads_table(acc, diag, prev, band_fraction)
    return {"norms": _norms_table(acc, _inv_freq(model)), "heads": heads,
            "examples": _examples_table(heads, first_attn, example_tokens)}


def _inv_freq(model: Any) -> np.ndarray | None:
    """The angular frequencies (radians per position) the model actually uses: its rotary embedding's
    ``inv_freq`` (zeros where a p-RoPE variant removed a frequency)."""
    for m in model.modules():
        if m.__class__.__name__.endswith("RotaryEmbedding") and hasattr(m, "inv_freq"):
            return m.inv_freq.detach().double().cpu().numpy()
    return None


def subject_info(
    model: Any,
    path: str | os.PathLike[str],
    trained: bool,
    texts: int,
    tokens: list[int],
    band_fraction: float,
) -> dict[str, Any]:
    """Which model the probes ran on, in words (``name``) and numbers, for figure titles and the report;
    ``band_size`` is the number of frequencies in each band of :func:`band_shares`."""
    c = model.config
    variant = getattr(c, "rope_variant", None)
    n_params = int(sum(p.numel() for p in model.parameters()))
    heads, kv = int(c.num_attention_heads), int(getattr(c, "num_key_value_heads", c.num_attention_heads))
    hd = int(getattr(c, "head_dim", None) or c.hidden_size // heads)
    if trained and variant:
        name = (
            f"our byte-level Gemma, {variant['label']} ({c.num_hidden_layers} layers, {heads} heads x {hd} dims, "
            f"{n_params / 1e6:.2f}M parameters)"
        )
    else:
        name = f"{c.model_type} checkpoint {Path(path).name} ({c.num_hidden_layers} layers, {heads} heads x {hd} dims)"
    inv = _inv_freq(model)
    return {
        "name": name,
        "trained_by_pipeline": bool(trained),
        "path": str(path),
        "model_type": c.model_type,
        "variant": variant,
        "layers": int(c.num_hidden_layers),
        "heads": heads,
        "kv_heads": kv,
        "head_dim": hd,
        "parameters": n_params,
        "rope_theta": _rope_theta(c),
        "inv_freq": None if inv is None else [float(x) for x in inv],
        "texts": int(texts),
        "tokens_per_text": [int(t) for t in tokens],
        "band_fraction": float(band_fraction),
        "band_size": max(1, int(round(float(band_fraction) * (hd // 2)))),
    }


def _rope_theta(config: Any) -> float | None:
    """The RoPE base of a transformers config (``rope_parameters['rope_theta']``), None if absent."""
    rp = getattr(config, "rope_parameters", None)
    if isinstance(rp, dict) and "rope_theta" in rp:
        return float(rp["rope_theta"])
    val = getattr(config, "rope_theta", None)
    return None if val is None else float(val)


def measure_subject(
    model_dir: str | os.PathLike[str], texts_path: str | os.PathLike[str], trained: bool, max_tokens: int,
    band_fraction: float, example_tokens: int,
) -> dict[str, Any]:
    """The probes of the subject model at ``model_dir`` (our trained model when ``trained``, else a
    local checkpoint) on the passages of ``texts_path``: :func:`probe_model`'s tables (``norms``,
    ``heads``, ``examples``) and ``info`` (:func:`subject_info`)."""
    model = load_subject(model_dir)
    texts = read_texts(texts_path)
    ids = [encode(model, t, model_dir, max_tokens) for t in texts]
    tables = probe_model(model, ids, band_fraction, example_tokens)
    info = subject_info(model, model_dir, trained=trained, texts=len(texts), tokens=[len(i) for i in ids],
                        band_fraction=band_fraction)
    return {**tables, "info": info}


def measure_results(
    *, model: list[str], texts: str, subject_checkpoint: str | None, max_tokens: int, band_fraction: float,
    example_tokens: int,
) -> dict[str, Any]:
    """The measuring step: :func:`measure_subject` of the local checkpoint ``subject_checkpoint`` when
    set, else of our trained model (the folder of its files ``model``), on the passages of ``texts``.
    Returns the tables ``norms``, ``heads``, ``examples``, the ``subject`` record and, for the
    sidecars, the subject's name."""
    if subject_checkpoint:
        model_dir = Path(subject_checkpoint)
    elif model:
        model_dir = Path(model[0]).parent
    else:
        raise InputError("probes: neither probes.subject_checkpoint nor the trained subject model's files given")
    out = measure_subject(model_dir, texts, trained=not subject_checkpoint, max_tokens=max_tokens,
                          band_fraction=band_fraction, example_tokens=example_tokens)
    info = out["info"]
    return {"norms": out["norms"], "heads": out["heads"], "examples": out["examples"], "subject": info,
            "sidecar": {"subject": info["name"]}}
