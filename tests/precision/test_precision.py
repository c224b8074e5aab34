"""Tests of analysis.precision: exact small cases, naive references, device fallback, skip handling."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from analysis import precision as P
from analysis.core.config import ROOT, load_config
from analysis.core.device import choose_device
from analysis.core.errors import ConfigError, InputError

CPU = torch.device("cpu")


def full_cfg() -> dict:
    """The smoke profile's whole config (tiny sizes)."""
    return load_config(ROOT / "config" / "config.yaml", ROOT / "config" / "smoke.yaml")


def small_cfg() -> dict:
    """The smoke profile's precision section (tiny sizes)."""
    return full_cfg()["precision"]


def sweep(**over) -> pd.DataFrame:
    c = {**small_cfg()["collisions"], **over}
    return P.collision_sweep(head_dim=128, device=CPU, **c)


def logits(formats=("fp64", "fp32", "bf16", "fp16", "fp8_e4m3"), **over) -> tuple[pd.DataFrame, pd.DataFrame]:
    lg = {**small_cfg()["logits"], **over}
    return P.logit_sweep(head_dim=128, formats=list(formats), seed=0, device=CPU, **lg)


# ------------------------------------------------------------------------------ exact small cases
def test_bf16_integers_exact_to_256_then_spacing_2():
    p = torch.arange(0, 600, dtype=torch.int64)
    v = p.to(torch.bfloat16).to(torch.int64)
    assert torch.equal(v[:257], p[:257])  # every integer up to 256 exactly
    assert v[257] == 256 and v[258] == 258 and v[259] == 260  # spacing 2 above 256 (ties to even)
    assert set(np.diff(np.unique(v[256:513].numpy())).tolist()) == {2}
    assert set(np.diff(np.unique(v[512:600].numpy())).tolist()) == {4}


def test_native_bf16_with_theta_one_collides_at_257():
    # theta = 1 is exact, so the angle is the bf16 position: 256 -> 257 is the first repeat
    r = P.first_collision(1.0, "bf16", "native", 1000, 300, 64, CPU)
    assert r["first_collision"] == 257
    # distinct values among 0..300: 0..256 (257 values) + even 258..300 (22 values)
    assert r["distinct_fraction"] == pytest.approx((257 + 22) / 301)


def test_fp16_and_fp32_integer_limits():
    assert P.first_collision(1.0, "fp16", "native", 5000, 100, 1000, CPU)["first_collision"] == 2049
    assert P.first_collision(1.0, "fp16", "fp32_cast", 5000, 100, 1000, CPU)["first_collision"] == 2049
    r = P.first_collision(1.0, "fp32", "native", 2**24 + 10, 10, 2**22, CPU)
    assert r["first_collision"] == 2**24 + 1


def test_first_collision_matches_naive_loop_and_chunking():
    theta = 3.3e-3
    for fmt in ("bf16", "fp16"):
        for mode in P.MODES:
            dt = P.torch_dtype(fmt)
            naive = None
            for p in range(1, 5000):
                if mode == "native":
                    th = torch.tensor(theta, dtype=torch.float64).float().to(dt)
                    a = (torch.tensor(float(p)).to(dt) * th).double()
                    b = (torch.tensor(float(p - 1)).to(dt) * th).double()
                    same = a == b
                else:
                    a = torch.tensor(float(p), dtype=torch.float32) * torch.tensor(theta, dtype=torch.float32)
                    b = torch.tensor(float(p - 1), dtype=torch.float32) * torch.tensor(theta, dtype=torch.float32)
                    if mode == "fp32_cast":
                        same = a.to(dt) == b.to(dt)
                    else:
                        same = (torch.cos(a).to(dt) == torch.cos(b).to(dt)) and (torch.sin(a).to(dt) == torch.sin(b).to(dt))
                if bool(same):
                    naive = p
                    break
            for chunk in (7, 4096):
                got = P.first_collision(theta, fmt, mode, 4999, 100, chunk, CPU)["first_collision"]
                assert got == naive, (fmt, mode, chunk)


def test_distinct_fraction_against_unique():
    theta, L = 2.0e-3, 3000
    for mode in P.MODES:
        pos = torch.arange(L + 1, dtype=torch.int64)
        v = P.lowest_angle_values(pos, theta, "bf16", mode)
        n = torch.unique(v, dim=0).shape[0] if v.ndim == 2 else torch.unique(v).shape[0]
        r = P.first_collision(theta, "bf16", mode, 4000, L, 333, CPU)
        assert r["distinct_fraction"] == pytest.approx(n / (L + 1)), mode


