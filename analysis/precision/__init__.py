"""Measured floating-point erasure of RoPE positions, per number format and device (torch).

The phase-modulation paper (Liu, seeds 000/001) predicts a *precision wall*: the lowest phase step
``theta_min`` must exceed the machine epsilon, i.e. ``base < 1 / eps_mach``
(:func:`analysis.bounds.precision_wall`). This module measures what finite precision actually does.

Four measurements, each returning a table whose rows record the device name, the torch version and
the format (``dtype``); a format the device cannot run is a ``status = "skipped"`` row with the
precise reason (e.g. float8 arithmetic is not implemented on CPU):

1. :func:`collision_sweep` -- position collisions of the lowest-frequency angle ``p * theta_min``.
   "Computed in a format" has three meanings, all measured (``mode``):

   - ``native``: positions and ``theta_min`` are cast to the format and multiplied there
     (``torch.arange(L).to(bf16) * inv_freq.to(bf16)``); the position itself is rounded first;
   - ``fp32_cast``: the angle is computed in fp32 (or fp64 for fp64) and the *angle* is cast to
     the format (an angle table stored in low precision);
   - ``cos_sin_cast``: the angle and its cos/sin are computed in fp32 (fp64 for fp64) and cos/sin
     are cast to the format (what Hugging Face models feed to the rotation); two positions collide
     when both cos and sin round to the same values.

   Floats have *relative* resolution: the spacing near ``x`` is ``ULP(x) ~ eps_mach * x``. Adjacent
   angles differ by ``theta_min`` and are lost once ``theta_min < ULP(p * theta_min) / 2``-ish,
   i.e. at ``p ~ 1 / eps_mach`` positions *whatever the base*. The paper's wall compares
   ``theta_min`` with the spacing at 1 (``eps_mach``), which is the right comparison only where the
   phase has magnitude ~1: for ``p * theta_min``, at ``p ~ 1 / theta_min ~ base``. The measured
   measured wall in the paper's sense (:func:`measured_walls`) is therefore the position of the first
   collision read as a base (the base whose lowest angle reaches one radian there); the smallest
   swept base whose lowest angle collides within its first radian is reported beside it.
2. :func:`logit_sweep` -- attention-logit error ``<R(m+delta) q, R(m) k>`` against the exact
   value, over key positions ``m`` up to ``2**log2_max_position`` (streamed in chunks), for three
   implementations (:data:`IMPLEMENTATIONS`): ``hf`` (angles and cos/sin in fp32, cast to the
   format, rotation in the format), ``native`` (everything in the format) and ``fp32`` (fp32
   throughout). The same pass gives the relative-position invariance: the exact logit depends on
   ``delta`` only, so its spread over ``m < L`` measures the breakdown Wang et al. 2024 report.
3. :func:`rope_throughput` -- tokens per second of applying RoPE to ``(batch, heads, seq, d)``.

``python -m analysis.precision export`` runs all measurements with the config's ``precision``
section and writes a committed data set ``data/measurements/<device-slug>/`` (CSV + provenance),
so measurements from devices this machine lacks (GPUs) can be shown beside the current run.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.bounds import DTYPES, canonical_dtype, machine_epsilon, precision_wall
from analysis.core.errors import ConfigError, InputError
from analysis.core.rope import inv_freq, validate_base, validate_head_dim

if TYPE_CHECKING:
    import pandas as pd
    import torch

__all__ = [
    "MODES",
    "IMPLEMENTATIONS",
    "pick_device",
    "device_record",
    "device_slug",
    "torch_dtype",
    "unsupported_reason",
    "lowest_angle_values",
    "first_collision",
    "collision_sweep",
    "measured_walls",
    "position_grid",
    "rope_logits",
    "logit_sweep",
    "rope_throughput",
    "throughput_sweep",
    "wang_claims",
    "precision_scorecard",
    "run_all",
    "export",
    "TABLES",
    "load_measurements",
    "combine_devices",
    "main",
]

MODES: tuple[str, ...] = ("native", "fp32_cast", "cos_sin_cast")
IMPLEMENTATIONS: tuple[str, ...] = ("hf", "native", "fp32")


# ------------------------------------------------------------------------------------------ device
def pick_device(name: str = "auto") -> "torch.device":
    """The torch device: ``auto`` is CUDA when available, else CPU; ``cpu``/``cuda`` force one
    (``cuda`` without a GPU raises :class:`InputError`)."""
    import torch

    key = str(name).strip().lower()
    if key == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if key == "cpu":
        return torch.device("cpu")
    if key == "cuda":
        if not torch.cuda.is_available():
            raise InputError("device 'cuda' requested but torch.cuda.is_available() is False")
        return torch.device("cuda")
    raise InputError(f"device must be 'auto', 'cpu' or 'cuda', got {name!r}")


def device_record(device: "torch.device") -> dict[str, str]:
    """``device`` (model name), ``device_type`` and ``torch_version`` for every result row."""
    import torch

    from analysis.core.provenance import device_info

    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
    else:
        name = device_info()["cpu"] or "cpu"
    return {"device": name, "device_type": device.type, "torch_version": torch.__version__}


def device_slug(record: dict[str, str]) -> str:
    """Folder name of a device's measurements: ``cpu-intel-r-xeon-r-processor``."""
    s = f"{record['device_type']}-{record['device']}".lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:80]


