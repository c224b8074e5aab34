"""Adapter: harmonics result tables -> the data of each synthetic figure (results/harmonics/plots/)."""

from analysis.core.adapter import Adapter
from analysis.core.results import read_table
from analysis.harmonics import figure_data

NAMES = ("embedding_spectrum", "embedding_lines", "harmonics", "intermod", "ffn_spectra", "ffn_lines", "sweep")

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    tables = a.call(
        figure_data.figure_tables, **{n: read_table(a.input(n)) for n in NAMES},
        activations=a.setting("harmonics.activations"), plot_points=a.setting("harmonics.plot_points"),
    )
    for name, df in tables.items():
        a.table(df, name)
