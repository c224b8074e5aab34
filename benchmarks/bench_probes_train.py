"""Training speed of the probes stage's default CPU profile: steps/s and the projected time per variant.

Run from the project root: `python benchmarks/bench_probes_train.py [threads] [steps]`. Prints the
measured steps/s (after 2 warm-up steps) and the minutes one variant of `probes.train.cpu` would take.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import torch

from analysis.core.config import ROOT, load_config
from analysis.probes.train import _loss, build_model, variant_spec


def main(threads: int = 2, steps: int = 10) -> None:
    prof = load_config(ROOT / "config" / "config.yaml")["probes"]["train"]["cpu"]
    torch.set_num_threads(threads)
    model = build_model(variant_spec("rope10k"), prof, seed=0)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.integers(0, 256, (prof["batch"], prof["seq_len"] + 1)))
    for i in range(steps + 2):
        if i == 2:
            t0 = time.perf_counter()
        loss = _loss(model, x)
        opt.zero_grad()
        loss.backward()
        opt.step()
    rate = steps / (time.perf_counter() - t0)
    print(
        f"threads={threads} batch={prof['batch']} seq_len={prof['seq_len']} layers={prof['layers']} "
        f"hidden={prof['hidden']}: {rate:.2f} steps/s -> {prof['steps'] / rate / 60:.1f} min per variant"
    )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
