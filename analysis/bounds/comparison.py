"""Men et al. against the paper: our table beside the published ones, the power-law fit and the
Method 1/2 negative counts."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

import numpy as np
from numpy.typing import NDArray

from analysis.bounds.men import men_feasibility
from analysis.core.errors import InputError
from analysis.core.men import men_scan
from analysis.core.rope import validate_head_dim

__all__ = [
    "men_method_thetas", "men_negative_counts", "power_law_fit", "men_fit", "printed_tolerance", "men_compare",
]


def men_method_thetas(spec: dict[str, Any], d: int = 128) -> dict[str, NDArray[np.float64]]:
    """Frequencies of Men et al.'s Method 1 and Method 2 (both free of out-of-distribution angles),
    from the published spec (``config/published_values.yaml`` ``men2024.methods``):
    Method 1 ``theta_i = base1 ** (-2i/d)``; Method 2 ``theta_i = base2 ** (-2i/d) / s`` for
    ``i >= k`` and ``(base2 * s ** (d / (2k))) ** (-2i/d)`` for ``i < k`` (``s`` = scale, ``k`` = split
    index; the paper writes ``8^(128/88)`` for d = 128, k = 44)."""
    d = validate_head_dim(d)
    i = np.arange(d // 2, dtype=np.float64)
    b1 = float(spec["method1_base"])
    m2 = spec["method2"]
    b2, sc, k = float(m2["base"]), float(m2["scale"]), int(m2["split_index"])
    t2 = np.where(i >= k, b2 ** (-2.0 * i / d) / sc, (b2 * sc ** (d / (2.0 * k))) ** (-2.0 * i / d))
    return {"method1": b1 ** (-2.0 * i / d), "method2": t2}


def men_negative_counts(spec: dict[str, Any], d: int = 128) -> "pd.DataFrame":
    """Number of ``m`` in ``0..L`` with ``B(m) < 0`` for each method and context length of the
    published check (columns ``method, context_length, negative_count, paper_count, first_negative_m``)."""
    import pandas as pd

    thetas = men_method_thetas(spec, d)
    rows = []
    for method, counts in spec["negative_count"].items():
        for L, paper in counts.items():
            scan = men_scan(thetas[method], int(L))
            rows.append(
                dict(
                    method=method,
                    context_length=int(L),
                    negative_count=scan["n_negative"],
                    paper_count=int(paper),
                    first_negative_m=scan["first_negative"],
                    min_B=scan["min_B"],
                )
            )
    df = pd.DataFrame(rows)
    df["first_negative_m"] = df["first_negative_m"].astype("Int64")
    return df


def power_law_fit(x: Any, y: Any) -> dict[str, float]:
    """Least-squares fit of ``y = a x^b`` in log-log space: ``a``, ``b`` and the largest relative
    deviation of the fit from the data (``max_rel_dev``)."""
    lx, ly = np.log(np.asarray(x, dtype=np.float64)), np.log(np.asarray(y, dtype=np.float64))
    if lx.size < 2:
        raise InputError("a power-law fit needs at least two points")
    b, la = np.polyfit(lx, ly, 1)
    fit = la + b * lx
    return {"a": float(math.exp(la)), "b": float(b), "max_rel_dev": float(np.max(np.abs(np.expm1(ly - fit)))), "points": int(lx.size)}


def men_fit(table: "pd.DataFrame", published: dict[str, Any]) -> dict[str, Any]:
    """Power-law fits ``base = a L^b``: through our infima (``ours``), through the paper's own table
    (``paper_table_refit``), the paper's coefficients (``paper``) and the lengths we fitted."""
    tab = published["men2024"]["min_base_table"]
    paper_L = sorted(int(k) for k in tab)
    return {
        "ours": power_law_fit(table["context_length"], table["min_base"]),
        "paper_table_refit": power_law_fit(paper_L, [tab[L] for L in paper_L]),
        "paper": {k: float(v) for k, v in published["men2024"]["fit"].items()},
        "context_lengths": [int(x) for x in table["context_length"]],
    }


def printed_tolerance(value: float, sig: int = 2) -> float:
    """Relative half-unit of the last printed digit of ``value`` printed with ``sig`` digits."""
    e = math.floor(math.log10(abs(value)))
    return 0.5 * 10.0 ** (e - sig + 1) / abs(value)


def men_compare(table: "pd.DataFrame", published: dict[str, Any], d: int = 128) -> "pd.DataFrame":
    """Our minimum bases beside Men et al.'s printed table and Su's brute-force values, with the
    facts that explain each difference: is the published base feasible (``B >= 0`` for all
    ``m <= L``) and, if not, the first ``m`` where ``B < 0``. Columns per context length ``L``:
    ``ours, men, men_rel_diff, men_matches_printed`` (ours rounds to the paper's printed digits),
    ``men_feasible, men_min_B, men_first_negative_m``, the same for ``su``, and ``verdict_men``,
    ``verdict_su`` in {match, not the infimum, not the infimum, itself infeasible, below the infimum}.
    A published base above ours can be infeasible because feasible windows are narrow (~1e-5 relative
    at L = 1M): rounding any feasible base to two digits almost always lands outside its window."""
    import pandas as pd

    rows = []
    sources = {"men": published["men2024"]["min_base_table"], "su": published["su2024"]["min_base_table"]}
    for L, ours in zip(table["context_length"], table["min_base"]):
        L = int(L)
        row: dict[str, Any] = dict(context_length=L, ours=float(ours))
        for key, tab in sources.items():
            pub = tab.get(L)
            if pub is None:
                row.update({f"{key}": None, f"{key}_rel_diff": None, f"{key}_matches_printed": None,
                            f"{key}_feasible": None, f"{key}_min_B": None, f"{key}_first_negative_m": None,
                            f"verdict_{key}": None})
                continue
            pub = float(pub)
            f = men_feasibility(L, pub, d)
            match = abs(ours - pub) <= printed_tolerance(pub) * pub
            if match:
                verdict = "match"
            elif pub > ours:
                verdict = "not the infimum" if f["feasible"] else "not the infimum, itself infeasible"
            else:
                verdict = "below the infimum"  # every base below the infimum is infeasible
            row.update({key: pub, f"{key}_rel_diff": (ours - pub) / pub, f"{key}_matches_printed": bool(match),
                        f"{key}_feasible": f["feasible"], f"{key}_min_B": f["min_B"],
                        f"{key}_first_negative_m": f["first_negative_m"], f"verdict_{key}": verdict})
        rows.append(row)
    df = pd.DataFrame(rows)
    for c in ("men_first_negative_m", "su_first_negative_m"):
        df[c] = df[c].astype("Int64")
    return df
