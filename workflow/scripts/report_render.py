"""Adapter: render the Quarto book (website + versioned Typst PDF) against this run's results."""

import sys

from analysis.core.logs import log_to
from analysis.report.quarto import render_book

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
with log_to(snakemake.log[0]) as log:  # noqa: F821
    try:
        out = render_book(
            quarto=snakemake.params.quarto,  # noqa: F821
            root=snakemake.params.root,  # noqa: F821
            results_dir=snakemake.params.results,  # noqa: F821
            site_dir=cfg["site_dir"],
            pdf_stem=cfg["pdf_stem"],
            log=log,
        )
    except RuntimeError as err:  # no Jupyter in the render's Python, Quarto too old, render failed
        log.error("%s", err)
        sys.exit(f"rope-bounds: {err}")
    log.info("rendered %s", out)
