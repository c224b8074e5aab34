"""Adapter: synthetic RoPE results (Figure 2, Props 3.1/3.2, positional heads) -> results/probes/synthetic/."""

from analysis.probes import synthetic as syn
from analysis.core.logs import log_to
from analysis.core.results import write_json, write_table

smk = snakemake  # noqa: F821 (injected by Snakemake)

cfg = smk.params.cfg
out = smk.output
with log_to(smk.log[0]) as log:
    d, base, seed = cfg["head_dim"], cfg["base"], cfg["seed"]
    fig2 = syn.figure2_table(d, base, cfg["max_distance"], cfg["n_seeds"], seed)
    p31 = syn.prop31_table(d, base, cfg["prop31_targets"], cfg["prop31_max_distance"], seed)
    p32 = syn.gaussian_moments(d, base, cfg["prop32_distances"], cfg["prop32_samples"], seed)
    heads = syn.positional_head_table(cfg["head_seq_len"], d, base, cfg["head_logit_scales"])
    summary = syn.synthetic_summary(fig2, p31, p32, heads, cfg)
    log.info("synthetic summary: %s", summary)
    write_table(fig2, out[0], cfg)
    write_table(p31, out[2], cfg)
    write_table(p32, out[4], cfg)
    write_table(heads, out[6], cfg)
    write_json(summary, out[8], cfg)
