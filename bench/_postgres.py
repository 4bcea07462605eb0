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
