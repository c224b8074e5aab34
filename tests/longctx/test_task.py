"""The retrieval probe: the record lies exactly at the stated distance, the layout is unambiguous."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.core.errors import InputError
from analysis.longctx import task
from tests.longctx.refmodels import held_out_text


def _records(tokens):
    return [(i, (int(b) - 128) // task.N_VALUES, (int(b) - 128) % task.N_VALUES)
            for i, b in enumerate(tokens) if b >= 128]


@pytest.mark.parametrize("L", [16, 64, 257])
def test_key_lies_exactly_at_the_stated_distance(L):
    rng = np.random.default_rng(1)
    text = held_out_text(4 * L)
    for m in [1, 2, 3, L // 2, L - 2, L - 1]:
        for _ in range(20):
            p = task.plant_probe(text[:L], m, 4, rng)
            assert p.tokens.size == L and p.query_pos == L - 1 and p.key_pos == L - 1 - m
            assert p.tokens[L - 1] == task.QUERY_KEYS[p.key]
            recs = _records(p.tokens)
            assert len(recs) == 4 and len({k for _, k, _ in recs}) == 4  # distinct keys
            match = [(i, v) for i, k, v in recs if k == p.key]
            assert match == [(L - 1 - m, p.value)]  # the one record with the query's key, at distance m
            assert p.tokens[p.key_pos] == task.record_byte(p.key, p.value)
            assert p.answer == task.ANSWERS[p.value]
            # nothing else in the window is a probe byte
            others = np.delete(p.tokens, [i for i, _, _ in recs] + [L - 1])
            assert np.isin(others, task.TEXT_BYTES).all()


def test_bad_distance_and_record_count_are_rejected():
    rng = np.random.default_rng(0)
    text = held_out_text(100)
    for m in (0, 32, -3):
        with pytest.raises(InputError, match="distance"):
            task.plant_probe(text[:32], m, 2, rng)
    with pytest.raises(InputError, match="n_records"):
        task.plant_probe(text[:32], 4, 9, rng)


def test_sanitize_removes_every_reserved_byte():
    raw = np.arange(256, dtype=np.uint8)
    clean = task.sanitize(raw)
    assert np.isin(clean, task.TEXT_BYTES).all()
    keep = np.isin(raw, task.TEXT_BYTES)
    assert (clean[keep] == raw[keep]).all() and (clean[~keep] == ord(" ")).all()


def test_eval_probes_are_reproducible_and_cover_each_distance():
    text = held_out_text(3000)
    a = task.eval_probes(text, 64, [1, 10, 63], 5, 4, seed=3)
    b = task.eval_probes(text, 64, [1, 10, 63], 5, 4, seed=3)
    assert [p.distance for p in a] == [1] * 5 + [10] * 5 + [63] * 5
    assert all((x.tokens == y.tokens).all() and x.answer == y.answer for x, y in zip(a, b))
    c = task.eval_probes(text, 64, [1, 10, 63], 5, 4, seed=4)
    assert any((x.tokens != y.tokens).any() for x, y in zip(a, c))


def test_training_answers_follow_their_query_and_match_an_earlier_record():
    rng = np.random.default_rng(5)
    toks, ans = task.train_batch(held_out_text(20000), 64, 32, 4, 3, rng)
    assert toks.shape == ans.shape == (32, 65)
    assert ans[:, 64].all() and ans.sum(axis=1).min() >= 1 and ans.sum(axis=1).max() <= 4
    for row, a in zip(toks, ans):
        for j in np.nonzero(a)[0]:
            q = int(row[j - 1])
            assert q in task.QUERY_KEYS and row[j] in task.ANSWERS
            k, v = q - 1, int(row[j]) - int(task.ANSWERS[0])
            recs = [i for i in range(j - 1) if row[i] == task.record_byte(k, v)]
            assert len(recs) == 1  # exactly one earlier record holds the key and that value
