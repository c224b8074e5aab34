"""Adapter: position-collision sweep (lowest pair and whole vector) -> results/precision/collisions.csv."""

from analysis.core.adapter import Adapter
from analysis.core.device import choose_device
from analysis.precision import collision_sweep, device_record

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    device = choose_device(a.setting("precision.device"))
    a.device = device_record(device)["device"]
    c = {k: a.setting(f"precision.collisions.{k}") for k in (
        "formats", "base_log10_min", "base_log10_max", "bases_per_decade", "context_length", "max_position",
        "chunk_positions")}
    df = a.call(collision_sweep, head_dim=a.setting("physics.head_dim"), device=device, **c)
    a.table(df, "table", measured_on=device_record(device))
