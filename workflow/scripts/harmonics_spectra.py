"""Adapter: synthetic spectra, harmonics and intermodulation -> results/harmonics/*."""

from analysis.harmonics import synthetic_results
from analysis.core.logs import log_to
from analysis.core.results import write_json, write_table

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
out = snakemake.output  # noqa: F821
with log_to(snakemake.log[0]) as log:  # noqa: F821
    r = synthetic_results(cfg)
    log.info("summary: %s", r["summary"])
    for i, name in enumerate(
        [
            "embedding_lines",
            "harmonics",
            "intermod",
            "ffn_summary",
            "ffn_lines",
            "embedding_spectrum",
            "ffn_spectra",
        ]
    ):
        write_table(r[name], out[2 * i], cfg)
    write_json(r["summary"], out[14], cfg)
