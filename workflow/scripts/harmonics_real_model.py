"""Adapter: trained subject model + text -> spectra of its MLP activations (results/harmonics/real_*)."""

from pathlib import Path

from analysis.harmonics import charts as ch
from analysis.core.figures import save_chart
from analysis.harmonics import decimate_spectrum, real_model_spectra
from analysis.core.logs import log_to
from analysis.core.results import write_json, write_table

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
rm = cfg["real_model"]
out = snakemake.output  # noqa: F821
with log_to(snakemake.log[0]) as log:  # noqa: F821
    model_dir = str(Path(snakemake.input.model).parent)  # noqa: F821
    text = Path(snakemake.input.text).read_text(encoding="utf-8")  # noqa: F821
    spectra, lines, info = real_model_spectra(
        model_dir, text, int(rm["max_positions"]), rm["window"], int(rm["max_line_order"])
    )
    info["model_dir"] = model_dir
    info["text"] = rm["text"]
    log.info("real model: %s", info)
    write_table(spectra, out[0], cfg, device=info["device"])
    write_table(lines, out[2], cfg)
    write_json(info, out[4], cfg, device=info["device"])
    plot = decimate_spectrum(spectra, int(cfg["plot_points"]), by="layer")
    stem = Path(out[6]).parent / "real_spectra"
    save_chart(
        ch.real_spectra_chart(
            plot,
            lines,
            f"Subject model MLP activations over {rm['text']} "
            f"({info['n_positions']} bytes, {info['layers']} layers, base {info['base']:g})",
        ),
        stem,
        cfg,
        device=info["device"],
    )
