"""The render rule's own script (not a step: it runs Quarto over every result): the website and the
versioned Typst PDF, each with a provenance sidecar (rule, function, Quarto version, settings)."""

import sys

from analysis.core.adapter import Adapter
from analysis.report.quarto import quarto_version, render_book

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    try:
        out = a.call(
            render_book, quarto=snakemake.params.quarto, root=snakemake.params.root,  # noqa: F821
            results_dir=snakemake.params.results, site_dir=a.setting("report.site_dir"),  # noqa: F821
            pdf_stem=a.setting("report.pdf_stem"), log=a.log,
        )
    except RuntimeError as err:  # no Jupyter in the render's Python, Quarto too old, render failed
        a.log.error("%s", err)
        sys.exit(f"rope-bounds: {err}")
    from analysis.core.results import write_sidecar

    quarto = ".".join(map(str, quarto_version(snakemake.params.quarto)))  # noqa: F821
    for path in out.values():
        write_sidecar(path, None, **a.record(), quarto=quarto)
    a.log.info("rendered %s", out)
