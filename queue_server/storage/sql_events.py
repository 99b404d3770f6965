"""The hall's event log: reading it in order, and appending under the hall's lock."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from ..domain import Event
from .rows import EVENT
from .sql_hall import HallConnection
from .tables import event_t

_b = sa.bindparam
_e = event_t.c
_LAST_SEQ = sa.select(sa.func.coalesce(sa.func.max(_e.seq), 0)).where(_e.hall == _b("hall"))
# One statement per event: the next sequence number is read and used while the hall is locked.
_EVENT_COLUMNS = ("hall", "seq", "at", "kind", "ticket_id", "window", "staff", "from_state", "to_state", "detail")
_INSERT_EVENT = (
    sa.insert(event_t)
    .from_select(
        list(_EVENT_COLUMNS),
        sa.select(
            _b("hall", type_=_e.hall.type),
            sa.func.coalesce(sa.func.max(_e.seq), 0) + 1,
            *(_b(name, type_=_e[name].type) for name in _EVENT_COLUMNS[2:]),
        ).where(_e.hall == _b("hall", type_=_e.hall.type)),
    )
    .returning(_e.seq)
)


class SqlEvents(HallConnection):
    def events(self, after_seq: int = 0, limit: int = 1000) -> list[Event]:
        rows = self.conn.execute(
            sa.select(event_t).where(_e.hall == self.hall, _e.seq > after_seq).order_by(_e.seq).limit(limit)
        ).mappings()
        # all(): one fetch of the page, not a driver call per row (a rebuild reads millions).
        return [EVENT.read(r) for r in rows.all()]

    def ticket_events(self, ticket_id: int) -> list[Event]:
        rows = self.conn.execute(
            sa.select(event_t).where(_e.hall == self.hall, _e.ticket_id == ticket_id).order_by(_e.seq)
        ).mappings()
        return [EVENT.read(r) for r in rows]

    def last_seq(self) -> int:
        return int(self.conn.execute(_LAST_SEQ, {"hall": self.hall}).scalar_one())

    def append(self, event: Event) -> Event:
        params = EVENT.values(event)
        seq = int(self.store.prepared(_INSERT_EVENT).run(self.conn, params).fetchone()[0])
        self.appended_seq = seq
        return replace(event, seq=seq)
