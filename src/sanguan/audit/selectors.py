"""Reading the audit log: signed tree heads, proofs and entries.

Heads and proofs reveal only hashes and are public. A proof at any ``(m, n)`` is computed
from the O(log n) stored nodes it needs, fetched in one query. Entries carry the leaf bytes
and need ``audit.read_entries``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import rfc8785
from django.utils import timezone
from django.utils.translation import gettext as _

from sanguan.accounts import policy

from . import merkle, signing
from .errors import AuditError, AuditErrorCode
from .models import AuditEvent, MerkleNode, TreeState

MAX_ENTRIES_PER_PAGE = 1000


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def tree_state() -> tuple[int, list[bytes]]:
    """The committed size and frontier."""
    row = TreeState.objects.filter(pk=TreeState.SINGLETON).values_list("size", "frontier").first()
    if row is None:
        return 0, []
    return row[0], merkle.unpack(row[1])


def tree_size() -> int:
    return tree_state()[0]


def _fetch(nodes: set[merkle.Node]) -> dict[merkle.Node, bytes]:
    if not nodes:
        return {}
    keys = [merkle.node_key(level, index) for level, index in nodes]
    return {
        merkle.node_of_key(k): bytes(h) for k, h in MerkleNode.objects.filter(key__in=keys).values_list("key", "hash")
    }


def _compute(ranges: list[merkle.Range], last_leaf: int) -> list[bytes]:
    """The MTH of each range, in one query. ``last_leaf`` is fetched too: a tree that reaches
    it holds every node the ranges need, so a missing node means the request reaches past
    the tree, and is reported as such."""
    need = merkle.nodes_for(ranges) | {(0, last_leaf)}
    got = _fetch(need)
    if len(got) != len(need):
        size = tree_size()
        raise AuditError(
            AuditErrorCode.BAD_TREE_SIZE,
            _("The tree has only {size} entries.").format(size=size),
            {"tree_size": size},
        )
    return merkle.evaluate(ranges, got)


def root_hash(size: int | None = None) -> bytes:
    """The root of the tree at ``size`` (default: now)."""
    current, frontier = tree_state()
    if size is None or size == current:
        return merkle.fold(frontier)
    if not 0 <= size <= current:
        raise AuditError(
            AuditErrorCode.BAD_TREE_SIZE,
            _("The tree has only {size} entries.").format(size=current),
            {"tree_size": current},
        )
    if size == 0:
        return merkle.EMPTY_ROOT
    return _compute(merkle.root_plan(size), size - 1)[0]


def tree_head_message(*, tree_size: int, timestamp: int, sha256_root_hash: str) -> bytes:
    """The bytes signed: RFC 8785 JSON of the three head fields."""
    return rfc8785.dumps({"tree_size": tree_size, "timestamp": timestamp, "sha256_root_hash": sha256_root_hash})


def signed_tree_head() -> dict[str, Any]:
    size, frontier = tree_state()
    head = {
        "tree_size": size,
        "timestamp": int(timezone.now().timestamp() * 1000),
        "sha256_root_hash": b64(merkle.fold(frontier)),
    }
    signature = signing.sign(tree_head_message(**head))
    return {**head, "tree_head_signature": b64(signature), "public_key": signing.public_key_b64()}


def _bad(code: AuditErrorCode, message: str, **extra: Any) -> AuditError:
    return AuditError(code, message, extra)


def inclusion_proof(*, leaf_index: int, tree_size: int) -> dict[str, Any]:
    """RFC 9162 2.1.3.1 PATH(leaf_index, D[tree_size])."""
    if tree_size < 1:
        raise _bad(AuditErrorCode.BAD_TREE_SIZE, _("tree_size must be at least 1."), tree_size=tree_size)
    if not 0 <= leaf_index < tree_size:
        raise _bad(
            AuditErrorCode.BAD_LEAF_INDEX,
            _("leaf_index must be between 0 and tree_size - 1."),
            leaf_index=leaf_index,
            tree_size=tree_size,
        )
    path = _compute(merkle.inclusion_plan(leaf_index, tree_size), tree_size - 1)
    return {"leaf_index": leaf_index, "audit_path": [b64(h) for h in path]}


def consistency_proof(*, first: int, second: int) -> dict[str, Any]:
    """RFC 9162 2.1.4.1 PROOF(first, D[second]); empty when first is 0 or equals second."""
    if first < 0 or second < 0 or first > second:
        raise _bad(
            AuditErrorCode.BAD_TREE_SIZE,
            _("first and second must satisfy 0 <= first <= second."),
            first=first,
            second=second,
        )
    if second == 0:
        return {"consistency": []}
    proof = _compute(merkle.consistency_plan(first, second), second - 1)
    return {"consistency": [b64(h) for h in proof]}


def _check_range(start: int, end: int, limit: int | None) -> None:
    if start < 0 or end < start:
        raise _bad(AuditErrorCode.BAD_RANGE, _("start and end must satisfy 0 <= start <= end."), start=start, end=end)
    if limit is not None and end - start + 1 > limit:
        raise _bad(
            AuditErrorCode.RANGE_TOO_LARGE,
            _("At most {limit} entries can be read at once.").format(limit=limit),
            start=start,
            end=end,
            limit=limit,
        )
    size = tree_size()
    if end >= size:
        raise _bad(
            AuditErrorCode.BAD_RANGE,
            _("The tree has only {size} entries.").format(size=size),
            start=start,
            end=end,
            tree_size=size,
        )


def iter_entries(*, start: int, end: int, chunk: int = 2000) -> Iterator[tuple[int, bytes]]:
    """Leaves ``start..end`` (inclusive) as ``(leaf_index, leaf_input)``, for operators."""
    _check_range(start, end, None)
    return _rows(start, end, chunk)


def _rows(start: int, end: int, chunk: int) -> Iterator[tuple[int, bytes]]:
    pos = start
    while pos <= end:
        hi = min(end, pos + chunk - 1)
        rows = AuditEvent.objects.filter(leaf_index__gte=pos, leaf_index__lte=hi).order_by("leaf_index")
        for index, leaf in rows.values_list("leaf_index", "leaf_input"):
            yield index, bytes(leaf)
        pos = hi + 1


def entries_visible_to(*, user: Any, start: int, end: int) -> dict[str, Any]:
    """``{"entries": [{"leaf_index", "leaf_input"}]}`` for a regulator or system administrator,
    at most ``MAX_ENTRIES_PER_PAGE`` at a time."""
    policy.require(user, "audit.read_entries")
    _check_range(start, end, MAX_ENTRIES_PER_PAGE)
    return {
        "entries": [{"leaf_index": i, "leaf_input": b64(leaf)} for i, leaf in _rows(start, end, MAX_ENTRIES_PER_PAGE)]
    }
