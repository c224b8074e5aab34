"""Seed statistics: the retrieval head, per-model means and the display table."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from analysis.longctx import summary


def _tables(seed=0):
    rng = np.random.default_rng(seed)
    ret, att = [], []
    for f, s in itertools.product([0.5, 1.0], [0, 1, 2]):
        for probe, m in enumerate([1, 1, 5, 5, 9, 9]):
            ret.append({"factor": f, "base": 100 * f, "seed": s, "probe": probe, "distance": m,
                        "correct": float(rng.integers(0, 2)), "p_answer": rng.random()})
            for layer, head in itertools.product([0, 1], [0, 1, 2]):
                att.append({"factor": f, "base": 100 * f, "seed": s, "probe": probe, "distance": m,
                            "layer": layer, "head": head, "key_mass": rng.random(), "entropy": rng.random()})
    return pd.DataFrame(ret), pd.DataFrame(att)


def test_retrieval_head_and_per_model_means_match_a_naive_loop():
    ret, att = _tables()
    heads = summary.retrieval_head(att)
    models = summary.per_model(ret, att)
    for f, s in itertools.product([0.5, 1.0], [0, 1, 2]):
        sub = att[(att.factor == f) & (att.seed == s)]
        best = max(((sub[(sub.layer == la) & (sub["head"] == h)].key_mass.mean(), la, h)
                    for la, h in itertools.product([0, 1], [0, 1, 2])))
        row = heads[(heads.factor == f) & (heads.seed == s)].iloc[0]
        assert (row.layer, row["head"]) == (best[1], best[2])
        for m in (1, 5, 9):
            mm = models[(models.factor == f) & (models.seed == s) & (models.distance == m)].iloc[0]
            r = ret[(ret.factor == f) & (ret.seed == s) & (ret.distance == m)]
            a = sub[(sub.layer == best[1]) & (sub["head"] == best[2]) & (sub.distance == m)]
            assert np.isclose(mm.accuracy, r.correct.mean()) and np.isclose(mm.key_mass, a.key_mass.mean())
            assert np.isclose(mm.entropy, a.entropy.mean())


def test_display_table_is_formatted_one_style_per_column():
    t = pd.DataFrame({
        "base": [10.24, 1706.1, 102366.2], "factor": [0.006, 1.0, 60.0], "men_feasible": [False, True, True],
        "first_negative_m": [5, None, None], "meets_dc_stability_exact": [False, True, True],
        "meets_depth_compounded_exact": [False, True, True],
        "val_perplexity_mean": [3.2, 3.1, 3.15], "val_perplexity_std": [0.01, 0.02, 0.3],
        "accuracy_all_mean": [0.1, 0.8, 0.9], "accuracy_all_std": [0.0, 0.1, 0.05],
        "long_accuracy_mean": [0.07, 0.7, 0.8], "long_accuracy_std": [0.01, 0.1, 0.1],
        "long_key_mass_mean": [0.02, 0.5, 0.6], "long_key_mass_std": [0.001, 0.1, 0.2],
        "seeds_learned": [0, 3, 3], "seeds_total": [3, 3, 3],
    })
    d = summary.bases_table(t)
    assert d.map(lambda x: isinstance(x, str)).all().all()
    assert list(d["first m with B(m) < 0"]) == ["5", "none", "none"]
    assert list(d["B(m) ≥ 0 for all m ≤ L"]) == ["no", "yes", "yes"]
    assert d["perplexity per byte"].iloc[0] == "3.20 ± 0.0100"
