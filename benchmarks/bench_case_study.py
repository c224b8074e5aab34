"""Timing of the case-study computations, of `classify` and of `suggest` (prints seconds; no
assertions). Each command line is timed beside what transformers alone takes to read the same config
(the floor of any command that reads a config through transformers).

Run: python benchmarks/bench_case_study.py   (from the project root)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


# what reading a config through transformers costs before any of our code runs: the reader's own call
# (analysis.case_study.reader._transformers_config) in a bare process
_FLOOR = """import json, sys
from transformers.models.auto.configuration_auto import CONFIG_MAPPING
raw = json.load(open(sys.argv[1]))
CONFIG_MAPPING[raw["model_type"]].from_dict(raw).get_text_config(decoder=True)
"""


def _wall(cmd: list[str], repeat: int = 3) -> tuple[float, float]:
    """(fastest, median) wall time of ``repeat`` runs of a fresh process (imports included)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True)
        times.append(time.perf_counter() - t0)
    return min(times), sorted(times)[len(times) // 2]


def _cli(*args: str) -> float:
    """Wall time of one `python -m analysis classify ...` process (imports included)."""
    return _wall([sys.executable, "-m", "analysis", "classify", *args], repeat=1)[0]


def main() -> None:
    from analysis.case_study.frequencies import effective_frequencies
    from analysis.core.men import men_scan
    from analysis.case_study.men import curve_lookup
    from analysis.core.rope import inv_freq

    lookup = curve_lookup()
    shipped = lookup is not None and lookup(context_length=131072, head_dim=128) is not None
    print(f"cores: {os.cpu_count()}; shipped Men curve: {'yes' if shipped else 'no (certified search fallback)'}")
    effective_frequencies(1e4, 128, None, 4096, 4096)  # warm-up: imports transformers
    yarn = {"rope_type": "yarn", "factor": 40.0, "original_max_position_embeddings": 4096, "beta_fast": 32, "beta_slow": 1}
    s = _time(lambda: effective_frequencies(1e4, 64, yarn, 163840, 163840))
    print(f"effective_frequencies yarn d=64       {s * 1e3:8.2f} ms")
    th = inv_freq(1e7, 128)
    for L in (131072, 1_048_576):
        s = _time(lambda: men_scan(th, L, 65536), repeat=1)
        print(f"men_scan L={L:>9,} chunk=65,536   {s:8.3f} s")
    bad = ROOT / "benchmarks" / "_bad_config.json"
    bad.write_text('{"model_type": "llama", "rope_theta": NaN}')
    try:
        print(f"classify, bad config (NaN base)       {_cli(str(bad)):8.2f} s wall")
    finally:
        bad.unlink()
    print("wall s (fastest / median of 3)     classify L=131,072  L=1,048,576  transformers reading alone")
    for cid in ("llama-3.1-8b", "gemma-3-27b-it", "gpt-oss-20b", "qwen3-coder-30b-a3b-instruct", "glm-4.5-air"):
        p = ROOT / "data" / "configs" / cid / "config.json"
        if p.is_file():
            c1 = _wall([sys.executable, "-m", "analysis", "classify", str(p), "--context-length", "131072"])
            c2 = _wall([sys.executable, "-m", "analysis", "classify", str(p), "--context-length", "1048576"])
            fl = _wall([sys.executable, "-c", _FLOOR, str(p)])
            print(f"  {cid:30s}  " + "   ".join(f"{a:5.2f} / {b:5.2f}" for a, b in (c1, c2, fl)))

    print("wall s (fastest / median of 3)     suggest (L, original)   transformers reading alone   difference")
    for cid, L, orig in (("llama-3.1-8b", 1_048_576, None), ("mistral-7b-instruct-v0.3", 131072, None),
                         ("qwen3-8b", 1_048_576, 32768), ("phi-4", 1_048_576, None), ("gemma-3-27b-it", 524288, None)):
        p = ROOT / "data" / "configs" / cid / "config.json"
        if p.is_file():
            extra = [] if orig is None else ["--original-context", str(orig)]
            sg = _wall([sys.executable, "-m", "analysis", "suggest", "--context-length", str(L), "--config", str(p), *extra])
            fl = _wall([sys.executable, "-c", _FLOOR, str(p)])
            print(f"  {cid:30s} {L:>9,}  {sg[0]:5.2f} / {sg[1]:5.2f}        {fl[0]:5.2f} / {fl[1]:5.2f}"
                  f"          {sg[1] - fl[1]:5.2f}")


if __name__ == "__main__":
    main()
