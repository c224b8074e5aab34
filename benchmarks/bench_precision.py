"""Throughput of applying RoPE per number format on this device (CUDA when present, else CPU).

Prints tokens per second of ``x * cos + rotate_half(x) * sin`` (Hugging Face style, cos/sin from
fp32 angles cast to the format) on a ``(batch, heads, seq, head_dim)`` tensor, for a few shapes, the
time of single collision scans (lowest pair, whole vector), and with ``--sweep`` the wall and CPU
time of the whole collision sweep of the default profile (the rule precision_collisions, one thread).
Formats the device cannot run are listed with the reason.

    python benchmarks/bench_precision.py [--device auto|cpu|cuda] [--repeats 10] [--sweep]
"""

from __future__ import annotations

import argparse
import time

from analysis.core.device import choose_device
from analysis.precision import (collision_sweep, device_record, first_collision, first_vector_collision,
                                inv_freq_torch, rope_throughput)

FORMATS = ("fp64", "fp32", "bf16", "fp16", "fp8_e4m3", "fp8_e5m2")
SHAPES = ((1, 8, 4096, 128), (1, 32, 4096, 128))  # CPU-sized; CUDA adds LARGE
LARGE = ((4, 32, 8192, 128), (1, 32, 131072, 128))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--sweep", action="store_true", help="also time the default profile's whole collision sweep")
    a = ap.parse_args()
    dev = choose_device(a.device)
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
        t0 = time.perf_counter()
        v = first_vector_collision(inv_freq_torch(1e4, 128).to(dev), fmt, mode, 2**25, 2**22, dev)
        print(f"whole-vector scan {fmt}/{mode}: first collision {v}, {time.perf_counter() - t0:.2f} s")
    if a.sweep:
        sweep(dev)


def sweep(dev) -> None:
    """Wall and CPU time of the default profile's collision sweep with one torch thread."""
    import torch  # noqa: F401  (loaded first: limit_threads sizes torch's pools too)

    from analysis.core.config import CONFIG, load_config
    from analysis.core.device import limit_threads

    cfg = load_config(CONFIG)
    limit_threads(1)
    w0, c0 = time.perf_counter(), time.process_time()
    df = collision_sweep(head_dim=cfg["physics"]["head_dim"], device=dev, **cfg["precision"]["collisions"])
    print(f"collision sweep (default profile, {len(df)} rows, 1 thread): {time.perf_counter() - w0:.1f} s wall, "
          f"{time.process_time() - c0:.1f} s CPU")


if __name__ == "__main__":
    main()
