"""Measuring a trained model: perplexity on plain text, retrieval by distance, attention on the key.

For every evaluation probe (:func:`analysis.longctx.task.eval_probes`; the same set for every model)
the model reads the ``L`` bytes and, at the query (the last position):

- **retrieval**: the answer predicted among the 16 answer bytes (argmax of their logits; a tie of
  ``k`` maxima counts ``1/k`` if the answer is among them, so a model with equal logits scores exactly
  the chance level 1/16); ``p_answer`` is the softmax probability of the answer over all 256 bytes;
- **attention**: for every layer and head, the attention weight of the query on the target record
  (the key at distance ``m``) and the entropy (nats) of the query's attention distribution over the
  ``L`` positions it sees.

Perplexity is per byte on non-overlapping windows of the plain held-out text (no probe planted),
by :func:`analysis.probes.train.evaluate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.longctx import task

__all__ = ["retrieval_scores", "probe_tables", "evaluate_model", "eval_distances", "evaluate_base", "eval_results"]


def eval_distances(eval_cfg: dict[str, Any], seq_len: int) -> list[int]:
    """The evaluated distances: ``eval_cfg["distances"]``, or every distance ``1 .. L - 1`` when it is
    ``"all"`` (so that every distance with ``B(m) < 0`` is measured)."""
    d = eval_cfg["distances"]
    if d == "all":
        return list(range(1, int(seq_len)))
    return [int(m) for m in d]


def retrieval_scores(last_logits: np.ndarray, answers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Accuracy (tie-split) among the answer bytes and softmax ``p(answer)`` over all 256 bytes,
    per row of ``last_logits`` (n x 256, the logits at the query) with true answer bytes ``answers``."""
    z = np.asarray(last_logits, dtype=np.float64)
    sub = z[:, task.ANSWERS]
    best = sub.max(axis=1, keepdims=True)
    ties = sub >= best
    idx = np.asarray(answers, dtype=np.int64) - int(task.ANSWERS[0])
    hit = ties[np.arange(len(idx)), idx]
    acc = np.where(hit, 1.0 / ties.sum(axis=1), 0.0)
    zz = z - z.max(axis=1, keepdims=True)
    logp = zz - np.log(np.exp(zz).sum(axis=1, keepdims=True))
    return acc, np.exp(logp[np.arange(len(idx)), np.asarray(answers, dtype=np.int64)])


