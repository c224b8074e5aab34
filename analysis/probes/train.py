"""A small Gemma-architecture byte-level causal LM trained on an offline corpus, with p-RoPE variants.

* Vocabulary: exactly 256 token ids, id = byte value, no special tokens.
* Corpus: the Python standard library's own ``.py`` source files (every machine with Python has
  them): a deterministic, sorted subset, the file list and a sha256 of the text recorded. Whole files
  are held out for validation (every ``val_every``-th file).
* p-RoPE (Barbero et al. 2024): keep a fraction ``p`` of the RoPE frequencies and remove the lowest
  ones (``reversed``: remove the highest instead); ``p = 0`` is NoPE. A removed frequency is set to
  0 in the rotary embedding's ``inv_freq`` (angle 0: that pair is not rotated). ``inv_freq`` is a
  non-persistent buffer that transformers recomputes at load time, so the variant is stored in the
  saved config (``config.rope_variant``) and :func:`load_model` re-applies it.
* Training: fixed seeds, batches drawn from a per-step seeded generator (a resumed run sees the same
  batches), periodic checkpoints so an interrupted run resumes, tqdm progress on stderr.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import sysconfig
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.core.errors import InputError

__all__ = [
    "VARIANTS",
    "Corpus",
    "apply_variant",
    "build_model",
    "evaluate",
    "frequency_keep_mask",
    "load_model",
    "prope_table",
    "resolve_device",
    "stdlib_corpus",
    "train_variant",
    "variant_inv_freq",
    "variant_spec",
]

# name -> (rope base, kept fraction p of frequencies, reversed: drop the highest instead of the lowest,
#          label of the variant in the paper's Table 2 / config/published_values.yaml)
VARIANTS: dict[str, dict[str, Any]] = {
    "rope10k": {"base": 1.0e4, "keep_fraction": 1.0, "reversed": False, "label": "RoPE base 10k"},
    "rope500k": {"base": 5.0e5, "keep_fraction": 1.0, "reversed": False, "label": "RoPE base 500k"},
    "p025": {"base": 1.0e4, "keep_fraction": 0.25, "reversed": False, "label": "0.25-RoPE"},
    "p075": {"base": 1.0e4, "keep_fraction": 0.75, "reversed": False, "label": "0.75-RoPE"},
    "p075rev": {"base": 1.0e4, "keep_fraction": 0.75, "reversed": True, "label": "0.75-RoPE reversed"},
    "nope": {"base": 1.0e4, "keep_fraction": 0.0, "reversed": False, "label": "NoPE"},
}


def variant_spec(name: str) -> dict[str, Any]:
    """The spec of a named variant (a copy, with its ``name``); unknown names raise InputError."""
    if name not in VARIANTS:
        raise InputError(f"unknown RoPE variant {name!r}; known: {', '.join(VARIANTS)}")
    return {"name": name, **VARIANTS[name]}


# ----------------------------------------------------------------------------------------- corpus
@dataclass(frozen=True)
class Corpus:
    """Training and validation bytes with their origin."""

    train: np.ndarray  # uint8
    val: np.ndarray  # uint8
    files: list[str]  # paths relative to the stdlib folder, in corpus order
    val_files: list[str]
    sha256: str  # of the concatenated text of all files (train + val, corpus order)
    root: str


def stdlib_corpus(max_bytes: int, val_every: int = 10, root: str | None = None) -> Corpus:
    """The sorted top-level ``*.py`` files of the standard library (``sysconfig`` ``stdlib`` path),
    taken in order until ``max_bytes`` (bytes) are collected; file ``j`` goes to validation when
    ``j % val_every == val_every - 1``. Files are separated by one newline byte."""
    root = root or sysconfig.get_paths()["stdlib"]
    paths = sorted(p for p in Path(root).glob("*.py") if p.is_file())
    if not paths:
        raise InputError(f"no Python standard library sources found under {root}")
    if int(max_bytes) < 10_000 or int(val_every) < 2:
        raise InputError("corpus needs max_bytes >= 10000 and val_every >= 2")
    h = hashlib.sha256()
    train, val, files, val_files, total = [], [], [], [], 0
    for j, p in enumerate(paths):
        data = p.read_bytes() + b"\n"
        h.update(data)
        rel = p.name
        files.append(rel)
        if j % val_every == val_every - 1:
            val.append(data)
            val_files.append(rel)
        else:
            train.append(data)
        total += len(data)
        if total >= max_bytes:
            break
    if not val:
        raise InputError(f"corpus of {total} bytes has no validation file; raise max_bytes")
    return Corpus(
        train=np.frombuffer(b"".join(train), dtype=np.uint8).copy(),
        val=np.frombuffer(b"".join(val), dtype=np.uint8).copy(),
        files=files,
        val_files=val_files,
        sha256=h.hexdigest(),
        root=str(root),
    )


# ------------------------------------------------------------------------------------------ p-RoPE
def frequency_keep_mask(n_freq: int, keep_fraction: float, reversed: bool = False) -> np.ndarray:
    """Boolean mask over the ``n_freq`` RoPE frequencies ordered highest first (transformers' order,
    ``theta_i = base^(-2i/d)``): p-RoPE keeps the ``round(p * n_freq)`` highest frequencies and
    removes the lowest; ``reversed`` keeps the lowest and removes the highest."""
    if not 0.0 <= float(keep_fraction) <= 1.0:
        raise InputError(f"keep_fraction must lie in [0, 1], got {keep_fraction!r}")
    n_keep = int(round(float(keep_fraction) * int(n_freq)))
    mask = np.zeros(int(n_freq), dtype=bool)
    if reversed:
        mask[int(n_freq) - n_keep :] = True
    else:
        mask[:n_keep] = True
    return mask


def variant_inv_freq(spec: Mapping[str, Any], head_dim: int) -> torch.Tensor:  # noqa: F821
    """``inv_freq`` of a variant: ``base^(-2i/d)`` with removed frequencies set to 0 (float32)."""
    import torch

    inv = 1.0 / (float(spec["base"]) ** (torch.arange(0, head_dim, 2, dtype=torch.float) / head_dim))
    keep = torch.from_numpy(frequency_keep_mask(head_dim // 2, spec["keep_fraction"], spec["reversed"]))
    return torch.where(keep, inv, torch.zeros_like(inv))


def apply_variant(model: Any, spec: Mapping[str, Any] | None = None) -> Any:
    """Set every rotary embedding's ``inv_freq`` (and ``original_inv_freq``) of ``model`` to the
    variant's (default: ``model.config.rope_variant``); returns the model. A model without a stored
    variant is left as transformers built it."""
    spec = spec if spec is not None else getattr(model.config, "rope_variant", None)
    if spec is None:
        return model
    head_dim = int(model.config.head_dim)
    for mod in model.modules():
        if hasattr(mod, "inv_freq") and mod.__class__.__name__.endswith("RotaryEmbedding"):
            inv = variant_inv_freq(spec, head_dim).to(mod.inv_freq.device, mod.inv_freq.dtype)
            mod.inv_freq.copy_(inv)
            if hasattr(mod, "original_inv_freq"):
                mod.original_inv_freq.copy_(inv)
    return model


def build_model(spec: Mapping[str, Any], model_cfg: Mapping[str, Any], seed: int) -> Any:
    """A freshly initialised ``GemmaForCausalLM`` with a 256-byte vocabulary and the variant applied.
    ``model_cfg``: ``layers``, ``hidden``, ``heads``, ``head_dim``, ``mlp``, ``seq_len``."""
    import torch
    from transformers import GemmaConfig, GemmaForCausalLM

    torch.manual_seed(int(seed))
    cfg = GemmaConfig(
        vocab_size=256,
        hidden_size=int(model_cfg["hidden"]),
        intermediate_size=int(model_cfg["mlp"]),
        num_hidden_layers=int(model_cfg["layers"]),
        num_attention_heads=int(model_cfg["heads"]),
        num_key_value_heads=int(model_cfg["heads"]),
        head_dim=int(model_cfg["head_dim"]),
        max_position_embeddings=int(model_cfg["seq_len"]),
        rope_parameters={"rope_type": "default", "rope_theta": float(spec["base"])},
        pad_token_id=None,
        bos_token_id=None,
        eos_token_id=None,
        use_cache=False,
    )
    cfg.rope_variant = {k: spec[k] for k in ("name", "base", "keep_fraction", "reversed", "label")}
    cfg.byte_level = True  # token id = byte value, no special tokens
    cfg._attn_implementation = "sdpa"
    return apply_variant(GemmaForCausalLM(cfg))


def load_model(path: str | os.PathLike[str], attn_implementation: str = "eager") -> Any:
    """Load a causal LM saved by :func:`train_variant` (or any local Hugging Face checkpoint) without
    downloading anything, and re-apply its stored RoPE variant. A missing folder raises InputError."""
    from transformers import AutoModelForCausalLM

    p = Path(path)
    if not (p / "config.json").is_file():
        raise InputError(f"no model checkpoint (config.json) at {p}")
    model = AutoModelForCausalLM.from_pretrained(
        str(p), local_files_only=True, attn_implementation=attn_implementation
    )
    return apply_variant(model).eval()


def resolve_device(device: str) -> str:
    """``auto`` -> ``cuda`` when CUDA is available, else ``cpu``; ``cuda`` without CUDA raises."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise InputError("probes.train.device is 'cuda' but torch finds no CUDA device")
    if device not in ("cpu", "cuda"):
        raise InputError(f"unknown device {device!r} (auto, cpu or cuda)")
    return device


