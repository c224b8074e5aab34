"""Adapter: RoPE throughput per format -> results/precision/throughput.csv."""

from analysis.core.logs import log_to
from analysis.precision import device_record, pick_device, throughput_sweep
from analysis.core.results import write_table

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
with log_to(snakemake.log[0]) as log:  # noqa: F821
    device = pick_device(cfg["device"])
    df = throughput_sweep(cfg, device)
    log.info("throughput:\n%s", df[["dtype", "tokens_per_s", "status"]].to_string())
    write_table(df, snakemake.output[0], cfg, measured_on=device_record(device))  # noqa: F821
