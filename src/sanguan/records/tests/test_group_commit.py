"""Group commit: concurrent single-statement POSTs of one process share a transaction, and
every request still gets exactly its own answer."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from sanguan.records import services
from sanguan.records.group_commit import GroupCommit
from sanguan.records.models import Activity, Statement, StatementRelation

from .conftest import Xapi, new_id, statement


def _until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


class _Store:
    """Storage for the generic tests: a list, and a gate the first write waits at (as a real
    leader waits for the database), so that the threads arriving meanwhile queue."""

    def __init__(self):
        self.rows: list = []
        self.calls: list[tuple[str, list]] = []
        self.gate = threading.Event()
        self.lock = threading.Lock()

    def alone(self, item):
        if item == "first":
            self.gate.wait(10)
        if item == "bad":
            raise ValueError("bad item")
        with self.lock:
            self.calls.append(("alone", [item]))
            self.rows.append(item)

    def together(self, items):
        if "bad" in items:
            raise ValueError("refused")
        with self.lock:
            self.calls.append(("together", list(items)))
            self.rows.extend(items)


def _behind_a_busy_leader(items: list[str]) -> tuple[GroupCommit, _Store, dict[str, str]]:
    """Submit "first", which leads and waits at the store's gate, then ``items`` from threads
    of their own, which queue; open the gate and wait for all. Returns the committer, the
    store and {item: error} of the submits that raised."""
    store = _Store()
    gc = GroupCommit(alone=store.alone, together=store.together)
    errors: dict[str, str] = {}

    def run(item):
        try:
            gc.submit(item)
        except ValueError as e:
            errors[item] = str(e)

    def start(batch):
        threads = [threading.Thread(target=run, args=(i,)) for i in batch]
        for t in threads:
            t.start()
        return threads

    threads = start(["first"])
    _until(gc.leading)
    threads += start(items)
    _until(lambda: gc.waiting() == len(items))
    store.gate.set()
    for t in threads:
        t.join(10)
    return gc, store, errors


def test_requests_arriving_while_the_leader_writes_are_stored_together():
    gc, store, errors = _behind_a_busy_leader(["a", "b", "c"])
    assert store.calls[0] == ("alone", ["first"])
    assert store.calls[1][0] == "together" and sorted(store.calls[1][1]) == ["a", "b", "c"]
    assert (gc.groups, gc.grouped, errors) == (1, 3, {})


def test_a_failing_group_is_stored_alone_and_only_the_bad_request_fails():
    gc, store, errors = _behind_a_busy_leader(["a", "bad", "c"])
    assert sorted(store.rows) == ["a", "c", "first"]
    assert errors == {"bad": "bad item"}  # its own error, from storing it alone
    assert gc.groups == 0 and all(kind == "alone" for kind, _ in store.calls)


def test_a_lone_request_raises_its_own_error_and_the_next_one_still_leads():
    store = _Store()
    gc = GroupCommit(alone=store.alone, together=store.together)
    with pytest.raises(ValueError, match="bad item"):
        gc.submit("bad")
    gc.submit("x")
    assert store.rows == ["x"] and not gc.leading()


def test_under_contention_every_item_is_stored_exactly_once():
    store = _Store()
    store.gate.set()
    gc = GroupCommit(alone=store.alone, together=store.together)
    items = [f"{t}-{i}" for t in range(8) for i in range(200)]

    def worker(mine):
        for item in mine:
            gc.submit(item)

    threads = [threading.Thread(target=worker, args=(items[t::8],)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(store.rows) == sorted(items) and gc.waiting() == 0 and not gc.leading()


# -- on PostgreSQL, through the HTTP endpoint ------------------------------------------------

def _post_in_threads(client_key, secret, bodies):
    """POST each body from its own thread (its own connection); returns the started threads
    and {index: status}, filled as they finish."""
    statuses: dict[int, int] = {}

    def run(i, body):
        try:
            statuses[i] = Xapi(client_key, secret).post("statements", body).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, b)) for i, b in enumerate(bodies)]
    for t in threads:
        t.start()
    return threads, statuses


def _queued_behind_a_blocked_leader(client, lead: dict, queued: list[dict], *, commit: bool):
    """POST ``lead`` while the same id is stored in a transaction left open, so that its
    leader waits in the database (as a leader does under load); POST ``queued`` meanwhile,
    which queue behind it; then commit or roll back the open transaction and wait for every
    answer. Returns the lead's {0: status} and the queued requests' {index: status}."""
    threads: list[threading.Thread] = []
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        services.statements_store(client=services.lrs_client_create(name="blocker").client, statements=[lead])
        t0, lead_status = _post_in_threads(client.key, client.secret, [lead])
        threads += t0
        _until(services._grouped.leading)
        rest, statuses = _post_in_threads(client.key, client.secret, queued)
        threads += rest
        _until(lambda: services._grouped.waiting() == len(queued))
    finally:
        if commit:
            atomic.__exit__(None, None, None)
        else:
            atomic.__exit__(ValueError, ValueError("roll back"), None)
        for t in threads:
            t.join(20)
    return lead_status, statuses


def _course(i):
    return statement(id=new_id(), object={"objectType": "Activity", "id": f"https://lms.example.edu.cn/gc/{i}",
                                          "definition": {"name": {"zh-CN": f"第{i}节"}}},
                     context={"contextActivities": {"parent": [{"id": "https://lms.example.edu.cn/course/gc"}]}})


@pytest.mark.parametrize("commit", [True, False], ids=["leader-repeats", "leader-stores"])
@pytest.mark.usefixtures("transactional_db")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="group commit is PostgreSQL only")
def test_queued_posts_are_committed_in_one_group_with_relations_and_definitions(commit):
    new = services.lrs_client_create(name="LMS")
    first, bodies = _course(0), [_course(i) for i in (1, 2, 3)]
    before = (services._grouped.groups, services._grouped.grouped)
    s0, statuses = _queued_behind_a_blocked_leader(new, first, bodies, commit=commit)
    assert s0 == {0: 200} and statuses == {0: 200, 1: 200, 2: 200}
    assert (services._grouped.groups - before[0], services._grouped.grouped - before[1]) == (1, 3)
    ids = [b["id"] for b in [first, *bodies]]
    assert Statement.objects.filter(statement_id__in=ids).count() == 4
    parent = "https://lms.example.edu.cn/course/gc"
    assert StatementRelation.objects.filter(statement__statement_id__in=ids, value=parent).count() == 4
    names = dict(Activity.objects.filter(activity_id__contains="/gc/").values_list("activity_id", "definition"))
    assert set(names) == {f"https://lms.example.edu.cn/gc/{i}" for i in range(4)}
    assert "第2节" in names["https://lms.example.edu.cn/gc/2"]


@pytest.mark.usefixtures("transactional_db")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="group commit is PostgreSQL only")
def test_a_conflicting_post_in_a_group_gets_409_and_the_others_are_stored():
    new = services.lrs_client_create(name="LMS")
    taken = _course(9)
    services.statements_store(client=new.client, statements=[taken])
    conflicting = {**taken, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    bodies = [_course(1), conflicting, _course(2)]
    before = services._grouped.groups
    _s0, statuses = _queued_behind_a_blocked_leader(new, _course(0), bodies, commit=False)
    assert statuses == {0: 200, 1: 409, 2: 200}
    assert services._grouped.groups == before  # the group fell back to one transaction each
    assert Statement.objects.filter(statement_id__in=[bodies[0]["id"], bodies[2]["id"]]).count() == 2
    stored = Statement.objects.get(statement_id=taken["id"])
    assert "completed" in stored.full and "failed" not in stored.full


@pytest.mark.usefixtures("transactional_db")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="group commit is PostgreSQL only")
def test_the_same_new_statement_twice_in_one_group_is_stored_once():
    new = services.lrs_client_create(name="LMS")
    twice = _course(5)
    _s0, statuses = _queued_behind_a_blocked_leader(new, _course(0), [twice, dict(twice), _course(6)], commit=False)
    assert statuses == {0: 200, 1: 200, 2: 200}
    assert Statement.objects.filter(statement_id=twice["id"]).count() == 1


def test_only_small_plain_requests_outside_a_callers_transaction_are_grouped(transactional_db, settings):
    client = services.lrs_client_create(name="LMS").client
    one = [services._prepare(_course(1), client, *_stamp(client), {})]
    many = [services._prepare(_course(i), client, *_stamp(client), {}) for i in range(services._UNNEST_FROM)]
    voiding = [services._prepare(statement(verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
                                           object={"objectType": "StatementRef", "id": new_id()}),
                                 client, *_stamp(client), {})]
    assert services._groupable(one, {}) == (connection.vendor == "postgresql")
    assert not services._groupable(many, {})
    assert not services._groupable(voiding, {})
    assert not services._groupable(one, {"sha": ("text/plain", b"x")})
    with transaction.atomic():  # a caller's transaction decides the commit of what it stores
        assert not services._groupable(one, {})
    settings.SANGUAN_LRS_GROUP_COMMIT = False
    assert not services._groupable(one, {})


def _stamp(client):
    from django.utils import timezone

    now = timezone.now()
    return now, services.format_stored(now), client.authority()
