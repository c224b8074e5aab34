"""Adapter: hook the subject model -> frequency norms, head summary, attention examples, subject info."""

from pathlib import Path

from analysis import probes
from analysis.core.config import ROOT
from analysis.core.logs import log_to
from analysis.core.results import write_json, write_table

smk = snakemake  # noqa: F821 (injected by Snakemake)

cfg = smk.params.cfg
out = smk.output
with log_to(smk.log[0]) as log:
    path = Path(cfg["subject_checkpoint"]) if cfg.get("subject_checkpoint") else Path(smk.params.model_dir)
    model = probes.load_subject(path)
    texts = probes.read_texts(ROOT / cfg["texts"] if not Path(cfg["texts"]).is_absolute() else cfg["texts"])
    ids = [probes.encode(model, t, path, cfg["max_tokens"]) for t in texts]
    tables = probes.probe_model(model, ids, cfg["band_fraction"], cfg["example_tokens"])
    info = probes.subject_info(
        model,
        path,
        trained=not cfg.get("subject_checkpoint"),
        texts=len(texts),
        tokens=[len(i) for i in ids],
        band_fraction=cfg["band_fraction"],
    )
    log.info(
        "probed %s: %d layers x %d heads on %d passages",
        info["name"],
        info["layers"],
        info["heads"],
        len(texts),
    )
    write_table(tables["norms"], out[0], cfg, subject=info["name"])
    write_table(tables["heads"], out[2], cfg, subject=info["name"])
    write_table(tables["examples"], out[4], cfg, subject=info["name"])
    write_json(info, out[6], cfg)
