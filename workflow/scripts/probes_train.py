"""Adapter: train one RoPE variant (every seed) -> results/probes/models/<variant>/ + train/<variant>.json.
Timings go to the sidecar and the log (they vary from run to run; the result does not)."""

from pathlib import Path

from analysis.core.adapter import Adapter
from analysis.core.device import choose_device
from analysis.probes.train import stdlib_corpus, train_variant

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    import torch

    variant = a.smk.wildcards.variant
    device = choose_device(a.setting("probes.train.device")).type
    profile = a.setting(f"probes.train.{'gpu' if device == 'cuda' else 'cpu'}")
    corpus = stdlib_corpus(a.setting("probes.train.corpus_bytes"), a.setting("probes.train.val_every"))
    a.log.info("%s on %s with %d torch thread(s), seeds %s", variant, device, torch.get_num_threads(),
               profile["seeds"])
    result, timing = a.call(train_variant, variant, profile, device, Path(a.output("config")).parent,
                            a.smk.params.checkpoints, corpus,
                            restore=variant in a.setting("probes.train.restore_check"))
    for t in timing["runs"]:
        a.log.info("%s seed %d: %s", variant, t["seed"], t)
    a.json(result, "metrics", device=device, timing=timing, torch_threads=torch.get_num_threads())
