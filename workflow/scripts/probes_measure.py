"""Adapter: hook the subject model -> frequency norms, head summary, attention examples, subject info."""

from pathlib import Path

from analysis.core.adapter import Adapter
from analysis.core.config import ROOT
from analysis.probes.measure import measure_subject

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    ckpt = a.setting("probes.subject_checkpoint")
    texts = Path(a.setting("probes.texts"))
    out = a.call(measure_subject, Path(ckpt) if ckpt else Path(a.smk.params.model_dir),
                 texts if texts.is_absolute() else ROOT / texts, trained=not ckpt,
                 max_tokens=a.setting("probes.max_tokens"), band_fraction=a.setting("probes.band_fraction"),
                 example_tokens=a.setting("probes.example_tokens"))
    info = out["info"]
    a.log.info("probed %s: %d layers x %d heads on %d passages", info["name"], info["layers"], info["heads"],
               info["texts"])
    a.table(out["norms"], "norms", subject=info["name"])
    a.table(out["heads"], "heads", subject=info["name"])
    a.table(out["examples"], "examples", subject=info["name"])
    a.json(info, "subject")
