"""The evaluation: a perfect copier scores 100%, equal logits score exactly chance; attention stats."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.longctx import measure, task
from tests.longctx.refmodels import PerfectCopier, Uniform, held_out_text


@pytest.fixture(scope="module")
def probes():
    return task.eval_probes(held_out_text(4000), 32, [1, 5, 16, 31], 6, 4, seed=0)


def test_perfect_copier_scores_one_with_all_attention_on_the_key(probes):
    ret, att = measure.probe_tables(PerfectCopier(), probes, batch=7, device="cpu")
    assert len(ret) == len(probes) and (ret.correct == 1.0).all()
    assert (ret.p_answer > 0.99).all()
    assert (att.key_mass == 1.0).all() and np.allclose(att.entropy, 0.0)
    assert list(ret.distance) == [p.distance for p in probes]


def test_uniform_model_scores_exactly_chance(probes):
    ret, att = measure.probe_tables(Uniform(), probes, batch=5, device="cpu")
    assert np.allclose(ret.correct, 1.0 / task.N_VALUES)
    assert np.allclose(ret.p_answer, 1.0 / 256)
    assert np.allclose(att.key_mass, 1.0 / 32) and np.allclose(att.entropy, math.log(32))


def test_retrieval_scores_match_a_naive_loop():
    rng = np.random.default_rng(0)
    z = rng.integers(-2, 3, size=(200, 256)).astype(float)  # many ties
    ans = rng.choice(task.ANSWERS, size=200)
    acc, pa = measure.retrieval_scores(z, ans)
    for i in range(200):
        sub = [z[i, b] for b in task.ANSWERS]
        top = [b for b, s in zip(task.ANSWERS, sub) if s == max(sub)]
        assert acc[i] == pytest.approx(1.0 / len(top) if ans[i] in top else 0.0)
        e = np.exp(z[i] - z[i].max())
        assert pa[i] == pytest.approx(e[ans[i]] / e.sum())
