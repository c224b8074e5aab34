"""Hand-built reference "models" for the evaluation tests (same call interface as a HF causal LM)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import torch

from analysis.longctx import task


class PerfectCopier:
    """At every query byte: attends with weight 1 to the record holding its key and puts all its
    logit on that record's answer byte (one layer, one head)."""

    def __call__(self, input_ids, output_attentions=False):
        x = input_ids.cpu().numpy()
        B, T = x.shape
        logits = torch.zeros(B, T, 256)
        att = torch.zeros(B, 1, T, T)
        for b in range(B):
            for t in range(T):
                k = int(x[b, t]) - int(task.QUERY_KEYS[0])
                if 0 <= k < task.N_KEYS:
                    for r in range(t):
                        v = int(x[b, r]) - 128
                        if v >= 0 and v // task.N_VALUES == k:
                            logits[b, t, task.ANSWERS[v % task.N_VALUES]] = 30.0
                            att[b, 0, t, r] = 1.0
                if att[b, 0, t].sum() == 0:
                    att[b, 0, t, t] = 1.0
        return SimpleNamespace(logits=logits, attentions=(att,))


class Uniform:
    """Equal logits everywhere and uniform causal attention."""

    def __call__(self, input_ids, output_attentions=False):
        B, T = input_ids.shape
        att = torch.tril(torch.ones(T, T))
        att = (att / att.sum(dim=1, keepdim=True)).expand(B, 1, T, T)
        return SimpleNamespace(logits=torch.zeros(B, T, 256), attentions=(att,))


def held_out_text(n: int = 5000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.choice(np.frombuffer(b"abcdefghij klmnop\n(){}=+", dtype=np.uint8), size=n)
