"""Adapter: Men et al. table vs the paper and Su, power-law fit, Method 1/2 negative counts and the
stage's scorecard -> results/bounds/{men_compare.{parquet,csv}, men_fit.json, men_methods.csv, scorecard.csv}."""

from analysis import bounds
from analysis.core.adapter import Adapter
from analysis.core.results import read_table
from analysis.core.scorecard import published

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    checks = a.call(bounds.men_checks, read_table(a.input("table")), published(a.input("published")),
                    head_dim=a.setting("physics.head_dim"))
    a.log.info("compare:\n%s", checks["compare"].to_string())
    a.log.info("method counts:\n%s", checks["counts"].to_string())
    a.table(checks["compare"], "compare")
    a.table(checks["compare"], "compare_csv")
    a.json(checks["fit"], "fit")
    a.table(checks["counts"], "methods")
    a.table(checks["scorecard"], "scorecard")
