#!/usr/bin/env python3
"""Learning record store throughput and query latency on PostgreSQL.

    .venv/bin/python bench/lrs.py --cluster /var/tmp/sanguan-lrs-pg \
        [--preload 10000000] [--server granian] [--workers 2] [--threads 4] [--clients 8] [--seconds 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sg_lrsbench .venv/bin/python bench/lrs.py ...

The load comes from wrk (Debian package wrk, installed by scripts/setup --tests as root) when present.

1. with ``--cluster DIR`` starts (creating it on first use) a private PostgreSQL cluster with
   the settings of ``_postgres.TUNED`` — durable commits, memory sized for the table — so the
   figures do not depend on how the machine's own server is configured; otherwise uses
   ``DATABASE_URL``. Creates the database if missing and runs ``sanguan migrate`` on it;
2. tops the statement table up to ``--preload`` rows with one INSERT … SELECT over
   generate_series (server-side, no Python per row), secondary indexes dropped during the
   load and rebuilt after it;
3. starts the server on a free port: granian (``--server granian``, the default: Rust HTTP
   handling, Django in ``--threads`` threads per process) or gunicorn (gthread), ``--workers``
   processes, persistent DB connections;
4. measures statements/s for POSTs of 1 statement and of 100 statements from ``--clients``
   concurrent client processes (keep-alive HTTP/1.1, stdlib only), then the latency of
   filtered GETs (verb, agent, activity, since, and verb+since) at the stored count. The
   clients build their request bodies before the clock starts and only write a fresh
   statement id into each (every statement sent is new), so on a 2-CPU machine the load
   generator takes as little as possible from the server it measures.

Prints one line per figure and a JSON summary on the last line. Besides wall-clock rates it
prints the server-side CPU per statement (gunicorn and PostgreSQL processes, from /proc), which
does not depend on what else the machine is running.

PostgreSQL's default shared_buffers (128 MB) makes every random-keyed index insert evict and
write a page at this size; hence ``--cluster``. The settings it uses are printed.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing as mp
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
HOME_PAGE = "https://www.jhun.edu.cn"
VERBS = ["http://adlnet.gov/expapi/verbs/" + v for v in (
    "experienced", "attempted", "completed", "passed", "failed", "answered", "interacted", "launched",
    "initialized", "terminated", "progressed", "commented", "asked", "scored", "suspended", "resumed")]
VERBS += [f"https://w3id.org/xapi/video/verbs/{v}" for v in ("played", "paused", "seeked", "watched")]
N_STUDENTS = 200_000
N_ACTIVITIES = 50_000
N_COURSES = 2_000


def log(msg: str) -> None:
    print(msg, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- database -------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    import psycopg

    u = urlparse(url)
    name = u.path.lstrip("/")
    admin = u._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")



LOAD_SQL = """
INSERT INTO records_statement (statement_id, stored, university_id, client_id, verb_id, actor_ifi,
    actor_home_page, actor_name, object_type, object_ifi, object_statement_id, registration, voided,
    is_voiding, has_attachments, "full")
