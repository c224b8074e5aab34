"""Timing of the case-study computations (prints seconds; no assertions).

Run: python benchmarks/bench_case_study.py
"""

from __future__ import annotations

import time

from analysis import case_study as cs
from analysis.core.rope import inv_freq


def _time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    models = {m["id"]: m for m in cs.load_models(cs.ROOT / "config" / "models.yaml")}
    cs.effective_frequencies(1e4, 128, None, 4096, 4096)  # warm-up: imports transformers
    for mid in ("llama-3-8b", "llama-3.1-8b", "gemma-3-27b-global", "deepseek-v2", "phi-3-mini-128k"):
        m = models[mid]
        d = m["head_dim"]
        s = _time(lambda: cs.effective_frequencies(m["rope_theta"], d, m["rope_scaling"], m["claimed_context"],
                                                   m["claimed_context"]))
        print(f"effective_frequencies {mid:22s} {s * 1e3:8.2f} ms")
    th = inv_freq(1e7, 128)
    for L in (131072, 1_048_576):
        for chunk in (16384, 65536, 262144):
            s = _time(lambda: cs.men_scan(th, L, chunk), repeat=1)
            print(f"men_scan L={L:>9,} chunk={chunk:>7,} {s:8.3f} s")


if __name__ == "__main__":
    main()
