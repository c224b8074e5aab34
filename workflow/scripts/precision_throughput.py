"""Adapter: RoPE throughput per format -> results/precision/throughput.csv."""

from analysis.core.adapter import Adapter
from analysis.core.device import choose_device
from analysis.precision import device_record, throughput_sweep

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    device = choose_device(a.setting("precision.device"))
    a.device = device_record(device)["device"]
    t = {k: a.setting(f"precision.throughput.{k}") for k in ("batch", "heads", "seq", "repeats")}
    df = a.call(throughput_sweep, formats=a.setting("physics.dtypes"), head_dim=a.setting("physics.head_dim"),
                base=a.setting("precision.logits.base"), device=device, **t)
    a.table(df, "table", measured_on=device_record(device))
