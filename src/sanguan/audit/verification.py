"""Recompute the whole audit log from the stored leaves and compare with what is stored.

Replays every ``leaf_input`` in index order through the same append arithmetic as
``services.record`` and checks, leaf by leaf: the index is the next one; the stored leaf
hash and every subtree hash the leaf completes match the recomputation; the leaf's JSON
agrees with the event's columns and ``data_sha256`` with the stored payload. Then the
state row and the node count. Given an earlier signed tree head, checks its signature and
that the recomputed root at its size is its root, i.e. history was only appended to.

Without a head held elsewhere this detects edits that did not recompute the hashes; with
one it detects any change to the first ``tree_size`` leaves.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from . import merkle, selectors, signing
from .models import AuditEvent, MerkleNode, TreeState
from .services import data_digest

CHUNK = 400  # leaves per query; ~2 keys each keeps the node lookup under SQLite's 999 parameters
MAX_PROBLEMS = 20


@dataclass
class Report:
    size: int = 0
    root: bytes = merkle.EMPTY_ROOT
    problems: list[str] = field(default_factory=list)
    first_bad_leaf: int | None = None
    _rank: tuple[int, int] | None = None
    sth_checked: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def bad(self, index: int | None, message: str, *, own: bool = False) -> None:
        """Note a problem. ``first_bad_leaf`` prefers a leaf whose own row is wrong (``own``)
        over the first leaf under a wrong subtree hash."""
        if index is not None:
            rank = (0 if own else 1, index)
            if self._rank is None or rank < self._rank:
                self._rank, self.first_bad_leaf = rank, index
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)


def _check_leaf_document(report: Report, row: tuple, leaf: bytes) -> None:
    index, actor_id, action, target_type, target_id, data = row
    try:
        doc = json.loads(leaf)
    except (ValueError, UnicodeDecodeError):
        report.bad(index, f"leaf {index}: stored leaf is not JSON", own=True)
        return
    if not isinstance(doc, dict):
        report.bad(index, f"leaf {index}: stored leaf is not a JSON object", own=True)
        return
    target = {"type": target_type, "id": target_id} if target_type else None
    expected = {"index": index, "actor": actor_id, "action": action, "target": target}
    for name, value in expected.items():
        if doc.get(name) != value:
            report.bad(index, f"leaf {index}: the event's {name} column does not match its leaf", own=True)
    if doc.get("data_sha256") != data_digest(data):
        report.bad(index, f"leaf {index}: stored data does not match the leaf's data_sha256", own=True)


def _check_stored_nodes(
    report: Report, leaf_index: int, nodes: list[tuple[int, int, bytes]], stored: dict[int, bytes], kept: list[bytes]
) -> list[bytes]:
    """Check the nodes appending ``leaf_index`` stored: its leaf hash against the leaf, each
    subtree hash against its *stored* children, so one altered leaf is named once and not
    blamed on every subtree above it. Returns the stored frontier after this leaf."""
    _, _, leaf_h = nodes[0]
    got = stored.get(merkle.node_key(0, leaf_index))
    if got is None:
        report.bad(leaf_index, f"leaf {leaf_index}: its leaf hash is not stored", own=True)
        got = leaf_h
    elif got != leaf_h:
        report.bad(leaf_index, f"leaf {leaf_index}: stored leaf does not match its hash", own=True)
    h = got
    for level, i, _ in nodes[1:]:
        expected = merkle.node_hash(kept.pop(), h)
        first, last = i << level, ((i + 1) << level) - 1
        got = stored.get(merkle.node_key(level, i))
        if got is None:
            report.bad(first, f"leaves {first}..{last}: the hash of their subtree is not stored")
            got = expected
        elif got != expected:
            report.bad(first, f"leaves {first}..{last}: the stored hash of their subtree does not match its children")
        h = got
    kept.append(h)
    return kept


def verify_log(*, sth: dict[str, Any] | None = None) -> Report:
    """Verify the whole log (and its consistency with ``sth``, a signed tree head saved earlier).

    On PostgreSQL the check reads one snapshot, so appends running meanwhile are not
    mistaken for damage. SQLite has a single writer; verify there when nothing is appending."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return _verify(sth)
    return _verify(sth)


