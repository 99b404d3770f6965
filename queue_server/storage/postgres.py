"""PostgreSQL backend: several server processes share one database. A write
transaction locks its hall's row first (SELECT … FOR UPDATE), which serialises
one hall's commands across processes while other halls run in parallel, and
keeps the hall's event sequence gapless."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from ..errors import NotFound
from .json_codec import loads
from .prepared import postgres_value
from .sql import SqlStore, counter_bump
from .tables import hall_t

# Built once: the number counter and the hall lock run in every command.
_LOCK = sa.select(hall_t.c.slug).where(hall_t.c.slug == sa.bindparam("hall")).with_for_update()
_BUMP = counter_bump(pg_insert)


def postgres_engine(url: str) -> sa.Engine:
    parsed = sa.make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return sa.create_engine(parsed, pool_size=10, max_overflow=20, pool_pre_ping=True, json_deserializer=loads)


# Every process LISTENs here; a NOTIFY sent inside the writing transaction is
# delivered exactly when (and only if) that transaction commits.
NOTIFY_CHANNEL = "hallq_events"
_NOTIFY = sa.select(sa.func.pg_notify(NOTIFY_CHANNEL, sa.bindparam("payload")))


class PostgresStore(SqlStore):
    bump = _BUMP

    def __init__(self, url: str) -> None:
        super().__init__(url, postgres_engine(url), postgres_value)

    def events_written(self, conn: Connection, hall: str, seq: int) -> None:
        # Small payload (the hall and its newest seq): listeners read the events from the table.
        self.prepared(_NOTIFY).run(conn, {"payload": json.dumps({"hall": hall, "seq": seq})})

    def lock_hall(self, conn: Connection, hall: str) -> None:
        if conn.execute(_LOCK, {"hall": hall}).first() is None:
            raise NotFound(f"没有这个大厅 / unknown hall {hall!r}")