def torch_dtype(fmt: str) -> "torch.dtype":
    """torch dtype of a format name (``bf16`` -> ``torch.bfloat16``)."""
    import torch

    return getattr(torch, DTYPES[canonical_dtype(fmt)])


def unsupported_reason(
    fmt: str, device: "torch.device", what: str, fn: Callable[[], object]
) -> str | None:
    """Run ``fn`` (the measurement's own computation on a tiny input in ``fmt``): None when it
    works, else the reason, naming ``what`` failed and the error torch raised (float8 types can be
    cast on CPU, but most arithmetic on them is not implemented)."""
    import torch

    try:
        fn()
    except (RuntimeError, NotImplementedError, TypeError) as e:
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return f"{what} in {fmt} not supported on {device.type} (torch {torch.__version__}): {msg}"
    return None


def _skipped(rec: dict[str, str], fmt: str, reason: str, **keys: Any) -> dict[str, Any]:
    return {**rec, "dtype": fmt, **keys, "status": "skipped", "reason": reason}


# ------------------------------------------------------------------------------------ collisions
def _high(fmt: str) -> str:
    """Precision the angle is computed in before a cast: fp64 for fp64, else fp32."""
    return "fp64" if canonical_dtype(fmt) == "fp64" else "fp32"


def lowest_angle_values(
    positions: "torch.Tensor", theta: float, fmt: str, mode: str
) -> "torch.Tensor":
    """Values that identify positions at frequency ``theta`` (rad/position) in ``fmt``/``mode``
    (see module docstring), upcast exactly to fp64: shape ``(P,)`` for the angle modes, ``(P, 2)``
    (cos, sin) for ``cos_sin_cast``. ``positions`` is an int64 tensor."""
    import torch

    dt = torch_dtype(fmt)
    hi = torch_dtype(_high(fmt))
    th = torch.tensor(theta, dtype=torch.float64, device=positions.device)
    if mode == "native":
        return (positions.to(dt) * th.to(dt)).to(torch.float64)
    ang = positions.to(hi) * th.to(hi)
    if mode == "fp32_cast":
        return ang.to(dt).to(torch.float64)
    if mode == "cos_sin_cast":
        return torch.stack([torch.cos(ang).to(dt), torch.sin(ang).to(dt)], dim=-1).to(torch.float64)
    raise InputError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")


def first_collision(
    theta: float,
    fmt: str,
    mode: str,
    max_position: int,
    context_length: int,
    chunk: int,
    device: "torch.device",
) -> dict[str, Any]:
    """Scan positions ``0 .. max_position`` in chunks of at most ``chunk`` for the first ``p >= 1`` whose
    value (:func:`lowest_angle_values`) equals that of ``p - 1``.

    Returns ``first_collision`` (None when none up to ``max_position``), the angle (fp64 value of
    the format's angle; for ``cos_sin_cast`` the exact angle) there, and ``distinct_fraction``: the
    number of distinct values among positions ``0 .. context_length`` over ``context_length + 1``
    (exact: angle modes are non-decreasing in ``p``; cos/sin pairs are counted with ``unique``).
    """
    import torch

    if not (1 <= context_length <= max_position):
        raise InputError(f"context length ({context_length}) must lie in [1, max_position={max_position}]")
    if chunk < 2:
        raise InputError(f"chunk must be at least 2 positions, got {chunk}")
    first: int | None = None
    changes = 0
    pairs: list[torch.Tensor] = []
    start = 0
    prev: torch.Tensor | None = None
    step = min(chunk, 65536)  # chunks grow geometrically up to `chunk`: early collisions stop early
    while start <= max_position and (first is None or start <= context_length):
        stop = min(start + step, max_position + 1)
        if first is not None:  # only the distinct count is left to do
            stop = min(stop, context_length + 1)
        step = min(2 * step, chunk)
        pos = torch.arange(start, stop, dtype=torch.int64, device=device)
        v = lowest_angle_values(pos, theta, fmt, mode)
        full = v if prev is None else torch.cat([prev, v])
        same = (full[1:] == full[:-1])
        if same.ndim == 2:
            same = same.all(dim=-1)
        p0 = start if prev is None else start - 1  # position of full[0]
        if first is None and bool(same.any()):
            first = p0 + 1 + int(torch.nonzero(same)[0, 0])
        # positions 1..context_length inside this window: indices of `same` with p0+1+i <= L
        n_in = max(0, min(len(same), context_length - p0))
        if mode == "cos_sin_cast":
            keep = max(0, min(len(v), context_length + 1 - start))
            if keep:
                pairs.append(v[:keep])
        else:
            changes += int((~same[:n_in]).sum())
        prev = v[-1:]
        start = stop
    if mode == "cos_sin_cast":
        allp = torch.cat(pairs) + 0.0  # -0.0 -> +0.0, so bit patterns match equality
        if canonical_dtype(fmt) == "fp64":
            distinct = int(torch.unique(allp, dim=0).shape[0])
        else:  # values are exact in fp32: pack the two fp32 bit patterns into one int64 key
            bits = allp.to(torch.float32).view(torch.int32).to(torch.int64)
            distinct = int(torch.unique((bits[:, 0] << 32) | (bits[:, 1] & 0xFFFFFFFF)).shape[0])
    else:
        distinct = 1 + changes
    angle = None if first is None else float(first * theta)
    return {
        "first_collision": first,
        "angle_at_collision": angle,
        "distinct_fraction": distinct / (context_length + 1),
    }


