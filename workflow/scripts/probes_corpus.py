"""Adapter: the training corpus (standard-library files, split, sha256) -> results/probes/corpus.json."""

from analysis.core.adapter import Adapter
from analysis.probes.corpus import corpus_info

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    info = a.call(corpus_info, corpus_bytes=a.setting("probes.train.corpus_bytes"),
                  val_every=a.setting("probes.train.val_every"))
    a.log.info("corpus: %d files, %d train / %d validation bytes, sha256 %s", len(info["files"]),
               info["train_bytes"], info["val_bytes"], info["sha256"])
    a.json(info, "corpus")
