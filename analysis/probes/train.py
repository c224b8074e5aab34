"""Training the small byte-level Gemma of the probes stage (:mod:`analysis.probes.model`) on the
offline corpus (:mod:`analysis.probes.corpus`), one variant at a time, for several seeds.

* Fixed seeds: the model of seed ``s`` is initialised with ``torch.manual_seed(s)`` and step ``t``
  draws its batch from ``numpy.random.default_rng([s, t])`` (a resumed run sees the same batches).
* Periodic checkpoints (one file per seed) so an interrupted run resumes; finished seeds are kept
  beside them until the whole variant is done. tqdm progress on stderr.
* Held-out loss on the *whole* validation split: windows of ``seq_len + 1`` bytes that start every
  ``seq_len`` bytes, so every validation byte but the first is predicted exactly once.
* Threads: the caller (the rule's adapter) sets torch's thread count; the trainer never changes it.

The model and corpus names are re-exported here (``build_model``, ``variant_spec``, ``load_model``,
``stdlib_corpus``, ``prope_table``) for the stages that import them from this module.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from analysis.core.device import choose_device
from analysis.core.errors import InputError
from analysis.probes.corpus import Corpus, stdlib_corpus
from analysis.probes.model import (
    VARIANTS, apply_variant, build_model, frequency_keep_mask, load_model, restored_spec,
    variant_inv_freq, variant_spec,
)
from analysis.probes.prope import prope_table

__all__ = [
    "EVAL_BATCH", "VARIANTS", "Corpus", "apply_variant", "build_model", "eval_windows", "evaluate",
    "frequency_keep_mask", "load_model", "prope_table", "restored_spec", "stdlib_corpus",
    "train_results", "train_variant_seed", "train_variant", "variant_inv_freq", "variant_spec",
]

EVAL_BATCH = 64  # windows per evaluation forward pass (fixed: results do not depend on the machine)


def _batch(data: np.ndarray, seq_len: int, batch: int, rng: np.random.Generator) -> np.ndarray:
    starts = rng.integers(0, len(data) - seq_len - 1, size=batch)
    return np.stack([data[s : s + seq_len + 1] for s in starts]).astype(np.int64)


def eval_windows(n_bytes: int, seq_len: int) -> list[tuple[int, int]]:
    """``(start, stop)`` byte ranges covering ``n_bytes`` held-out bytes: windows of ``seq_len + 1``
    bytes starting every ``seq_len`` bytes (the last one shorter), so that bytes ``1 .. n_bytes - 1``
    are each predicted once, from at most ``seq_len`` bytes of context inside their window."""
    if n_bytes < 2 or seq_len < 1:
        raise InputError(f"validation text of {n_bytes} bytes cannot be evaluated with windows of {seq_len}")
    return [(s, min(s + seq_len + 1, n_bytes)) for s in range(0, n_bytes - 1, seq_len)]


def _window_losses(model: Any, data: np.ndarray, spans: list[tuple[int, int]], device: str) -> float:
    """Summed next-byte cross-entropy (nats) over windows of one length, in fixed-size batches."""
    import torch

    x_all = np.stack([data[a:b] for a, b in spans]).astype(np.int64)
    tot = 0.0
    for i in range(0, len(x_all), EVAL_BATCH):
        x = torch.from_numpy(x_all[i : i + EVAL_BATCH]).to(device)
        logits = model(input_ids=x[:, :-1]).logits.float()
        tot += float(torch.nn.functional.cross_entropy(logits.reshape(-1, 256), x[:, 1:].reshape(-1), reduction="sum"))
    return tot


def evaluate(model: Any, data: np.ndarray, seq_len: int, device: str) -> dict[str, float]:
    """Held-out loss over the whole of ``data`` (:func:`eval_windows`): ``loss`` (nats per byte),
    ``perplexity`` (per byte, ``exp(loss)``), ``bits_per_byte``, ``bytes`` (bytes predicted),
    ``windows``."""
    import torch

    spans = eval_windows(len(data), int(seq_len))
    full = [s for s in spans if s[1] - s[0] == seq_len + 1]
    rest = [s for s in spans if s[1] - s[0] != seq_len + 1]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        tot = _window_losses(model, data, full, device) if full else 0.0
        tot += sum(_window_losses(model, data, [s], device) for s in rest)
    model.train(was_training)
    cnt = sum(b - a - 1 for a, b in spans)
    loss = tot / cnt
    return {"loss": loss, "perplexity": math.exp(loss), "bits_per_byte": loss / math.log(2), "bytes": cnt,
            "windows": len(spans)}


def _lr(step: int, steps: int, lr: float, warmup: int) -> float:
    if step < warmup:
        return lr * (step + 1) / warmup
    t = (step - warmup) / max(1, steps - warmup)
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))


def _loss(model: Any, x: Any) -> Any:
    """Next-byte cross-entropy (nats) of a batch of windows ``x[:, :seq_len + 1]``."""
    import torch

    logits = model(input_ids=x[:, :-1]).logits
    return torch.nn.functional.cross_entropy(logits.reshape(-1, 256).float(), x[:, 1:].reshape(-1))


def _arch(prof: Mapping[str, Any]) -> dict[str, Any]:
    """The settings a run's numbers depend on (a checkpoint is resumed only when they match)."""
    return {k: v for k, v in prof.items() if k != "seeds"}


