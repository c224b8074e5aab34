"""Adapter: train one RoPE variant -> results/probes/models/<variant>/ + results/probes/train/<variant>.json."""

from pathlib import Path

from analysis.core.logs import log_to
from analysis.core.results import write_json
from analysis.probes.train import stdlib_corpus, train_variant

smk = snakemake  # noqa: F821 (injected by Snakemake)

cfg = smk.params.cfg
variant = smk.wildcards.variant
with log_to(smk.log[0]) as log:
    corpus = stdlib_corpus(cfg["corpus_bytes"], cfg["val_every"])
    metrics = train_variant(
        variant,
        cfg,
        Path(smk.output[0]).parent,
        smk.params.checkpoints,
        corpus,
        threads=smk.threads,
    )
    log.info(
        "%s: held-out perplexity %.4f per byte on %s after %.1f s",
        variant,
        metrics["val_perplexity"],
        metrics["device"],
        metrics["train_seconds"],
    )
    write_json(metrics, smk.output[2], cfg, device=metrics["device"])
