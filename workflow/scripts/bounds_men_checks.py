"""Adapter: Men et al. table vs the paper and Su, power-law fit, Method 1/2 negative counts and the
stage's scorecard -> results/bounds/{men_compare.{parquet,csv}, men_fit.json, men_methods.csv, scorecard.csv}."""

from analysis import bounds
from analysis.core.logs import log_to
from analysis.core.results import read_table, write_json, write_table
from analysis.core.scorecard import published, rows_to_frame

cfg = snakemake.params.cfg  # noqa: F821 (injected by Snakemake)
out = snakemake.output  # noqa: F821
with log_to(snakemake.log[0]) as log:  # noqa: F821
    pub = published(snakemake.input.published)  # noqa: F821
    table = read_table(snakemake.input.table)  # noqa: F821
    d = int(cfg["head_dim"])
    compare = bounds.men_compare(table, pub, d)
    log.info("compare:\n%s", compare.to_string())
    paper_L = sorted(int(k) for k in pub["men2024"]["min_base_table"])
    fit = {
        "ours": bounds.power_law_fit(table["context_length"], table["min_base"]),
        "paper_table_refit": bounds.power_law_fit(paper_L, [pub["men2024"]["min_base_table"][L] for L in paper_L]),
        "paper": {k: float(v) for k, v in pub["men2024"]["fit"].items()},
        "context_lengths": [int(x) for x in table["context_length"]],
    }
    counts = bounds.men_negative_counts(pub["men2024"]["methods"], d)
    log.info("method counts:\n%s", counts.to_string())
    rows = bounds.men_scorecard(compare, fit, counts, pub)
    write_table(compare, out.compare_parquet, cfg)
    write_table(compare, out.compare_csv, cfg)
    write_json(fit, out.fit, cfg)
    write_table(counts, out.methods, cfg)
    write_table(rows_to_frame(rows), out.scorecard, cfg)
