"""An independent RFC 9162 verifier for the tests, written from the RFC's text and sharing
nothing with ``sanguan.audit.merkle``: the recursive MTH of 2.1.1 and the verification
algorithms of 2.1.3.2 (inclusion) and 2.1.4.2 (consistency)."""

from __future__ import annotations

import hashlib


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def hash_leaf(leaf: bytes) -> bytes:
    return sha256(b"\x00" + leaf)


def hash_children(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]), RFC 9162 2.1.1, by its recursive definition."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return hash_leaf(leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return hash_children(mth(leaves[:k]), mth(leaves[k:]))


def verify_inclusion(leaf_index: int, tree_size: int, leaf: bytes, inclusion_path: list[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2, step by step."""
    if leaf_index >= tree_size:  # step 1
        return False
    fn, sn = leaf_index, tree_size - 1  # step 2
    r = hash_leaf(leaf)  # step 3
    for p in inclusion_path:  # step 4
        if sn == 0:  # 4a
            return False
        if fn % 2 == 1 or fn == sn:  # 4b
            r = hash_children(p, r)  # 4b i
            if fn % 2 == 0:  # 4b ii
                while not (fn % 2 == 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = hash_children(r, p)  # 4c
        fn >>= 1  # 4d
        sn >>= 1
    return sn == 0 and r == root  # step 5


def verify_consistency(first: int, second: int, proof: list[bytes], first_hash: bytes, second_hash: bytes) -> bool:
    """RFC 9162 2.1.4.2, step by step (for 0 < first <= second)."""
    if first == second:
        return not proof and first_hash == second_hash
    if not proof:  # step 1
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # step 2: first is an exact power of two
        path.insert(0, first_hash)
    fn, sn = first - 1, second - 1  # step 3
    while fn % 2 == 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:  # 6a
            return False
        if fn % 2 == 1 or fn == sn:  # 6b
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            if fn % 2 == 0:
                while not (fn % 2 == 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = hash_children(sr, c)  # 6c
        fn >>= 1  # 6d
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0  # step 7