def test_collision_scales_like_inverse_eps_not_base():
    # relative resolution: the first collision of the native angle lies within [1/(2 eps), 2/eps]
    # positions (plus one) for every base, although the paper's wall 1/eps is a base
    from analysis.bounds import machine_epsilon
    from analysis.core.rope import inv_freq

    for fmt in ("bf16", "fp16"):
        eps = machine_epsilon(fmt)
        for base in (10.0, 1e3, 1e5, 1e7):
            theta = float(inv_freq(base, 128)[-1])
            fc = P.first_collision(theta, fmt, "native", 10**5, 10, 4096, CPU)["first_collision"]
            assert 0.5 / eps <= fc <= 2.0 / eps + 1, (fmt, base, fc)


def test_fp16_theta_underflow_erases_every_position():
    from analysis.core.rope import inv_freq

    theta = float(inv_freq(1e9, 128)[-1])  # ~1.5e-9 < fp16's smallest subnormal / 2
    r = P.first_collision(theta, "fp16", "native", 100, 50, 64, CPU)
    assert r["first_collision"] == 1 and r["distinct_fraction"] == pytest.approx(1 / 51)


def test_first_collision_bad_input():
    with pytest.raises(InputError, match="context length"):
        P.first_collision(0.1, "bf16", "native", 10, 20, 4, CPU)
    with pytest.raises(InputError, match="mode"):
        P.lowest_angle_values(torch.arange(3), 0.1, "bf16", "bogus")
    with pytest.raises(InputError, match="dtype"):
        P.torch_dtype("fp12")


# --------------------------------------------------------------------------------- logits
def test_three_implementations_agree_in_fp64():
    rng = np.random.default_rng(1)
    d = 16
    q, k = torch.tensor(rng.standard_normal((3, d))), torch.tensor(rng.standard_normal((3, d)))
    theta = torch.tensor(P.inv_freq(1e4, d))
    m = torch.tensor([0, 5, 1000, 123456], dtype=torch.int64)
    outs = [P.rope_logits(q, k, m + 7, m, theta, *P.impl_dtypes(impl, "fp64", "fp64")) for impl in P.IMPLEMENTATIONS]
    exact = P.exact_logit(q.numpy(), k.numpy(), 7, theta.numpy())
    for o in outs:
        np.testing.assert_allclose(o.numpy(), np.repeat(exact[:, None], 4, 1), rtol=0, atol=1e-9)
    assert torch.equal(outs[0], outs[1]) and torch.equal(outs[1], outs[2])


def test_rope_logits_match_reference_apply_rope():
    # the half layout of rope_logits equals analysis.core.rope.apply_rope (adjacent pairs) after permuting
    from analysis.core.rope import apply_rope

    rng = np.random.default_rng(2)
    d = 8
    q, k = rng.standard_normal((1, d)), rng.standard_normal((1, d))
    perm = np.concatenate([np.arange(0, d, 2), np.arange(1, d, 2)])  # adjacent -> half layout
    pos = np.array([3, 40])
    ref = (apply_rope(np.repeat(q, 2, 0), pos + 5, 500.0) * apply_rope(np.repeat(k, 2, 0), pos, 500.0)).sum(-1)
    theta = torch.tensor(P.inv_freq(500.0, d))
    got = P.rope_logits(torch.tensor(q[:, perm]), torch.tensor(k[:, perm]), torch.tensor(pos + 5),
                        torch.tensor(pos), theta, "fp64", "fp64")
    np.testing.assert_allclose(got.numpy()[0], ref, atol=1e-12)


def test_logit_sweep_shapes_and_orderings():
    err, inv = logits()
    ok = inv[inv["status"] == "ok"]
    for col in ("device", "device_type", "torch_version", "dtype"):
        assert col in err.columns and col in inv.columns
    assert set(ok["device_type"]) == {"cpu"} and set(ok["torch_version"]) == {torch.__version__}
    spread = ok.set_index(["dtype", "implementation", "context_length"])["median_rel_spread"]
    L = int(ok["context_length"].max())
    # exact arithmetic: fp64 native is invariant to rounding level; fp32 far below bf16
    assert spread[("fp64", "native", L)] < 1e-12
    assert spread[("fp32", "fp32", L)] < spread[("bf16", "hf", L)] / 10
    # computing the angle in bf16 is far worse than casting fp32 cos/sin
    assert spread[("bf16", "native", L)] > 5 * spread[("bf16", "hf", L)]
    # the spread over m < L can only grow with L (nested position sets)
    for (fmt, impl), g in ok.groupby(["dtype", "implementation"]):
        s = g.sort_values("context_length")["median_rel_spread"].to_numpy()
        assert np.all(np.diff(s[np.isfinite(s)]) >= -1e-15), (fmt, impl)


def test_position_grid():
    g = P.position_grid(10, 16, 8)
    assert g[0] == 0 and g.max() < 1024 and np.all(np.diff(g) > 0)
    assert set(range(16)) <= set(g.tolist())
    assert P.position_grid(6, 1, 1000).tolist() == list(range(64))  # dense when per_octave is large
    with pytest.raises(InputError):
        P.position_grid(0, 1, 1)


