"""Adapter: config/config.yaml's worked examples -> suggest on each model config -> display tables."""

from analysis.choose_base.examples import example_tables, worked_examples
from analysis.choose_base.suggest import SearchSettings
from analysis.core.adapter import Adapter

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    search = SearchSettings(max_factor=a.setting("choose_base.max_factor"),
                            per_octave=a.setting("choose_base.grid_per_octave"), rtol=a.setting("choose_base.factor_rtol"))
    results = a.call(worked_examples, examples=a.setting("choose_base.examples"), epsilon=a.setting("physics.epsilon"),
                     criterion=a.setting("choose_base.criterion"), search=search,
                     angle_dtype=a.setting("case_study.angle_dtype"))
    out = example_tables(results)
    a.json(results, "full", function=worked_examples)
    a.table(out["bounds"], "bounds", function=example_tables)
    a.table(out["settings"], "settings", function=example_tables)
    a.json(out["blocks"], "blocks", function=example_tables)
