"""The case study's scorecard claims, as data (:class:`analysis.core.scorecard.ScoreRow`).

1. Per model, the paper's label: *not reproducible offline* (the paper's case-study rows and ε are
   unconfirmed); our label is shown as what the bound says.
2. The paper's claim that its bounds separate stable from unstable models. Criterion, fixed before
   measuring: a bound describes stability only if every released model, all of which work at their
   claimed context, meets it at the configured ε; *differs* when any is called unstable.

The paper's hypothetical multi-million-token target is not judged: its configuration is not given, and
a stand-in chosen by us close to its own bound would make any verdict circular.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.numfmt import sci
from analysis.core.scorecard import ScoreRow, published

__all__ = ["case_study_claims"]

_CRITERION = ("reproduced when every released model (each works at its claimed context) meets the bounds at "
              "the configured ε; differs when any is called unstable")


def case_study_claims(table: pd.DataFrame, *, epsilon: float) -> list[ScoreRow]:
    """Scorecard rows of the case study (see the module docstring)."""
    pub = published()["liu2026"]
    models = table[table["is_label_group"]]
    rows = []
    for r in models.itertuples():
        rows.append(ScoreRow(
            "case_study", f"label: {r.name}", pub["citation"], None, f"{r.model_label} (what the bound says)", None,
            "not reproducible offline",
            "the paper's label and ε for this model are unconfirmed (the summaries available give only the "
            "qualitative outcome)", "compared only where the paper's own label and ε are known"))
    uns = models[models["model_label"] == "unstable"]
    ours = f"{len(uns)} of {len(models)} working models called unstable at ε = {epsilon:g}"
    if len(uns):
        worst = uns.loc[uns["model_epsilon_star_depth"].idxmin()]
        why = (f"{ours}; e.g. {worst['name']} meets the depth bound only for ε ≤ "
               f"{sci(worst['model_epsilon_star_depth'], 2)}: the depth bound as stated is contradicted by working models")
    else:
        why = f"{ours}: every model meets the bounds"
    rows.append(ScoreRow("case_study", "bounds separate stable from unstable models", pub["citation"],
                         "models within the bounds stable, others unstable (qualitative)", ours, None,
                         "differs" if len(uns) else "reproduced", why, _CRITERION))
    return rows