def _bases(cfg: dict[str, Any]) -> np.ndarray:
    lo, hi, n = float(cfg["base_log10_min"]), float(cfg["base_log10_max"]), int(cfg["bases_per_decade"])
    if lo >= hi:
        raise InputError(f"base_log10_min ({lo}) must be below base_log10_max ({hi})")
    k = np.arange(math.ceil(lo * n - 1e-9), math.floor(hi * n + 1e-9) + 1)
    return 10.0 ** (k / n)


def collision_sweep(cfg: dict[str, Any], device: "torch.device") -> "pd.DataFrame":
    """First collision and distinct fraction of the lowest angle for every format of
    ``cfg['collisions']['formats']``, mode of :data:`MODES` and base ``10**(k / bases_per_decade)`` in
    ``[base_log10_min, base_log10_max]`` (``cfg`` = the ``precision`` section)."""
    import pandas as pd
    from tqdm import tqdm

    d = validate_head_dim(cfg["head_dim"])
    c = cfg["collisions"]
    bases = _bases(c)
    L, cap, chunk = int(c["context_length"]), int(c["max_position"]), int(c["chunk_positions"])
    rec = device_record(device)
    rows: list[dict[str, Any]] = []
    jobs = [(f, m) for f in map(canonical_dtype, c["formats"]) for m in MODES]
    bar = tqdm(total=len(jobs) * len(bases), desc="collisions", file=sys.stderr, mininterval=2.0)
    native: dict[float, dict[str, Any]] = {}
    for fmt, mode in jobs:
        import torch

        tiny = torch.arange(4, dtype=torch.int64, device=device)
        why = unsupported_reason(fmt, device, f"lowest angle ({mode})",
                                 lambda: lowest_angle_values(tiny, 0.1, fmt, mode))
        for base in bases:
            theta = float(inv_freq(base, d)[-1])
            key = dict(mode=mode, base=float(base), head_dim=d, theta_min=theta, context_length=L,
                       max_position=cap, eps_mach=machine_epsilon(fmt))
            if why:
                rows.append(_skipped(rec, fmt, why, **key))
            else:
                th_fmt = float(torch.tensor(theta, dtype=torch.float64).to(torch_dtype(fmt)).double())
                if mode == "fp32_cast" and _high(fmt) == fmt:  # the cast is the identity: same as native
                    r = dict(native[float(base)])
                else:
                    r = first_collision(theta, fmt, mode, cap, L, chunk, device)
                if mode == "native":
                    native[float(base)] = r
                rows.append({**rec, "dtype": fmt, **key, "theta_min_in_format": th_fmt, **r,
                             "status": "ok", "reason": ""})
            bar.update()
    bar.close()
    df = pd.DataFrame(rows)
    df["first_collision"] = df["first_collision"].astype("Int64")
    return df


