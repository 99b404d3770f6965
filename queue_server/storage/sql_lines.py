"""The hall's waiting lines: their heads for call-next, places in line, and what a new
ticket is told (people ahead, windows serving, recent service times, issuing paused).

A line is the waiting tickets of one service and tier, in order-key order; tickets
transferred to one window wait in that window's own line.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from ..domain import Ticket, TicketState, Tier, Window, WindowState
from .base import LineStats
from .rows import TICKET
from .sql_hall import HallConnection
from .tables import service_t, ticket_t, window_service_t, window_t

ROUTED_TIERS = (Tier.GREEN, Tier.APPOINTMENT, Tier.PRIORITY, Tier.NORMAL)
_WAITING = TicketState.WAITING.value

# Built once: building a SQLAlchemy statement costs more than SQLite takes to run it.
_b = sa.bindparam
_c = ticket_t.c
_WAITING_LINE = sa.and_(_c.hall == _b("hall"), _c.business_day == _b("day"), _c.state == _WAITING)
_AHEAD_OF = sa.or_(_c.tier < _b("tier"), sa.and_(_c.tier == _b("tier"), _c.order_key <= _b("key")))
_COUNT_AHEAD = (
    sa.select(sa.func.count())
    .select_from(ticket_t)
    .where(_WAITING_LINE, _c.target_window == 0, _c.service == _b("service"), _AHEAD_OF, _c.id != _b("id"))
)
_COUNT_AHEAD_TARGETED = (
    sa.select(sa.func.count())
    .select_from(ticket_t)
    .where(_WAITING_LINE, _c.target_window == _b("target"), _AHEAD_OF, _c.id != _b("id"))
)
_LINE_KEYS = (
    sa.select(_c.order_key)
    .where(_WAITING_LINE, _c.target_window == 0, _c.service == _b("service"), _c.tier == _b("tier"))
    .order_by(_c.order_key, _c.id)
    .limit(_b("limit"))
)
_ws = window_service_t.c
_SERVING_ALL = sa.select(sa.func.count()).where(_ws.hall == _b("hall"), _ws.service == _b("service"))
_SERVING_OPEN = (
    sa.select(sa.func.count())
    .select_from(window_service_t.join(window_t, sa.and_(window_t.c.hall == _ws.hall, window_t.c.number == _ws.window)))
    .where(_ws.hall == _b("hall"), _ws.service == _b("service"), window_t.c.state == WindowState.OPEN.value)
)
_RECENT = (
    sa.select(_c.service_seconds.label("s"))
    .where(_c.hall == _b("hall"), _c.service == _b("service"), _c.finished_at.is_not(None))
    .order_by(_c.finished_at.desc())
    .limit(_b("recent"))
    .subquery()
)
_SERVICE_PAUSE = sa.select(sa.func.coalesce(service_t.c.pause_reason, "")).where(
    service_t.c.hall == _b("hall"), service_t.c.code == _b("service"), service_t.c.paused.is_(True)
)
_LINE_STATS = sa.select(
    _COUNT_AHEAD.scalar_subquery(),
    _SERVING_OPEN.scalar_subquery(),
    _SERVING_ALL.scalar_subquery(),
    sa.func.avg(_RECENT.c.s),
    sa.func.count(_RECENT.c.s),
    _SERVICE_PAUSE.scalar_subquery(),
).select_from(_RECENT)


def _head(service: str, tier: Tier) -> sa.Select[Any]:
    # The line's service, tier and LIMIT are literals, not parameters: PostgreSQL can then
    # keep one generic plan for the whole statement instead of planning it on every call.
    return sa.select(
        sa.select(ticket_t)
        .where(
            _WAITING_LINE,
            _c.target_window == sa.literal_column("0"),
            _c.service == sa.literal(service, literal_execute=True),
            _c.tier == sa.literal_column(str(int(tier))),
        )
        .order_by(_c.order_key, _c.id)
        .limit(sa.literal_column("1"))
        .subquery()
    )


@lru_cache(maxsize=256)
def _heads_statement(services: tuple[str, ...]) -> sa.CompoundSelect[Any]:
    """One round trip for every line a window may call from (cached per service set)."""
    parts: list[sa.Select[Any]] = [_head(service, tier) for service in services for tier in ROUTED_TIERS]
    # "> 0" lets a generic plan know this branch never means "any window" (0), so it seeks.
    parts.append(
        sa.select(ticket_t).where(
            _WAITING_LINE, _c.target_window == _b("window"), _c.target_window > sa.literal_column("0")
        )
    )
    parts.append(
        sa.select(ticket_t).where(
            _c.hall == _b("hall"),
            _c.window == _b("window"),
            _c.state == TicketState.HELD.value,
            _c.returned.is_(True),
        )
    )
    return sa.union_all(*parts)


class SqlLines(HallConnection):
    def _line(self, day: date) -> sa.ColumnElement[bool]:
        return sa.and_(_c.hall == self.hall, _c.business_day == day, _c.state == _WAITING)

    def heads(self, window: Window, day: date) -> list[Ticket]:
        stmt = _heads_statement(tuple(sorted(window.services)))
        params = {"hall": self.hall, "day": day, "window": window.number}
        return [TICKET.read(r) for r in self.conn.execute(stmt, params).mappings()]

    def count_ahead(self, ticket: Ticket) -> int:
        params = {
            "hall": self.hall,
            "day": ticket.business_day,
            "target": ticket.target_window,
            "id": ticket.id,
            "service": ticket.service,
            "tier": int(ticket.tier),
            "key": ticket.order_key,
        }
        stmt = _COUNT_AHEAD if ticket.target_window is None else _COUNT_AHEAD_TARGETED
        return int(self.conn.execute(stmt, params).scalar_one())

    def line_keys(self, day: date, service: str, tier: Tier, limit: int) -> list[int]:
        params = {"hall": self.hall, "day": day, "service": service, "tier": int(tier), "limit": limit}
        return list(self.conn.execute(_LINE_KEYS, params).scalars())

    def line_stats(self, ticket: Ticket, recent: int) -> LineStats:
        if ticket.target_window is not None:
            raise ValueError("line_stats is for a new ticket in its service's line")
        params = {
            "hall": self.hall,
            "day": ticket.business_day,
            "id": ticket.id,
            "service": ticket.service,
            "tier": int(ticket.tier),
            "key": ticket.order_key,
            "recent": recent,
        }
        ahead, open_w, all_w, mean, n, paused = self.store.prepared(_LINE_STATS).run(self.conn, params).fetchone()
        return LineStats(int(ahead), int(open_w), int(all_w), None if mean is None else float(mean), int(n), paused)

    def waiting_counts(self, day: date) -> dict[str, int]:
        c = ticket_t.c
        rows = self.conn.execute(sa.select(c.service, sa.func.count()).where(self._line(day)).group_by(c.service)).all()
        return {service: int(n) for service, n in rows}

    # -- a service's issuing, paused by a manager ------------------------------

    def paused_services(self) -> dict[str, str]:
        s = service_t.c
        rows = self.conn.execute(sa.select(s.code, s.pause_reason).where(s.hall == self.hall, s.paused.is_(True))).all()
        return {code: reason or "" for code, reason in rows}

    def set_service_pause(self, service: str, reason: str | None) -> None:
        s = service_t.c
        self.conn.execute(
            sa.update(service_t)
            .where(s.hall == self.hall, s.code == service)
            .values(paused=reason is not None, pause_reason=reason)
        )