def _resume(ckpt: Path, key: dict[str, Any], model: Any, opt: Any, device: str) -> tuple[int, list[float]]:
    """Load ``ckpt`` into ``model``/``opt`` when it belongs to the same run ``key``: (step, history)."""
    import torch

    if not ckpt.is_file():
        return 0, []
    state = torch.load(ckpt, map_location=device, weights_only=False)
    if state.get("key") != key:
        return 0, []
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["opt"])
    return int(state["step"]), list(state["history"])


def _checkpoint(ckpt: Path, key: dict[str, Any], model: Any, opt: Any, step: int, history: list[float]) -> None:
    import torch

    ckpt.parent.mkdir(parents=True, exist_ok=True)
    tmp = ckpt.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "history": history,
                "key": key}, tmp)
    os.replace(tmp, ckpt)


def train_variant_seed(
    spec: Mapping[str, Any], prof: Mapping[str, Any], seed: int, device: str, corpus: Corpus,
    ckpt: Path, restore: bool = False,
) -> tuple[Any, dict[str, Any], dict[str, float]]:
    """Train one seed of a variant with profile ``prof``: (model, metrics, timings in seconds).
    ``restore``: also evaluate with every frequency restored (:func:`restored_spec`)."""
    import torch
    from tqdm import tqdm

    model = build_model(spec, prof, seed).to(device)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=float(prof["lr"]), weight_decay=0.01, betas=(0.9, 0.95))
    steps, seq, bs = int(prof["steps"]), int(prof["seq_len"]), int(prof["batch"])
    key = {"variant": spec["name"], "seed": int(seed), "profile": _arch(prof)}
    start, history = _resume(ckpt, key, model, opt, device)
    t0 = time.perf_counter()
    bar = tqdm(range(start, steps), desc=f"train {spec['name']} seed {seed}", initial=start, total=steps,
               mininterval=2.0)
    for step in bar:
        x = torch.from_numpy(_batch(corpus.train, seq, bs, np.random.default_rng([seed, step]))).to(device)
        for g in opt.param_groups:
            g["lr"] = _lr(step, steps, float(prof["lr"]), int(prof["warmup"]))
        loss = _loss(model, x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        history.append(float(loss.detach()))
        bar.set_postfix(loss=f"{history[-1]:.3f}", refresh=False)
        if (step + 1) % int(prof["checkpoint_every"]) == 0 and step + 1 < steps:
            _checkpoint(ckpt, key, model, opt, step + 1, history)
    t1 = time.perf_counter()
    m = evaluate(model, corpus.val, seq, device)
    restored = None
    if restore:
        restored = evaluate(apply_variant(model, restored_spec(spec)), corpus.val, seq, device)["loss"]
        apply_variant(model, spec)
    metrics = {
        "seed": int(seed), "val_loss": m["loss"], "val_perplexity": m["perplexity"],
        "val_bits_per_byte": m["bits_per_byte"], "val_bytes": m["bytes"], "val_windows": m["windows"],
        "restored_val_loss": restored, "train_loss_last": float(np.mean(history[-20:])),
        "train_loss_curve": history,
        "parameters": int(sum(p.numel() for p in model.parameters())),
    }
    timing = {"steps_resumed_from": start, "train_seconds": t1 - t0, "eval_seconds": time.perf_counter() - t1,
              "steps_per_second": (steps - start) / (t1 - t0) if steps > start and t1 > t0 else None}
    return model, metrics, timing


def _save(model: Any, out_dir: Path) -> None:
    """``save_pretrained`` into a sibling temporary folder, then move each file into ``out_dir``."""
    tmp = out_dir.parent / f".{out_dir.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model.to("cpu").save_pretrained(str(tmp))
    out_dir.mkdir(parents=True, exist_ok=True)
    for f in tmp.iterdir():
        os.replace(f, out_dir / f.name)
    tmp.rmdir()


def _seed_run(spec, prof, seed, device, corpus, ck: Path, first: bool, restore: bool):
    """One seed, or its finished record from an interrupted variant run (``ck/seed<s>.json``)."""
    done = ck / f"seed{seed}.json"
    if done.is_file() and (not first or (ck / "model" / "config.json").is_file()):
        rec = json.loads(done.read_text())
        if rec.get("key") == {"variant": spec["name"], "seed": int(seed), "profile": _arch(prof)}:
            return rec["metrics"], rec["timing"]
    model, metrics, timing = train_variant_seed(spec, prof, seed, device, corpus, ck / f"seed{seed}.pt", restore)
    if first:
        _save(model, ck / "model")
    done.write_text(json.dumps({"key": {"variant": spec["name"], "seed": int(seed), "profile": _arch(prof)},
                                "metrics": metrics, "timing": timing}))
    (ck / f"seed{seed}.pt").unlink(missing_ok=True)
    return metrics, timing


def train_variant(
    variant: str, profile: Mapping[str, Any], device: str, out_dir: str | os.PathLike[str],
    checkpoint_dir: str | os.PathLike[str], corpus: Corpus, restore: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Train ``variant`` with ``profile`` (architecture, optimiser, ``seeds``) once per seed on
    ``device`` (``auto``/``cpu``/``cuda``); save the first seed's model with ``save_pretrained`` into
    ``out_dir`` (the subject model of the probes and harmonics stages). Returns the result (variant,
    profile, per-seed ``runs``) and the timings (seconds; not part of the result: they vary by run)."""
    spec = variant_spec(variant)
    device = choose_device(str(device)).type
    seeds = [int(s) for s in profile["seeds"]]
    if not seeds or len(set(seeds)) != len(seeds):
        raise InputError(f"probes.train seeds must be distinct and non-empty, got {seeds}")
    ck = Path(checkpoint_dir)
    ck.mkdir(parents=True, exist_ok=True)
    runs, timings = [], []
    for i, seed in enumerate(seeds):
        metrics, timing = _seed_run(spec, dict(profile), seed, device, corpus, ck, i == 0, restore)
        runs.append(metrics)
        timings.append({"seed": seed, **timing})
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for f in (ck / "model").iterdir():
        os.replace(f, out / f.name)
    shutil.rmtree(ck, ignore_errors=True)
    result = {
        "variant": variant, "label": spec["label"], "base": spec["base"], "keep_fraction": spec["keep_fraction"],
        "reversed": spec["reversed"], "device": device, "profile": dict(profile), "seeds": seeds, "runs": runs,
        "parameters": runs[0]["parameters"], "corpus_sha256": corpus.sha256,
        "corpus_train_bytes": len(corpus.train), "corpus_val_bytes": len(corpus.val),
    }
    return result, {"runs": timings}


def train_results(
    *, variant: str, config: str, weights: str, checkpoints: str, device: str, corpus_bytes: int, val_every: int,
    restore_check: list[str], cpu: Mapping[str, Any] | None = None, gpu: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The training step of one variant: the device (:func:`choose_device` of ``device``), its profile
    (``gpu`` on CUDA, else ``cpu``), the corpus (:func:`stdlib_corpus`), then :func:`train_variant`,
    which saves the model into the folder of ``config`` and ``weights``. Returns the ``metrics``, the
    ``device`` type it trained on and, for the sidecars only, the timings and torch threads (they
    vary from run to run; the result does not)."""
    import logging

    import torch

    if Path(config).parent != Path(weights).parent:
        raise InputError(f"config {config} and weights {weights} must lie in one model folder")
    kind = choose_device(device).type
    profile = gpu if kind == "cuda" else cpu
    if profile is None:
        raise InputError(f"no probes.train.{'gpu' if kind == 'cuda' else 'cpu'} profile passed for device {kind}")
    corpus = stdlib_corpus(corpus_bytes, val_every)
    log = logging.getLogger(__name__)
    log.info("%s on %s with %d torch thread(s), seeds %s", variant, kind, torch.get_num_threads(), profile["seeds"])
    result, timing = train_variant(variant, profile, kind, Path(config).parent, checkpoints, corpus,
                                   restore=variant in restore_check)
    for t in timing["runs"]:
        log.info("%s seed %d: %s", variant, t["seed"], t)
    return {"metrics": result, "device": kind,
            "sidecar": {"timing": timing, "torch_threads": torch.get_num_threads()}}