# --------------------------------------------------------------------------------------- training
def _batch(data: np.ndarray, seq_len: int, batch: int, rng: np.random.Generator) -> np.ndarray:
    starts = rng.integers(0, len(data) - seq_len - 1, size=batch)
    return np.stack([data[s : s + seq_len + 1] for s in starts]).astype(np.int64)


def evaluate(
    model: Any, data: np.ndarray, seq_len: int, max_windows: int, batch: int, device: str
) -> dict[str, float]:
    """Held-out loss on non-overlapping windows of ``seq_len + 1`` bytes (the first ``max_windows``):
    ``loss`` (nats per byte), ``perplexity`` (per byte, ``exp(loss)``), ``bits_per_byte``, ``bytes``."""
    import torch

    n = min(int(max_windows), (len(data) - 1) // (seq_len + 1))
    if n < 1:
        raise InputError(f"validation text of {len(data)} bytes is shorter than one window of {seq_len + 1}")
    windows = np.stack([data[i * (seq_len + 1) : (i + 1) * (seq_len + 1)] for i in range(n)]).astype(np.int64)
    was_training = model.training
    model.eval()
    tot, cnt = 0.0, 0
    with torch.no_grad():
        for i in range(0, n, batch):
            x = torch.from_numpy(windows[i : i + batch]).to(device)
            logits = model(input_ids=x[:, :-1]).logits.float()
            loss = torch.nn.functional.cross_entropy(
                logits.reshape(-1, 256), x[:, 1:].reshape(-1), reduction="sum"
            )
            tot += float(loss)
            cnt += x[:, 1:].numel()
    model.train(was_training)
    loss = tot / cnt
    return {"loss": loss, "perplexity": math.exp(loss), "bits_per_byte": loss / math.log(2), "bytes": cnt}


def _lr(step: int, steps: int, lr: float, warmup: int) -> float:
    if step < warmup:
        return lr * (step + 1) / warmup
    t = (step - warmup) / max(1, steps - warmup)
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))