def _verify(sth: dict[str, Any] | None) -> Report:
    report = Report()
    sth_size = None
    if sth is not None:
        sth_size = _check_sth_shape(report, sth)
    sth_root = merkle.EMPTY_ROOT if sth_size == 0 else None

    state = TreeState.objects.filter(pk=TreeState.SINGLETON).values_list("size", "frontier").first()
    stored_size, stored_frontier = (state[0], merkle.unpack(state[1])) if state else (0, [])

    frontier: list[bytes] = []  # recomputed from the leaves
    kept: list[bytes] = []  # the same frontier, as stored
    size = 0
    made_total = 0
    last = AuditEvent.objects.order_by("-leaf_index").values_list("leaf_index", flat=True).first()
    end = max(stored_size, (last + 1) if last is not None else 0)
    while size < end:
        rows = list(
            AuditEvent.objects.filter(leaf_index__gte=size, leaf_index__lt=size + CHUNK)
            .order_by("leaf_index")
            .values_list("leaf_index", "actor_id", "action", "target_type", "target_id", "data", "leaf_input")
        )
        if not rows or rows[0][0] != size:
            report.bad(size, f"leaf {size}: missing (the tree has {stored_size} leaves)", own=True)
            break
        chunk_size = size
        made: list[tuple[int, list[tuple[int, int, bytes]]]] = []
        for row in rows:
            index, leaf = row[0], bytes(row[-1])
            if index != chunk_size:
                report.bad(chunk_size, f"leaf {chunk_size}: missing (the tree has {stored_size} leaves)", own=True)
                break
            frontier, nodes = merkle.append(frontier, chunk_size, leaf)
            made.append((index, nodes))
            _check_leaf_document(report, row[:-1], leaf)
            chunk_size += 1
            if sth_size is not None and chunk_size == sth_size:
                sth_root = merkle.fold(frontier)
        keys = [merkle.node_key(level, i) for _, nodes in made for level, i, _ in nodes]
        stored = {k: bytes(h) for k, h in MerkleNode.objects.filter(key__in=keys).values_list("key", "hash")}
        for leaf_index, nodes in made:
            kept = _check_stored_nodes(report, leaf_index, nodes, stored, kept)
        made_total += len(keys)
        if chunk_size != size + len(rows):
            break
        size = chunk_size

    report.size = size
    report.root = merkle.fold(frontier)
    if report.ok:
        if stored_size != size:
            report.bad(None, f"the tree state says {stored_size} leaves, {size} are stored")
        elif stored_frontier != frontier or kept != frontier:
            report.bad(None, "the tree state's frontier does not match the recomputed tree")
        node_count = MerkleNode.objects.count()
        if node_count != made_total:
            report.bad(None, f"{node_count} tree nodes are stored, {made_total} expected")

    if sth is not None and sth_size is not None:
        _check_sth_root(report, sth, sth_size, sth_root)
    return report


def _check_sth_shape(report: Report, sth: dict[str, Any]) -> int | None:
    try:
        size = sth["tree_size"]
        message = selectors.tree_head_message(
            tree_size=size, timestamp=sth["timestamp"], sha256_root_hash=sth["sha256_root_hash"]
        )
        signature = base64.b64decode(sth["tree_head_signature"], validate=True)
        public = base64.b64decode(sth.get("public_key") or signing.public_key_b64(), validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        report.bad(None, f"the tree head is malformed: {exc}")
        return None
    if not isinstance(size, int) or size < 0:
        report.bad(None, "the tree head's tree_size is not a non-negative integer")
        return None
    if public != signing.public_key_raw():
        report.bad(None, "the tree head was signed with another key than this log's")
    elif not signing.verify(public, message, signature):
        report.bad(None, "the tree head's signature does not verify")
    return size


def _check_sth_root(report: Report, sth: dict[str, Any], sth_size: int, sth_root: bytes | None) -> None:
    if sth_size > report.size:
        report.bad(None, f"the tree head has {sth_size} leaves, the log only {report.size}: history was removed")
        return
    if sth_root is None:
        report.bad(None, f"the root at size {sth_size} could not be recomputed")
        return
    if selectors.b64(sth_root) != sth["sha256_root_hash"]:
        report.bad(None, f"the log is not consistent with the tree head: its root at size {sth_size} differs")
        return
    report.sth_checked = {"tree_size": sth_size, "sha256_root_hash": sth["sha256_root_hash"]}
