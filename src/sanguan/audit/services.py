"""Appending to the audit log.

``record`` is called by every service that changes state of record, inside the same
``transaction.atomic()`` as the change, so the event exists exactly when the change does.
Appends are serialised by a row lock on ``TreeState`` (PostgreSQL; SQLite serialises
writers itself), and each costs four statements whatever the size of the tree: lock the
state, insert the event, insert the nodes it completes, update the state.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.transaction import TransactionManagementError

from . import merkle
from .models import AuditEvent, MerkleNode, TreeState

LEAF_VERSION = 1


@dataclass(frozen=True)
class Entry:
    """One event to append (see ``record`` for the meaning of the fields)."""

    action: str
    target: Any = None
    data: Mapping[str, Any] | None = None


def _actor_id(actor: Any) -> int | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor.pk


def _target(target: Any) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        if target.pk is None:
            raise ValueError("audit target must be saved before it is recorded")
        return target._meta.label_lower, str(target.pk)
    if isinstance(target, tuple) and len(target) == 2:
        return str(target[0]), str(target[1])
    raise TypeError("audit target must be a saved model instance, a (type, id) pair or None")


def _data(data: Mapping[str, Any] | None) -> tuple[Any, str]:
    """The payload as plain JSON values, and the base64 SHA-256 of its RFC 8785 form."""
    plain = json.loads(json.dumps(dict(data or {}), cls=DjangoJSONEncoder))
    digest = hashlib.sha256(rfc8785.dumps(plain)).digest()
    return plain, base64.b64encode(digest).decode("ascii")


def leaf_document(
    *, index: int, time_ms: int, actor_id: int | None, action: str, target_type: str, target_id: str, data_sha256: str
) -> dict[str, Any]:
    """The event as it is hashed: ids and a digest only, never personal data."""
    return {
        "v": LEAF_VERSION,
        "index": index,
        "time_ms": time_ms,
        "actor": actor_id,
        "action": action,
        "target": {"type": target_type, "id": target_id} if target_type else None,
        "data_sha256": data_sha256,
    }


def data_digest(data: Any) -> str:
    return _data(data)[1]


def _lock_state() -> TreeState:
    state = TreeState.objects.select_for_update().filter(pk=TreeState.SINGLETON).first()
    if state is None:
        TreeState.objects.get_or_create(pk=TreeState.SINGLETON)
        state = TreeState.objects.select_for_update().get(pk=TreeState.SINGLETON)
    return state


def record_many(*, actor: Any, entries: Iterable[Entry]) -> list[AuditEvent]:
    """Append several events by one actor in one lock and three inserts (imports, seeds).

    Must run inside ``transaction.atomic()``: the events belong to the caller's change."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError("audit events must be recorded inside the transaction.atomic() of the change")
    actor_id = _actor_id(actor)
    prepared = []
    for entry in entries:
        if not entry.action or not isinstance(entry.action, str):
            raise ValueError("audit action must be a non-empty string")
        target_type, target_id = _target(entry.target)
        plain, digest = _data(entry.data)
        prepared.append((entry.action, target_type, target_id, plain, digest))
    if not prepared:
        return []

    state = _lock_state()
    size = state.size
    frontier = merkle.unpack(state.frontier)
    time_ms = int(time.time() * 1000)  # taken under the lock, so time follows index order
    recorded_at = dt.datetime.fromtimestamp(time_ms / 1000, tz=dt.UTC)
    events: list[AuditEvent] = []
    nodes: list[MerkleNode] = []
    for action, target_type, target_id, plain, digest in prepared:
        leaf = rfc8785.dumps(
            leaf_document(
                index=size,
                time_ms=time_ms,
                actor_id=actor_id,
                action=action,
                target_type=target_type,
                target_id=target_id,
                data_sha256=digest,
            )
        )
        frontier, made = merkle.append(frontier, size, leaf)
        events.append(
            AuditEvent(
                leaf_index=size,
                recorded_at=recorded_at,
                actor_id=actor_id,
                action=action,
                target_type=target_type,
                target_id=target_id,
                data=plain,
                leaf_input=leaf,
            )
        )
        nodes.extend(MerkleNode(key=merkle.node_key(level, index), hash=h) for level, index, h in made)
        size += 1
    AuditEvent.objects.bulk_create(events)
    MerkleNode.objects.bulk_create(nodes)
    # A plain queryset update: TreeState is the one mutable row of the log.
    TreeState.objects.filter(pk=TreeState.SINGLETON).update(size=size, frontier=merkle.pack(frontier))
    return events


def record(*, actor: Any, action: str, target: Any = None, data: Mapping[str, Any] | None = None) -> AuditEvent:
    """Append one event: ``actor`` (a user, or None for the system), a dotted ``action`` such as
    ``"admissions.decided"``, the ``target`` model instance (or None), and ``data`` holding
    ids and digests only, never names, ID numbers or phone numbers.

    Must run inside the ``transaction.atomic()`` of the change it records."""
    return record_many(actor=actor, entries=[Entry(action=action, target=target, data=data)])[0]
