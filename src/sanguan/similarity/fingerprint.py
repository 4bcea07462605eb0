"""Fingerprints for candidate retrieval: winnowed hashes of token k-grams.

Schleimer, Wilkerson and Aiken (2003): of every window of ``w`` consecutive k-gram
hashes the minimum is kept, so any passage of at least ``w + k - 1`` content tokens shared
by two documents yields at least one shared fingerprint, whatever surrounds it.  Tokens are
those of `normalize` (CJK characters, stemmed Latin words) without English stop words,
so inserted or deleted function words do not break the k-grams.
"""

from __future__ import annotations

import numpy as np

from .normalize import Tokens

K = 3
W = 6
_HALF = np.uint64(1 << 63)


def kgram_hashes(hashes: np.ndarray, k: int = K) -> np.ndarray:
    if len(hashes) < k:
        return np.zeros(0, dtype=np.uint64)
    acc = hashes[: len(hashes) - k + 1].copy()
    with np.errstate(over="ignore"):
        for j in range(1, k):
            acc = acc * np.uint64(0x100000001B3) + hashes[j : len(hashes) - k + 1 + j]
        acc ^= acc >> np.uint64(29)
        acc *= np.uint64(0xBF58476D1CE4E5B9)
        acc ^= acc >> np.uint64(32)
    # fingerprints are stored as signed 64-bit integers (PostgreSQL bigint): keep the top bit clear
    return acc & ~_HALF


def winnow(h: np.ndarray, w: int = W) -> np.ndarray:
    """Sorted unique fingerprints of a sequence of k-gram hashes."""
    if len(h) == 0:
        return h
    if len(h) <= w:
        return np.unique(h[[int(np.argmin(h))]])
    win = np.lib.stride_tricks.sliding_window_view(h, w)
    pos = np.argmin(win, axis=1) + np.arange(len(win))
    # window minima positions never decrease: drop repeats without a sort
    pos = pos[np.concatenate(([True], pos[1:] != pos[:-1]))]
    return np.unique(h[pos])


def fingerprints(toks: Tokens, k: int = K, w: int = W) -> np.ndarray:
    return winnow(kgram_hashes(toks.hashes[~toks.stop], k), w)
