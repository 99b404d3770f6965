"""PostgreSQL: the leader holds a session-level advisory lock on a connection of its own, kept
for the process's life. A process that dies (or whose connection drops) loses the lock with
its session; the others try ``pg_try_advisory_lock`` every few seconds and one takes over."""

from __future__ import annotations

import contextlib
import logging
import threading

import sqlalchemy as sa

from .base import Leadership

log = logging.getLogger("hallq.leadership")

# The advisory lock's key: any constant unlikely to clash with another application's
# (the bytes of "hallqld!" read as into a signed 64-bit integer).
LOCK_KEY = int.from_bytes(b"hallqld!", "big", signed=True)


class PostgresLeadership(Leadership):
    def __init__(self, url: str, key: int = LOCK_KEY) -> None:
        parsed = sa.make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        # No pool: the one connection is this process's session, held while it leads.
        self.engine = sa.create_engine(parsed, poolclass=sa.NullPool, isolation_level="AUTOCOMMIT")
        self.key = key
        self._conn: sa.Connection | None = None
        self._leader = False
        self._lock = threading.Lock()

    def _connection(self) -> sa.Connection:
        if self._conn is None:
            self._conn = self.engine.connect()
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                self._conn.close()
        self._conn, self._leader = None, False

    def acquire(self) -> bool:
        with self._lock:
            try:
                conn = self._connection()
                if self._leader:
                    # Still our session? (A dropped connection took the lock with it.)
                    conn.exec_driver_sql("SELECT 1")
                else:
                    got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar_one()
                    if got:
                        log.info("this process leads the timed jobs (advisory lock %d)", self.key)
                    self._leader = bool(got)
            except sa.exc.SQLAlchemyError as exc:
                if self._leader:
                    log.warning("leadership lost with its connection: %s", exc)
                self._drop()
            return self._leader

    @property
    def is_leader(self) -> bool:
        return self._leader

    def release(self) -> None:
        with self._lock:
            if self._conn is not None and self._leader:
                with contextlib.suppress(sa.exc.SQLAlchemyError):
                    self._conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            self._drop()
            self.engine.dispose()
