"""Adapter: trained subject model + text -> spectra of its MLP activations (results/harmonics/real_*)."""

from analysis.core.adapter import Adapter
from analysis.harmonics import real_model

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    s = a.setting
    r = a.call(
        real_model.real_model_results,
        model_file=a.input("model"), text_file=a.input("text"), text_name=s("harmonics.real_model.text"),
        max_positions=s("harmonics.real_model.max_positions"), window=s("harmonics.real_model.window"),
        max_line_order=s("harmonics.real_model.max_line_order"), plot_points=s("harmonics.plot_points"),
    )
    device = r["summary"]["device"]
    a.log.info("real model: %s", r["summary"])
    for name in ("spectra", "lines", "plot_spectra", "plot_lines"):
        a.table(r[name], name, device=device)
    a.json(r["summary"], "summary", device=device)
