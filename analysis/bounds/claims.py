"""The bounds stage's scorecard claims as data: Men et al.'s table and Su's values against our
certified infima, the paper's power-law fit, and the Method 1/2 negative counts. :func:`men_checks`
runs the comparisons of :mod:`analysis.bounds.comparison` (step ``men_checks``) and
:func:`bounds_scorecard` scores their results (step ``scorecard``); one import direction."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from analysis.bounds.comparison import men_compare, men_fit, men_negative_counts, printed_tolerance
from analysis.core.rope import validate_head_dim
from analysis.core.scorecard import ScoreRow, rows_to_frame

__all__ = ["men_scorecard", "bounds_scorecard", "men_checks"]

FIT_TOLERANCE = 0.05  # relative tolerance on the power-law coefficients a and b (stated before measuring)


def _why(r: Any, key: str, verdict: str) -> str:
    """One line on why a published minimum base has the verdict it has."""
    if verdict == "match":
        return "ours rounds to the printed value"
    if verdict == "not the infimum":
        return f"the printed base is feasible (min B = {getattr(r, key + '_min_B'):.3g}) but a smaller base is too: not the infimum"
    if verdict == "not the infimum, itself infeasible":
        return ("a smaller base is feasible, and the printed base itself fails: B(m) < 0 first at m = "
                f"{getattr(r, key + '_first_negative_m')}")
    return f"the printed base is below the infimum: B(m) < 0 first at m = {getattr(r, key + '_first_negative_m')}"


def _table_rows(compare: "pd.DataFrame", published: dict[str, Any]) -> list[ScoreRow]:
    """A published minimum base is reproduced when ours rounds to it (half a unit of its last digit)."""
    rows = []
    for key, src in (("men", published["men2024"]), ("su", published["su2024"])):
        for r in compare.itertuples(index=False):
            pub = getattr(r, key)
            if pub is None or (isinstance(pub, float) and math.isnan(pub)):
                continue
            tol = printed_tolerance(pub)
            v = getattr(r, f"verdict_{key}")
            who = "Men et al. table" if key == "men" else "Su brute force"
            rows.append(ScoreRow(
                "bounds", f"{who}: min base, L = {int(r.context_length)}", src["citation"], float(pub), float(r.ours),
                tol, "reproduced" if v == "match" else "differs",
                _why(r, key, v) + f" (tolerance: half a unit of the printed digit, {tol:.1%})",
            ))
    return rows


def _fit_rows(fit: dict[str, Any], men: dict[str, Any]) -> list[ScoreRow]:
    ours_fit = fit["ours"]
    rows = []
    for k in ("a", "b"):
        paper = float(men["fit"][k])
        rows.append(ScoreRow.compare(
            "bounds", f"power-law fit base = a L^b: {k}", men["citation"], paper, float(ours_fit[k]), FIT_TOLERANCE,
            reason="" if abs(ours_fit[k] - paper) <= FIT_TOLERANCE * abs(paper)
            else f"our fit is to the exact infima over {ours_fit['points']} lengths; the paper fits its own table",
        ))
    return rows


def _count_rows(counts: "pd.DataFrame", men: dict[str, Any]) -> list[ScoreRow]:
    """A negative count is reproduced only when it is exactly the paper's."""
    rows = []
    for r in counts.itertuples(index=False):
        ok = int(r.negative_count) == int(r.paper_count)
        rows.append(ScoreRow(
            "bounds", f"{r.method}: number of m <= {r.context_length} with B(m) < 0", men["citation"],
            int(r.paper_count), int(r.negative_count), 0.0, "reproduced" if ok else "differs",
            "exact count" if ok else "count differs",
        ))
    return rows


def men_scorecard(
    compare: "pd.DataFrame", fit: dict[str, Any], counts: "pd.DataFrame", published: dict[str, Any]
) -> list[ScoreRow]:
    """Scorecard rows for the Men et al. table, Su's values, the power-law fit and the Method 1/2
    negative counts."""
    men = published["men2024"]
    return _table_rows(compare, published) + _fit_rows(fit, men) + _count_rows(counts, men)


def bounds_scorecard(
    compare: "pd.DataFrame", fit: dict[str, Any], counts: "pd.DataFrame", published: dict[str, Any]
) -> "pd.DataFrame":
    """The stage's scorecard table (:data:`analysis.core.scorecard.COLUMNS`), the bounds stage's
    ``scorecard`` step: made from the ``men_checks`` step's results (``compare``, ``fit``, ``counts``)
    and the published values."""
    return rows_to_frame(men_scorecard(compare, fit, counts, published))


def men_checks(table: "pd.DataFrame", published: dict[str, Any], head_dim: int) -> dict[str, Any]:
    """Everything checked against the papers for our Men et al. table (d = ``head_dim``):
    ``compare`` (:func:`men_compare`), ``fit`` (:func:`men_fit`) and ``counts``
    (:func:`men_negative_counts` of Method 1/2); the stage's scorecard is made from them by its own
    step (:func:`bounds_scorecard`)."""
    d = validate_head_dim(head_dim)
    compare = men_compare(table, published, d)
    fit = men_fit(table, published)
    counts = men_negative_counts(published["men2024"]["methods"], d)
    return {"compare": compare, "fit": fit, "counts": counts}