SELECT sid, st, NULL, %(client)s, verb, 'acct:["' || %(home)s || '", "' || sname || '"]', %(home)s, sname,
       'Activity', act, NULL, reg, false, false, false,
       json_build_object(
         'id', sid, 'actor', json_build_object('objectType', 'Agent',
             'account', json_build_object('homePage', %(home)s, 'name', sname)),
         'verb', json_build_object('id', verb, 'display', json_build_object('en-US', 'did')),
         'object', json_build_object('objectType', 'Activity', 'id', act),
         'context', json_build_object('registration', reg, 'contextActivities',
             json_build_object('parent', json_build_array(json_build_object('id', course)))),
         'result', json_build_object('completion', true, 'score', json_build_object('scaled', 0.8)),
         'timestamp', to_char(st AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'stored', to_char(st AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'authority', json_build_object('objectType', 'Agent',
             'account', json_build_object('homePage', 'urn:sanguan:lrs-client', 'name', 'bulk')),
         'version', '1.0.3')::text
FROM (
  SELECT gen_random_uuid() AS sid,
         now() - interval '365 days' + (g::float8 / %(total)s) * interval '364 days' AS st,
         (%(verbs)s::text[])[1 + (hashint4(g) & 2147483647) %% %(nverbs)s] AS verb,
         'S' || lpad(((hashint4(g + 1) & 2147483647) %% %(students)s)::text, 8, '0') AS sname,
         'https://lms.example.edu.cn/activity/' || ((hashint4(g + 2) & 2147483647) %% %(acts)s) AS act,
         'https://lms.example.edu.cn/course/' || ((hashint4(g + 3) & 2147483647) %% %(courses)s) AS course,
         gen_random_uuid() AS reg
  FROM generate_series(%(lo)s, %(hi)s - 1) AS g
) AS src
"""


def preload(url: str, target: int, client_pk: int) -> int:
    """Top the table up to ``target`` rows, spread over the last year of ``stored``."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        have = conn.execute("SELECT count(*) FROM records_statement").fetchone()[0]
        if have >= target:
            log(f"preload: {have:,} statements already stored")
            return have
        missing = target - have
        log(f"preload: {have:,} stored, loading {missing:,} with INSERT … SELECT generate_series")
        t0 = time.time()
        big = missing > 1_000_000
        secondary = []
        if big:
            # Non-unique indexes are dropped during the load and rebuilt from their own definitions.
            secondary = conn.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
                "JOIN pg_index x ON x.indexrelid = c.oid WHERE i.tablename = 'records_statement' "
                "AND NOT x.indisunique").fetchall()
            for name, _ in secondary:
                conn.execute(f'DROP INDEX IF EXISTS "{name}"')
        chunk = 1_000_000
        for lo in range(have, target, chunk):
            hi = min(target, lo + chunk)
            conn.execute("SET synchronous_commit = off")
            conn.execute(LOAD_SQL, {"client": client_pk, "home": HOME_PAGE, "total": float(target),
                                    "verbs": VERBS, "nverbs": len(VERBS), "students": N_STUDENTS,
                                    "acts": N_ACTIVITIES, "courses": N_COURSES, "lo": lo, "hi": hi})
            log(f"  {hi:,} rows ({time.time() - t0:.0f}s)")
        if big:
            conn.execute("SET maintenance_work_mem = '1GB'")
            for name, definition in secondary:
                t1 = time.time()
                conn.execute(definition)
                log(f"  index {name} ({time.time() - t1:.0f}s)")
        conn.execute("VACUUM ANALYZE records_statement")
        conn.execute("CHECKPOINT")  # the load's dirty pages go to disk now, not during the measurement
        log(f"preload: done in {time.time() - t0:.0f}s")
        return target


# -- load generation ------------------------------------------------------------------------


def make_statement(rng: random.Random) -> dict:
    course = rng.randrange(N_COURSES)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "actor": {"objectType": "Agent",
                  "account": {"homePage": HOME_PAGE, "name": f"S{rng.randrange(N_STUDENTS):08d}"}},
        "verb": {"id": rng.choice(VERBS), "display": {"en-US": "did"}},
        "object": {"objectType": "Activity", "id": f"https://lms.example.edu.cn/activity/{rng.randrange(N_ACTIVITIES)}",
                   "definition": {"type": "http://adlnet.gov/expapi/activities/lesson"}},
        "result": {"completion": True, "score": {"scaled": round(rng.random(), 2)}, "duration": "PT5M12S"},
        "context": {"registration": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "contextActivities": {"parent": [{"id": f"https://lms.example.edu.cn/course/{course}"}]},
                    "platform": "Moodle"},
        "timestamp": "2026-03-01T08:00:00.000Z",
    }


ID_MARK = "00000000-0000-4000-8000-000000000000"  # stands for each statement's id in a prepared body


def make_bodies(rng: random.Random, batch: int, count: int) -> list[list[bytes]]:
    """``count`` request bodies of ``batch`` statements, each split where its ids go."""
    bodies = []
    for _ in range(count):
        statements = [make_statement(rng) for _ in range(batch)]
        for st in statements:
            st["id"] = ID_MARK
        bodies.append(json.dumps(statements if batch > 1 else statements[0]).encode().split(ID_MARK.encode()))
    return bodies


def with_fresh_ids(pieces: list[bytes]) -> bytes:
    """The body with a new random id for each of its statements."""
    out = [pieces[0]]
    for piece in pieces[1:]:
        out += [str(uuid.uuid4()).encode(), piece]
    return b"".join(out)


