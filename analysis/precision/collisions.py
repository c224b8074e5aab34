"""Position collisions: the first position whose RoPE values equal those of the position before.

"Computed in a format" has three meanings, all measured (``mode``, :data:`MODES`):

- ``native``: positions and the frequency are cast to the format and multiplied there
  (``torch.arange(L).to(bf16) * inv_freq.to(bf16)``); the position itself is rounded first;
- ``fp32_cast``: the angle is computed in fp32 (fp64 for fp64) and the *angle* is cast to the format;
- ``cos_sin_cast``: the angle and its cos/sin are computed in fp32 (fp64 for fp64) and cos/sin are
  cast to the format: what Hugging Face transformers feeds to the rotation ("the transformers
  path"); two positions collide when both cos and sin round to the same values.

The frequencies are transformers' own fp32 ``inv_freq`` (:func:`analysis.core.rope.inv_freq_torch`).

Two definitions of "a position is erased" are measured for every path:

- **lowest pair**: the lowest-frequency pair ``p * theta_min`` no longer changes from ``p - 1``
  (:func:`first_collision`); floats have *relative* resolution, so this happens near
  ``1 / eps_mach`` positions whatever the base;
- **whole vector**: every pair of the RoPE vector equals that of ``p - 1``
  (:func:`first_vector_collision`), so the rotation cannot tell ``p`` from ``p - 1`` at all.
  The highest pair (``theta_0 = 1``) changes by a radian per position, so in practice this happens
  only where the position itself rounds (``2^8`` in bf16, ``2^11`` in fp16, ``2^24`` in fp32).

:func:`collision_sweep` measures both per format, path and base in one pass per base: the fp32
angle and its cos/sin are computed once per chunk of positions and shared by every format.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.bounds import canonical_dtype, machine_epsilon
from analysis.core.errors import InputError
from analysis.core.rope import inv_freq, inv_freq_torch, validate_head_dim
from analysis.precision.device import (device_record, high_format, skipped_row, torch_dtype,
                                       unsupported_reason)

if TYPE_CHECKING:
    import pandas as pd
    import torch

__all__ = ["MODES", "rope_values", "lowest_angle_values", "first_collision", "first_vector_collision",
           "sweep_bases", "collision_sweep", "collision_results"]

MODES: tuple[str, ...] = ("native", "fp32_cast", "cos_sin_cast")
_FIRST_STEP = 65536  # chunks grow geometrically from here up to `chunk`: early collisions stop early


def _comparable(t: "torch.Tensor") -> "torch.Tensor":
    """``t`` in a dtype torch can compare (float8 is upcast to fp32, exactly)."""
    import torch

    return t if t.dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64) else t.float()


def rope_values(
    positions: "torch.Tensor", theta: "torch.Tensor", fmt: str, mode: str,
    cache: dict[str, "torch.Tensor"] | None = None,
) -> tuple["torch.Tensor", ...]:
    """Values that identify positions at frequencies ``theta`` (a tensor in the angle's high
    precision, fp32 or fp64; a scalar or ``(k,)``) in ``fmt``/``mode``: one tensor (the angle) or
    two (cos, sin), shape ``positions.shape + theta.shape``, in a comparable dtype. ``cache`` holds
    the high-precision angle and its cos/sin between calls for the same positions and theta."""
    cache = {} if cache is None else cache
    dt = torch_dtype(fmt)
    hi = high_format(fmt)
    if mode not in MODES:
        raise InputError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    p = positions if theta.ndim == 0 else positions[:, None]
    if mode == "native" and fmt != hi:
        return (_comparable(p.to(dt) * theta.to(dt)),)
    if "a" not in cache:
        cache["a"] = p.to(torch_dtype(hi)) * theta
    a = cache["a"]
    if mode in ("native", "fp32_cast"):
        return (a if fmt == hi else _comparable(a.to(dt)),)
    if "c" not in cache:
        import torch

        cache["c"], cache["s"] = torch.cos(a), torch.sin(a)
    if fmt == hi:
        return cache["c"], cache["s"]
    return _comparable(cache["c"].to(dt)), _comparable(cache["s"].to(dt))


def _theta_tensor(theta: float, fmt: str, device: "torch.device") -> "torch.Tensor":
    import torch

    return torch.tensor(theta, dtype=torch.float64, device=device).to(torch_dtype(high_format(fmt)))


def lowest_angle_values(positions: "torch.Tensor", theta: float, fmt: str, mode: str) -> "torch.Tensor":
    """:func:`rope_values` of one frequency ``theta`` (rad/position, rounded to the angle's
    precision), upcast exactly to fp64: shape ``(P,)``, or ``(P, 2)`` (cos, sin) for ``cos_sin_cast``."""
    import torch

    vals = rope_values(positions, _theta_tensor(theta, fmt, positions.device), fmt, mode)
    out = [v.to(torch.float64) for v in vals]
    return out[0] if len(out) == 1 else torch.stack(out, dim=-1)


@dataclass
class _Scan:
    """Running state of one (format, mode) job of a collision scan."""

    fmt: str
    mode: str
    first: int | None = None
    changes: int = 0
    prev: tuple["torch.Tensor", ...] | None = None
    keys: list["torch.Tensor"] = field(default_factory=list)

    def done(self, start: int, context_length: int) -> bool:
        return self.first is not None and start > context_length

    def update(self, vals: tuple["torch.Tensor", ...], start: int, context_length: int) -> None:
        """Fold in the values of positions ``start .. start + n - 1``."""
        import torch

        n = len(vals[0])
        same_in = vals[0][1:] == vals[0][:-1]  # position start + 1 + i equals start + i
        for v in vals[1:]:
            same_in &= v[1:] == v[:-1]
        edge = self.prev is not None and all(bool(p == v[0]) for p, v in zip(self.prev, vals))
        if self.first is None:
            if edge:
                self.first = start
            elif bool(same_in.any()):
                self.first = start + 1 + int(torch.nonzero(same_in)[0, 0])
        if len(vals) == 1:  # angles are non-decreasing in p: distinct values = 1 + changes
            if self.prev is not None and 1 <= start <= context_length and not edge:
                self.changes += 1
            n_in = max(0, min(n - 1, context_length - start))
            self.changes += int((~same_in[:n_in]).sum())
        else:
            keep = max(0, min(n, context_length + 1 - start))
            if keep:
                self.keys.append(_pair_keys(vals[0][:keep], vals[1][:keep]))
        self.prev = tuple(v[-1:] for v in vals)

    def distinct(self) -> int:
        import torch

        if not self.keys:
            return 1 + self.changes
        keys = torch.cat(self.keys)
        return int(torch.unique(keys, dim=0 if keys.ndim == 2 else None).shape[0])


def _pair_keys(c: "torch.Tensor", s: "torch.Tensor") -> "torch.Tensor":
    """One key per (cos, sin) pair, equal exactly when both values are equal (-0.0 as +0.0)."""
    import torch

    if c.dtype == torch.float64:
        return torch.stack([c + 0.0, s + 0.0], dim=-1)
    bc = (c.float() + 0.0).view(torch.int32).to(torch.int64)
    bs = (s.float() + 0.0).view(torch.int32).to(torch.int64)
    return (bc << 32) | (bs & 0xFFFFFFFF)


def _scan(theta: float, jobs: Sequence[tuple[str, str]], max_position: int, context_length: int,
          chunk: int, device: "torch.device") -> dict[tuple[str, str], _Scan]:
    """Scan positions ``0 .. max_position`` once for every job (formats sharing one angle
    precision): the angle and its cos/sin are computed once per chunk and shared."""
    import torch

    if not (1 <= context_length <= max_position):
        raise InputError(f"context length ({context_length}) must lie in [1, max_position={max_position}]")
    if chunk < 2:
        raise InputError(f"chunk must be at least 2 positions, got {chunk}")
    if len({high_format(f) for f, _ in jobs}) > 1:
        raise InputError("one scan computes its angles in one precision: fp64 and other formats apart")
    th = _theta_tensor(theta, jobs[0][0], device)
    states = {job: _Scan(*job) for job in jobs}
    start, step = 0, min(chunk, _FIRST_STEP)
    while start <= max_position:
        pending = [s for s in states.values() if not s.done(start, context_length)]
        if not pending:
            break
        stop = min(start + step, max_position + 1)
        if all(s.first is not None for s in pending):  # only distinct counts are left to do
            stop = min(stop, context_length + 1)
        step = min(2 * step, chunk)
        pos = torch.arange(start, stop, dtype=torch.int64, device=device)
        cache: dict[str, torch.Tensor] = {}
        for s in pending:
            s.update(rope_values(pos, th, s.fmt, s.mode, cache), start, context_length)
        start = stop
    return states


def _result(s: _Scan, theta: float, context_length: int) -> dict[str, Any]:
    return {
        "first_collision": s.first,
        "angle_at_collision": None if s.first is None else float(s.first * theta),
        "distinct_fraction": s.distinct() / (context_length + 1),
    }


def first_collision(
    theta: float, fmt: str, mode: str, max_position: int, context_length: int, chunk: int,
    device: "torch.device",
) -> dict[str, Any]:
    """First ``p >= 1`` (up to ``max_position``, scanned in chunks of at most ``chunk``) whose
    lowest-frequency value (:func:`lowest_angle_values`) equals that of ``p - 1``.

    Returns ``first_collision`` (None when none up to ``max_position``), ``angle_at_collision``
    (``p * theta`` exactly) and ``distinct_fraction``: the number of distinct values among positions
    ``0 .. context_length`` over ``context_length + 1`` (angles are non-decreasing in ``p``, so
    they are counted as changes; cos/sin pairs are counted with ``unique``)."""
    fmt = canonical_dtype(fmt)
    if mode not in MODES:
        raise InputError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    s = _scan(theta, [(fmt, mode)], max_position, context_length, chunk, device)[(fmt, mode)]
    return _result(s, theta, context_length)


def first_vector_collision(
    inv: "torch.Tensor", fmt: str, mode: str, max_position: int, chunk: int, device: "torch.device",
    start: int = 1,
) -> int | None:
    """First ``p >= start`` (up to ``max_position``) whose *whole* RoPE vector (every pair of the
    frequencies ``inv``, a ``(d/2,)`` tensor in the angle's precision) equals that of ``p - 1``.

    Exact and cheap: a whole-vector repeat needs the first pair (``inv[0]``) to repeat, so only the
    positions where it does are checked on all pairs. ``start`` may skip positions where the first
    pair is known not to repeat (its first repeat does not depend on the base: ``inv[0] = 1``)."""
    import torch

    fmt = canonical_dtype(fmt)
    batch = max(1, 2**20 // max(1, len(inv)))
    lo, step = max(1, int(start)), min(chunk, _FIRST_STEP)
    while lo <= max_position:
        stop = min(lo + step, max_position + 1)
        step = min(2 * step, chunk)
        pos = torch.arange(lo - 1, stop, dtype=torch.int64, device=device)
        first = rope_values(pos, inv[0], fmt, mode)
        same = first[0][1:] == first[0][:-1]
        for v in first[1:]:
            same &= v[1:] == v[:-1]
        cand = pos[1:][same]
        for b in range(0, len(cand), batch):
            c = cand[b:b + batch]
            eq = torch.ones(len(c), dtype=torch.bool, device=device)
            for x, y in zip(rope_values(c, inv, fmt, mode), rope_values(c - 1, inv, fmt, mode)):
                eq &= (x == y).all(dim=-1)
            if bool(eq.any()):
                return int(c[torch.nonzero(eq)[0, 0]])
        lo = stop
    return None


def sweep_bases(base_log10_min: float, base_log10_max: float, bases_per_decade: int) -> np.ndarray:
    """Bases ``10 ** (k / bases_per_decade)`` with ``log10(base)`` in ``[min, max]``."""
    lo, hi, n = float(base_log10_min), float(base_log10_max), int(bases_per_decade)
    if lo >= hi:
        raise InputError(f"base_log10_min ({lo}) must be below base_log10_max ({hi})")
    k = np.arange(math.ceil(lo * n - 1e-9), math.floor(hi * n + 1e-9) + 1)
    return 10.0 ** (k / n)


def _unsupported(jobs: Sequence[tuple[str, str]], device: "torch.device") -> dict[tuple[str, str], str | None]:
    """The reason each (format, mode) cannot run on ``device`` (None where it can)."""
    import torch

    tiny = torch.arange(4, dtype=torch.int64, device=device)
    return {(f, m): unsupported_reason(f, device, f"lowest angle ({m})",
                                       lambda f=f, m=m: lowest_angle_values(tiny, 0.1, f, m))
            for f, m in jobs}


def _groups(jobs: Sequence[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """Jobs by the precision their angle is computed in (one shared scan each); fp32_cast of the
    high format itself is the identity, the same as native, and is not scanned twice."""
    out: dict[str, list[tuple[str, str]]] = {}
    for f, m in jobs:
        if not (m == "fp32_cast" and high_format(f) == f):
            out.setdefault(high_format(f), []).append((f, m))
    return out


def _measure(bases: np.ndarray, groups: dict[str, list[tuple[str, str]]], head_dim: int, context_length: int,
             max_position: int, chunk: int, device: "torch.device") -> dict[tuple[str, str, float], dict[str, Any]]:
    """Both collision definitions for every job and base: {(format, mode, base): measurement}."""
    from tqdm import tqdm

    # the first pair's first repeat (theta_0 = 1 at every base): where whole-vector checks start
    start = {j: s.first for js in groups.values()
             for j, s in _scan(1.0, js, max_position, 1, chunk, device).items()}
    out: dict[tuple[str, str, float], dict[str, Any]] = {}
    for base in tqdm(bases, desc="collisions (bases)", file=sys.stderr, mininterval=2.0):
        for hi, js in groups.items():
            inv = inv_freq_torch(float(base), head_dim, hi).to(device)
            states = _scan(float(inv[-1]), js, max_position, context_length, chunk, device)
            exact = float(inv_freq(float(base), head_dim)[-1])
            for j in js:
                vec = None if start[j] is None else first_vector_collision(
                    inv, *j, max_position, chunk, device, start=start[j])
                out[(*j, float(base))] = {**_result(states[j], exact, context_length),
                                          "first_collision_vector": vec,
                                          "theta_min_in_format": float(inv[-1].to(torch_dtype(j[0])).double())}
    return out


def collision_sweep(
    *, head_dim: int, formats: Sequence[str], base_log10_min: float, base_log10_max: float,
    bases_per_decade: int, context_length: int, max_position: int, chunk_positions: int,
    device: "torch.device",
) -> "pd.DataFrame":
    """First collision (lowest pair and whole vector) and distinct fraction of the lowest pair
    among positions ``0 .. context_length``, for every format, mode of :data:`MODES` and base of
    :func:`sweep_bases`. ``theta_min`` is the exact lowest frequency; ``theta_min_in_format`` the
    one the format holds (transformers' fp32 ``inv_freq``, cast). A format the device cannot run
    is a ``skipped`` row with the reason."""
    import pandas as pd

    d = validate_head_dim(head_dim)
    bases = sweep_bases(base_log10_min, base_log10_max, bases_per_decade)
    L, cap, chunk = int(context_length), int(max_position), int(chunk_positions)
    rec = device_record(device)
    jobs = [(f, m) for f in map(canonical_dtype, formats) for m in MODES]
    why = _unsupported(jobs, device)
    got = _measure(bases, _groups([j for j in jobs if not why[j]]), d, L, cap, chunk, device)
    rows: list[dict[str, Any]] = []
    for fmt, mode in jobs:
        for base in bases:
            key = dict(mode=mode, base=float(base), head_dim=d, theta_min=float(inv_freq(base, d)[-1]),
                       context_length=L, max_position=cap, eps_mach=machine_epsilon(fmt))
            if why[(fmt, mode)]:
                rows.append(skipped_row(rec, fmt, why[(fmt, mode)], **key))
                continue
            same = "native" if (mode == "fp32_cast" and high_format(fmt) == fmt) else mode
            r = dict(got[(fmt, same, float(base))])
            rows.append({**rec, "dtype": fmt, **key, "theta_min_in_format": r.pop("theta_min_in_format"), **r,
                         "status": "ok", "reason": ""})
    df = pd.DataFrame(rows)
    for col in ("first_collision", "first_collision_vector"):
        df[col] = df[col].astype("Int64")
    return _order(df)


def _order(df: "pd.DataFrame") -> "pd.DataFrame":
    cols = [c for c in df.columns if c not in ("status", "reason")] + ["status", "reason"]
    return df[cols]


def collision_results(
    *, device_setting: str | None, head_dim: int, formats: Sequence[str], base_log10_min: float,
    base_log10_max: float, bases_per_decade: int, context_length: int, max_position: int, chunk_positions: int,
) -> dict[str, Any]:
    """:func:`collision_sweep` on the device ``device_setting`` names
    (:func:`analysis.core.device.choose_device`): ``table`` (every row records the device, its type
    and the torch version) and the ``device`` it ran on (for the sidecar)."""
    from analysis.core.device import choose_device

    dev = choose_device(device_setting)
    table = collision_sweep(head_dim=head_dim, formats=formats, base_log10_min=base_log10_min,
                            base_log10_max=base_log10_max, bases_per_decade=bases_per_decade,
                            context_length=context_length, max_position=max_position,
                            chunk_positions=chunk_positions, device=dev)
    return {"table": table, "device": device_record(dev)["device"]}
