"""Adapter: one harmonics figure. The rule names the chart function (params.chart) of
analysis/harmonics/charts.py; each named input other than ``code`` is one of its data arguments (a
table, or a dict for .json), each setting its keyword argument of the same last name."""

import json
from pathlib import Path

from analysis.core.adapter import Adapter
from analysis.core.results import read_table
from analysis.harmonics import charts


def _read(path: str):
    return json.loads(Path(path).read_text()) if str(path).endswith(".json") else read_table(path)


with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    data = {k: _read(a.input(k)) for k in snakemake.input.keys() if k != "code"}  # noqa: F821
    options = {key.rsplit(".", 1)[-1]: a.setting(key) for key in a.settings}
    chart = a.call(getattr(charts, snakemake.params.chart), **data, **options)  # noqa: F821
    a.figure(chart, "figure", device=data["summary"]["device"] if "summary" in data else None)
