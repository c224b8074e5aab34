"""Attention-logit error of RoPE against exact arithmetic, and relative-position invariance.

For random ``(q, k)`` pairs the query sits at ``m + delta`` and the key at ``m``; the exact logit
depends on ``delta`` only, so its spread over absolute positions ``m < L`` measures the breakdown
Wang et al. 2024 report. Three implementations (:data:`IMPLEMENTATIONS`): ``hf`` (angles and cos/sin
in fp32 from transformers' fp32 ``inv_freq``, cast to the format, rotation in the format),
``native`` (everything in the format) and ``fp32`` (fp32 throughout).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.bounds import canonical_dtype
from analysis.core.errors import InputError
from analysis.core.rope import inv_freq, inv_freq_torch, validate_base, validate_head_dim
from analysis.precision.device import device_record, skipped_row, torch_dtype, unsupported_reason

if TYPE_CHECKING:
    import pandas as pd
    import torch

__all__ = ["IMPLEMENTATIONS", "logit_results", "position_grid", "rotate_half", "rope_logits", "impl_dtypes", "exact_logit",
           "logit_sweep"]

IMPLEMENTATIONS: tuple[str, ...] = ("hf", "native", "fp32")


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


def rotate_half(x: "torch.Tensor") -> "torch.Tensor":
    """Hugging Face's ``rotate_half``: ``(x1, x2) -> (-x2, x1)`` on the two halves of the last dim."""
    import torch

    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def rope_logits(
    q: "torch.Tensor", k: "torch.Tensor", pos_q: "torch.Tensor", pos_k: "torch.Tensor", theta: "torch.Tensor",
    angle_dtype: str, compute_dtype: str,
) -> "torch.Tensor":
    """Logits ``<R(pos_q) q_v, R(pos_k) k_v>`` for vectors ``v`` and positions ``p``: ``(V, P)``
    fp64. Angles ``pos * theta`` and their cos/sin are computed in ``angle_dtype``, cast to
    ``compute_dtype``; the rotation ``x cos + rotate_half(x) sin`` (Hugging Face half layout) runs
    in ``compute_dtype``; the dot product is taken in fp64 so only RoPE's rounding is measured.
    ``q, k``: ``(V, d)``; ``pos_*``: int64 ``(P,)``; ``theta``: fp64 ``(d/2,)`` (cast to ``angle_dtype``)."""
    import torch

    adt, cdt = torch_dtype(angle_dtype), torch_dtype(compute_dtype)

    def rot(x: "torch.Tensor", pos: "torch.Tensor") -> "torch.Tensor":
        ang = pos.to(adt)[:, None] * theta.to(adt)[None, :]
        cos = torch.cos(ang).to(cdt)
        sin = torch.sin(ang).to(cdt)
        cos, sin = torch.cat([cos, cos], -1), torch.cat([sin, sin], -1)
        xc = x.to(cdt)[:, None, :]
        return xc * cos + rotate_half(xc) * sin

    return (rot(q, pos_q).to(torch.float64) * rot(k, pos_k).to(torch.float64)).sum(-1)


def impl_dtypes(impl: str, fmt: str, high: str) -> tuple[str, str]:
    """(angle dtype, compute dtype) of implementation ``impl`` for format ``fmt``."""
    if impl == "hf":
        return high, fmt
    if impl == "native":
        return fmt, fmt
    if impl == "fp32":
        return high, high
    raise InputError(f"implementation must be one of {', '.join(IMPLEMENTATIONS)}, got {impl!r}")


def exact_logit(q: np.ndarray, k: np.ndarray, delta: int, theta: np.ndarray) -> np.ndarray:
    """Exact ``<R(m+delta) q, R(m) k> = Re sum_i z_q conj(z_k) e^{j delta theta_i}`` (any m)."""
    h = q.shape[-1] // 2
    zq = q[:, :h] + 1j * q[:, h:]
    zk = k[:, :h] + 1j * k[:, h:]
    return np.real((zq * np.conj(zk) * np.exp(1j * delta * theta)[None, :]).sum(-1))


