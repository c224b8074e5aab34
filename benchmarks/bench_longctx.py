"""Benchmark of the longctx stage: training speed of one model of the active profile, and (given a
finished work directory) the stage's wall and CPU time per rule from Snakemake's benchmark files.

    python benchmarks/bench_longctx.py                 # steps/s of the cpu profile's model
    python benchmarks/bench_longctx.py /path/to/workdir  # + per-rule times of a finished build

Prints the machine's core count and load: on a shared machine wall times include waiting for CPU,
the CPU-time column does not.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def train_speed(profile: str = "cpu", steps: int = 30) -> None:
    import torch

    from analysis.core.config import CONFIG, load_config
    from analysis.longctx import task, train
    from analysis.probes.train import build_model, stdlib_corpus

    from analysis.core.device import limit_threads

    cfg = load_config(CONFIG)["longctx"]
    tc, pc = cfg[profile]["train"], cfg["probe"]
    limit_threads(1)  # as the workflow's training rule runs
    model = build_model(train.base_spec(1e4), {k: tc[k] for k in train.MODEL_KEYS}, 0)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    text = task.sanitize(stdlib_corpus(cfg["corpus"]["bytes"], cfg["corpus"]["val_every"]).train)
    w0, c0 = time.perf_counter(), time.process_time()
    for step in range(steps):
        toks, ans = task.train_batch(text, tc["seq_len"], tc["batch"], pc["n_records"], pc["extra_queries"],
                                     np.random.default_rng([0, step]))
        lt, la = train._losses(model, torch.from_numpy(toks), torch.from_numpy(ans))
        opt.zero_grad()
        (lt + la).backward()
        opt.step()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    n_models = len(cfg[profile]["seeds"]) * len(cfg[profile]["base_factors"])
    print(f"{profile} profile model: {wall / steps * 1e3:.1f} ms/step wall, {cpu / steps * 1e3:.1f} ms/step CPU "
          f"(1 thread); {n_models} models x {tc['steps']} steps = {n_models * tc['steps'] * cpu / steps:.0f} CPU s")


def rule_times(workdir: Path) -> None:
    import pandas as pd

    files = sorted((workdir / "logs" / "benchmarks" / "longctx").glob("*.tsv"))
    if not files:
        sys.exit(f"no longctx benchmark files under {workdir}/logs/benchmarks/longctx")
    rows = [(f.stem, *pd.read_csv(f, sep="\t").iloc[-1][["s", "cpu_time"]]) for f in files]
    for name, s, c in rows:
        print(f"{name:32s} {s:8.1f} s wall {c:8.1f} s CPU")
    print(f"{'longctx total':32s} {sum(r[1] for r in rows):8.1f} s wall {sum(r[2] for r in rows):8.1f} s CPU "
          f"(summed over jobs; with --cores 2 two jobs run at once)")


if __name__ == "__main__":
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    train_speed()
    if len(sys.argv) > 1:
        rule_times(Path(sys.argv[1]))
