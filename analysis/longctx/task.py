"""The retrieval probe: key-value records planted in standard-library source text at known distances.

Format (byte-level, one byte = one token). Text bytes are the ASCII bytes the corpus uses (newline,
tab and 32-126); every other byte is reserved for the probe, and any reserved byte occurring in the
text is replaced by a space first (:func:`sanitize`), so a probe byte means exactly one thing:

- a *record* is one byte ``128 + 16 k + v`` holding key ``k`` (0-7) and value ``v`` (0-15);
- a *query* is the key byte ``QUERY_KEYS[k]`` (a control byte) at a later position; the byte that
  must follow it is the answer ``ANSWERS[v]`` (another control byte).

A query at position ``q`` whose record sits at ``r`` has distance ``m = q - r``: the model answers
by attending from ``q`` to exactly that position (one layer can do it: match the key by content,
copy the value), which is the similar-token attention at relative distance ``m`` that Men et al.'s
``B(m)`` describes.

Evaluation sequences are ``L`` bytes (``L`` = the training length) with the query at the last
position ``L - 1`` (the logits there predict the answer), the target record at distance ``m`` and
``n_records - 1`` distractor records with other keys elsewhere, so that copying "some value" is right
about ``1 / n_records`` of the time. Training sequences are ``L + 1`` bytes with the same layout
(the answer at position ``L``) plus up to ``extra_queries`` queries of the distractor records inside
the window, each followed by its answer; the main query's distance is drawn uniformly from
``1 .. L - 1``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.core.errors import InputError

__all__ = [
    "N_KEYS",
    "N_VALUES",
    "TEXT_BYTES",
    "QUERY_KEYS",
    "ANSWERS",
    "MIN_DISTANCE",
    "Probe",
    "record_byte",
    "sanitize",
    "plant_probe",
    "eval_probes",
    "train_batch",
]

N_KEYS = 8
N_VALUES = 16
TEXT_BYTES: np.ndarray = np.array([9, 10] + list(range(32, 127)), dtype=np.uint8)
QUERY_KEYS: np.ndarray = np.arange(1, 1 + N_KEYS, dtype=np.uint8)  # 1..8
ANSWERS: np.ndarray = np.arange(11, 11 + N_VALUES, dtype=np.uint8)  # 11..26
MIN_DISTANCE = 1
_TRIES = 200  # placement attempts before a layout is declared impossible


def record_byte(key: int, value: int) -> int:
    """The record byte holding ``key`` (0..7) and ``value`` (0..15): ``128 + 16 key + value``."""
    return 128 + N_VALUES * int(key) + int(value)


@dataclass(frozen=True)
class Probe:
    """One evaluation sequence: ``tokens`` (length ``L``), the query key byte at ``query_pos = L - 1``,
    the target record at ``key_pos = query_pos - distance``; ``answer`` is the byte to predict."""

    tokens: np.ndarray
    distance: int
    key: int
    value: int
    answer: int
    key_pos: int
    query_pos: int


def sanitize(text: np.ndarray) -> np.ndarray:
    """A copy of ``text`` (uint8) with every byte outside :data:`TEXT_BYTES` replaced by a space."""
    out = np.asarray(text, dtype=np.uint8).copy()
    out[~np.isin(out, TEXT_BYTES)] = ord(" ")
    return out


def _place(used: np.ndarray, n: int, rng: np.random.Generator, lo: int, hi: int) -> list[int]:
    """``n`` free positions in ``[lo, hi)`` (marked used), drawn at random; InputError if impossible."""
    free = np.nonzero(~used[lo:hi])[0] + lo
    if free.size < n:
        raise InputError(f"cannot place {n} probe bytes in positions {lo}..{hi - 1}; use fewer records")
    pos = [int(x) for x in rng.choice(free, size=n, replace=False)]
    used[pos] = True
    return pos


def plant_probe(text: np.ndarray, distance: int, n_records: int, rng: np.random.Generator) -> Probe:
    """Plant one query at the last position of ``text`` (length ``L``) whose record lies exactly
    ``distance`` bytes before it, and ``n_records - 1`` distractor records (distinct keys, values
    drawn with replacement) at other positions. ``text`` is sanitised first."""
    toks = sanitize(text)
    L = toks.size
    m = int(distance)
    if not MIN_DISTANCE <= m <= L - 1:
        raise InputError(f"distance must lie in [{MIN_DISTANCE}, {L - 1}] for a window of {L}, got {distance}")
    if not 1 <= int(n_records) <= N_KEYS:
        raise InputError(f"n_records must lie in [1, {N_KEYS}], got {n_records}")
    q, r = L - 1, L - 1 - m
    keys = rng.choice(N_KEYS, size=int(n_records), replace=False)
    vals = rng.integers(0, N_VALUES, size=int(n_records))
    used = np.zeros(L, dtype=bool)
    used[[r, q]] = True
    others = _place(used, int(n_records) - 1, rng, 0, L - 1)
    for pos, k, v in zip([r] + others, keys, vals, strict=True):
        toks[pos] = record_byte(k, v)
    toks[q] = QUERY_KEYS[keys[0]]
    return Probe(toks, m, int(keys[0]), int(vals[0]), int(ANSWERS[vals[0]]), r, q)


def eval_probes(
    text: np.ndarray, seq_len: int, distances: list[int], per_distance: int, n_records: int, seed: int
) -> list[Probe]:
    """``per_distance`` evaluation sequences for each distance, from consecutive non-overlapping
    windows of the held-out ``text`` (cycled if it is short), with a generator seeded by ``seed``:
    the same set for every model."""
    rng = np.random.default_rng([int(seed), 1])
    n_win = len(text) // int(seq_len)
    if n_win < 1:
        raise InputError(f"held-out text of {len(text)} bytes is shorter than one window of {seq_len}")
    out, j = [], 0
    for m in distances:
        for _ in range(int(per_distance)):
            w = j % n_win
            out.append(plant_probe(text[w * seq_len : (w + 1) * seq_len], int(m), n_records, rng))
            j += 1
    return out


def _train_sequence(
    window: np.ndarray, n_records: int, extra_queries: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """One training sequence of ``L + 1`` bytes and the mask of its answer bytes."""
    L = window.size - 1
    p = plant_probe(window[:L], int(rng.integers(MIN_DISTANCE, L)), n_records, rng)
    toks = np.concatenate([p.tokens, [p.answer]]).astype(np.uint8)
    answer = np.zeros(L + 1, dtype=bool)
    answer[L] = True
    used = toks >= 128
    used[L - 1 :] = True
    recs = [int(i) for i in np.nonzero(used[: L - 1])[0] if i != p.key_pos]
    for r in rng.permutation(np.array(recs, dtype=np.int64))[: int(extra_queries)]:
        ok = np.nonzero(~used[r + 1 : L - 1] & ~used[r + 2 : L])[0] + r + 1  # q and q + 1 free
        if ok.size == 0:
            continue
        q = int(rng.choice(ok))
        k, v = divmod(int(toks[r]) - 128, N_VALUES)
        toks[q], toks[q + 1] = QUERY_KEYS[k], ANSWERS[v]
        used[q : q + 2] = True
        answer[q + 1] = True
    return toks, answer


def train_batch(
    text: np.ndarray, seq_len: int, batch: int, n_records: int, extra_queries: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """A training batch from random windows of ``text``: ``tokens`` (batch x L+1, int64) and
    ``answer`` (batch x L+1, bool: the bytes that are retrieval answers; every other byte is text
    or a record and is predicted as ordinary language-model targets)."""
    starts = rng.integers(0, len(text) - int(seq_len) - 1, size=int(batch))
    pairs = [_train_sequence(text[s : s + int(seq_len) + 1], n_records, extra_queries, rng) for s in starts]
    return np.stack([t for t, _ in pairs]).astype(np.int64), np.stack([a for _, a in pairs])
