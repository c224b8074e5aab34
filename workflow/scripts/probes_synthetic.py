"""Adapter: synthetic RoPE results (Figure 2, Props 3.1/3.2, positional heads) -> results/probes/synthetic/."""

from analysis.core.adapter import Adapter
from analysis.probes import synthetic as syn

KEYS = ("base", "max_distance", "n_seeds", "prop32_samples", "prop32_distances", "z_tolerance", "var_tolerance",
        "prop31_targets", "prop31_max_distance", "head_seq_len", "head_logit_scales", "seed")

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    out = a.call(syn.probes_synthetic_tables, head_dim=a.setting("physics.head_dim"),
                 **{k: a.setting(f"probes.synthetic.{k}") for k in KEYS})
    a.log.info("synthetic summary: %s", out["summary"])
    for name in ("figure2", "prop31", "prop32", "positional_heads"):
        a.table(out[name], name)
    a.json(out["summary"], "summary")
