"""The hall's tickets: one by id, those at a window, the day's active ones, and writes.

Reading a ticket is on the call-next path: statements are built once, and the
insert runs as a prepared statement straight on the driver.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date

import sqlalchemy as sa

from ..domain import Ticket, TicketState
from .rows import TICKET
from .sql_hall import HallConnection
from .tables import ticket_t

# Built once: building a SQLAlchemy statement costs more than SQLite takes to run it.
_b = sa.bindparam
_c = ticket_t.c
_TICKET_BY_ID = sa.select(ticket_t).where(_c.id == _b("id"), _c.hall == _b("hall"))
_TICKET_COLUMNS = [c.name for c in ticket_t.columns if c.name != "id"]
_INSERT_TICKET = (
    sa.insert(ticket_t).values({n: _b(n, type_=ticket_t.c[n].type) for n in _TICKET_COLUMNS}).returning(_c.id)
)
_UPDATE_TICKET = sa.update(ticket_t).where(_c.id == _b("b_id"), _c.hall == _b("b_hall"))
_AT_WINDOW = (
    sa.select(ticket_t)
    .where(_c.hall == _b("hall"), _c.window == _b("window"), _c.state.in_(_b("states", expanding=True)))
    .order_by(_c.id)
)
# Every listed window's called or served tickets: one seek per (window, state) on ix_ticket_window.
_AT_WINDOWS = (
    sa.select(ticket_t)
    .where(
        _c.hall == _b("hall"),
        _c.window.in_(_b("windows", expanding=True)),
        _c.state.in_([TicketState.CALLED.value, TicketState.SERVING.value]),
    )
    .order_by(_c.id)
)


class SqlTickets(HallConnection):
    def ticket(self, ticket_id: int) -> Ticket | None:
        row = self.conn.execute(_TICKET_BY_ID, {"id": ticket_id, "hall": self.hall}).mappings().first()
        return TICKET.read(row) if row else None

    def _at_window(self, window: int, states: tuple[str, ...]) -> list[Ticket]:
        params = {"hall": self.hall, "window": window, "states": list(states)}
        return [TICKET.read(r) for r in self.conn.execute(_AT_WINDOW, params).mappings()]

    def current_ticket(self, window: int) -> Ticket | None:
        found = self._at_window(window, (TicketState.CALLED.value, TicketState.SERVING.value))
        return found[0] if found else None

    def current_tickets(self, windows: Collection[int]) -> dict[int, Ticket]:
        found: dict[int, Ticket] = {}
        if windows:
            params = {"hall": self.hall, "windows": sorted(windows)}
            for row in self.conn.execute(_AT_WINDOWS, params).mappings():
                ticket = TICKET.read(row)
                assert ticket.window is not None
                found.setdefault(ticket.window, ticket)  # the lowest id, as current_ticket
        return found

    def held_tickets(self, window: int) -> list[Ticket]:
        return self._at_window(window, (TicketState.HELD.value,))

    def window_counts(self, window: int, day: date) -> dict[str, int]:
        c = ticket_t.c
        rows = self.conn.execute(
            sa.select(c.state, sa.func.count())
            .where(c.hall == self.hall, c.window == window, c.business_day == day)
            .group_by(c.state)
        ).all()
        return {state: int(n) for state, n in rows}

    def active_tickets(self, day: date) -> list[Ticket]:
        active = [s.value for s in TicketState if not s.is_final]
        rows = self.conn.execute(
            sa.select(ticket_t)
            .where(_c.hall == self.hall, _c.business_day == day, _c.state.in_(active))
            .order_by(_c.order_key, _c.id)
        ).mappings()
        return [TICKET.read(r) for r in rows]

    def stale_tickets(self, before: date) -> list[Ticket]:
        c = ticket_t.c
        rows = self.conn.execute(
            sa.select(ticket_t)
            .where(
                c.hall == self.hall,
                c.business_day < before,
                c.state.in_([TicketState.WAITING.value, TicketState.HELD.value, TicketState.NO_SHOW.value]),
            )
            .order_by(c.id)
        ).mappings()
        return [TICKET.read(r) for r in rows]

    # -- writes --------------------------------------------------------------

    def next_number(self, service: str, day: date) -> int:
        return self.store.bump_counter(self.conn, self.hall, service, day)

    def insert_ticket(self, ticket: Ticket) -> Ticket:
        new_id = self.store.prepared(_INSERT_TICKET).run(self.conn, TICKET.values(ticket)).fetchone()[0]
        return replace(ticket, id=int(new_id))

    def update_ticket(self, ticket: Ticket) -> None:
        values = {**TICKET.values(ticket), "b_id": ticket.id, "b_hall": self.hall}
        if self.conn.execute(_UPDATE_TICKET, values).rowcount != 1:
            raise LookupError(f"ticket {ticket.id} vanished during the transaction")