def train_variant(
    variant: str,
    cfg: Mapping[str, Any],
    out_dir: str | os.PathLike[str],
    checkpoint_dir: str | os.PathLike[str],
    corpus: Corpus,
    threads: int = 2,
) -> dict[str, Any]:
    """Train ``variant`` with the profile chosen by the device (``cfg['device']``: the ``cpu`` or
    ``gpu`` section of ``cfg``), save it with ``save_pretrained`` into ``out_dir`` (config.json +
    model.safetensors, written to a temporary folder first) and return the metrics. A checkpoint in
    ``checkpoint_dir`` (every ``checkpoint_every`` steps) is resumed from and removed on success."""
    import torch
    from tqdm import tqdm

    spec = variant_spec(variant)
    device = resolve_device(str(cfg.get("device", "auto")))
    prof = dict(cfg["gpu" if device == "cuda" else "cpu"])
    seed = int(cfg["seed"])
    torch.set_num_threads(max(1, int(threads)))
    model = build_model(spec, prof, seed).to(device)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=float(prof["lr"]), weight_decay=0.01, betas=(0.9, 0.95))
    steps, seq, bs = int(prof["steps"]), int(prof["seq_len"]), int(prof["batch"])
    ckpt = Path(checkpoint_dir) / "checkpoint.pt"
    start, history = 0, []
    if ckpt.is_file():
        state = torch.load(ckpt, map_location=device, weights_only=False)
        if state.get("profile") == prof and state.get("variant") == variant and state.get("seed") == seed:
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["opt"])
            start, history = int(state["step"]), list(state["history"])
    t0 = time.perf_counter()
    bar = tqdm(range(start, steps), desc=f"train {variant}", initial=start, total=steps, mininterval=2.0)
    for step in bar:
        rng = np.random.default_rng([seed, step])
        x = torch.from_numpy(_batch(corpus.train, seq, bs, rng)).to(device)
        for g in opt.param_groups:
            g["lr"] = _lr(step, steps, float(prof["lr"]), int(prof["warmup"]))
        loss = _loss(model, x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        history.append(float(loss.detach()))
        bar.set_postfix(loss=f"{history[-1]:.3f}", refresh=False)
        done = step + 1
        if done % int(prof["checkpoint_every"]) == 0 and done < steps:
            ckpt.parent.mkdir(parents=True, exist_ok=True)
            tmp = ckpt.with_suffix(".tmp")
            torch.save(
                {
                    "model": model.state_dict(),
                    "opt": opt.state_dict(),
                    "step": done,
                    "history": history,
                    "profile": prof,
                    "variant": variant,
                    "seed": seed,
                },
                tmp,
            )
            os.replace(tmp, ckpt)
    seconds = time.perf_counter() - t0
    metrics = evaluate(model, corpus.val, seq, int(prof["eval_windows"]), bs, device)
    _save(model, Path(out_dir))
    shutil.rmtree(ckpt.parent, ignore_errors=True)
    return {
        "variant": variant,
        "label": spec["label"],
        "base": spec["base"],
        "keep_fraction": spec["keep_fraction"],
        "reversed": spec["reversed"],
        "device": device,
        "profile": prof,
        "seed": seed,
        "val_loss": metrics["loss"],
        "val_perplexity": metrics["perplexity"],
        "val_bits_per_byte": metrics["bits_per_byte"],
        "val_bytes": metrics["bytes"],
        "train_loss_last": float(np.mean(history[-20:])),
        "train_loss_curve": history,
        "steps_resumed_from": start,
        "train_seconds": seconds,
        "steps_per_second": (steps - start) / seconds if seconds > 0 and steps > start else None,
        "parameters": int(sum(p.numel() for p in model.parameters())),
        "corpus_sha256": corpus.sha256,
        "corpus_train_bytes": len(corpus.train),
        "corpus_val_bytes": len(corpus.val),
    }


def _loss(model: Any, x: torch.Tensor) -> torch.Tensor:  # noqa: F821
    """Next-byte cross-entropy (nats) of a batch of windows ``x[:, :seq_len + 1]``."""
    import torch

    logits = model(input_ids=x[:, :-1]).logits
    return torch.nn.functional.cross_entropy(logits.reshape(-1, 256).float(), x[:, 1:].reshape(-1))


def _save(model: Any, out_dir: Path) -> None:
    """``save_pretrained`` into a sibling temporary folder, then move each file into ``out_dir``."""
    tmp = out_dir.parent / f".{out_dir.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model.to("cpu").save_pretrained(str(tmp))
    out_dir.mkdir(parents=True, exist_ok=True)
    for f in tmp.iterdir():
        os.replace(f, out_dir / f.name)
    tmp.rmdir()


def prope_table(
    runs: list[dict[str, Any]], paper: Mapping[str, Mapping[str, float]]
) -> tuple[pd.DataFrame, dict[str, Any]]:  # noqa: F821
    """Our held-out byte perplexities beside the paper's Table 2 (``paper``: label -> {wiki, flanv2}).

    Returns the table (one row per trained variant, ranks 1 = best among the variants trained) and a
    summary: both orderings (best first), whether they agree, Kendall's tau between our perplexities
    and the paper's Wiki column, and whether NoPE is worst in each. Perplexities are per byte for us
    and per token (Gemma vocabulary) in the paper: only orderings are comparable."""
    import pandas as pd
    from scipy.stats import kendalltau

    if not runs:
        raise InputError("no trained variants to tabulate")
    rows = []
    for r in runs:
        p = paper.get(r["label"], {})
        rows.append(
            {
                "variant": r["variant"],
                "label": r["label"],
                "val_perplexity": r["val_perplexity"],
                "val_bits_per_byte": r["val_bits_per_byte"],
                "val_loss": r["val_loss"],
                "steps": r["profile"]["steps"],
                "parameters": r["parameters"],
                "device": r["device"],
                "train_seconds": r["train_seconds"],
                "paper_wiki": p.get("wiki"),
                "paper_flanv2": p.get("flanv2"),
            }
        )
    t = pd.DataFrame(rows)
    t["our_rank"] = t.val_perplexity.rank(method="min").astype(int)
    t["paper_rank"] = t.paper_wiki.rank(method="min")
    t = t.sort_values("our_rank").reset_index(drop=True)
    both = t.dropna(subset=["paper_wiki"])
    tau = (
        float(kendalltau(both.val_perplexity, both.paper_wiki).statistic) if len(both) >= 2 else float("nan")
    )
    ours = list(both.sort_values("val_perplexity").label)
    theirs = list(both.sort_values("paper_wiki").label)
    summary = {
        "our_order": ours,
        "paper_order": theirs,
        "same_order": ours == theirs,
        "kendall_tau": tau,
        "n_variants": len(both),
        "best_ours": ours[0] if ours else None,
        "best_paper": theirs[0] if theirs else None,
        "nope_worst_ours": bool(ours and ours[-1] == "NoPE"),
        "nope_worst_paper": bool(theirs and theirs[-1] == "NoPE"),
        "devices": sorted(set(t.device)),
        "total_train_seconds": float(t.train_seconds.sum()),
    }
    return t, summary
