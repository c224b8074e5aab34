"""The case-study page's numbers and sentences (results/case_study/findings.json).

Every data-dependent phrase of report/case_study.qmd is built here, for whatever models the table
holds (the smoke profile's few or the full list), so the page never branches on data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis.case_study.display import bibtex
from analysis.case_study.labels import LABELS
from analysis.core.markdown import md_escape
from analysis.core.findings import Finding, finding
from analysis.core.numfmt import fmt, sci

__all__ = ["case_study_findings", "page_findings", "case_study_page", "csv_name"]


def csv_name(version: str) -> str:
    """The download name of the full table: ``rope-bounds-<version>-case-study.csv``."""
    return f"rope-bounds-{version}-case-study.csv"


def _depth(models: pd.DataFrame, epsilon: float) -> list[Finding]:
    uns = models[models["model_label"] == "unstable"].sort_values("model_epsilon_star_depth")
    eps = [f"{n} ε\\* = {fmt(e, 2)}" for n, e in zip(uns["name"], uns["model_epsilon_star_depth"])]
    if len(uns):
        tiny = int((uns["model_epsilon_star_depth"] < 0.01).sum())
        text = (f"At ε = {epsilon:g} the bounds call {len(uns)} of the {len(models)} models unstable, although "
                f"each is a released model that works at its claimed context. The largest ε at which each would "
                f"meet the depth-compounded bound: {'; '.join(eps)} ({tiny} of them below 0.01). The depth bound "
                "as stated is contradicted by models known to work")
    else:
        text = f"At ε = {epsilon:g} no model of this table is called unstable by the bounds"
    lo = float(uns["model_epsilon_star_depth"].min()) if len(uns) else None
    return [finding("n_depth_unstable", len(uns)), finding("depth_contradiction", [str(x) for x in uns["id"]], text, markdown=True),
            finding("epsilon_star_min", lo, sci(lo, 2) if lo is not None else "none", source="table")]


def _groups(table: pd.DataFrame, models: pd.DataFrame) -> list[Finding]:
    multi = []
    for mid in models["id"]:
        g = table[table["id"] == mid]
        if len(g) > 1 or g["group_kind"].iloc[0] != "full":
            parts = [f"{r.group_layers} {r.group.replace('_', ' ')} at {fmt(r.judged_length)}" if r.group_kind != "nope"
                     else f"{r.group_layers} NoPE (no bound)" for r in g.itertuples()]
            multi.append(f"{g['name'].iloc[0]}: {', '.join(parts)}")
    text = "; ".join(multi) if multi else "every model of this table has only full-attention RoPE layers"
    dflt = models[models["defaults_used"].astype(str) != ""]
    dtext = "; ".join(f"{n} (" + ", ".join(f"`{x}`" for x in d.split(", ")) + ")"
                      for n, d in zip(dflt["name"], dflt["defaults_used"])) or "none"
    return [finding("n_groups", len(table)), finding("layer_groups", len(multi), text),
            finding("defaults_used", len(dflt), dtext, markdown=True)]


def _men(models: pd.DataFrame) -> list[Finding]:
    ok = models[models["verdict_men"] == "meets"]
    bad = models[models["verdict_men"] != "meets"].sort_values("men_negative_count")
    if len(bad):
        b = bad.iloc[0]
        narrow = (f"Failures can be narrow: {b['name']} has {b['men_text']} (minimum B = {fmt(b['men_min_B'])}, "
                  f"against B(0) = {int(b['rotary_dims']) // 2}): the criterion is a sharp threshold")
    else:
        narrow = "No model of this table has B(m) < 0 within its judged length"
    return [finding("n_men_ok", len(ok)), finding("men_narrow", len(bad), narrow)]


def _forms(models: pd.DataFrame, table: pd.DataFrame) -> list[Finding]:
    diff = models[models["model_label"] != models["model_label_paper_form"]]
    text = "; ".join(f"{n} ({a} exact, {b} in the paper form)" for n, a, b in
                     zip(diff["name"], diff["model_label"], diff["model_label_paper_form"])) or "none"
    lit = models[models["label_literal_training_wall"] == "infeasible"]
    scaled = models[models["scaling"] != "none"]
    if len(scaled):
        s = scaled.loc[(scaled["effective_base"] / scaled["rope_theta"]).idxmax()]
        stext = (f"{s['name']}'s {s['scaling']} scaling raises its effective base from {sci(s['rope_theta'])} "
                 f"to {sci(s['effective_base'])}")
    else:
        stext = "no model of this table rescales RoPE"
    return [finding("n_form_diff", len(diff)), finding("form_diff", len(diff), text),
            finding("n_literal_infeasible", len(lit)),
            finding("wall_training_paper_min", float(table["wall_training_paper"].min()),
                    fmt(float(table["wall_training_paper"].min())), source="table"),
            finding("scaling_example", len(scaled), stext)]


def case_study_findings(table: pd.DataFrame, *, not_included: Sequence[dict[str, Any]], version: str, year: int,
                        epsilon: float, very_stable_margin: float, men_max_context: int) -> list[Finding]:
    """Every finding of the case-study page."""
    models = table[table["is_label_group"]]
    counts = models["model_label"].value_counts()
    out = [finding("n_models", len(models)), finding("epsilon", epsilon, f"{epsilon:g}"),
           finding("version", version, version), finding("csv_name", csv_name(version), csv_name(version)),
           finding("very_stable_margin", very_stable_margin),
           finding("men_max_context", men_max_context, fmt(men_max_context) if men_max_context else "any length")]
    out += [finding(f"n_{lab.replace(' ', '_')}", int(counts.get(lab, 0))) for lab in LABELS]
    out += _depth(models, epsilon) + _groups(table, models) + _men(models) + _forms(models, table)
    link = f"[{csv_name(version)}](../results/case_study/{csv_name(version)})"
    out.append(finding("csv_link", csv_name(version), link, markdown=True))
    out.append(finding("bibtex", bibtex(version, year), "BibTeX entry below"))
    ni = "; ".join(f"**{md_escape(x['name'])}**: {md_escape(x['reason'].strip())}" for x in not_included) or "none"
    out.append(finding("not_included", len(not_included), ni, markdown=True, source="models_file"))
    out.append(finding("n_columns", len(table.columns)))
    return out


def page_findings(*, table: pd.DataFrame, models_file: str, version: str, year: int, epsilon: float,
                  very_stable_margin: float, men_max_context: int) -> list[Finding]:
    """:func:`case_study_findings` with the not-included list read from ``models_file``."""
    from analysis.case_study.models import not_included
    from analysis.core.config import load_yaml

    return case_study_findings(table, not_included=not_included(load_yaml(models_file)), version=version,
                               year=year, epsilon=epsilon, very_stable_margin=very_stable_margin,
                               men_max_context=men_max_context)


def case_study_page(*, table: pd.DataFrame, models_file: str, epsilon: float, very_stable_margin: float,
                    men_max_context: int) -> list[Finding]:
    """The stage's findings step: :func:`page_findings` for this version (pyproject.toml) and year."""
    import datetime as dt

    from analysis.report.version import package_version

    return page_findings(table=table, models_file=models_file, version=package_version(), year=dt.date.today().year,
                         epsilon=epsilon, very_stable_margin=very_stable_margin, men_max_context=men_max_context)