def measured_walls(collisions: "pd.DataFrame", head_dim: int) -> "pd.DataFrame":
    """Predicted vs measured walls per device, format and mode.

    - ``paper_wall`` = ``1 / eps_mach`` and ``exact_wall`` = ``eps_mach ** (-d / (d - 2))`` (bases,
      :func:`analysis.bounds.precision_wall`);
    - ``median_first_collision`` (positions): median over the swept bases whose ``theta_min`` does not
      underflow, against ``inv_eps_positions = 1 / eps_mach``;
    - ``measured_wall`` (paper form) = ``median_first_collision``: the paper's argument puts the
      erasure where the lowest angle reaches about one radian, ``p ~ 1 / theta_min``, which with its
      approximation ``theta_min ~ 1 / base`` is the base ``b = p``; ``measured_wall_exact`` =
      ``median_first_collision ** (d / (d - 2))`` is the same with the exact ``theta_min``;
    - ``first_radian_wall``: the smallest swept base whose lowest angle collides within its first
      radian (``first_collision <= 1 / theta_min``): a direct check, limited by the base grid;
    - ``underflow_base``: the smallest swept base whose ``theta_min`` rounds to 0 in the format.
    """
    import pandas as pd

    d = validate_head_dim(head_dim)
    rows = []
    ok = collisions[collisions["status"] == "ok"]
    for (dev, fmt, mode), g in collisions.groupby(["device", "dtype", "mode"], sort=False):
        w = precision_wall(fmt, d)
        row: dict[str, Any] = dict(device=dev, dtype=fmt, mode=mode, eps_mach=w["eps_mach"],
                                   paper_wall=w["paper"], exact_wall=w["exact"],
                                   inv_eps_positions=1.0 / w["eps_mach"])
        gg = ok[(ok["device"] == dev) & (ok["dtype"] == fmt) & (ok["mode"] == mode)].sort_values("base")
        nan = math.nan
        if gg.empty:
            row.update(status="skipped", reason=str(g["reason"].iloc[0]), median_first_collision=nan,
                       measured_wall=nan, measured_wall_exact=nan, first_radian_wall=nan, underflow_base=nan,
                       bases_swept=len(g), base_min=nan, base_max=nan)
        else:
            fc = gg["first_collision"].astype("float64")
            under = gg["theta_min_in_format"] == 0
            within = fc <= 1.0 / gg["theta_min"]
            live = fc[~under].dropna()
            med = float(live.median()) if len(live) else nan
            row.update(
                status="ok", reason="", median_first_collision=med, measured_wall=med,
                measured_wall_exact=med ** (d / (d - 2.0)) if math.isfinite(med) else nan,
                first_radian_wall=float(gg["base"][within & ~under].min()) if (within & ~under).any() else nan,
                underflow_base=float(gg["base"][under].min()) if under.any() else nan,
                bases_swept=len(gg), base_min=float(gg["base"].min()), base_max=float(gg["base"].max()),
            )
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------- logits, invariance
def position_grid(log2_max: int, dense_until: int, per_octave: int) -> np.ndarray:
    """Key positions: every integer below ``dense_until``, then ``per_octave`` evenly spaced
    integers in each octave ``[2**j, 2**(j+1))`` up to ``2**log2_max`` (exclusive), sorted, int64."""
    if log2_max < 1 or dense_until < 1 or per_octave < 1:
        raise InputError("log2_max_position, dense_until and per_octave must be positive")
    top = 2**log2_max
    parts = [np.arange(min(dense_until, top), dtype=np.int64)]
    j = 0
    while 2**j < top:
        lo, hi = 2**j, 2 ** (j + 1)
        if hi > dense_until:
            lo2 = max(lo, dense_until)
            parts.append(np.unique(np.linspace(lo2, hi - 1, min(per_octave, hi - lo2)).round().astype(np.int64)))
        j += 1
    return np.unique(np.concatenate(parts))


def _rotate_half(x: "torch.Tensor") -> "torch.Tensor":
    import torch

    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def rope_logits(
    q: "torch.Tensor",
    k: "torch.Tensor",
    pos_q: "torch.Tensor",
    pos_k: "torch.Tensor",
    theta: "torch.Tensor",
    angle_dtype: str,
    compute_dtype: str,
) -> "torch.Tensor":
    """Logits ``<R(pos_q) q_v, R(pos_k) k_v>`` for vectors ``v`` and positions ``p``: ``(V, P)``
    fp64. Angles ``pos * theta`` and their cos/sin are computed in ``angle_dtype``, cast to
    ``compute_dtype``; the rotation ``x cos + rotate_half(x) sin`` (Hugging Face half layout) runs
    in ``compute_dtype``; the dot product is taken in fp64 so only RoPE's rounding is measured.
    ``q, k``: ``(V, d)``; ``pos_*``: int64 ``(P,)``; ``theta``: fp64 ``(d/2,)``."""
    import torch

    adt, cdt = torch_dtype(angle_dtype), torch_dtype(compute_dtype)

    def rot(x: "torch.Tensor", pos: "torch.Tensor") -> "torch.Tensor":
        ang = pos.to(adt)[:, None] * theta.to(adt)[None, :]
        cos = torch.cos(ang).to(cdt)
        sin = torch.sin(ang).to(cdt)
        cos, sin = torch.cat([cos, cos], -1), torch.cat([sin, sin], -1)
        xc = x.to(cdt)[:, None, :]
        return xc * cos + _rotate_half(xc) * sin

    return (rot(q, pos_q).to(torch.float64) * rot(k, pos_k).to(torch.float64)).sum(-1)


def _impl_dtypes(impl: str, fmt: str, high: str) -> tuple[str, str]:
    """(angle dtype, compute dtype) of implementation ``impl`` for format ``fmt``."""
    if impl == "hf":
        return high, fmt
    if impl == "native":
        return fmt, fmt
    if impl == "fp32":
        return high, high
    raise InputError(f"implementation must be one of {', '.join(IMPLEMENTATIONS)}, got {impl!r}")


def _exact_logit(q: np.ndarray, k: np.ndarray, delta: int, theta: np.ndarray) -> np.ndarray:
    """Exact ``<R(m+delta) q, R(m) k> = Re sum_i z_q conj(z_k) e^{j delta theta_i}`` (any m)."""
    h = q.shape[-1] // 2
    zq = q[:, :h] + 1j * q[:, h:]
    zk = k[:, :h] + 1j * k[:, h:]
    return np.real((zq * np.conj(zk) * np.exp(1j * delta * theta)[None, :]).sum(-1))