def _poster(args: tuple) -> tuple[int, int, list[float]]:
    port, auth, batch, seconds, seed = args
    rng = random.Random(seed)
    bodies = make_bodies(rng, batch, 200 if batch > 1 else 2000)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": auth, "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}
    stored = errors = 0
    lat = []
    start.wait()  # every client has built its bodies
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        data = with_fresh_ids(bodies[n % len(bodies)])
        n += 1
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/xapi/statements", data, headers)
            resp = conn.getresponse()
            resp.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        lat.append(time.perf_counter() - t0)
        if resp.status == 200:
            stored += batch
        else:
            errors += 1
    return stored, errors, lat


start = None  # a multiprocessing barrier, set in each client process by _init


def _init(barrier) -> None:
    global start
    start = barrier


def _cpu_seconds(pids_by_part: dict[str, list[int]]) -> dict[str, float]:
    """utime + stime of each part's processes (Linux /proc), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for part, pids in pids_by_part.items():
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        seconds[part] = total / tick
    return seconds


def _cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {part: after[part] - before.get(part, 0.0) for part in after}


def server_pids(server_pid: int, url: str) -> dict[str, list[int]]:
    """The server (granian or gunicorn) and its workers; this database's backends and the
    WAL/checkpoint processes."""
    import psycopg

    children = Path(f"/proc/{server_pid}/task/{server_pid}/children")
    server = [server_pid] + [int(p) for p in children.read_text().split()] if children.exists() else [server_pid]
    with psycopg.connect(url) as conn:
        database = [r[0] for r in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE (datname = current_database() AND pid <> pg_backend_pid()) "
            "OR backend_type IN ('walwriter', 'checkpointer', 'background writer')").fetchall()]
    return {"server": server, "database": database}


def python_loop_seconds() -> float:
    """How fast this machine runs CPython: seconds for a loop of 10 million additions (the
    figures above scale with it; 0.7 s on a 2026 server core, 1.7–2.0 s on a slow one)."""
    # At module level, as `python -c` runs it (names in a dict, not function locals).
    namespace: dict = {}
    t0 = time.perf_counter()
    exec("x = 0\nfor i in range(10_000_000):\n    x += i", namespace)  # noqa: S102 (a constant)
    return time.perf_counter() - t0


def _commits(url: str) -> int:
    """Transactions committed in the database so far (an idle backend reports within 10 s)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()").fetchone()[0]


def post_rate(port: int, auth: str, batch: int, clients: int, seconds: float, cpu_pids, url: str | None = None) -> dict:
    """Statements/s for POSTs of ``batch`` statements from ``clients`` concurrent connections:
    wrk (a C load generator, Debian's package) when installed, so that on a 2-CPU machine
    the clients take almost nothing from the server they measure; otherwise Python processes.
    With ``url``, also the database transactions committed per request (below 1 when the
    server commits concurrent requests together)."""
    commits0 = _commits(url) if url else 0
    if shutil.which("wrk"):
        stored, errors, elapsed, cpu, p50, p95 = _wrk_rate(port, auth, batch, clients, seconds, cpu_pids)
        client = "wrk"
    else:
        stored, errors, elapsed, cpu, p50, p95 = _python_rate(port, auth, batch, clients, seconds, cpu_pids)
        client = "python"
    parts, cpu = cpu, sum(cpu.values())
    commits = None
    if url:
        time.sleep(11)  # idle backends report their statistics within 10 s
        commits = _commits(url) - commits0
    return {"batch": batch, "clients": clients, "client": client, "seconds": round(elapsed, 1),
            "statements": stored, "errors": errors, "statements_per_s": round(stored / elapsed, 1),
            "request_p50_ms": p50, "request_p95_ms": p95,
            "server_cpu_ms_per_statement": round(1000 * cpu / stored, 3) if stored else None,
            "capacity_per_s_on_all_cpus": round(stored / cpu * (os.cpu_count() or 1), 1) if cpu else None,
            "database_cpu_share": round(parts.get("database", 0.0) / cpu, 2) if cpu else None,
            "commits_per_request": round(commits / (stored / batch + errors), 2) if commits and stored else None,
            "load_average": os.getloadavg()[0]}


