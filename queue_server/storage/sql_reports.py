"""Storage of the report cells, on both backends: reading a range of days with the log beside
it in one snapshot, and adding a batch's deltas (or replacing days) together with the mark.

Writes are short transactions of their own, never inside a queue command's: a batch's cells
are read and computed from a snapshot before the write begins, so the write lock (on SQLite,
the database's) is held only to store the rows a batch changes. The mark row is locked first
and checked against the seq the snapshot was taken at; a writer that finds it moved gives
up, so two folders (a new leader and an old one, or a rebuild) can never add the same events
twice, nor write cells computed from an older state.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from ..domain import Event, Ticket
from .base import Store
from .report_tables import day_aggregate_t, report_mark_t
from .rows import EVENT
from .sql import SqlHall, SqlStore
from .tables import event_t

_IN_CHUNK = 500  # SQLite builds before 3.32 allow only 999 parameters
_a = day_aggregate_t.c
_m = report_mark_t.c
_e = event_t.c
# A cell as storage passes it: its day, dim and key, and its figures (every column but the hall).
Row = dict[str, Any]
_CELL_COLUMNS = [c for c in day_aggregate_t.c if c.name != "hall"]


_b = sa.bindparam
_DELETE_CELL = sa.delete(day_aggregate_t).where(
    _a.hall == _b("h"), _a.day == _b("d"), _a.dim == _b("m"), _a.key == _b("k")
)


class ReportRead:
    """One hall's cells and event log, read in one snapshot (so the cells, the mark and the
    events after it agree: nothing is missed or counted twice)."""

    def __init__(self, store: SqlStore, conn: Connection, hall: str) -> None:
        self.conn = conn
        self.hall = hall
        self.log = SqlHall(store, conn, hall)

    def mark(self) -> int:
        seq = self.conn.execute(sa.select(_m.seq).where(_m.hall == self.hall)).scalar()
        return int(seq or 0)

    def cell_rows(self, first: date, last: date, dims: Collection[str] | None = None) -> list[Row]:
        """The stored cells of the days ``first..last`` (of the dimensions ``dims`` only, if
        given): every column but the hall."""
        q = sa.select(*_CELL_COLUMNS).where(_a.hall == self.hall, _a.day >= first, _a.day <= last)
        if dims is not None:
            q = q.where(_a.dim.in_(sorted(dims)))
        return [dict(r) for r in self.conn.execute(q).mappings()]

    def last_seq(self) -> int:
        return self.log.last_seq()

    def events(self, after_seq: int, limit: int) -> list[Event]:
        return self.log.events(after_seq, limit)

    def active_tickets(self, day: date) -> list[Ticket]:
        return self.log.active_tickets(day)

    def histories(self, tickets: Collection[int]) -> dict[int, list[Event]]:
        """Every ``ticket.*`` event of each of ``tickets``, in order (the ticket index finds them)."""
        wanted = sorted(set(tickets))
        out: dict[int, list[Event]] = {t: [] for t in wanted}
        for i in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[i : i + _IN_CHUNK]
            rows = self.conn.execute(
                sa.select(event_t)
                .where(_e.hall == self.hall, _e.ticket_id.in_(chunk), _e.kind.like("ticket.%"))
                .order_by(_e.seq)
            ).mappings()
            for r in rows:
                event = EVENT.read(r)
                out[int(r["ticket_id"])].append(event)
        return out


class ReportStore:
    """The report cells of a SQL store (SQLite or PostgreSQL)."""

    def __init__(self, store: Store) -> None:
        if not isinstance(store, SqlStore):
            raise TypeError("reports need a SQL store")
        self.store = store
        self._insert = pg_insert if store.engine.dialect.name == "postgresql" else sqlite_insert

    @contextmanager
    def reading(self, hall: str) -> Iterator[ReportRead]:
        """A read snapshot of ``hall`` (REPEATABLE READ on PostgreSQL; SQLite's read
        transaction is one snapshot already). Holds no lock a writer waits for."""
        with self.store.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                self.store.check_hall(conn, hall)
                yield ReportRead(self.store, conn, hall)

    def _lock_mark(self, conn: Connection, hall: str) -> int:
        conn.execute(self._insert(report_mark_t).values(hall=hall, seq=0).on_conflict_do_nothing())
        seq = conn.execute(sa.select(_m.seq).where(_m.hall == hall).with_for_update()).scalar_one()
        return int(seq)

    def _set_mark(self, conn: Connection, hall: str, seq: int, at: datetime) -> None:
        conn.execute(sa.update(report_mark_t).where(_m.hall == hall).values(seq=seq, folded_at=at))

    def put(self, hall: str, expected: int, mark: int, rows: list[Row], at: datetime) -> bool:
        """Store ``rows`` (whole cells, computed from a snapshot taken at mark ``expected``:
        each replaces the stored cell of its day, dim and key) and move the mark to ``mark``,
        in one transaction; False (nothing written) when the mark is no longer ``expected``,
        since the cells may have changed with it. Two statements run many times each: the
        write holds the lock for milliseconds."""
        with self.store.write() as conn:
            if self._lock_mark(conn, hall) != expected:
                return False
            if rows:
                conn.execute(_DELETE_CELL, [{"h": hall, "d": r["day"], "m": r["dim"], "k": r["key"]} for r in rows])
                conn.execute(sa.insert(day_aggregate_t), [{**r, "hall": hall} for r in rows])
            self._set_mark(conn, hall, mark, at)
        return True

    def replace(
        self,
        hall: str,
        days: tuple[date, date] | None,
        rows: list[Row],
        mark: int,
        at: datetime,
        *,
        expected: int | None = None,
    ) -> bool:
        """The cells of ``days`` (first, last; None: every day) become exactly ``rows``, and
        the mark ``mark``; with ``expected``, only if the mark is still that (else False)."""
        with self.store.write() as conn:
            held = self._lock_mark(conn, hall)
            if expected is not None and held != expected:
                return False
            gone = sa.delete(day_aggregate_t).where(_a.hall == hall)
            if days is not None:
                gone = gone.where(_a.day >= days[0], _a.day <= days[1])
            conn.execute(gone)
            kept = [{**r, "hall": hall} for r in rows if days is None or days[0] <= r["day"] <= days[1]]
            for i in range(0, len(kept), _IN_CHUNK):
                conn.execute(sa.insert(day_aggregate_t), kept[i : i + _IN_CHUNK])
            self._set_mark(conn, hall, mark, at)
        return True


__all__ = ["ReportRead", "ReportStore", "Row"]
