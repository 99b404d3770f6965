"""The SQL store shared by the SQLite and PostgreSQL backends.

Queries use SQLAlchemy Core on the SQLModel tables: call-next and issue are on
the hot path and a hall's clerks feel every millisecond. Backends differ only in
how they open the engine, take the hall's lock and upsert the number counter.
A hall's reads and writes (``SqlHall``) are one class per concept, in sql_*.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..config import Config
from ..errors import NotFound
from .accounts import Accounts
from .base import HallReader, HallTx, Store
from .prepared import Converter, PreparedSet
from .rows import TICKET
from .sql_cases import SqlCases
from .sql_events import SqlEvents
from .sql_lines import SqlLines
from .sql_records import SqlRecords
from .sql_rosters import SqlRosters
from .sql_staff import SqlStaff
from .sql_tickets import SqlTickets
from .sql_windows import WINDOW_TURN_PAGE, SqlWindows
from .staffing_seed import seed_staffing
from .tables import counter_t, hall_t, service_t, ticket_t, window_service_t, window_t

__all__ = ["WINDOW_TURN_PAGE", "SqlHall", "SqlStore", "counter_bump", "ticket_from_row", "ticket_values"]

# Kept under these names for the benchmarks and tests that build or read ticket rows.
ticket_from_row = TICKET.read
ticket_values = TICKET.values

_b = sa.bindparam
_HALL_EXISTS = sa.select(hall_t.c.slug).where(hall_t.c.slug == _b("hall"))


def counter_bump(insert: Callable[[sa.Table], Any]) -> sa.ClauseElement:
    """``INSERT … ON CONFLICT DO UPDATE … RETURNING`` of the day's number counter, given a
    dialect's ``insert`` (SQLite and PostgreSQL spell the upsert alike)."""
    stmt: sa.ClauseElement = (
        insert(counter_t)
        .values(hall=_b("hall"), service=_b("service"), business_day=_b("day"), last=1)
        .on_conflict_do_update(index_elements=["hall", "service", "business_day"], set_={"last": counter_t.c.last + 1})
        .returning(counter_t.c.last)
    )
    return stmt


class SqlHall(SqlTickets, SqlLines, SqlWindows, SqlEvents, SqlRecords, SqlStaff, SqlRosters, SqlCases, HallTx):
    """Reads and (inside ``SqlStore.transaction``) writes of one hall."""


