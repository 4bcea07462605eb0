"""Sentences as ranges of tokens, found on the original text.

A sentence ends at ``. ! ?`` followed by a space or a line end, at ``。！？；`` (Chinese
sentences and clause lists), or at a blank line.  Single line breaks do not end a
sentence: hard-wrapped text and PDF text layers break lines mid-sentence.  Sentences with
fewer than ``min_tokens`` content tokens are joined to the next one, and very long ones are
cut into pieces of ``max_tokens`` tokens so that a clause list without punctuation still
yields comparable units.
"""

from __future__ import annotations

import re

import numpy as np

from .normalize import Tokens

_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)|[。！？；!?]+[”’」』）)]*|\n[ \t\r\u3000]*\n")


def boundaries(text: str) -> np.ndarray:
    return np.array([m.end() for m in _BOUNDARY.finditer(text)], dtype=np.int64)


def sentences(text: str, toks: Tokens, *, min_tokens: int = 3, max_tokens: int = 60) -> list[tuple[int, int]]:
    """Half-open token index ranges [lo, hi) covering every token, in order."""
    n = len(toks)
    if n == 0:
        return []
    cuts = np.unique(np.searchsorted(toks.starts, boundaries(text)))
    cuts = cuts[(cuts > 0) & (cuts < n)]
    edges = [0, *cuts.tolist(), n]
    content = np.concatenate(([0], np.cumsum(~toks.stop)))
    out: list[tuple[int, int]] = []
    lo = 0
    for hi in edges[1:]:
        if content[hi] - content[lo] < min_tokens and hi < n:
            continue
        while hi - lo > max_tokens:
            out.append((lo, lo + max_tokens))
            lo += max_tokens
        if hi > lo:
            out.append((lo, hi))
        lo = hi
    if out and content[out[-1][1]] - content[out[-1][0]] < min_tokens and len(out) > 1:
        a, _ = out[-2]
        out[-2:] = [(a, out[-1][1])]
    return out
