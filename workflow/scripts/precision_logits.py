"""Adapter: logit error + invariance sweep -> results/precision/{logit_error,invariance}.csv."""

from analysis.core.logs import log_to
from analysis.precision import device_record, logit_sweep, pick_device
from analysis.core.results import write_table

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
with log_to(snakemake.log[0]) as log:  # noqa: F821
    device = pick_device(cfg["device"])
    log.info("device %s", device_record(device))
    err, inv = logit_sweep(cfg, device)
    log.info("logit error: %d rows, invariance: %d rows", len(err), len(inv))
    write_table(err, snakemake.output.error[0], cfg, measured_on=device_record(device))  # noqa: F821
    write_table(inv, snakemake.output.invariance[0], cfg, measured_on=device_record(device))  # noqa: F821