class _Stats:
    """Per vector pair and octave bin of ``m``: max/squared error, finite count, logit min/max."""

    def __init__(self, nv: int, nbins: int, device: "torch.device"):
        import torch

        zeros = torch.zeros(nv, nbins, dtype=torch.float64, device=device)
        self.emax, self.esq, self.fin = zeros.clone(), zeros.clone(), zeros.clone()
        self.lmin, self.lmax = zeros.clone() + math.inf, zeros.clone() - math.inf
        self.cnt = torch.zeros(nbins, dtype=torch.float64, device=device)
        self.nv = nv

    def add(self, lg: "torch.Tensor", ref: "torch.Tensor", scale: "torch.Tensor", m: "torch.Tensor") -> None:
        import torch

        ok = torch.isfinite(lg)  # fp16 positions above 65504 overflow to inf -> NaN logits
        err = torch.where(ok, (lg - ref[:, None]).abs() / scale[:, None], 0.0)
        b = torch.where(m == 0, 0, torch.floor(torch.log2(m.clamp(min=1).double())).long() + 1)
        idx = b[None, :].expand(self.nv, -1)
        self.emax.scatter_reduce_(1, idx, err, "amax")
        self.esq.scatter_add_(1, idx, err**2)
        self.fin.scatter_add_(1, idx, ok.double())
        self.lmin.scatter_reduce_(1, idx, torch.where(ok, lg, math.inf), "amin")
        self.lmax.scatter_reduce_(1, idx, torch.where(ok, lg, -math.inf), "amax")
        self.cnt.scatter_add_(0, b, torch.ones_like(b, dtype=torch.float64))

    def error_rows(self, head: dict[str, Any]) -> list[dict[str, Any]]:
        import torch

        rows, nan, nv = [], math.nan, self.nv
        for j in range(self.cnt.shape[0]):
            if self.cnt[j] == 0:
                continue
            nf = float(self.fin[:, j].sum())
            rows.append({**head, "bin": j, "position_lo": 0 if j == 0 else 2 ** (j - 1), "position_hi": max(1, 2**j),
                         "max_rel_error": float(self.emax[:, j].max()) if nf else nan,
                         "rms_rel_error": float(torch.sqrt(self.esq[:, j].sum() / nf)) if nf else nan,
                         "n": int(self.cnt[j]) * nv, "nonfinite_fraction": 1.0 - nf / (float(self.cnt[j]) * nv),
                         "status": "ok", "reason": ""})
        return rows

    def invariance_rows(self, head: dict[str, Any], scale: "torch.Tensor") -> list[dict[str, Any]]:
        rows, nan, nv = [], math.nan, self.nv
        for j in range(1, self.cnt.shape[0]):  # context L = 2**j holds bins 0..j
            n_all = float(self.cnt[: j + 1].sum()) * nv
            if n_all < 2 * nv:
                continue
            nf = float(self.fin[:, : j + 1].sum())
            spread = (self.lmax[:, : j + 1].amax(1) - self.lmin[:, : j + 1].amin(1)) / scale
            rows.append({**head, "context_length": 2**j,
                         "median_rel_spread": float(spread.median()) if nf else nan,
                         "max_rel_spread": float(spread.max()) if nf else nan,
                         "rms_rel_error": float((self.esq[:, : j + 1].sum() / nf).sqrt()) if nf else nan,
                         "n_positions": int(self.cnt[: j + 1].sum()), "nonfinite_fraction": 1.0 - nf / n_all,
                         "status": "ok", "reason": ""})
        return rows


def _jobs(formats: Sequence[str], high: str = "fp32") -> list[tuple[str, str]]:
    jobs = [(f, impl) for f in map(canonical_dtype, formats) if f != high for impl in ("hf", "native")]
    return jobs + [(high, "fp32")]


