"""Adapter: harmonics settings -> phase-alignment sweep (results/harmonics/phase_sweep.csv + summary)."""

from analysis.core.adapter import Adapter
from analysis.harmonics import sweep

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    s = a.setting
    df, summary = a.call(
        sweep.sweep_results,
        base=s("harmonics.base"), head_dim=s("harmonics.head_dim"), ffn_hidden=s("harmonics.ffn_hidden"),
        activations=s("harmonics.activations"), n_positions=s("harmonics.n_positions"),
        n_offsets=s("harmonics.sweep.n_offsets"), attn_head_dim=s("harmonics.sweep.attn_head_dim"),
        attn_window=s("harmonics.sweep.attn_window"), seed=s("harmonics.seed"),
    )
    a.log.info("symmetry |y(phi) - y(-phi)|: %s", summary["symmetry"])
    a.table(df, "sweep")
    a.json(summary, "summary")
