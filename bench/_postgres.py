"""Shared by the benchmarks that need a PostgreSQL database of their own."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit, urlunsplit


def recreate_database(url: str) -> None:
    """DROP and CREATE the database named in ``url`` (connecting to ``postgres`` to do so)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        sys.exit(f"refusing to recreate a database named {name!r}")
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# A server tuned for a write-heavy table of tens of millions of rows. Durable: fsync and
# synchronous_commit stay on; what changes is memory and checkpoint spacing, as any
# production server would have it.
TUNED = {
    "shared_buffers": "4GB",
    "effective_cache_size": "16GB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "30min",
    "wal_compression": "lz4",
    "random_page_cost": "1.1",
    "max_connections": "200",
}


def private_cluster(directory: str, port: int) -> str:
    """Start (creating it on first use) a PostgreSQL cluster of the machine's own version in
    ``directory``, with ``TUNED`` settings, listening on 127.0.0.1:``port``; returns its URL.

    Needs PostgreSQL's server binaries (Debian's postgresql package). Run as root, the cluster
    belongs to the ``postgres`` user. The cluster keeps running after the benchmark (so a
    preloaded table is reused); stop it with ``pg_ctl -D DIRECTORY stop``.
    """
    import glob
    import os
    import subprocess
    from pathlib import Path

    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not bins:
        sys.exit("no PostgreSQL server binaries under /usr/lib/postgresql")
    bindir = Path(bins[-1]).parent
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data = Path(directory)
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if as_owner:
            subprocess.run(["chown", "postgres:postgres", str(data)], check=True)  # noqa: S603, S607
        subprocess.run([*as_owner, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",  # noqa: S603
                        "-E", "UTF8", "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL)
        with (data / "postgresql.auto.conf").open("a") as conf:
            conf.writelines(f"{k} = '{v}'\n" for k, v in TUNED.items())
    status = subprocess.run([*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "status"],  # noqa: S603
                            capture_output=True, text=True)
    if status.returncode != 0:
        subprocess.run([*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w",  # noqa: S603
                        "-o", f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={data}",
                        "start"], check=True, stdout=subprocess.DEVNULL)
    else:
        pid_line = (data / "postmaster.pid").read_text().splitlines()
        port = int(pid_line[3])
    return f"postgres://postgres@127.0.0.1:{port}/sanguan_bench"
