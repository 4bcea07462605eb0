"""Appending to the audit log.

``record`` is called by every service that changes state of record, inside the same
``transaction.atomic()`` as the change, so the event exists exactly when the change does.
Appends are serialised by a row lock on ``TreeState`` (PostgreSQL; SQLite serialises
writers itself), and each costs the same whatever the size of the tree: lock and read the
state, then insert the event and the nodes it completes and move the state (one statement
on PostgreSQL, three on SQLite).
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
from django.db import connection, models
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


_EVENT_COLUMNS = ("leaf_index", "recorded_at", "actor_id", "action", "target_type", "target_id", "data", "leaf_input")


def _lock_state(cursor: Any) -> tuple[int, list[bytes]]:
    """Lock the tree state row and read the size and frontier the append starts from."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = f"SELECT size, frontier FROM {TreeState._meta.db_table} WHERE id = %s{lock}"  # noqa: S608
    cursor.execute(sql, [TreeState.SINGLETON])
    row = cursor.fetchone()
    if row is None:  # a flushed test database; the migration creates the row otherwise
        TreeState.objects.get_or_create(pk=TreeState.SINGLETON)
        cursor.execute(sql, [TreeState.SINGLETON])
        row = cursor.fetchone()
    return row[0], merkle.unpack(row[1])


def _write(cursor: Any, rows: list[tuple], nodes: list[tuple[int, bytes]], size: int, frontier: bytes) -> None:
    """Insert events and nodes and move the state, in raw SQL: this is the hot path of every
    service. On PostgreSQL one statement (data-modifying CTEs; a batch as unnested arrays,
    so the statement's text does not grow with it), elsewhere three. Table and column names come from the models,
    values are parameters."""
    qn = connection.ops.quote_name
    event_table, node_table = qn(AuditEvent._meta.db_table), qn(MerkleNode._meta.db_table)
    state_table = qn(TreeState._meta.db_table)
    columns = ", ".join(qn(c) for c in _EVENT_COLUMNS)
    update = f"UPDATE {state_table} SET size = %s, frontier = %s WHERE id = %s"  # noqa: S608
    state = [size, frontier, TreeState.SINGLETON]
    if connection.vendor == "postgresql" and len(rows) == 1:
        # the common case, one event: plain VALUES (adapting arrays costs more than it saves)
        node_values = ", ".join(["(%s, %s)"] * len(nodes))
        sql = (
            f"WITH e AS (INSERT INTO {event_table} ({columns}) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s)), "
            f"n AS (INSERT INTO {node_table} (key, hash) VALUES {node_values}) "
            f"{update}"
        )
        cursor.execute(sql, [*rows[0], *(v for node in nodes for v in node), *state])
        return
    if connection.vendor == "postgresql":
        sql = (
            f"WITH e AS (INSERT INTO {event_table} ({columns}) "  # noqa: S608
            "SELECT i, t, a, act, tt, ti, d::jsonb, l FROM unnest("
            "%s::bigint[], %s::timestamptz[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::bytea[]"
            ") AS u(i, t, a, act, tt, ti, d, l)), "
            f"n AS (INSERT INTO {node_table} (key, hash) SELECT * FROM unnest(%s::bigint[], %s::bytea[])) "
            f"{update}"
        )
        event_columns = [list(column) for column in zip(*rows, strict=True)]
        node_columns = [list(column) for column in zip(*nodes, strict=True)]
        cursor.execute(sql, [*event_columns, *node_columns, *state])
        return
    placeholders = ", ".join(["%s"] * len(_EVENT_COLUMNS))
    cursor.executemany(f"INSERT INTO {event_table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608
    cursor.executemany(f"INSERT INTO {node_table} (key, hash) VALUES (%s, %s)", nodes)  # noqa: S608
    cursor.execute(update, state)


def record_many(*, actor: Any, entries: Iterable[Entry]) -> list[AuditEvent]:
    """Append several events by one actor under one lock (imports, seeds, bulk changes).

    Must run inside ``transaction.atomic()``: the events belong to the caller's change."""
    if not connection.in_atomic_block:
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

    with connection.cursor() as cursor:
        size, frontier = _lock_state(cursor)
        time_ms = int(time.time() * 1000)  # taken under the lock, so time follows index order
        recorded_at = dt.datetime.fromtimestamp(time_ms / 1000, tz=dt.UTC)
        db_time = connection.ops.adapt_datetimefield_value(recorded_at)
        rows: list[tuple] = []
        nodes: list[tuple[int, bytes]] = []
        events: list[AuditEvent] = []
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
            rows.append((size, db_time, actor_id, action, target_type, target_id, json.dumps(plain), leaf))
            nodes.extend((merkle.node_key(level, index), h) for level, index, h in made)
            event = AuditEvent(
                leaf_index=size,
                recorded_at=recorded_at,
                actor_id=actor_id,
                action=action,
                target_type=target_type,
                target_id=target_id,
                data=plain,
                leaf_input=leaf,
            )
            event._state.adding, event._state.db = False, connection.alias
            events.append(event)
            size += 1
        _write(cursor, rows, nodes, size, merkle.pack(frontier))
    return events


def record(*, actor: Any, action: str, target: Any = None, data: Mapping[str, Any] | None = None) -> AuditEvent:
    """Append one event: ``actor`` (a user, or None for the system), a dotted ``action`` such as
    ``"admissions.decided"``, the ``target`` model instance (or None), and ``data`` holding
    ids and digests only, never names, ID numbers or phone numbers.

    Must run inside the ``transaction.atomic()`` of the change it records."""
    return record_many(actor=actor, entries=[Entry(action=action, target=target, data=data)])[0]