def _wrk_rate(port, auth, batch, clients, seconds, cpu_pids):
    rng = random.Random()
    with tempfile.NamedTemporaryFile("wb", suffix=".bodies", delete=False) as f:
        for pieces in make_bodies(rng, batch, 200 if batch > 1 else 2000):
            f.write(ID_MARK.encode().join(pieces) + b"\n\x1e\n")
    env = {**os.environ, "LRS_BODIES": f.name, "LRS_AUTH": auth}
    try:
        cpu0 = _cpu_seconds(cpu_pids())
        out = subprocess.run(["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds:.0f}s", "--timeout", "60s",  # noqa: S603, S607
                              "-s", str(ROOT / "bench" / "lrs_wrk.lua"), f"http://127.0.0.1:{port}"],
                             env=env, capture_output=True, text=True, check=True).stdout
        cpu = _cpu_used(cpu0, _cpu_seconds(cpu_pids()))
    finally:
        os.unlink(f.name)
    r = json.loads(next(line for line in out.splitlines() if line.startswith("WRK "))[4:])
    ok = r["requests"] - r["non_2xx"]
    elapsed = r["duration_us"] / 1e6
    return (ok * batch, r["non_2xx"] + r["socket_errors"], elapsed, cpu,
            round(r["p50_us"] / 1000, 1), round(r["p95_us"] / 1000, 1))


