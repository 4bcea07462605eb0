"""Appending events: what a leaf holds, the tree kept incrementally, append-only rows."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError

from sanguan.audit import merkle, selectors
from sanguan.audit import services as audit
from sanguan.audit.models import AppendOnlyError, AuditEvent, MerkleNode, TreeState

from . import rfc9162
from .conftest import append, leaves


def test_record_appends_a_leaf_of_ids_and_a_digest_of_the_data(university_admin, university):
    # given
    data = {"admit": True, "plan_id": 12}
    # when
    with transaction.atomic():
        event = audit.record(actor=university_admin, action="admissions.decided", target=university, data=data)
    # then
    stored = AuditEvent.objects.get(leaf_index=event.leaf_index)
    leaf = bytes(stored.leaf_input)
    doc = json.loads(leaf)
    assert doc == {
        "v": 1,
        "index": event.leaf_index,
        "time_ms": doc["time_ms"],
        "actor": university_admin.pk,
        "action": "admissions.decided",
        "target": {"type": "institutions.university", "id": str(university.pk)},
        "data_sha256": base64.b64encode(hashlib.sha256(b'{"admit":true,"plan_id":12}').digest()).decode(),
    }
    assert leaf == json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()  # RFC 8785 for this shape
    assert stored.data == data
    assert stored.actor_id == university_admin.pk
    assert (stored.target_type, stored.target_id) == ("institutions.university", str(university.pk))
    assert abs(stored.recorded_at - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=60)


def test_the_leaf_never_holds_the_payload_or_the_actors_name(university_admin):
    # given: a payload a careless caller filled with personal data
    data = {"note": "张三 420106199001011234"}
    # when
    with transaction.atomic():
        event = audit.record(actor=university_admin, action="tests.noted", data=data)
    # then
    leaf = bytes(event.leaf_input).decode()
    assert "420106199001011234" not in leaf
    assert "张三" not in leaf
    assert university_admin.username not in leaf


def test_record_without_an_actor_or_target_records_the_system(db):
    # given / when
    with transaction.atomic():
        event = audit.record(actor=None, action="system.ran")
    # then
    doc = json.loads(bytes(event.leaf_input))
    assert (doc["actor"], doc["target"]) == (None, None)


def test_data_with_decimals_and_dates_is_stored_as_plain_json(db):
    # given
    data = {"amount": Decimal("12.50"), "on": dt.date(2026, 3, 1)}
    # when
    with transaction.atomic():
        event = audit.record(actor=None, action="fees.recorded", data=data)
    # then
    assert AuditEvent.objects.get(pk=event.pk).data == {"amount": "12.50", "on": "2026-03-01"}


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    # given: no transaction.atomic() around the call
    # when / then
    with pytest.raises(TransactionManagementError):
        audit.record(actor=None, action="tests.outside")
    assert AuditEvent.objects.count() == 0


def test_an_unsaved_target_is_refused(db, university):
    # given
    from sanguan.institutions.models import University

    unsaved = University(name="x")
    # when / then
    with transaction.atomic(), pytest.raises(ValueError):
        audit.record(actor=None, action="tests.bad", target=unsaved)


def test_a_rolled_back_change_leaves_no_event(db):
    # given
    append(3)
    # when
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(actor=None, action="tests.doomed")
        raise RuntimeError("the change failed")
    # then
    assert selectors.tree_size() == 3
    assert AuditEvent.objects.count() == 3


def test_events_are_numbered_from_zero_without_gaps(db):
    # given / when
    append(5)
    # then
    assert list(AuditEvent.objects.values_list("leaf_index", flat=True)) == [0, 1, 2, 3, 4]
    assert selectors.tree_size() == 5


def test_the_stored_tree_is_the_rfc_tree_of_the_leaves_at_every_size(db):
    # given
    for n in range(1, 40):
        # when
        all_leaves = append(1)
        # then
        assert len(all_leaves) == n
        assert selectors.root_hash() == rfc9162.mth(all_leaves)
    for n in range(0, 40):
        assert selectors.root_hash(n) == rfc9162.mth(all_leaves[:n]), n


def test_appending_stores_about_two_nodes_per_leaf(db):
    # given / when
    append(64)
    # then: 64 leaves + 32 + 16 + 8 + 4 + 2 + 1
    assert MerkleNode.objects.count() == 127
    assert TreeState.objects.get().size == 64


def test_record_many_appends_a_batch_in_order(db, system_admin):
    # given
    append(3)
    batch = [audit.Entry(action="tests.batch", target=("tests.thing", i), data={"i": i}) for i in range(10)]
    # when
    with transaction.atomic():
        events = audit.record_many(actor=system_admin, entries=batch)
    # then
    assert [e.leaf_index for e in events] == list(range(3, 13))
    assert selectors.root_hash() == rfc9162.mth(leaves())
    assert {e.actor_id for e in AuditEvent.objects.filter(action="tests.batch")} == {system_admin.pk}


def test_record_many_of_nothing_appends_nothing(db):
    with transaction.atomic():
        assert audit.record_many(actor=None, entries=[]) == []
    assert selectors.tree_size() == 0


def test_events_and_nodes_cannot_be_changed_or_removed_through_the_orm(db):
    # given
    append(2)
    event = AuditEvent.objects.get(leaf_index=1)
    node = MerkleNode.objects.get(key=merkle.node_key(0, 1))
    # when / then
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(leaf_index=1).update(action="tests.rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    event.action = "tests.rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        node.delete()
    with pytest.raises(AppendOnlyError):
        MerkleNode.objects.filter(key=node.key).update(hash=b"x" * 32)
    assert AuditEvent.objects.get(leaf_index=1).action == "tests.appended"


def test_a_missing_tree_state_row_is_recreated(db):
    # given: a flushed database (TransactionTestCase) loses the row the migration made
    TreeState.objects.all().delete()
    # when
    append(2)
    # then
    assert TreeState.objects.get().size == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises writers)")
def test_concurrent_appends_on_postgresql_are_serialised_into_one_tree():
    # given
    import threading

    from django.db import connections

    def worker(k: int) -> None:
        try:
            for i in range(25):
                with transaction.atomic():
                    audit.record(actor=None, action="tests.concurrent", data={"k": k, "i": i})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    # when
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert list(AuditEvent.objects.values_list("leaf_index", flat=True)) == list(range(100))
    assert selectors.root_hash() == rfc9162.mth(leaves())


def test_an_event_recorded_in_a_rolled_back_savepoint_leaves_no_gap(db):
    # given
    append(2)
    # when: an inner change fails and is rolled back, the outer one goes on
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            audit.record(actor=None, action="tests.inner")
            raise RuntimeError("inner change failed")
        audit.record(actor=None, action="tests.outer")
    # then
    assert list(AuditEvent.objects.values_list("leaf_index", "action")) == [
        (0, "tests.appended"),
        (1, "tests.appended"),
        (2, "tests.outer"),
    ]
    assert selectors.root_hash() == rfc9162.mth(leaves())
