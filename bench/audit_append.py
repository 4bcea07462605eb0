"""Audit log at scale: appends per second and the time to serve proofs.

On a fresh PostgreSQL database (dropped and created again, then migrated), appends
``--events`` events one per transaction, as services do, and prints events/s; then serves
``--proofs`` random inclusion and consistency proofs at that size through the selector and
through the HTTP endpoint (Django's test client), printing median and p99 in ms; then
appends ``--events`` more in batches of ``--batch`` (``record_many``); then
``--async-events`` one per transaction with ``synchronous_commit=off`` for this session only,
to show what the code costs apart from the disk flush; then times a full ``audit verify``.
First it measures the server's floor: a one-row transaction, i.e. one WAL flush.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sg_auditbench .venv/bin/python bench/audit_append.py \\
        [--events 100000] [--batch 500] [--proofs 1000] [--async-events 20000] [--keep-db]

Goal (issue 2): >= 2,000 events/s, proofs under 10 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable

from _postgres import recreate_database


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms"


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--proofs", type=int, default=1000)
    ap.add_argument("--async-events", type=int, default=20_000, help="also time this many with synchronous_commit=off")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep-db", action="store_true", help="do not drop and recreate the database")
    a = ap.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("set DATABASE_URL to a PostgreSQL database this bench may drop and recreate")
    if not a.keep_db:
        recreate_database(url)
    os.environ.setdefault("SANGUAN_DATA_DIR", tempfile.mkdtemp(prefix="audit-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanguan.settings")
    warnings.filterwarnings("ignore")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    call_command("migrate", verbosity=0)
    from sanguan.accounts.models import User
    from sanguan.audit import selectors
    from sanguan.audit import services as audit
    from sanguan.audit.verification import verify_log

    rnd = random.Random(a.seed)
    actor = User.objects.create_user(username="bench", password=None)
    start = selectors.tree_size()
    print(
        f"PostgreSQL {connection.pg_version}, database {connection.settings_dict['NAME']}, starting at {start} leaves"
    )

    # the floor any one-write transaction pays here: one WAL flush per commit
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_floor (id int)")
    floor = []
    for i in range(200):
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_floor VALUES (%s)", [i])
            cursor.execute("UPDATE audit_treestate SET size = size WHERE id = 1")  # a WAL record to flush
        floor.append(time.perf_counter() - t0)
    print(
        f"server floor, a one-row transaction: {percentiles(floor)} "
        f"(at most {1 / statistics.median(floor):,.0f} serial transactions/s)"
    )

    def single(count: int, offset: int) -> float:
        nonlocal cpu
        c0, t0 = time.process_time(), time.perf_counter()
        for i in range(offset, offset + count):
            with transaction.atomic():
                audit.record(
                    actor=actor,
                    action="exams.graded",
                    target=("exams.grade", i),
                    data={"score": i % 101, "paper": i % 37},
                )
        cpu = time.process_time() - c0
        return time.perf_counter() - t0

    def per_event(count: int) -> str:
        return f"(this process's CPU: {cpu / count * 1000:.3f} ms/event, load average {os.getloadavg()[0]:.1f})"

    cpu = 0.0

    # one event per transaction, as a service appends it
    dt = single(a.events, 0)
    n = selectors.tree_size()
    print(f"append, one event per transaction: {a.events} events in {dt:.1f} s = {a.events / dt:,.0f} events/s")
    print(f"  {per_event(a.events)}")

    # proofs at that size
    client = Client()
    incl = []
    for _ in range(a.proofs):
        m = rnd.randint(1, n)
        incl.append((rnd.randrange(m), m))
    cons = []
    for _ in range(a.proofs):
        second = rnd.randint(2, n)
        cons.append((rnd.randint(1, second - 1), second))

    def inclusion(pair: tuple[int, int]) -> object:
        return selectors.inclusion_proof(leaf_index=pair[0], tree_size=pair[1])

    def consistency(pair: tuple[int, int]) -> object:
        return selectors.consistency_proof(first=pair[0], second=pair[1])

    it = iter(incl)
    s_incl = timed(lambda: inclusion(next(it)), a.proofs)
    it = iter(cons)
    s_cons = timed(lambda: consistency(next(it)), a.proofs)

    def http(path: str) -> None:
        r = client.get(path)
        assert r.status_code == 200, r.content

    it = iter(incl)
    h_incl = timed(lambda: http("/api/audit/proof/inclusion?leaf_index={}&tree_size={}".format(*next(it))), a.proofs)
    it = iter(cons)
    h_cons = timed(lambda: http("/api/audit/proof/consistency?first={}&second={}".format(*next(it))), a.proofs)
    h_sth = timed(lambda: http("/api/audit/sth"), min(a.proofs, 200))
    print(f"at {n} leaves, {a.proofs} random proofs each:")
    print(f"  inclusion proof, selector:    {percentiles(s_incl)}")
    print(f"  inclusion proof, HTTP:        {percentiles(h_incl)}")
    print(f"  consistency proof, selector:  {percentiles(s_cons)}")
    print(f"  consistency proof, HTTP:      {percentiles(h_cons)}")
    print(f"  signed tree head, HTTP:       {percentiles(h_sth)}")

    # batched appends (imports, seeds)
    c0, t0 = time.process_time(), time.perf_counter()
    done = 0
    while done < a.events:
        k = min(a.batch, a.events - done)
        entries = [
            audit.Entry(action="records.imported", target=("records.statement", done + j), data={"row": done + j})
            for j in range(k)
        ]
        with transaction.atomic():
            audit.record_many(actor=actor, entries=entries)
        done += k
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(
        f"append, record_many in batches of {a.batch}: {a.events} events in {dt:.1f} s = {a.events / dt:,.0f} events/s"
    )
    print(f"  {per_event(a.events)}")

    if a.async_events:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        dt = single(a.async_events, a.events)
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = on")
        print(
            f"append, one event per transaction, synchronous_commit=off (commits not waiting for the disk): "
            f"{a.async_events} events in {dt:.1f} s = {a.async_events / dt:,.0f} events/s"
        )
        print(f"  {per_event(a.async_events)}")

    t0 = time.perf_counter()
    report = verify_log()
    dt = time.perf_counter() - t0
    status = "OK" if report.ok else f"FAILED: {report.problems[:1]}"
    print(f"audit verify of {report.size} leaves: {status} in {dt:.1f} s")


if __name__ == "__main__":
    main()