def _python_rate(port, auth, batch, clients, seconds, cpu_pids):
    barrier = mp.Barrier(clients + 1)
    with mp.Pool(clients, initializer=_init, initargs=(barrier,)) as pool:
        pending = pool.map_async(_poster, [(port, auth, batch, seconds, random.getrandbits(64))
                                           for _ in range(clients)])
        barrier.wait()  # the clients have built their bodies: the clock starts
        t0 = time.time()
        cpu0 = _cpu_seconds(cpu_pids())
        results = pending.get()
        elapsed = time.time() - t0
        cpu = _cpu_used(cpu0, _cpu_seconds(cpu_pids()))
    stored = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    lat = sorted(x for r in results for x in r[2])
    return (stored, errors, elapsed, cpu, round(1000 * lat[len(lat) // 2], 1) if lat else None,
            round(1000 * lat[int(len(lat) * 0.95)], 1) if lat else None)


def post_line(label: str, r: dict) -> str:
    return (f"{label} {r['statements_per_s']:>8,.1f} statements/s  ({r['clients']} {r['client']} clients, "
            f"p50 {r['request_p50_ms']} ms, p95 {r['request_p95_ms']} ms, {r['errors']} errors); "
            f"server CPU {r['server_cpu_ms_per_statement']} ms/statement = {r['capacity_per_s_on_all_cpus']:,}/s "
            f"on {os.cpu_count()} idle CPUs ({r['database_cpu_share']:.0%} of it PostgreSQL's); "
            f"{r['commits_per_request']} commits/request; "
            f"load avg {r['load_average']:.1f}")


def get_latency(port: int, auth: str, name: str, make_params, n: int = 40) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": auth, "X-Experience-API-Version": "1.0.3"}
    rng = random.Random(name)
    lat, counts = [], []
    for _ in range(n):
        params = make_params(rng)
        t0 = time.perf_counter()
        conn.request("GET", "/xapi/statements?" + urlencode(params), headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        lat.append(time.perf_counter() - t0)
        if resp.status != 200:
            raise SystemExit(f"GET {params} -> {resp.status}: {body[:200]!r}")
        counts.append(len(json.loads(body)["statements"]))
    lat.sort()
    return {"filter": name, "requests": n, "p50_ms": round(1000 * statistics.median(lat), 1),
            "p95_ms": round(1000 * lat[int(n * 0.95) - 1], 1), "max_ms": round(1000 * lat[-1], 1),
            "mean_returned": round(sum(counts) / n, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preload", type=int, default=10_000_000, help="statements stored before the GETs (10M)")
    ap.add_argument("--workers", type=int, default=2, help="server processes (one per CPU)")
    ap.add_argument("--threads", type=int, default=4, help="request threads per process")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--limit", type=int, default=100, help="limit of the filtered GETs")
    ap.add_argument("--load-only", action="store_true", help="stop after the preload")
    ap.add_argument("--posts-only", action="store_true", help="measure the POSTs, not the GETs")
    ap.add_argument("--server", choices=["granian", "gunicorn"], default="granian",
                    help="granian (Rust HTTP, the production server) or gunicorn (gthread)")
    ap.add_argument("--cluster", metavar="DIR", help="run a private, tuned PostgreSQL cluster in DIR")
    a = ap.parse_args()

    if a.cluster:
        from _postgres import TUNED, private_cluster

        url = private_cluster(a.cluster, free_port())
        log(f"private PostgreSQL cluster in {a.cluster}: {url} ({', '.join(f'{k}={v}' for k, v in TUNED.items())})")
    else:
        url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sg_lrsbench")
    if not url.startswith("postgres"):
        raise SystemExit("bench/lrs.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    env = {**os.environ, "DATABASE_URL": url, "DB_CONN_MAX_AGE": "600",
           "SANGUAN_DATA_DIR": os.environ.get("SANGUAN_DATA_DIR", "/tmp/lrs-bench-data")}  # noqa: S108
    ensure_database(url)
    subprocess.run([str(BIN / "sanguan"), "migrate", "-v0"], env=env, check=True)  # noqa: S603
    out = subprocess.run([str(BIN / "sanguan"), "lrs", "create-client", "--name", "bench", "--json"], env=env,  # noqa: S603
                         check=True, capture_output=True, text=True).stdout
    cred = json.loads(out)
    auth = "Basic " + base64.b64encode(f"{cred['key']}:{cred['secret']}".encode()).decode()

    import psycopg

    with psycopg.connect(url) as conn:
        client_pk = conn.execute("SELECT id FROM records_lrsclient WHERE key = %s", (cred["key"],)).fetchone()[0]
    stored = preload(url, a.preload, client_pk)
    if a.load_only:
        return 0

    port = free_port()
    if a.server == "granian":
        cmd = [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(a.workers), "--blocking-threads", str(a.threads), "--log-level", "warning",
               "sanguan.wsgi:application"]
    else:
        cmd = [str(BIN / "gunicorn"), "sanguan.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(a.workers),
               "-k", "gthread", "--threads", str(a.threads), "--keep-alive", "30", "--log-level", "warning",
               "--preload", "--worker-tmp-dir", "/dev/shm"]  # noqa: S108  (gunicorn heartbeat file)
    server = subprocess.Popen(cmd, env=env, start_new_session=True)  # noqa: S603
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/xapi/about")
                break
            except OSError:
                time.sleep(0.2)
        log(f"{a.server}: {a.workers} workers × {a.threads} threads on :{port}; {os.cpu_count()} CPUs "
            f"(a CPython loop of 10 M additions: {python_loop_seconds():.2f} s); {stored:,} statements stored")
        post_rate(port, auth, 1, a.clients, 2, dict)  # warm every worker's connection
        def cpu_pids():
            return server_pids(server.pid, url)

        single = post_rate(port, auth, 1, a.clients, a.seconds, cpu_pids, url)
        log(post_line("POST 1 statement:   ", single))
        batch = post_rate(port, auth, 100, a.clients, a.seconds, cpu_pids, url)
        log(post_line("POST 100 statements:", batch))
        if a.posts_only:
            print(json.dumps({"post_single": single, "post_batch": batch}))
            return 0
        with psycopg.connect(url) as conn:
            total = conn.execute("SELECT count(*) FROM records_statement").fetchone()[0]
        lim = {"limit": str(a.limit)}

        def agent(rng):
            return json.dumps({"account": {"homePage": HOME_PAGE, "name": f"S{rng.randrange(N_STUDENTS):08d}"}})

        def since(rng):
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - rng.randrange(1, 300) * 86400))

        filters = [
            ("verb", lambda rng: {**lim, "verb": rng.choice(VERBS)}),
            ("agent", lambda rng: {**lim, "agent": agent(rng)}),
            ("activity", lambda rng: {**lim, "activity":
                                      f"https://lms.example.edu.cn/activity/{rng.randrange(N_ACTIVITIES)}"}),
            ("since", lambda rng: {**lim, "since": since(rng)}),
            ("verb+since", lambda rng: {**lim, "verb": rng.choice(VERBS), "since": since(rng)}),
            ("agent+verb", lambda rng: {**lim, "agent": agent(rng), "verb": rng.choice(VERBS)}),
        ]
        gets = []
        for name, make in filters:
            r = get_latency(port, auth, name, make)
            gets.append(r)
            log(f"GET ?{name:<11} limit={a.limit}: p50 {r['p50_ms']:>6} ms  p95 {r['p95_ms']:>6} ms  "
                f"max {r['max_ms']:>6} ms  ({r['mean_returned']} statements per page, {total:,} stored)")
        print(json.dumps({"stored": total, "post_single": single, "post_batch": batch, "get": gets}))
    finally:
        os.killpg(server.pid, 15)
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
