"""Adapter: position-collision sweep -> results/precision/collisions.csv."""

from analysis.core.logs import log_to
from analysis.precision import collision_sweep, device_record, pick_device
from analysis.core.results import write_table

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
with log_to(snakemake.log[0]) as log:  # noqa: F821
    device = pick_device(cfg["device"])
    log.info("device %s", device_record(device))
    df = collision_sweep(cfg, device)
    log.info("collisions: %d rows (%d skipped)", len(df), int((df["status"] == "skipped").sum()))
    write_table(df, snakemake.output[0], cfg, measured_on=device_record(device))  # noqa: F821