def logit_sweep(cfg: dict[str, Any], device: "torch.device") -> tuple["pd.DataFrame", "pd.DataFrame"]:
    """Logit error and relative-position invariance (``cfg`` = the ``precision`` section).

    For ``n_vectors`` Gaussian pairs ``(q, k)`` (seed ``seed``; each rounded to the format first so
    only RoPE's rounding counts), the query at ``m + delta`` and the key at ``m`` for every ``m`` of
    :func:`position_grid`, streamed ``chunk_positions`` at a time. Errors are relative to
    ``|q| |k|``. Returns

    - ``error``: per device/format/implementation and octave bin of ``m`` (bin 0 is ``m = 0``,
      bin ``j`` is ``[2**(j-1), 2**j)``): ``max_rel_error``, ``rms_rel_error``, ``n``;
    - ``invariance``: per context ``L = 2**j`` the spread ``(max_m - min_m)`` of the logit over
      ``m < L``, relative to ``|q| |k|``: median and max over the vector pairs.

    Non-finite logits (fp16 positions above 65,504 overflow to inf) are excluded from the statistics
    and counted in ``nonfinite_fraction``.
    """
    import pandas as pd
    import torch
    from tqdm import tqdm

    d = validate_head_dim(cfg["head_dim"])
    c = cfg["logits"]
    base = validate_base(c["base"])
    delta, nv, chunk = int(c["delta"]), int(c["n_vectors"]), int(c["chunk_positions"])
    grid = position_grid(int(c["log2_max_position"]), int(c["dense_until"]), int(c["per_octave"]))
    nbins = int(c["log2_max_position"]) + 1
    rec = device_record(device)
    th64 = inv_freq(base, d)
    theta = torch.tensor(th64, dtype=torch.float64, device=device)
    rng = np.random.default_rng(int(cfg["seed"]))
    q0, k0 = rng.standard_normal((nv, d)), rng.standard_normal((nv, d))
    high = "fp32"
    jobs: list[tuple[str, str]] = []
    for fmt in map(canonical_dtype, cfg["formats"]):
        for impl in ("hf", "native"):
            if fmt != high:
                jobs.append((fmt, impl))
    jobs.append((high, "fp32"))
    err_rows: list[dict[str, Any]] = []
    inv_rows: list[dict[str, Any]] = []
    bar = tqdm(total=len(jobs) * len(grid), desc="logits", file=sys.stderr, unit="pos", mininterval=2.0)
    for fmt, impl in jobs:
        key = dict(dtype=fmt, implementation=impl, base=base, head_dim=d, delta=delta)
        adt, cdt = _impl_dtypes(impl, fmt, high)
        tiny = torch.arange(2, dtype=torch.int64, device=device)
        why = unsupported_reason(
            fmt, device, f"RoPE logits ({impl}: angles in {adt}, rotation in {cdt})",
            lambda: rope_logits(theta[None, :2].repeat(1, 2), theta[None, :2].repeat(1, 2), tiny, tiny,
                                theta[:2], adt, cdt))
        if why:
            err_rows.append(_skipped(rec, fmt, why, **{k: v for k, v in key.items() if k != "dtype"}))
            inv_rows.append(_skipped(rec, fmt, why, **{k: v for k, v in key.items() if k != "dtype"}))
            bar.update(len(grid))
            continue
        # inputs representable in the compute format; reference from the same rounded inputs
        qf = torch.tensor(q0, device=device).to(torch_dtype(cdt)).to(torch.float64)
        kf = torch.tensor(k0, device=device).to(torch_dtype(cdt)).to(torch.float64)
        ref = torch.tensor(_exact_logit(qf.cpu().numpy(), kf.cpu().numpy(), delta, th64), device=device)
        scale = (qf.norm(dim=-1) * kf.norm(dim=-1))
        zeros = torch.zeros(nv, nbins, dtype=torch.float64, device=device)
        emax, esq, fin = zeros.clone(), zeros.clone(), zeros.clone()
        lmin, lmax = zeros.clone() + math.inf, zeros.clone() - math.inf
        cnt = torch.zeros(nbins, dtype=torch.float64, device=device)
        for s in range(0, len(grid), chunk):
            m = torch.tensor(grid[s:s + chunk], dtype=torch.int64, device=device)
            lg = rope_logits(qf, kf, m + delta, m, theta, adt, cdt)  # (V, P)
            ok = torch.isfinite(lg)  # fp16 positions above 65504 overflow to inf -> NaN logits
            err = torch.where(ok, (lg - ref[:, None]).abs() / scale[:, None], 0.0)
            b = torch.where(m == 0, 0, torch.floor(torch.log2(m.clamp(min=1).double())).long() + 1)
            idx = b[None, :].expand(nv, -1)
            emax.scatter_reduce_(1, idx, err, "amax")
            esq.scatter_add_(1, idx, err**2)
            fin.scatter_add_(1, idx, ok.double())
            lmin.scatter_reduce_(1, idx, torch.where(ok, lg, math.inf), "amin")
            lmax.scatter_reduce_(1, idx, torch.where(ok, lg, -math.inf), "amax")
            cnt.scatter_add_(0, b, torch.ones_like(b, dtype=torch.float64))
            bar.update(len(m))
        nan = math.nan
        for j in range(nbins):
            if cnt[j] == 0:
                continue
            lo = 0 if j == 0 else 2 ** (j - 1)
            nf = float(fin[:, j].sum())
            err_rows.append({**rec, **key, "bin": j, "position_lo": lo, "position_hi": max(1, 2**j),
                             "max_rel_error": float(emax[:, j].max()) if nf else nan,
                             "rms_rel_error": float(torch.sqrt(esq[:, j].sum() / nf)) if nf else nan,
                             "n": int(cnt[j]) * nv, "nonfinite_fraction": 1.0 - nf / (float(cnt[j]) * nv),
                             "status": "ok", "reason": ""})
        for j in range(1, nbins):  # context L = 2**j holds bins 0..j
            n_all = float(cnt[: j + 1].sum()) * nv
            if n_all < 2 * nv:
                continue
            nf = float(fin[:, : j + 1].sum())
            spread = (lmax[:, : j + 1].amax(1) - lmin[:, : j + 1].amin(1)) / scale
            inv_rows.append({**rec, **key, "context_length": 2**j,
                             "median_rel_spread": float(spread.median()) if nf else nan,
                             "max_rel_spread": float(spread.max()) if nf else nan,
                             "rms_rel_error": float((esq[:, : j + 1].sum() / nf).sqrt()) if nf else nan,
                             "n_positions": int(cnt[: j + 1].sum()), "nonfinite_fraction": 1.0 - nf / n_all,
                             "status": "ok", "reason": ""})
    bar.close()
    return pd.DataFrame(err_rows), pd.DataFrame(inv_rows)