class SqlStore(Store):
    """Everything but the dialect's locking, engine options and upsert."""

    def __init__(self, url: str, engine: Engine, convert: Converter) -> None:
        self.url = url
        self.engine = engine
        self.prepared = PreparedSet(engine.dialect, convert)
        self.accounts = Accounts(engine, self.write)
        self._known_halls: set[str] = set()

    # -- backend hooks -------------------------------------------------------

    def lock_hall(self, conn: Connection, hall: str) -> None:
        """Take the hall's write lock, or raise NotFound."""
        raise NotImplementedError

    def events_written(self, conn: Connection, hall: str, seq: int) -> None:
        """Called inside the transaction that wrote events up to ``seq``, just before it commits."""

    def check_hall(self, conn: Connection, hall: str) -> None:
        if hall in self._known_halls:
            return
        if conn.execute(_HALL_EXISTS, {"hall": hall}).first() is None:
            raise NotFound(f"没有这个大厅 / unknown hall {hall!r}")
        self._known_halls.add(hall)

    # Each backend's upsert of the number counter (``counter_bump`` with its dialect's insert).
    bump: sa.ClauseElement

    def bump_counter(self, conn: Connection, hall: str, service: str, day: date) -> int:
        return int(self.prepared(self.bump).run(conn, {"hall": hall, "service": service, "day": day}).fetchone()[0])

    # -- Store ---------------------------------------------------------------

    def migrate(self) -> None:
        # Imported here: worker processes open the store without migrating and skip the cost.
        from alembic import command
        from alembic.config import Config as AlembicConfig

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(resources.files("queue_server.storage").joinpath("migrations")))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def sync_halls(self, config: Config) -> None:
        with self.engine.begin() as conn:
            for hall in config.halls:
                exists = conn.execute(sa.select(hall_t.c.slug).where(hall_t.c.slug == hall.slug)).first()
                values = {
                    "name_zh": hall.name_zh,
                    "name_en": hall.name_en,
                    "timezone": hall.timezone,
                }
                if exists:
                    conn.execute(sa.update(hall_t).where(hall_t.c.slug == hall.slug).values(values))
                else:
                    conn.execute(sa.insert(hall_t).values(slug=hall.slug, **values))
                self._sync_services(conn, config, hall.slug)
                self._sync_windows(conn, config, hall.slug)
                seed_staffing(SqlHall(self, conn, hall.slug), hall)

    def _sync_services(self, conn: Connection, config: Config, slug: str) -> None:
        hall = config.hall(slug)
        assert hall is not None
        s = service_t.c
        existing = set(conn.execute(sa.select(s.code).where(s.hall == slug)).scalars())
        for svc in hall.services:
            values = {
                "name_zh": svc.name_zh,
                "name_en": svc.name_en,
                "zone": svc.zone,
                "expected_minutes": svc.expected_minutes,
                "active": True,
            }
            if svc.code in existing:
                conn.execute(sa.update(service_t).where(s.hall == slug, s.code == svc.code).values(values))
            else:
                conn.execute(sa.insert(service_t).values(hall=slug, code=svc.code, **values))
        gone = existing - {svc.code for svc in hall.services}
        if gone:
            # Kept for the history of old tickets, but no longer offered.
            conn.execute(sa.update(service_t).where(s.hall == slug, s.code.in_(gone)).values(active=False))

    def _sync_windows(self, conn: Connection, config: Config, slug: str) -> None:
        hall = config.hall(slug)
        assert hall is not None
        w, ws = window_t.c, window_service_t.c
        existing = set(conn.execute(sa.select(w.number).where(w.hall == slug)).scalars())
        for win in hall.windows:
            if win.number in existing:
                conn.execute(
                    sa.update(window_t).where(w.hall == slug, w.number == win.number).values(kind=win.kind.value)
                )
            else:
                conn.execute(
                    sa.insert(window_t).values(hall=slug, number=win.number, kind=win.kind.value, state="closed")
                )
        # The file is the source of truth for what each window serves at start.
        conn.execute(sa.delete(window_service_t).where(ws.hall == slug))
        rows = [
            {"hall": slug, "window": win.number, "service": code, "weight": weight}
            for win in hall.windows
            for code, weight in win.services.items()
        ]
        if rows:
            conn.execute(sa.insert(window_service_t), rows)
        gone = existing - {win.number for win in hall.windows}
        if gone:
            conn.execute(
                sa.update(window_t)
                .where(w.hall == slug, w.number.in_(gone))
                .values(state="closed", staff=None, pause_reason=None)
            )

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; backends may serialise writers before it begins."""
        with self.engine.connect() as conn, conn.execution_options(hallq_write=True).begin():
            yield conn

    @contextmanager
    def transaction(self, hall: str) -> Iterator[HallTx]:
        with self.write() as conn:
            self.lock_hall(conn, hall)
            tx = SqlHall(self, conn, hall)
            yield tx
            if tx.appended_seq:
                self.events_written(conn, hall, tx.appended_seq)

    @contextmanager
    def reader(self, hall: str) -> Iterator[HallReader]:
        with self.engine.connect() as conn:
            self.check_hall(conn, hall)
            yield SqlHall(self, conn, hall)
            conn.rollback()

    def halls(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(hall_t.c.slug).order_by(hall_t.c.slug)).scalars())

    def hall_of_ticket(self, ticket_id: int) -> str | None:
        with self.engine.connect() as conn:
            hall = conn.execute(sa.select(ticket_t.c.hall).where(ticket_t.c.id == ticket_id)).scalar()
        return None if hall is None else str(hall)

    def close(self) -> None:
        self.engine.dispose()