def probe_tables(
    model: Any, probes: Sequence[task.Probe], batch: int, device: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run ``model`` (called as ``model(input_ids=x, output_attentions=True)``, returning ``logits``
    and per-layer ``attentions`` of shape batch x heads x L x L) on ``probes``.

    Returns the retrieval table (one row per probe: ``probe, distance, correct, p_answer``) and the
    attention table (one row per probe, layer and head: ``probe, distance, layer, head,
    key_mass, entropy``)."""
    import torch

    ret, att = [], []
    with torch.no_grad():
        for s in range(0, len(probes), int(batch)):
            chunk = probes[s : s + int(batch)]
            x = torch.from_numpy(np.stack([p.tokens for p in chunk]).astype(np.int64)).to(device)
            out = model(input_ids=x, output_attentions=True)
            last = out.logits[:, -1, :].float().cpu().numpy()
            acc, pa = retrieval_scores(last, np.array([p.answer for p in chunk]))
            dist = np.array([p.distance for p in chunk])
            ids = np.arange(s, s + len(chunk))
            ret.append(pd.DataFrame({"probe": ids, "distance": dist, "correct": acc, "p_answer": pa}))
            kpos = torch.tensor([p.key_pos for p in chunk], device=x.device)
            for layer, a in enumerate(out.attentions):
                row = a[:, :, -1, :].float()  # batch x heads x L: the query's attention
                mass = row.gather(2, kpos.view(-1, 1, 1).expand(-1, row.shape[1], 1))[:, :, 0]
                ent = -(row * torch.log(row.clamp_min(1e-30))).sum(dim=2)
                H = row.shape[1]
                att.append(pd.DataFrame({
                    "probe": np.repeat(ids, H), "distance": np.repeat(dist, H), "layer": layer,
                    "head": np.tile(np.arange(H), len(chunk)),
                    "key_mass": mass.cpu().numpy().ravel(), "entropy": ent.cpu().numpy().ravel(),
                }))
    return pd.concat(ret, ignore_index=True), pd.concat(att, ignore_index=True)


def evaluate_model(
    model: Any, probes: Sequence[task.Probe], plain_text: np.ndarray, seq_len: int, windows: int,
    batch: int, device: str,
) -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame]:
    """Perplexity on ``plain_text`` (per byte, ``windows`` windows of ``seq_len + 1``) and the two
    tables of :func:`probe_tables`."""
    from analysis.probes.train import evaluate

    # the first ``windows`` windows: probes.train.evaluate covers all of the text it is given,
    # windows of seq_len + 1 bytes starting every seq_len bytes
    ppl = evaluate(model, plain_text[: int(windows) * int(seq_len) + 1], int(seq_len), device)
    ret, att = probe_tables(model, probes, batch, device)
    return ppl, ret, att


def evaluate_base(
    models_dir: str, seeds: Sequence[int], base: float, factor: float, seq_len: int,
    eval_cfg: dict[str, Any], probe_cfg: dict[str, Any], corpus_cfg: dict[str, Any], device: str,
) -> dict[str, pd.DataFrame]:
    """Evaluate the model of every seed of one base (saved under ``models_dir/seed<s>/``) on the
    same probes (``eval_cfg``: ``distances``, ``per_distance``, ``seed``, ``windows``, ``batch``) and
    the plain held-out text of the corpus. Returns the tables ``perplexity`` (one row per seed),
    ``retrieval`` and ``attention`` (:func:`probe_tables`), each with ``factor, base, seed`` columns."""
    from analysis.longctx.train import final_dir
    from analysis.core.device import choose_device
    from analysis.probes.train import load_model, stdlib_corpus

    dev = choose_device(device).type
    corpus = stdlib_corpus(int(corpus_cfg["bytes"]), int(corpus_cfg["val_every"]))
    plain = task.sanitize(corpus.val)
    probes = task.eval_probes(plain, int(seq_len), eval_distances(eval_cfg, seq_len),
                              int(eval_cfg["per_distance"]), int(probe_cfg["n_records"]), int(eval_cfg["seed"]))
    out: dict[str, list[pd.DataFrame]] = {"perplexity": [], "retrieval": [], "attention": []}
    for s in seeds:
        model = load_model(final_dir(models_dir, s), attn_implementation="eager").to(dev)
        ppl, ret, att = evaluate_model(model, probes, plain, int(seq_len), int(eval_cfg["windows"]),
                                       int(eval_cfg["batch"]), dev)
        tag = {"factor": float(factor), "base": float(base), "seed": int(s)}
        out["perplexity"].append(pd.DataFrame([{**tag, "val_loss": ppl["loss"], "val_perplexity": ppl["perplexity"],
                                                "val_bytes": ppl["bytes"]}]))
        out["retrieval"].append(ret.assign(**tag))
        out["attention"].append(att.assign(**tag))
    return {k: pd.concat(v, ignore_index=True) for k, v in out.items()}


def eval_results(*, bases: dict[str, Any], factor: str, models_dir: str, seeds: Sequence[int], seq_len: int,
                 eval_cfg: dict[str, Any], probe_cfg: dict[str, Any], corpus_cfg: dict[str, Any],
                 profile: str) -> dict[str, Any]:
    """The stage's eval step: :func:`evaluate_base` for the base of ``factor`` x Men's bound on the
    ``profile``'s device (``perplexity``, ``retrieval``, ``attention`` and the device)."""
    from analysis.core.device import profile_device
    from analysis.longctx.train import row_for_factor

    row = row_for_factor(bases, float(factor))
    device = profile_device(profile)
    tables = evaluate_base(models_dir, seeds, row["base"], row["factor"], seq_len, eval_cfg, probe_cfg, corpus_cfg,
                           device)
    return {**tables, "device": device}