# ------------------------------------------------------------------------------------- throughput
def rope_throughput(
    fmt: str, device: "torch.device", batch: int, heads: int, seq: int, head_dim: int,
    base: float, repeats: int, warmup: int = 2,
) -> dict[str, Any]:
    """Tokens per second (``batch * seq / median time``) of applying RoPE the Hugging Face way
    (cos/sin tables from fp32 angles cast to ``fmt``, ``x cos + rotate_half(x) sin`` in ``fmt``)
    to a ``(batch, heads, seq, head_dim)`` tensor; ``status = skipped`` where ``fmt`` lacks an op."""
    import torch

    rec = device_record(device)
    key = dict(batch=batch, heads=heads, seq=seq, head_dim=head_dim, repeats=repeats)
    dt = torch_dtype(fmt)
    g = torch.Generator(device="cpu").manual_seed(0)
    x = torch.randn(batch, heads, seq, head_dim, generator=g).to(device=device, dtype=dt)
    th = torch.tensor(inv_freq(base, head_dim), dtype=torch.float32, device=device)
    ang = torch.arange(seq, device=device, dtype=torch.float32)[:, None] * th[None, :]
    cos = torch.cat([ang.cos(), ang.cos()], -1).to(dt)
    sin = torch.cat([ang.sin(), ang.sin()], -1).to(dt)

    def step() -> None:
        x * cos + _rotate_half(x) * sin
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    why = unsupported_reason(fmt, device, "RoPE rotation (hf)", step)
    if why:
        return _skipped(rec, fmt, why, **key)
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    t = float(np.median(times))
    return {**rec, "dtype": fmt, **key, "seconds": t, "tokens_per_s": batch * seq / t,
            "status": "ok", "reason": ""}


