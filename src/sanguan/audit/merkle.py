"""RFC 9162 (RFC 6962) Merkle tree arithmetic over stored perfect subtrees. No Django.

A tree of ``n`` leaves is kept as the hashes of its *complete aligned subtrees*: node
``(level, index)`` is the hash of leaves ``[index * 2**level, (index + 1) * 2**level)``.
Appending a leaf completes exactly ``1 + trailing_ones(n)`` such nodes, found from the
*frontier* (the perfect subtrees the current size decomposes into), so an append costs
amortised O(1) hashes and never reads the tree.

Every range the RFC recursion asks about starts at a multiple of the largest power of two
not above its length, so its MTH is the right fold of its binary decomposition into
perfect subtrees. The root at any size and the inclusion and consistency proofs at any
``(m, n)`` therefore need O(log n) stored nodes, listed up front by ``*_plan`` so that a
caller fetches them in one query and then calls ``evaluate``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_INDEX_BITS = 48  # 2**48 leaves is far beyond any audit log; the key stays a 63-bit integer

Range = tuple[int, int]  # [lo, hi) in leaves
Node = tuple[int, int]  # (level, index)


def leaf_hash(leaf_input: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf_input).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def node_key(level: int, index: int) -> int:
    """One integer per stored node, so a proof's nodes are one ``key IN (...)`` lookup."""
    return (level << _INDEX_BITS) | index


def node_of_key(key: int) -> Node:
    return key >> _INDEX_BITS, key & ((1 << _INDEX_BITS) - 1)


def split(n: int) -> int:
    """The largest power of two strictly below ``n`` (n >= 2): RFC 9162 2.1.1's k."""
    return 1 << ((n - 1).bit_length() - 1)


def subtrees(lo: int, hi: int) -> list[Node]:
    """The perfect subtrees covering ``[lo, hi)``, left to right (largest first)."""
    out: list[Node] = []
    pos = lo
    size = hi - lo
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            if pos % (1 << level):
                raise ValueError(f"range [{lo}, {hi}) is not aligned for the RFC recursion")
            out.append((level, pos >> level))
            pos += 1 << level
    return out


def fold(hashes: list[bytes]) -> bytes:
    """MTH of consecutive perfect subtrees, largest first: ``H(a, H(b, H(c, d)))``."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


# ------------------------------------------------------------------ appending


def append(frontier: list[bytes], size: int, leaf_input: bytes) -> tuple[list[bytes], list[tuple[int, int, bytes]]]:
    """Append one leaf to a tree of ``size`` leaves whose frontier is ``frontier`` (the hashes
    of ``subtrees(0, size)``). Returns the new frontier and the nodes this leaf completed as
    ``(level, index, hash)``, the leaf itself first."""
    frontier = list(frontier)
    h = leaf_hash(leaf_input)
    made = [(0, size, h)]
    level = 0
    while size >> level & 1:
        h = node_hash(frontier.pop(), h)
        level += 1
        made.append((level, size >> level, h))
    frontier.append(h)
    return frontier, made


def pack(frontier: list[bytes]) -> bytes:
    return b"".join(frontier)


def unpack(blob: bytes | memoryview | None) -> list[bytes]:
    raw = bytes(blob or b"")
    return [raw[i : i + HASH_SIZE] for i in range(0, len(raw), HASH_SIZE)]


# ------------------------------------------------------------------ plans: which ranges a proof needs


def root_plan(n: int) -> list[Range]:
    return [(0, n)]


def inclusion_plan(m: int, n: int) -> list[Range]:
    """PATH(m, D[n]) of RFC 9162 2.1.3.1 as ranges, leaf side first. Needs 0 <= m < n."""
    if not 0 <= m < n:
        raise ValueError(f"leaf {m} is not in a tree of {n}")
    out: list[Range] = []
    lo, hi = 0, n
    while hi - lo > 1:
        k = split(hi - lo)
        if m < lo + k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo += k
    out.reverse()
    return out


def consistency_plan(m: int, n: int) -> list[Range]:
    """PROOF(m, D[n]) of RFC 9162 2.1.4.1 as ranges. Needs 0 <= m <= n; empty when m is 0 or n."""
    if not 0 <= m <= n:
        raise ValueError(f"size {m} is not within 0..{n}")
    if m in (0, n):
        return []
    tail: list[Range] = []
    lo, hi, whole = 0, n, True
    while m != hi - lo:
        k = split(hi - lo)
        if m <= k:
            tail.append((lo + k, hi))
            hi = lo + k
        else:
            tail.append((lo, lo + k))
            m -= k
            lo += k
            whole = False
    head = [] if whole else [(lo, hi)]
    return head + tail[::-1]


def nodes_for(ranges: Iterable[Range]) -> set[Node]:
    need: set[Node] = set()
    for lo, hi in ranges:
        need.update(subtrees(lo, hi))
    return need


def evaluate(ranges: list[Range], nodes: Mapping[Node, bytes]) -> list[bytes]:
    """The MTH of each range from the stored perfect subtrees (``KeyError`` if one is missing)."""
    return [fold([nodes[s] for s in subtrees(lo, hi)]) for lo, hi in ranges]


def compute(ranges: list[Range], fetch: Callable[[set[Node]], Mapping[Node, bytes]]) -> list[bytes]:
    """Plan, fetch once, evaluate."""
    return evaluate(ranges, fetch(nodes_for(ranges)))