# ------------------------------------------------------------------------ device, skip handling
def test_device_fallback_to_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert choose_device("auto").type == "cpu"
    with pytest.raises(InputError, match="cuda"):
        choose_device("cuda")
    with pytest.raises(InputError, match="device"):
        choose_device("tpu")
    rec = P.device_record(torch.device("cpu"))
    assert rec["device_type"] == "cpu" and rec["torch_version"] == torch.__version__ and rec["device"]
    assert P.device_slug(rec).startswith("cpu-") and " " not in P.device_slug(rec)


def test_unsupported_reason_names_op_and_error():
    def boom() -> None:
        raise NotImplementedError('"cos_vml_cpu" not implemented for \'Float8_e4m3fn\'')

    r = P.unsupported_reason("fp8_e4m3", CPU, "cos", boom)
    assert "cos in fp8_e4m3" in r and "cos_vml_cpu" in r and "torch" in r
    assert P.unsupported_reason("fp32", CPU, "x", lambda: None) is None


def test_fp8_skip_rows_carry_reason(monkeypatch):
    """Formats the device cannot run are rows with status 'skipped' and the probe's reason."""
    real = P.lowest_angle_values

    def fake(positions, theta, fmt, mode):
        if fmt == "fp8_e5m2" and mode == "native":
            raise NotImplementedError("mul not implemented for 'Float8_e5m2'")
        return real(positions, theta, fmt, mode)

    from analysis.precision import collisions as C

    monkeypatch.setattr(C, "lowest_angle_values", fake)
    df = sweep(formats=["bf16", "fp8_e5m2"], base_log10_max=3.0)
    sk = df[df["status"] == "skipped"]
    assert set(sk["dtype"]) == {"fp8_e5m2"} and set(sk["mode"]) == {"native"}
    assert sk["reason"].str.contains("Float8_e5m2").all()
    assert (df[df["status"] == "ok"]["reason"] == "").all()
    walls = P.measured_walls(df, 128)
    w = walls.set_index(["dtype", "mode"])
    assert w.loc[("fp8_e5m2", "native"), "status"] == "skipped"
    assert math.isnan(w.loc[("fp8_e5m2", "native"), "median_first_collision"])


def test_fp8_on_this_device_is_measured_or_skipped_with_reason():
    """Whatever this torch build supports for float8, every row is either measured or says why."""
    err, inv = logits(formats=["fp8_e4m3"])
    rows = err[err["dtype"] == "fp8_e4m3"]
    assert len(rows) > 0
    sk = rows[rows["status"] == "skipped"]
    assert (sk["reason"].str.len() > 20).all()
    t = P.throughput_sweep(formats=["fp8_e4m3"], head_dim=128, base=5e5, batch=1, heads=1, seq=8, repeats=1, device=CPU)
    assert t["status"].iloc[0] in ("ok", "skipped")
    if t["status"].iloc[0] == "skipped":
        assert "fp8_e4m3" in t["reason"].iloc[0]


def test_export_and_combine(tmp_path):
    cfg = full_cfg()
    cfg["precision"]["collisions"] = dict(cfg["precision"]["collisions"], formats=["bf16"], base_log10_max=2.0)
    folder = P.export(cfg, tmp_path, CPU)
    assert (folder / "provenance.json").is_file()
    tabs = P.load_measurements(folder)
    assert set(tabs) == set(P.TABLES)
    cur = {k: v.copy() for k, v in tabs.items()}
    comb = P.combine_devices(cur, [folder])
    srcs = set(comb["walls"]["source"])
    assert len(srcs) == 2 and any(s.startswith("committed: ") for s in srcs)
    (folder / "walls.csv").unlink()
    with pytest.raises(InputError, match="walls.csv"):
        P.load_measurements(folder)


def test_cli_bad_config_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("precision:\n  device: tpu\n")
    rc = P.main(["export", "--config", str(ROOT / "config" / "config.yaml"), "--config", str(bad),
                 "--out", str(tmp_path)])
    assert rc == 2 and "precision.device" in capsys.readouterr().err


def test_committed_measurements_load():
    """Every committed device data set is complete and records device, torch version and dtype."""
    root = ROOT / "data" / "measurements"
    folders = sorted(p.parent for p in root.glob("*/provenance.json"))
    assert folders, "no committed measurement data set"
    for f in folders:
        tabs = P.load_measurements(f)
        for name, df in tabs.items():
            if name not in ("walls", "erasure"):
                assert {"device", "torch_version", "dtype", "status"} <= set(df.columns), (f, name)
        assert isinstance(tabs["walls"], pd.DataFrame)
