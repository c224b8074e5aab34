"""The case study's scorecard claims, as data (:class:`analysis.core.scorecard.ScoreRow`).

1. The paper's case study ("LLaMA, Mistral and DeepSeek variants: observed successes, failures and
   community adjustments agree with the bounds"): one claim, *not reproducible offline* (the paper's
   per-model labels and ε are unconfirmed). Our table of every configured model is a result of the
   case-study chapter, not a claim of the paper: the paper labels none of these models individually in
   the sources we have, so they are not scorecard rows (issue 23 item 6; before, one row per model
   made the scorecard count 46 "claims" the paper never made).
2. The paper's claim that its bounds separate stable from unstable models. Criterion, fixed before
   measuring: a bound describes stability only if every released model, all of which work at their
   claimed context, meets it at the configured ε; *differs* when any is called unstable.

The paper's hypothetical multi-million-token target is not judged: its configuration is not given, and
a stand-in chosen by us close to its own bound would make any verdict circular.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.numfmt import sci
from analysis.core.scorecard import ScoreRow, published, rows_to_frame

__all__ = ["case_study_claims", "case_study_scorecard"]

_CRITERION = ("reproduced when every released model (each works at its claimed context) meets the bounds at "
              "the configured ε; differs when any is called unstable")


def case_study_claims(table: pd.DataFrame, *, epsilon: float) -> list[ScoreRow]:
    """Scorecard rows of the case study (see the module docstring)."""
    pub = published()["liu2026"]
    models = table[table["is_label_group"]]
    counts = models["model_label"].value_counts()
    ours = ", ".join(f"{int(n)} {lab}" for lab, n in counts.items())
    rows = [ScoreRow(
        "case_study", "case study of LLaMA, Mistral and DeepSeek variants: successes, failures and community "
        "adjustments agree with the bounds", pub["citation"], "qualitative (per-model labels unconfirmed)",
        f"{len(models)} configured models: {ours} (what the bounds say; the chapter's table)", None,
        "not reproducible offline",
        "the paper's per-model labels and ε are unconfirmed (the summaries available give only the qualitative "
        "outcome), so there is nothing per model to compare with; our labels are a result of the chapter, not "
        "the paper's claims", "compared only where the paper's own per-model labels and ε are known")]
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


def case_study_scorecard(*, table: pd.DataFrame, epsilon: float) -> pd.DataFrame:
    """The stage's ``scorecard`` step: the scorecard table (:data:`analysis.core.scorecard.COLUMNS`)
    of :func:`case_study_claims` on the table step's ``table`` at the configured ``epsilon``."""
    return rows_to_frame(case_study_claims(table, epsilon=epsilon))
