"""SQLite backend: one file, WAL, a busy timeout, and write transactions that
take the database's write lock up front (BEGIN IMMEDIATE), so two windows
calling at once are simply serialised and never deadlock on a lock upgrade."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from .json_codec import loads
from .prepared import sqlite_value
from .sql import SqlStore, counter_bump

BUSY_TIMEOUT_MS = 30_000


# Built once: the number counter runs with every ticket.
_BUMP = counter_bump(sqlite_insert)


def sqlite_engine(url: str, synchronous: str = "FULL") -> sa.Engine:
    parsed = sa.make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        parsed,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        pool_size=8,
        max_overflow=16,
        json_deserializer=loads,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below); pysqlite's implicit BEGIN would be DEFERRED.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: a ticket is on disk before its number is shown, even across a power cut.
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("hallq_write", False)
        # Straight to the driver: this runs before every command, and the SQLAlchemy
        # execution path would cost more than SQLite's own work here.
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        dbapi.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class SqliteStore(SqlStore):
    bump = _BUMP

    def __init__(self, url: str, synchronous: str = "FULL") -> None:
        super().__init__(url, sqlite_engine(url, synchronous), sqlite_value)
        # One writer at a time per process: threads queue here in order rather than
        # polling SQLite's lock with sleeps (which made the slowest writer wait ~1 s).
        # Other processes still meet at SQLite's lock, with its busy timeout.
        self._write_lock = threading.Lock()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self._write_lock, super().write() as conn:
            yield conn

    def lock_hall(self, conn: Connection, hall: str) -> None:
        # BEGIN IMMEDIATE already holds the database's write lock.
        self.check_hall(conn, hall)
