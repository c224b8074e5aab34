"""Throughput of applying RoPE per number format on this device (CUDA when present, else CPU).

Prints tokens per second of ``x * cos + rotate_half(x) * sin`` (Hugging Face style, cos/sin from
fp32 angles cast to the format) on a ``(batch, heads, seq, head_dim)`` tensor, for a few shapes, and
the time of the collision scan. Formats the device cannot run are listed with the reason.

    python benchmarks/bench_precision.py [--device auto|cpu|cuda] [--repeats 10]
"""

from __future__ import annotations

import argparse
import time

from analysis.precision import device_record, first_collision, pick_device, rope_throughput

FORMATS = ("fp64", "fp32", "bf16", "fp16", "fp8_e4m3", "fp8_e5m2")
SHAPES = ((1, 8, 4096, 128), (1, 32, 4096, 128))  # CPU-sized; CUDA adds LARGE
LARGE = ((4, 32, 8192, 128), (1, 32, 131072, 128))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--repeats", type=int, default=10)
    a = ap.parse_args()
    dev = pick_device(a.device)
    rec = device_record(dev)
    print(f"device: {rec['device']} ({rec['device_type']}), torch {rec['torch_version']}")
    print(f"{'shape (B,H,S,D)':<24}{'format':<10}{'tokens/s':>14}{'ms':>10}")
    for b, h, s, d in SHAPES + (LARGE if dev.type == "cuda" else ()):
        for fmt in FORMATS:
            r = rope_throughput(fmt, dev, b, h, s, d, 5e5, a.repeats)
            shape = f"({b},{h},{s},{d})"
            if r["status"] == "ok":
                print(f"{shape:<24}{fmt:<10}{r['tokens_per_s']:>14.4g}{1e3 * r['seconds']:>10.3f}")
            else:
                print(f"{shape:<24}{fmt:<10}{'skipped':>14}  {r['reason']}")
    for fmt, mode in (("fp32", "native"), ("fp32", "cos_sin_cast"), ("bf16", "native")):
        t0 = time.perf_counter()
        r = first_collision(1e-6, fmt, mode, 2**25, 2**20, 2**22, dev)
        print(f"collision scan {fmt}/{mode}: first collision {r['first_collision']}, "
              f"{time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
