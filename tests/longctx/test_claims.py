"""The scorecard criteria on constructed measurements: each verdict is reachable and follows the rule."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from analysis.longctx import claims

L = 64
DISTS = [1, 8, 16, 32, 48, 63]
SCALE = {"parameters": 1000, "layers": 1, "head_dim": 16, "seq_len": L, "steps": 10, "seeds": [0, 1, 2],
         "profile": "cpu"}
PAPER = {"men2024": "7B models", "liu2026": "no training"}


def _grid():
    def row(f, feas, m0, dc):
        return {"factor": f, "base": 100.0 * f, "men_feasible": feas, "first_negative_m": m0,
                "meets_dc_stability_exact": dc, "meets_depth_compounded_exact": dc,
                "meets_dc_stability_paper": dc, "meets_depth_compounded_paper": dc}
    return {"seq_len": L, "layers": 1,
            "bases": [row(0.01, False, 5, False), row(0.5, False, 30, True), row(1.0, True, None, True),
                      row(2.0, True, None, True)]}


def _models(acc, mass):
    """acc(factor, seed, distance), mass(factor, seed, distance) -> the per-model table."""
    rows = [{"factor": f, "seed": s, "distance": m, "accuracy": acc(f, s, m), "key_mass": mass(f, s, m),
             "entropy": 1.0} for f, s, m in itertools.product([0.01, 0.5, 1.0, 2.0], [0, 1, 2], DISTS)]
    return pd.DataFrame(rows)


def _ppl(p):
    return pd.DataFrame([{"factor": f, "seed": s, "val_perplexity": p(f, s)}
                         for f, s in itertools.product([0.01, 0.5, 1.0, 2.0], [0, 1, 2])])


def _fail_beyond_m0(f, s, m):
    m0 = {0.01: 5, 0.5: 30}.get(f)
    return 0.07 if m0 is not None and m >= m0 else 0.9


def test_superficial_capability_reproduced_when_every_seed_follows_the_claim():
    row, facts = claims.men_claim(_grid(), _models(_fail_beyond_m0, lambda *a: 0.5), _ppl(lambda f, s: 3.0 + 0.01 * f),
                                  SCALE, PAPER)
    assert row.verdict == "reproduced"
    assert all(b["ppl_status"] == "holds" and b["retrieval_status"] == "holds" for b in facts["bases"])
    assert facts["reference_factors"] == [1.0, 2.0]


def test_superficial_capability_differs_when_retrieval_survives_or_perplexity_rises():
    same = _models(lambda f, s, m: 0.9, lambda *a: 0.5)
    assert claims.men_claim(_grid(), same, _ppl(lambda f, s: 3.0), SCALE, PAPER)[0].verdict == "differs"
    worse = _ppl(lambda f, s: 3.0 * (1.2 if f < 1 else 1.0))  # +20% for every seed
    assert claims.men_claim(_grid(), _models(_fail_beyond_m0, lambda *a: 0.5), worse, SCALE, PAPER)[0].verdict == "differs"


def test_an_ordering_inside_the_seed_spread_is_inconclusive():
    def acc(f, s, m):  # fails for two seeds, not for the third
        return 0.9 if s == 2 else _fail_beyond_m0(f, s, m)
    row, facts = claims.men_claim(_grid(), _models(acc, lambda *a: 0.5), _ppl(lambda f, s: 3.0), SCALE, PAPER)
    assert row.verdict == "inconclusive" and {b["retrieval_status"] for b in facts["bases"]} == {"mixed"}


def test_untrained_reference_is_inconclusive_not_a_failure():
    row, _ = claims.men_claim(_grid(), _models(lambda *a: 0.0625, lambda *a: 0.5), _ppl(lambda f, s: 3.0), SCALE, PAPER)
    assert row.verdict == "inconclusive"


@pytest.mark.parametrize("low, verdict", [(0.02, "reproduced"), (0.5, "differs")])
def test_phase_claim_judges_long_range_attention_of_the_violating_bases(low, verdict):
    mass = lambda f, s, m: low if f == 0.01 else 0.5  # noqa: E731
    row, facts = claims.phase_claim(_grid(), _models(lambda *a: 0.5, mass), SCALE, PAPER)
    assert facts["violating"] == [0.01] and facts["distances"] == [32, 48, 63]
    assert row.verdict == verdict and row.criterion and "1/L" in row.criterion


def test_verdict_rules():
    assert claims.verdict_of([]) == "inconclusive"
    assert claims.verdict_of(["holds", "holds"]) == "reproduced"
    assert claims.verdict_of(["holds", "contradicted"]) == "differs"
    assert claims.verdict_of(["holds", "mixed"]) == "inconclusive"
    assert claims.verdict_of(["untestable"]) == "inconclusive"
