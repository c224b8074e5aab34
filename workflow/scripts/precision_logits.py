"""Adapter: logit error + invariance sweep -> results/precision/{logit_error,invariance}.csv."""

from analysis.core.adapter import Adapter
from analysis.core.device import choose_device
from analysis.precision import device_record, logit_sweep

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    device = choose_device(a.setting("precision.device"))
    a.device = device_record(device)["device"]
    lg = {k: a.setting(f"precision.logits.{k}") for k in (
        "base", "delta", "n_vectors", "log2_max_position", "dense_until", "per_octave", "chunk_positions")}
    err, inv = a.call(logit_sweep, head_dim=a.setting("physics.head_dim"), formats=a.setting("physics.dtypes"),
                      seed=a.setting("precision.seed"), device=device, **lg)
    a.table(err, "error", measured_on=device_record(device))
    a.table(inv, "invariance", measured_on=device_record(device))
