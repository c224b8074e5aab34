"""Adapter: Men et al. minimum base for each context length -> results/bounds/men_table.{parquet,csv}."""

import os

# the search multiplies many small matrices: one BLAS thread is faster than two fighting for 2 cores
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from tqdm import tqdm  # noqa: E402

from analysis.bounds import men_min_base_table  # noqa: E402
from analysis.core.logs import log_to  # noqa: E402
from analysis.core.results import write_table  # noqa: E402

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
with log_to(snakemake.log[0]) as log:  # noqa: F821
    Ls = list(cfg["men_context_lengths"])
    frames = []
    for L in tqdm(Ls, desc="men_min_base", unit="L"):  # longest L last: progress shows where time goes
        frames.append(men_min_base_table([L], cfg["head_dim"]))
        r = frames[-1].iloc[0]
        log.info("L=%d min_base=%.9e steps=%d full=%d", L, r.min_base, r.steps, r.full_evaluations)
    import pandas as pd

    df = pd.concat(frames, ignore_index=True)
    write_table(df, snakemake.output[0], cfg)  # noqa: F821
    write_table(df, snakemake.output[2], cfg)  # noqa: F821
