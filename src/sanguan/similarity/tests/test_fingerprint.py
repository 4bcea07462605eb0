from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sanguan.similarity.fingerprint import K, W, fingerprints, kgram_hashes, winnow
from sanguan.similarity.normalize import tokenize

from .conftest import zh_text


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_a_shared_passage_longer_than_the_window_always_shares_a_fingerprint(seed_a, seed_b):
    # given two texts sharing a passage of W + K - 1 CJK characters or more
    shared = zh_text(random.Random(seed_a), 2)[: W + K + 5]
    a = zh_text(random.Random(seed_b), 5) + shared + zh_text(random.Random(seed_b + 1), 5)
    b = zh_text(random.Random(seed_b + 2), 5) + shared
    # then their fingerprints intersect (the winnowing guarantee)
    assert np.intersect1d(fingerprints(tokenize(a)), fingerprints(tokenize(b))).size > 0


def test_fingerprints_fit_in_a_signed_bigint_and_are_sorted_unique():
    fp = fingerprints(tokenize(zh_text(random.Random(1), 50)))
    assert fp.dtype == np.uint64 and (fp < 2**63).all() and (np.diff(fp.astype(np.float64)) > 0).all()


def test_winnowing_keeps_a_minimum_of_every_window():
    h = np.array([5, 3, 9, 8, 1, 7, 6, 4], dtype=np.uint64)
    assert winnow(h, 3).tolist() == [1, 3, 4]
    assert kgram_hashes(np.zeros(2, np.uint64), 3).size == 0
