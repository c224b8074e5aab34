"""A page's number is three opens from the function that computed it: the page's ``rk.f(stage, name)``
-> ``results/<stage>/findings.json`` (the finding's ``computed_by``) -> that function. Each finding that
copies a value from one of the findings step's inputs must name that input as its source, so that
``computed_by`` names the step that computed the value, not the findings function that only passed it
through (workflow/README.md, "Findings"); and the provenance appendix names that function too."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analysis.core.provenance import sidecar_path
from analysis.report.appendix import provenance_compact, provenance_entries, provenance_markdown

STAGES = ("bounds", "case_study", "longctx", "harmonics", "precision", "probes")

# findings and the function that computed each: copies name the step that computed the value (not the
# one that copied it: bounds' example_ours is men_min_base_table's, not the comparison's), counts and
# sentences the findings function itself
COMPUTED_BY = {
    ("bounds", "example_ours"): "analysis.bounds.men.men_min_base_table",
    ("bounds", "search_uncertified"): "analysis.bounds.men.men_min_base_table",
    ("bounds", "crossing_base"): "analysis.bounds.figure_data.men_B_curves",
    ("bounds", "wall_fp32_paper"): "analysis.bounds.phase.phase_bound_grid",
    ("bounds", "fit_b"): "analysis.bounds.claims.men_checks",
    ("bounds", "men_matches"): "analysis.bounds.findings.bounds_page",
    ("case_study", "epsilon_star_min"): "analysis.case_study.table.case_study_results",
    ("case_study", "wall_training_paper_min"): "analysis.case_study.table.case_study_results",
    ("case_study", "n_unstable"): "analysis.case_study.findings.case_study_page",
    ("longctx", "men_min_base"): "analysis.longctx.bases.bases_results",
    ("longctx", "dc_exact"): "analysis.longctx.bases.bases_results",
    ("longctx", "men_verdict"): "analysis.longctx.summary.quick_summary",
    ("longctx", "steps"): "analysis.longctx.summary.quick_summary",
    ("harmonics", "max_peak_error_bins"): "analysis.harmonics.synthetic.harmonics_synthetic_tables",
    ("harmonics", "aligned_target_weight"): "analysis.harmonics.sweep.sweep_results",
    ("harmonics", "theta_ratio"): "analysis.harmonics.findings.harmonics_findings",
    ("precision", "fp32_paper_wall"): "analysis.precision.summary.precision_summary_tables",
    ("precision", "e_fp32"): "analysis.precision.logits.logit_results",
    ("probes", "prev_score"): "analysis.probes.measure.measure_results",
    ("probes", "kendall_tau"): "analysis.probes.prope.prope_outputs",
}

# findings the findings function computes whose value happens to equal a number of an input (on the
# smoke profile): theta_1 / theta_0 is theta_1 when theta_0 = 1; band / (head_dim / 2) is 0.125
COINCIDENT = {"harmonics": {"theta_ratio"}, "probes": {"uniform_share"}}


def _findings(results: Path, stage: str) -> dict[str, Any]:
    return json.loads((results / stage / "findings.json").read_text())


def _own(results: Path, stage: str) -> str:
    return json.loads(sidecar_path(results / stage / "findings.json").read_text())["function"]


@pytest.mark.slow
@pytest.mark.parametrize(("stage", "name"), sorted(COMPUTED_BY))
def test_finding_names_the_function_that_computed_it(smoke_results: Path, stage: str, name: str):
    by = _findings(smoke_results, stage)[name]["computed_by"]
    assert by["function"] == COMPUTED_BY[stage, name], (stage, name, by)
    module = by["function"].rsplit(".", 1)[0]
    path = Path(__file__).resolve().parents[2] / (module.replace(".", "/") + ".py")
    assert f"def {by['function'].rsplit('.', 1)[1]}(" in path.read_text()  # the third open finds it


def _floats(value: Any) -> set[float]:
    """The non-integer finite floats held in a result (a table's cells, a JSON value's numbers)."""
    if isinstance(value, pd.DataFrame):
        cells = [x for c in value.columns for x in value[c].tolist()]
        return {float(x) for x in cells if isinstance(x, float) and math.isfinite(x) and not float(x).is_integer()}
    if isinstance(value, dict):
        return set().union(*(_floats(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_floats(v) for v in value)) if value else set()
    if isinstance(value, float) and math.isfinite(value) and not value.is_integer():
        return {value}
    return set()


def _read(path: Path) -> Any:
    if path.suffix == ".json":
        return json.loads(path.read_text())
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".csv":
        return pd.read_csv(path)
    return None


@pytest.mark.slow
@pytest.mark.parametrize("stage", STAGES)
def test_no_plain_copy_without_a_source(smoke_results: Path, stage: str):
    """A finding the findings function claims to have computed holds no fractional number that one of
    the step's inputs already holds: such a number is a copy and must name its input as source."""
    side = json.loads(sidecar_path(smoke_results / stage / "findings.json").read_text())
    wd = smoke_results.parent
    held: set[float] = set()
    for entries in side["inputs"].values():
        for e in entries:
            p = wd / e["path"]
            if p.is_file() and "/results/" in f"/{e['path']}":
                held |= _floats(_read(p))
    own = side["function"]
    copies = [name for name, f in _findings(smoke_results, stage).items()
              if f["computed_by"]["function"] == own and "file" not in f["computed_by"]
              and name not in COINCIDENT.get(stage, set()) and _floats(f["value"]) & held]
    assert not copies, f"{stage}: findings copying an input's value without naming it as source: {copies}"


@pytest.mark.slow
@pytest.mark.parametrize("stage", STAGES)
def test_sources_name_the_step_that_wrote_them(smoke_results: Path, stage: str):
    """A sourced finding names its input's file, and (for a result file) that file's own step."""
    wd = smoke_results.parent
    own = _own(smoke_results, stage)
    for name, f in _findings(smoke_results, stage).items():
        by = f["computed_by"]
        if "file" not in by:
            assert by["function"] == own, (stage, name, by)
            continue
        side = sidecar_path(wd / by["file"])
        if side.is_file():
            assert by["function"] == json.loads(side.read_text())["function"] != own, (stage, name, by)


def test_appendix_names_the_computing_function(tmp_path: Path):
    """A display table's appendix entry names the function that computed its numbers beside the one
    that formatted them (its sidecar's ``computed_by``)."""
    res = tmp_path / "results"
    table = res / "bounds" / "display" / "men_table.parquet"
    table.parent.mkdir(parents=True)
    table.write_bytes(b"")
    sidecar_path(table).write_text(json.dumps({
        "rule": "bounds_findings", "function": "analysis.bounds.findings.bounds_page",
        "computed_by": {"step": "bounds.men_checks", "function": "analysis.bounds.claims.men_checks",
                        "file": "results/bounds/compare.parquet"}}))
    entries = provenance_entries([table], res)
    assert entries[0]["computed_by"] == "analysis.bounds.claims.men_checks"
    md = provenance_markdown(entries)
    assert "analysis.bounds.findings.bounds\\_page, numbers computed by analysis.bounds.claims.men\\_checks" in md
    row = provenance_compact(entries).splitlines()[-1].replace("\u200b", "")
    assert "| analysis.bounds.claims.men\\_checks |" in row