def logit_sweep(
    *, head_dim: int, formats: Sequence[str], seed: int, base: float, delta: int, n_vectors: int,
    log2_max_position: int, dense_until: int, per_octave: int, chunk_positions: int, device: "torch.device",
) -> tuple["pd.DataFrame", "pd.DataFrame"]:
    """Logit error and relative-position invariance for every format of ``formats``.

    For ``n_vectors`` Gaussian pairs ``(q, k)`` (``seed``; each rounded to the compute format first
    so only RoPE's rounding counts), the query at ``m + delta`` and the key at ``m`` for every ``m``
    of :func:`position_grid`, streamed ``chunk_positions`` at a time; angles from transformers' fp32
    ``inv_freq`` (the exact fp64 one for fp64 angles); errors relative to ``|q| |k|`` against the
    exact logit. Returns ``error`` (per octave bin of ``m``: bin 0 is ``m = 0``, bin ``j`` is
    ``[2**(j-1), 2**j)``) and ``invariance`` (per context ``L = 2**j``: the spread
    ``max_m - min_m`` over ``m < L``, median and max over the pairs). Non-finite logits (fp16
    positions above 65,504) are left out and counted in ``nonfinite_fraction``."""
    import pandas as pd
    import torch
    from tqdm import tqdm

    d = validate_head_dim(head_dim)
    base = validate_base(base)
    grid = position_grid(int(log2_max_position), int(dense_until), int(per_octave))
    th64 = inv_freq(base, d)
    thetas = {"fp64": torch.tensor(th64, dtype=torch.float64, device=device),
              "other": inv_freq_torch(base, d, "fp32").double().to(device)}
    rng = np.random.default_rng(int(seed))
    q0, k0 = rng.standard_normal((int(n_vectors), d)), rng.standard_normal((int(n_vectors), d))
    rec, jobs = device_record(device), _jobs(formats)
    err_rows: list[dict[str, Any]] = []
    inv_rows: list[dict[str, Any]] = []
    bar = tqdm(total=len(jobs) * len(grid), desc="logits", file=sys.stderr, unit="pos", mininterval=2.0)
    for fmt, impl in jobs:
        key = dict(dtype=fmt, implementation=impl, base=base, head_dim=d, delta=int(delta))
        adt, cdt = impl_dtypes(impl, fmt, "fp32")
        theta = thetas["fp64" if adt == "fp64" else "other"]
        why = unsupported_reason(fmt, device, f"RoPE logits ({impl}: angles in {adt}, rotation in {cdt})",
                                 lambda: _probe(theta, adt, cdt, device))
        if why:
            rest = {k: v for k, v in key.items() if k != "dtype"}
            err_rows.append(skipped_row(rec, fmt, why, **rest))
            inv_rows.append(skipped_row(rec, fmt, why, **rest))
        else:
            st, scale = _one_job(q0, k0, grid, theta, th64, (adt, cdt), int(delta), int(chunk_positions),
                                 int(log2_max_position) + 1, device, bar)
            err_rows += st.error_rows({**rec, **key})
            inv_rows += st.invariance_rows({**rec, **key}, scale)
        bar.update(len(grid) if why else 0)
    bar.close()
    return pd.DataFrame(err_rows), pd.DataFrame(inv_rows)


def logit_results(
    *, device_setting: str | None, head_dim: int, formats: Sequence[str], seed: int, base: float, delta: int,
    n_vectors: int, log2_max_position: int, dense_until: int, per_octave: int, chunk_positions: int,
) -> dict[str, Any]:
    """:func:`logit_sweep` on the device ``device_setting`` names
    (:func:`analysis.core.device.choose_device`): ``logit_error``, ``invariance`` (every row records
    the device, its type and the torch version) and the ``device`` it ran on (for the sidecars)."""
    from analysis.core.device import choose_device

    dev = choose_device(device_setting)
    err, inv = logit_sweep(head_dim=head_dim, formats=formats, seed=seed, base=base, delta=delta,
                           n_vectors=n_vectors, log2_max_position=log2_max_position, dense_until=dense_until,
                           per_octave=per_octave, chunk_positions=chunk_positions, device=dev)
    return {"logit_error": err, "invariance": inv, "device": device_record(dev)["device"]}


def _probe(theta: "torch.Tensor", adt: str, cdt: str, device: "torch.device") -> None:
    import torch

    tiny = torch.arange(2, dtype=torch.int64, device=device)
    rope_logits(theta[None, :2].repeat(1, 2), theta[None, :2].repeat(1, 2), tiny, tiny, theta[:2], adt, cdt)


def _one_job(q0: np.ndarray, k0: np.ndarray, grid: np.ndarray, theta: "torch.Tensor", th64: np.ndarray,
             dtypes: tuple[str, str], delta: int, chunk: int, nbins: int, device: "torch.device",
             bar: Any) -> tuple[_Stats, "torch.Tensor"]:
    """Statistics of one (format, implementation) over the position grid, and ``|q| |k|``."""
    import torch

    adt, cdt = dtypes
    qf = torch.tensor(q0, device=device).to(torch_dtype(cdt)).to(torch.float64)
    kf = torch.tensor(k0, device=device).to(torch_dtype(cdt)).to(torch.float64)
    ref = torch.tensor(exact_logit(qf.cpu().numpy(), kf.cpu().numpy(), delta, th64), device=device)
    scale = qf.norm(dim=-1) * kf.norm(dim=-1)
    st = _Stats(len(q0), nbins, device)
    for s in range(0, len(grid), chunk):
        m = torch.tensor(grid[s:s + chunk], dtype=torch.int64, device=device)
        st.add(rope_logits(qf, kf, m + delta, m, theta, adt, cdt), ref, scale, m)
        bar.update(len(m))
    return st, scale
