"""Adapter: train one RoPE variant -> results/probes/models/<variant>/ + results/probes/train/<variant>.json."""

from pathlib import Path

from analysis.logs import log_to
from analysis.results import write_json
from analysis.train import stdlib_corpus, train_variant

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
variant = snakemake.wildcards.variant  # noqa: F821
with log_to(snakemake.log[0]) as log:  # noqa: F821
    corpus = stdlib_corpus(cfg["corpus_bytes"], cfg["val_every"])
    metrics = train_variant(variant, cfg, Path(snakemake.output[0]).parent, snakemake.params.checkpoints,  # noqa: F821
                            corpus, threads=snakemake.threads)  # noqa: F821
    log.info("%s: held-out perplexity %.4f per byte on %s after %.1f s", variant, metrics["val_perplexity"],
             metrics["device"], metrics["train_seconds"])
    write_json(metrics, snakemake.output[2], cfg, device=metrics["device"])  # noqa: F821