def throughput_sweep(cfg: dict[str, Any], device: "torch.device") -> "pd.DataFrame":
    """:func:`rope_throughput` for every format of ``cfg['formats']`` (``cfg`` = ``precision``)."""
    import pandas as pd

    t = cfg["throughput"]
    rows = [
        rope_throughput(fmt, device, int(t["batch"]), int(t["heads"]), int(t["seq"]),
                        validate_head_dim(cfg["head_dim"]), float(cfg["logits"]["base"]), int(t["repeats"]))
        for fmt in map(canonical_dtype, cfg["formats"])
    ]
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ claims, scorecard
def wang_claims(error: "pd.DataFrame", invariance: "pd.DataFrame", ratio: float = 10.0) -> "pd.DataFrame":
    """Wang et al. 2024's qualitative claims tested on one device's logit tables (bf16 = the
    ``hf`` implementation, fp32 = ``fp32``).

    Criteria: (1) bf16 breaks relative positions: at some context L of the sweep the bf16 logit
    spread over absolute positions exceeds the fp32 spread by ``ratio`` (bf16 breaks what fp32
    keeps); (3) the error grows with context: the bf16 RMS logit error in the last octave of
    positions exceeds the pooled RMS error below 1024 (a per-position measure, unlike the spread,
    which grows with the number of samples even for noise of constant size); (4) fp32 does not show
    it: the fp32 spread is ``ratio`` times below bf16 at every context. (Criterion 1 first compared
    the spreads at the largest context only; the first full run showed that this conflates claims 1
    and 4, because fp32 itself degrades at ~1M positions, so it was widened to any context.) Claim
    (2), the first token's share of the error,
    needs a trained model's attention (an attention sink) and is not measurable on random vectors.
    """
    import pandas as pd

    inv = invariance[invariance["status"] == "ok"]
    err = error[error["status"] == "ok"]
    bf = inv[(inv["dtype"] == "bf16") & (inv["implementation"] == "hf")].set_index("context_length")
    f32 = inv[(inv["dtype"] == "fp32") & (inv["implementation"] == "fp32")].set_index("context_length")
    eb = err[(err["dtype"] == "bf16") & (err["implementation"] == "hf")]
    common = bf.index.intersection(f32.index)
    if len(common) == 0 or eb.empty:
        return pd.DataFrame(columns=["claim", "verdict", "evidence"])
    Lmax, Lmin = int(common.max()), int(common.min())
    sb, sf = bf["median_rel_spread"], f32["median_rel_spread"]
    rows = []
    good = sb[common] > ratio * sf[common]
    r1 = bool(good.any())
    where = (f"holds for L in [{int(common[good].min())}, {int(common[good].max())}]" if r1 else "holds at no L")
    rows.append(("breaks_relative_position", "reproduced" if r1 else "differs",
                 f"median relative logit spread over positions m < L, bf16 vs fp32: {sb[Lmin]:.3g} vs {sf[Lmin]:.3g} "
                 f"at L={Lmin}, {sb[Lmax]:.3g} vs {sf[Lmax]:.3g} at L={Lmax}; criterion bf16 > {ratio:g}x fp32 {where}"))
    rows.append(("first_token_most_error", "not reproducible offline",
                 "needs a trained model's attention (first-token attention sink); random q, k have none"))
    low = eb[eb["position_hi"] <= 1024]
    rms_low = float(np.sqrt((low["rms_rel_error"] ** 2 * low["n"]).sum() / low["n"].sum()))
    top = eb.sort_values("bin").iloc[-1]
    r3 = float(top["rms_rel_error"]) > rms_low
    en = err[(err["dtype"] == "bf16") & (err["implementation"] == "native")]
    nat = ""
    if not en.empty:
        nl = en[en["position_hi"] <= 1024]
        n_low = float(np.sqrt((nl["rms_rel_error"] ** 2 * nl["n"]).sum() / nl["n"].sum()))
        nat = f"; angles computed in bf16: {n_low:.3g} -> {en.sort_values('bin')['rms_rel_error'].iloc[-1]:.3g}"
    rows.append(("error_grows_with_length", "reproduced" if r3 else "differs",
                 f"bf16 (fp32 angles) RMS relative logit error {rms_low:.3g} for m < 1024 vs {top['rms_rel_error']:.3g} "
                 f"for m in [{int(top['position_lo'])}, {int(top['position_hi'])}) (x{top['rms_rel_error'] / rms_low:.2g}, "
                 f"the growth comes from the fp32 angles){nat}"))
    r4 = bool(good.all())
    upto = int(common[~good].min() // 2) if not r4 and (~good).any() and common[~good].min() > Lmin else None
    held = f"holds up to L={upto}" if upto else ("holds at every L" if r4 else "fails already at the smallest L")
    rows.append(("fp32_unaffected", "reproduced" if r4 else "differs",
                 f"fp32 median spread {sf[Lmin]:.3g} at L={Lmin} -> {sf[Lmax]:.3g} at L={Lmax} (bf16 {sb[Lmax]:.3g}); "
                 f"criterion {ratio:g}x below bf16 {held}: fp32 angles m*theta carry ULP(m)-sized errors"))
    return pd.DataFrame(rows, columns=["claim", "verdict", "evidence"])


def precision_scorecard(walls: "pd.DataFrame", claims: "pd.DataFrame", published: dict[str, Any],
                        device: str) -> "pd.DataFrame":
    """Scorecard rows: the paper's fp32 wall against the measured one (native and cos/sin modes;
    tolerance 1.0 relative, since a float product's first collision lies between ``1/(2 eps)``
    and ``2/eps`` positions depending on theta's mantissa), and Wang et al.'s claims. A wall row is
    left out where no collision was found (a search limit below fp32's ~1e7 positions, as in the
    smoke profile)."""
    from analysis.core.scorecard import ScoreRow, rows_to_frame

    liu, wang = published["liu2026"], published["wang2024"]
    rows: list[ScoreRow] = []
    for mode in ("native", "cos_sin_cast"):
        w = walls[(walls["device"] == device) & (walls["dtype"] == "fp32") & (walls["mode"] == mode)]
        if w.empty:
            continue
        mw = float(w["measured_wall"].iloc[0])
        item = f"fp32 precision wall (base, paper form), measured {mode}"
        if math.isfinite(mw):
            rows.append(ScoreRow.compare(
                "precision", item, liu["citation"], float(liu["fp32_precision_wall"]), mw, 1.0,
                reason=(f"median first collision of the lowest angle ({mode}), i.e. the base whose lowest angle "
                        f"reaches 1 rad there (theta_min ~ 1/base); factor-2 tolerance fixed from theory (a float "
                        f"product first collides between 1/(2 eps) and 2/eps); the collision position hardly "
                        f"depends on the base, so the wall is really a context limit")))
        # no collision up to the search limit: the profile cannot measure the wall (smoke), no row
    for _, r in claims.iterrows():
        i = ["breaks_relative_position", "first_token_most_error", "error_grows_with_length",
             "fp32_unaffected"].index(r["claim"])
        rows.append(ScoreRow("precision", f"Wang et al.: {wang['claims'][i]}", wang["citation"],
                             "qualitative (unconfirmed secondary source)", "synthetic q, k on " + device,
                             None, r["verdict"], r["evidence"]))
    return rows_to_frame(rows)


# ---------------------------------------------------------------------------------------- export
def run_all(cfg: dict[str, Any], device: "torch.device | None" = None) -> dict[str, "pd.DataFrame"]:
    """Every measurement on ``device`` (default: ``cfg['device']``), as named tables."""
    device = device or pick_device(cfg.get("device", "auto"))
    coll = collision_sweep(cfg, device)
    err, inv = logit_sweep(cfg, device)
    return {
        "collisions": coll,
        "logit_error": err,
        "invariance": inv,
        "throughput": throughput_sweep(cfg, device),
        "walls": measured_walls(coll, int(cfg["head_dim"])),
    }


def export(cfg: dict[str, Any], out_root: str | Path, device: "torch.device | None" = None) -> Path:
    """Run :func:`run_all` and write ``<out_root>/<device-slug>/<name>.csv`` (each with its
    provenance sidecar) plus ``provenance.json`` naming device, torch version and config."""
    from analysis.core.results import write_json, write_table

    device = device or pick_device(cfg.get("device", "auto"))
    rec = device_record(device)
    folder = Path(out_root) / device_slug(rec)
    tables = run_all(cfg, device)
    for name, df in tables.items():
        write_table(df, folder / f"{name}.csv", cfg, measured_on=rec)
    summary = {**rec, "slug": device_slug(rec), "tables": sorted(tables)}
    write_json(summary, folder / "provenance.json", cfg, measured_on=rec)
    return folder


TABLES: tuple[str, ...] = ("collisions", "logit_error", "invariance", "throughput", "walls")


def load_measurements(folder: str | Path) -> dict[str, "pd.DataFrame"]:
    """A committed device data set written by :func:`export`: its tables by name (every name of
    :data:`TABLES` must be present; a missing one raises :class:`InputError` naming it)."""
    import pandas as pd

    folder = Path(folder)
    out = {}
    for name in TABLES:
        f = folder / f"{name}.csv"
        if not f.is_file():
            raise InputError(f"measurement data set {folder} lacks {name}.csv")
        df = pd.read_csv(f)
        if "reason" in df.columns:
            df["reason"] = df["reason"].astype(object).where(df["reason"].notna(), "").astype(str)
        out[name] = df
    return out


def combine_devices(
    current: dict[str, "pd.DataFrame"], folders: Sequence[str | Path]
) -> dict[str, "pd.DataFrame"]:
    """The current run's tables and every committed data set's, stacked with a ``source`` column:
    ``this run: <device>`` or ``committed: <folder name>``."""
    import pandas as pd

    parts: dict[str, list[pd.DataFrame]] = {n: [] for n in TABLES}
    for name in TABLES:
        df = current[name].copy()
        df.insert(0, "source", f"this run: {df['device'].iloc[0]}" if len(df) else "this run")
        parts[name].append(df)
    for folder in folders:
        tabs = load_measurements(folder)
        for name in TABLES:
            df = tabs[name].copy()
            df.insert(0, "source", f"committed: {Path(folder).name}")
            parts[name].append(df)
    return {n: pd.concat(v, ignore_index=True) for n, v in parts.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.precision export [--config C ...] [--out data/measurements] [--device auto]``:
    measure on this device and write its data set folder."""
    from analysis.core.config import ROOT, load_config

    p = argparse.ArgumentParser(prog="python -m analysis.precision", description=main.__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export", help="measure on this device, write data/measurements/<device>/")
    e.add_argument("--config", action="append", default=None,
                   help="config YAML(s), later ones override (default: config/config.yaml)")
    e.add_argument("--out", default=str(ROOT / "data" / "measurements"), help="folder of device folders")
    e.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    a = p.parse_args(argv)
    try:
        cfg = load_config(*(a.config or [ROOT / "config" / "config.yaml"]))["precision"]
        folder = export(cfg, a.out, pick_device(a.device))
    except (InputError, ConfigError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
