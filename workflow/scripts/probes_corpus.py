"""Adapter: the training corpus (standard-library files, split, sha256) -> results/probes/corpus.json."""

from analysis.core.logs import log_to
from analysis.core.results import write_json
from analysis.probes.train import stdlib_corpus

smk = snakemake  # noqa: F821 (injected by Snakemake)

cfg = smk.params.cfg
with log_to(smk.log[0]) as log:
    c = stdlib_corpus(cfg["corpus_bytes"], cfg["val_every"])
    info = {
        "root": c.root,
        "files": c.files,
        "val_files": c.val_files,
        "sha256": c.sha256,
        "val_every": cfg["val_every"],
        "train_bytes": len(c.train),
        "val_bytes": len(c.val),
    }
    log.info(
        "corpus: %d files, %d train / %d validation bytes, sha256 %s",
        len(c.files),
        len(c.train),
        len(c.val),
        c.sha256,
    )
    write_json(info, smk.output[0], cfg)
