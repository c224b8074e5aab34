"""The scorecard rule of issue 23 on constructed measurements: paired by seed, learned seeds only,
retrieval at every B(m) < 0 distance, perplexity against the feasible bases (never the best base), a
paired bootstrap interval over >= 5 seeds. Each verdict is reachable and follows the rule; the first
tests fail on the rule of issue 12."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis.longctx import claims

L = 64
DISTS = list(range(1, L))
SEEDS = [0, 1, 2, 3, 4]
FACTORS = [0.01, 0.5, 1.0, 2.0]
SCALE = {"parameters": 1000, "layers": 1, "head_dim": 16, "seq_len": L, "steps": 10, "seeds": SEEDS,
         "profile": "full", "source": "test run"}
PAPER = {"men2024": "7B models", "liu2026": "no training"}
NEG = {0.01: range(9, 64), 0.5: range(30, 40)}  # distances with B(m) < 0 (0.5x: 30..39 only)


def _grid():
    def row(f, feas, m0, dc):
        return {"factor": f, "base": 100.0 * f, "men_feasible": feas, "first_negative_m": m0,
                "meets_dc_stability_exact": dc, "meets_depth_compounded_exact": dc,
                "meets_dc_stability_paper": dc, "meets_depth_compounded_paper": dc}
    return {"seq_len": L, "layers": 1,
            "bases": [row(0.01, False, 9, False), row(0.5, False, 30, True), row(1.0, True, None, True),
                      row(2.0, True, None, True)]}


def _curves():
    rows = [{"factor": f, "base": 100.0 * f, "m": m, "B": -1.0 if m in NEG.get(f, ()) else 1.0,
             "negative": m in NEG.get(f, ())} for f in FACTORS for m in range(L + 1)]
    return pd.DataFrame(rows)


def _models(acc, mass=lambda *a: 0.5):
    rows = [{"factor": f, "seed": s, "distance": m, "accuracy": acc(f, s, m), "key_mass": mass(f, s, m),
             "entropy": 1.0} for f, s, m in itertools.product(FACTORS, SEEDS, DISTS)]
    return pd.DataFrame(rows)


def _ppl(p):
    return pd.DataFrame([{"factor": f, "seed": s, "val_perplexity": p(f, s)}
                         for f, s in itertools.product(FACTORS, SEEDS)])


def _noise(f, s):
    return 0.004 * ((s * 7 + int(f * 100)) % 5 - 2)


def _men(models, ppl):
    return claims.men_claim(_grid(), models, ppl, SCALE, PAPER, _curves())


def test_perplexity_is_compared_with_the_feasible_bases_not_the_best_base():
    """Issue 23 item 1: the best perplexity belongs to a base that never learned retrieval (0.01x, 10%
    lower); the bases below the bound are within seed noise of the feasible ones. The issue-12 rule
    (within 5% of the best base) called this 'differs'; against the feasible bases it holds."""
    def ppl(f, s):
        return 3.0 * (0.9 if f == 0.01 else 1.0) * (1 + _noise(f, s))

    def acc(f, s, m):
        if f == 0.01:
            return 0.0625  # never learned
        return 0.1 if m in NEG.get(f, ()) else 0.97

    row, facts = _men(_models(acc), _ppl(ppl))
    b = {t["factor"]: t for t in facts["bases"]}
    assert b[0.5]["ppl_status"] == "holds" and b[0.5]["retrieval_status"] == "holds"
    assert b[0.5]["evaluated_negative"] == 10 and b[0.5]["share"] == {"learned": 5, "seeds": 5}
    # 0.01x never learned short-range retrieval: its retrieval is untestable, not a failure of the claim
    assert b[0.01]["retrieval_status"] == "untestable" and b[0.01]["share"]["learned"] == 0
    assert row.verdict == "inconclusive" and "bootstrap" in row.criterion


def test_retrieval_is_judged_only_where_b_is_negative():
    """0.5x has B(m) < 0 only at m = 30..39; it retrieves perfectly elsewhere, including far beyond its
    first negative m. The issue-12 rule averaged every distance >= m0 (and so diluted the failure)."""
    def acc(f, s, m):
        return 0.2 if (f == 0.5 and 30 <= m < 40) else 0.97

    _, facts = _men(_models(acc), _ppl(lambda f, s: 3.0 * (1 + _noise(f, s))))
    t = {t["factor"]: t for t in facts["bases"]}[0.5]
    assert t["retrieval_status"] == "holds" and t["retrieval"]["mean"] == pytest.approx(0.77)


def test_superficial_capability_differs_when_learned_seeds_retrieve_where_b_is_negative():
    _, facts = _men(_models(lambda f, s, m: 0.97 + 0.005 * (s % 2)), _ppl(lambda f, s: 3.0 * (1 + _noise(f, s))))
    assert {t["retrieval_status"] for t in facts["bases"]} == {"contradicted"}
    row, _ = _men(_models(lambda f, s, m: 0.97), _ppl(lambda f, s: 3.0))
    assert row.verdict == "differs"


def test_reproduced_when_every_part_holds():
    def acc(f, s, m):
        return 0.1 + 0.01 * s if m in NEG.get(f, ()) else 0.97

    def ppl(f, s):
        return 3.0 * (1 + _noise(f, s))

    row, facts = _men(_models(acc), _ppl(ppl))
    assert row.verdict == "reproduced", facts


def test_perplexity_rise_contradicts_and_few_seeds_are_untestable():
    def acc(f, s, m):
        return 0.1 if m in NEG.get(f, ()) else 0.97

    row, facts = _men(_models(acc), _ppl(lambda f, s: 3.0 * (1.2 if f < 1 else 1.0) * (1 + _noise(f, s))))
    assert row.verdict == "differs" and {t["ppl_status"] for t in facts["bases"]} == {"contradicted"}
    few = _models(acc)
    few = few[few.seed < 3]
    ppl = _ppl(lambda f, s: 3.0)
    row, facts = claims.men_claim(_grid(), few, ppl[ppl.seed < 3], SCALE, PAPER, _curves())
    assert row.verdict == "inconclusive" and {t["retrieval_status"] for t in facts["bases"]} == {"untestable"}


def test_an_effect_inside_the_seed_spread_is_inconclusive():
    def acc(f, s, m):  # two seeds fail, three do not
        return (0.1 if s < 2 else 0.97) if m in NEG.get(f, ()) else 0.97

    _, facts = _men(_models(acc), _ppl(lambda f, s: 3.0))
    assert {t["retrieval_status"] for t in facts["bases"] if t["factor"] == 0.5} == {"mixed"}


@pytest.mark.parametrize("low, status", [(0.1, "holds"), (0.97, "contradicted")])
def test_phase_claim_uses_learned_seeds_and_a_men_feasible_reference(low, status):
    """Issue 23 item 2: the violating base must have learned short-range retrieval (a model at chance
    everywhere is no 'long-range degradation'); 0.5x (meets the DC bound, violates Men's) is neither
    tested nor in the reference: it is the separating case."""
    def acc(f, s, m):
        if f == 0.01:
            return low if m >= L / 2 else 0.97
        return 0.97

    row, facts = claims.phase_claim(_grid(), _models(acc), SCALE, PAPER)
    assert facts["violating"] == [0.01] and facts["reference"] == [1.0, 2.0]
    assert [t["factor"] for t in facts["separating"]] == [0.5]
    assert facts["bases"][0]["status"] == status
    chance = claims.phase_claim(_grid(), _models(lambda f, s, m: 0.0625 if f == 0.01 else 0.97), SCALE, PAPER)
    assert chance[1]["bases"][0]["status"] == "untestable" and chance[0].verdict == "inconclusive"


def test_paired_bootstrap_and_decision():
    ci = claims.paired_bootstrap([0.1, 0.2, 0.15, 0.12, 0.18])
    assert ci["n"] == 5 and ci["lo"] > 0 and ci["mean"] == pytest.approx(0.15)
    assert claims.decide(ci, 0.05) == "holds"
    assert claims.decide(claims.paired_bootstrap([0.01, -0.01, 0.0, 0.02, -0.02]), 0.05) == "contradicted"
    assert claims.decide(claims.paired_bootstrap([0.5, -0.4, 0.3, -0.2, 0.1]), 0.05) == "mixed"
    assert claims.decide(claims.paired_bootstrap([0.5, 0.4]), 0.05) == "untestable"
    assert claims.verdict_of(["holds", "mixed"]) == "inconclusive" and claims.verdict_of([]) == "inconclusive"
    assert claims.verdict_of(["holds", "contradicted"]) == "differs"
    assert np.isfinite(ci["hi"])
