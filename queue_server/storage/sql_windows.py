"""The hall's windows: what each serves, its state, and when it last changed."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa

from ..domain import TicketState, Window, WindowAction
from .rows import WINDOW
from .sql_hall import HallConnection
from .tables import event_t, window_service_t, window_t

_b = sa.bindparam
_w = window_t.c
_ws = window_service_t.c
_WINDOW_CHANGES = ("state", "staff", "pause_reason")  # what a window command may change
# One window and what it serves: read by every window command.
_WINDOW = sa.select(window_t).where(_w.hall == _b("hall"), _w.number == _b("number"))
_WINDOW_SERVICES = sa.select(window_service_t).where(_ws.hall == _b("hall"), _ws.window == _b("number"))

# The events that turn a window (``window_changes``): its state changed (open, pause, resume,
# close), or a ticket came to it or left it (call, call back; finish, no-show, hold, transfer,
# cancel). Read newest first through the (hall, seq) index, a page at a time.
_e = event_t.c
_AT_STATES = (TicketState.CALLED.value, TicketState.SERVING.value)
_came = sa.func.coalesce(_e.to_state, "").in_(_AT_STATES)
_was = sa.func.coalesce(_e.from_state, "").in_(_AT_STATES)
WINDOW_TURN_PAGE = 200
_WINDOW_TURNS = (
    sa.select(_e.seq, _e.window, _e.at)
    .where(
        _e.hall == _b("hall"),
        _e.seq < _b("before"),
        _e.window.in_(_b("windows", expanding=True)),
        sa.or_(
            _e.kind.in_([f"window.{a.value}" for a in WindowAction]),
            sa.and_(_e.kind.like("ticket.%"), sa.or_(sa.and_(_came, ~_was), sa.and_(_was, ~_came))),
        ),
    )
    .order_by(_e.seq.desc())
    .limit(WINDOW_TURN_PAGE)
)


class SqlWindows(HallConnection):
    def window(self, number: int) -> Window | None:
        params = {"hall": self.hall, "number": number}
        row = self.conn.execute(_WINDOW, params).mappings().first()
        if row is None:
            return None
        return WINDOW.read(row, services=self._window_services(number))

    def _window_services(self, number: int) -> dict[str, float]:
        rows = self.conn.execute(_WINDOW_SERVICES, {"hall": self.hall, "number": number}).mappings()
        return {r["service"]: r["weight"] for r in rows}

    def _services_of(self) -> dict[int, dict[str, float]]:
        q = sa.select(window_service_t).where(_ws.hall == self.hall)
        out: dict[int, dict[str, float]] = {}
        for r in self.conn.execute(q).mappings():
            out.setdefault(r["window"], {})[r["service"]] = r["weight"]
        return out

    def windows(self) -> list[Window]:
        rows = self.conn.execute(sa.select(window_t).where(_w.hall == self.hall).order_by(_w.number)).mappings().all()
        services = self._services_of()
        return [WINDOW.read(r, services=services.get(r["number"], {})) for r in rows]

    def window_changes(self, windows: Collection[int]) -> dict[int, datetime]:
        wanted, found = set(windows), {}
        before = 2**62
        while wanted:
            params = {"hall": self.hall, "before": before, "windows": sorted(wanted)}
            rows = self.conn.execute(_WINDOW_TURNS, params).all()
            for _seq, window, at in rows:
                if window in wanted:
                    found[window] = at
                    wanted.discard(window)
            if len(rows) < WINDOW_TURN_PAGE:
                break
            before = rows[-1][0]
        return found

    def update_window(self, window: Window) -> None:
        self.conn.execute(
            sa.update(window_t)
            .where(_w.hall == self.hall, _w.number == window.number)
            .values({k: v for k, v in WINDOW.values(window).items() if k in _WINDOW_CHANGES})
        )
        if self._window_services(window.number) != dict(window.services):
            self.conn.execute(sa.delete(window_service_t).where(_ws.hall == self.hall, _ws.window == window.number))
            self.conn.execute(
                sa.insert(window_service_t),
                [
                    {"hall": self.hall, "window": window.number, "service": s, "weight": w}
                    for s, w in window.services.items()
                ],
            )
