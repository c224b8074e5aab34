"""Training cost of the probes stage's CPU profile, phase by phase: per step (data sampling, forward,
backward, gradient clipping, optimiser), one held-out evaluation of the whole validation split, and
the projected cost of every variant x seed.

Run from the project root: `python benchmarks/bench_probes_train.py [threads] [steps] [overlay.yaml ...]`
(default 1 thread, 10 timed steps; overlays deep-merge over config/config.yaml, e.g. a `probes.train.cpu`
section to time another profile). Prints wall and CPU (process) seconds: on a
shared machine the CPU seconds are the stable figure, and with one thread per job
`cpu-seconds x jobs / cores` is the wall time of the training stage on an idle machine.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import torch

from analysis.core.config import CONFIG, load_config
from analysis.core.device import limit_threads
from analysis.probes.train import _batch, _loss, build_model, evaluate, stdlib_corpus, variant_spec

PHASES = ("data", "forward", "backward", "clip", "optimizer")


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def step_phases(prof: dict, corpus, steps: int) -> dict[str, tuple[float, float]]:
    """Mean (wall, cpu) seconds per step of each phase, after 2 warm-up steps."""
    model = build_model(variant_spec("rope10k"), prof, seed=0).train()
    opt = torch.optim.AdamW(model.parameters(), lr=float(prof["lr"]), weight_decay=0.01, betas=(0.9, 0.95))
    acc = {p: [0.0, 0.0] for p in PHASES}
    for i in range(steps + 2):
        t = [_clock()]
        x = torch.from_numpy(_batch(corpus.train, prof["seq_len"], prof["batch"], np.random.default_rng([0, i])))
        t.append(_clock())
        loss = _loss(model, x)
        t.append(_clock())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        t.append(_clock())
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        t.append(_clock())
        opt.step()
        t.append(_clock())
        if i >= 2:
            for k, p in enumerate(PHASES):
                acc[p][0] += t[k + 1][0] - t[k][0]
                acc[p][1] += t[k + 1][1] - t[k][1]
    return {p: (w / steps, c / steps) for p, (w, c) in acc.items()}, model


def main(threads: int = 1, steps: int = 10, *overlays: str) -> None:
    cfg = load_config(CONFIG, *overlays)["probes"]["train"]
    prof = cfg["cpu"]
    limit_threads(threads)
    corpus = stdlib_corpus(cfg["corpus_bytes"], cfg["val_every"])
    t0 = _clock()
    phases, model = step_phases(prof, corpus, steps)
    step_w, step_c = sum(w for w, _ in phases.values()), sum(c for _, c in phases.values())
    e0 = _clock()
    evaluate(model, corpus.val, prof["seq_len"], "cpu")
    e1 = _clock()
    ev_w, ev_c = e1[0] - e0[0], e1[1] - e0[1]
    print(f"torch threads={torch.get_num_threads()} profile: {prof}")
    for p, (w, c) in phases.items():
        print(f"  {p:10s} {1000 * w:8.1f} ms wall {1000 * c:8.1f} ms cpu per step")
    print(f"  step total {1000 * step_w:8.1f} ms wall {1000 * step_c:8.1f} ms cpu ({1 / step_c:.2f} steps per cpu-s)")
    print(f"  evaluation of the whole held-out split ({len(corpus.val):,} bytes): {ev_w:.1f} s wall {ev_c:.1f} s cpu")
    runs = len(cfg["variants"]) * len(prof["seeds"])
    per_run = prof["steps"] * step_c + ev_c * (1 + len(cfg["restore_check"]) / len(cfg["variants"]))
    print(f"  per seed: {per_run:.0f} cpu-s; {runs} runs: {runs * per_run / 60:.1f} cpu-min "
          f"(+ job start-up), {runs * per_run / 120:.1f} min on 2 idle cores with one thread per job "
          f"[setup {e0[1] - t0[1] - steps * step_c:.1f} cpu-s]")


if __name__ == "__main__":
    a = sys.argv[1:]
    main(int(a[0]) if a else 1, int(a[1]) if len(a) > 1 else 10, *a[2:])
