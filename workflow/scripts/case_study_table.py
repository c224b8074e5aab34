"""Adapter: config/models.yaml + stored config.json files -> the case-study table and its renderings."""

from analysis.case_study.groups import JudgingSettings
from analysis.case_study.table import case_study_outputs
from analysis.core.adapter import Adapter

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    judging = JudgingSettings.from_settings(a.setting)
    out = a.call(case_study_outputs, models_file=a.input("models"), include=a.setting("case_study.include"),
                 settings=judging)
    for name in ("table", "csv", "display", "columns", "scorecard"):
        a.table(out["table" if name == "csv" else name], name)
    a.json(out["schema"], "schema")
    a.text(out["md"], "md")
    a.text(out["tex"], "tex")
