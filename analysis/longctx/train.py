"""Training the same small byte-level model with one RoPE base and several seeds.

The model is the project's Gemma-architecture byte-level LM (:func:`analysis.probes.train.build_model`,
vocabulary = the 256 byte values) with every rotary frequency kept and ``rope_theta`` = the base. It is
trained on windows of the standard-library corpus (:func:`analysis.probes.train.stdlib_corpus`, the
same split as the probes stage) with the retrieval probe of :mod:`analysis.longctx.task` planted in
every window. The loss is the mean next-byte cross-entropy over the text (and record) bytes plus the
mean cross-entropy over the answer bytes, so that the few answer bytes are not drowned by text: a
small model must learn the retrieval within the budget, while the text loss keeps it a language model
whose perplexity on plain held-out text can be measured.

Every base sees the same batches for a given seed (batch ``step`` of seed ``s`` is drawn by a generator
seeded with ``(s, step)``), the same initialisation for that seed, and the same steps and learning-rate
schedule. A run checkpoints every ``checkpoint_every`` steps and resumes from its checkpoint; a
finished seed is kept in the checkpoint folder until every seed of the base is done, so an interrupted
job redoes only the unfinished part.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from analysis.core.errors import InputError
from analysis.longctx import task

__all__ = ["MODEL_KEYS", "base_spec", "lr_at", "train_retrieval_seed", "train_base", "final_dir", "row_for_factor", "train_results"]

MODEL_KEYS = ("layers", "hidden", "heads", "head_dim", "mlp", "seq_len")


def base_spec(base: float) -> dict[str, Any]:
    """The RoPE "variant" of :func:`analysis.probes.train.build_model` for a plain base (all
    frequencies kept)."""
    b = float(base)
    if not (math.isfinite(b) and b > 1.0):
        raise InputError(f"RoPE base must be a finite number above 1, got {base!r}")
    return {"name": f"base{b:.10g}", "base": b, "keep_fraction": 1.0, "reversed": False,
            "label": f"RoPE base {b:.4g}"}


def lr_at(step: int, steps: int, lr: float, warmup: int) -> float:
    """Linear warmup over ``warmup`` steps, then cosine decay to 10% of ``lr`` at ``steps``."""
    if step < warmup:
        return lr * (step + 1) / warmup
    t = (step - warmup) / max(1, steps - warmup)
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))


def _losses(model: Any, tokens: Any, answer: Any) -> tuple[Any, Any]:
    """Mean cross-entropy (nats) over the text bytes and over the answer bytes of a batch."""
    import torch

    logits = model(input_ids=tokens[:, :-1]).logits.float()
    ce = torch.nn.functional.cross_entropy(
        logits.reshape(-1, 256), tokens[:, 1:].reshape(-1), reduction="none"
    ).view(tokens.shape[0], -1)
    ans = answer[:, 1:]
    text = ~ans
    return (ce * text).sum() / text.sum().clamp(min=1), (ce * ans).sum() / ans.sum().clamp(min=1)


def _save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def _resume(path: Path, model: Any, opt: Any, ident: dict[str, Any], device: str) -> tuple[int, dict[str, list[float]]]:
    """Step and loss history of a matching checkpoint (loaded into model and optimiser), else 0."""
    import torch

    if not path.is_file():
        return 0, {"text": [], "answer": []}
    state = torch.load(path, map_location=device, weights_only=False)
    if state.get("ident") != ident:
        return 0, {"text": [], "answer": []}
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["opt"])
    return int(state["step"]), state["history"]


def train_retrieval_seed(
    base: float, seed: int, train_cfg: Mapping[str, Any], probe_cfg: Mapping[str, Any],
    text: np.ndarray, work_dir: Path, device: str,
) -> dict[str, Any]:
    """Train one model (``base``, ``seed``) on ``text`` (sanitised training bytes), resuming from
    ``work_dir/checkpoint.pt``; the finished model is saved to ``work_dir/final`` and its metrics
    (losses, no wall times) returned and stored there as ``metrics.json``."""
    import torch
    from tqdm import tqdm

    from analysis.probes.train import build_model

    prof = {k: train_cfg[k] for k in MODEL_KEYS}
    steps, seq, bs = int(train_cfg["steps"]), int(train_cfg["seq_len"]), int(train_cfg["batch"])
    lr, warm, every = float(train_cfg["lr"]), int(train_cfg["warmup"]), int(train_cfg["checkpoint_every"])
    n_rec, extra = int(probe_cfg["n_records"]), int(probe_cfg["extra_queries"])
    model = build_model(base_spec(base), prof, int(seed)).to(device)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01, betas=(0.9, 0.95))
    ident = {"base": float(base), "seed": int(seed), "train": dict(train_cfg), "probe": dict(probe_cfg)}
    ckpt = work_dir / "checkpoint.pt"
    start, hist = _resume(ckpt, model, opt, ident, device)
    bar = tqdm(range(start, steps), desc=f"base {base:.4g} seed {seed}", initial=start, total=steps,
               mininterval=2.0)
    for step in bar:
        rng = np.random.default_rng([int(seed), step])
        toks, ans = task.train_batch(text, seq, bs, n_rec, extra, rng)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, lr, warm)
        lt, la = _losses(model, torch.from_numpy(toks).to(device), torch.from_numpy(ans).to(device))
        opt.zero_grad(set_to_none=True)
        (lt + la).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        hist["text"].append(float(lt.detach()))
        hist["answer"].append(float(la.detach()))
        if (step + 1) % every == 0 and step + 1 < steps:
            _save_checkpoint(ckpt, {"model": model.state_dict(), "opt": opt.state_dict(), "step": step + 1,
                                    "history": hist, "ident": ident})
    tail = max(1, min(20, steps // 5))
    metrics = {
        "base": float(base), "seed": int(seed), "steps": steps, "steps_resumed_from": start,
        "train_text_loss_last": float(np.mean(hist["text"][-tail:])),
        "train_answer_loss_last": float(np.mean(hist["answer"][-tail:])),
        "train_text_loss_curve": hist["text"], "train_answer_loss_curve": hist["answer"],
        "parameters": int(sum(p.numel() for p in model.parameters())),
    }
    final = work_dir / "final"
    tmp = work_dir / ".final.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model.to("cpu").save_pretrained(str(tmp))
    (tmp / "metrics.json").write_text(json.dumps(metrics, sort_keys=True))
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    ckpt.unlink(missing_ok=True)
    return metrics


def final_dir(models_dir: str | os.PathLike[str], seed: int) -> Path:
    """Folder of the finished model of ``seed`` under a base's models folder."""
    return Path(models_dir) / f"seed{int(seed)}"


def train_base(
    base: float, seeds: list[int], train_cfg: Mapping[str, Any], probe_cfg: Mapping[str, Any],
    corpus_cfg: Mapping[str, Any], models_dir: str | os.PathLike[str],
    checkpoint_dir: str | os.PathLike[str], device: str,
) -> dict[str, Any]:
    """Train one model per seed with ``base`` (seeds already finished in ``checkpoint_dir`` are
    reused), then move every model to ``models_dir/seed<s>/`` (config.json + model.safetensors) and
    return ``{"base", "device", "corpus_sha256", "runs": [metrics per seed]}``."""
    from analysis.core.device import choose_device
    from analysis.probes.train import stdlib_corpus

    if not seeds or len(set(seeds)) != len(seeds):
        raise InputError(f"seeds must be a non-empty list of distinct integers, got {seeds!r}")
    dev = choose_device(device).type
    corpus = stdlib_corpus(int(corpus_cfg["bytes"]), int(corpus_cfg["val_every"]))
    text = task.sanitize(corpus.train)
    runs = []
    for s in seeds:
        work = Path(checkpoint_dir) / f"seed{int(s)}"
        done = work / "final" / "metrics.json"
        if done.is_file() and (work / "final" / "model.safetensors").is_file():
            runs.append(json.loads(done.read_text()))
        else:
            runs.append(train_retrieval_seed(base, int(s), train_cfg, probe_cfg, text, work, dev))
    for s in seeds:
        src, dst = Path(checkpoint_dir) / f"seed{int(s)}" / "final", final_dir(models_dir, s)
        dst.mkdir(parents=True, exist_ok=True)
        for f in ("config.json", "model.safetensors"):
            os.replace(src / f, dst / f)
    shutil.rmtree(checkpoint_dir, ignore_errors=True)
    return {"base": float(base), "device": dev, "corpus_sha256": corpus.sha256,
            "corpus_train_bytes": int(len(corpus.train)), "runs": runs}


def row_for_factor(grid: Mapping[str, Any], factor: float) -> dict[str, Any]:
    """The row of ``grid["bases"]`` (:func:`analysis.longctx.bases.base_grid`) trained with ``factor``."""
    for row in grid["bases"]:
        if math.isclose(float(row["factor"]), float(factor), rel_tol=1e-12):
            return dict(row)
    raise InputError(f"no trained base with factor {factor!r} in the base grid")


def train_results(*, bases: Mapping[str, Any], factor: str, seeds: list[int], train_cfg: Mapping[str, Any],
                  probe_cfg: Mapping[str, Any], corpus_cfg: Mapping[str, Any], models: list[str], checkpoints: str,
                  profile: str) -> dict[str, Any]:
    """The stage's train step: :func:`train_base` for the base of ``factor`` x Men's bound (a row of
    the ``bases`` grid), every seed, on the ``profile``'s device, saving the model files ``models``
    (``<models_dir>/seed<s>/...``); ``runs`` (with factor and profile), the device and the training
    time (for the sidecars)."""
    import time

    from analysis.core.device import profile_device

    models_dir = str(Path(models[0]).parent.parent)
    row = row_for_factor(bases, float(factor))
    t0 = time.perf_counter()
    runs = train_base(row["base"], seeds, train_cfg, probe_cfg, corpus_cfg, models_dir, checkpoints,
                      profile_device(profile))
    runs.update(factor=row["factor"], profile=profile)
    return {"runs": runs, "device": str(runs["device"]), "sidecar": {"train_seconds": time.perf_counter() - t0}}
