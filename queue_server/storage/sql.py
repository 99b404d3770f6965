"""The SQL store shared by the SQLite and PostgreSQL backends.

Queries use SQLAlchemy Core on the SQLModel tables: call-next and issue are on
the hot path and a hall's clerks feel every millisecond. Backends differ only in
how they open the engine, take the hall's lock and upsert the number counter.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..config import Config
from ..domain import (
    BAD_SCORE,
    Appointment,
    DeviceHealth,
    Evaluation,
    Event,
    Notice,
    Ticket,
    TicketState,
    Tier,
    Window,
    WindowAction,
    WindowState,
)
from ..errors import NotFound
from .accounts import Accounts
from .base import HallReader, HallTx, LineStats, Store
from .prepared import Converter, PreparedSet
from .rows import APPOINTMENT, DEVICE_HEALTH, EVALUATION, EVENT, NOTICE, TICKET, WINDOW
from .tables import (
    appointment_t,
    counter_t,
    device_health_t,
    evaluation_t,
    event_t,
    hall_t,
    notice_t,
    service_t,
    ticket_t,
    window_service_t,
    window_t,
)

ROUTED_TIERS = (Tier.GREEN, Tier.APPOINTMENT, Tier.PRIORITY, Tier.NORMAL)
_WAITING = TicketState.WAITING.value


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


# Kept under these names for the benchmarks and tests that build or read ticket rows.
ticket_from_row = TICKET.read
ticket_values = TICKET.values


# IN lists are sent in chunks: SQLite builds before 3.32 allow only 999 parameters.
_IN_CHUNK = 500

# Hot-path statements are built once: building a SQLAlchemy statement costs more
# than SQLite takes to run it.
_b = sa.bindparam
_c = ticket_t.c
_TICKET_BY_ID = sa.select(ticket_t).where(_c.id == _b("id"), _c.hall == _b("hall"))
_TICKET_COLUMNS = [c.name for c in ticket_t.columns if c.name != "id"]
_INSERT_TICKET = (
    sa.insert(ticket_t).values({n: _b(n, type_=ticket_t.c[n].type) for n in _TICKET_COLUMNS}).returning(_c.id)
)
_UPDATE_TICKET = sa.update(ticket_t).where(_c.id == _b("b_id"), _c.hall == _b("b_hall"))
_HALL_EXISTS = sa.select(hall_t.c.slug).where(hall_t.c.slug == _b("hall"))
_LAST_SEQ = sa.select(sa.func.coalesce(sa.func.max(event_t.c.seq), 0)).where(event_t.c.hall == _b("hall"))
# One statement per event: the next sequence number is read and used while the hall is locked.
_EVENT_COLUMNS = ("hall", "seq", "at", "kind", "ticket_id", "window", "staff", "from_state", "to_state", "detail")
_INSERT_EVENT = (
    sa.insert(event_t)
    .from_select(
        list(_EVENT_COLUMNS),
        sa.select(
            _b("hall", type_=event_t.c.hall.type),
            sa.func.coalesce(sa.func.max(event_t.c.seq), 0) + 1,
            *(_b(name, type_=event_t.c[name].type) for name in _EVENT_COLUMNS[2:]),
        ).where(event_t.c.hall == _b("hall", type_=event_t.c.hall.type)),
    )
    .returning(event_t.c.seq)
)
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
_AT_WINDOW = (
    sa.select(ticket_t)
    .where(_c.hall == _b("hall"), _c.window == _b("window"), _c.state.in_(_b("states", expanding=True)))
    .order_by(_c.id)
)
# One window and what it serves: read by every window command.
_WINDOW_CHANGES = ("state", "staff", "pause_reason")  # what a window command may change
_WINDOW = sa.select(window_t).where(window_t.c.hall == _b("hall"), window_t.c.number == _b("number"))
_WINDOW_SERVICES = sa.select(window_service_t).where(
    window_service_t.c.hall == _b("hall"), window_service_t.c.window == _b("number")
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

# Ratings with their ticket's number.
_EVALUATIONS = sa.select(evaluation_t, _c.number).select_from(
    evaluation_t.join(ticket_t, _c.id == evaluation_t.c.ticket_id, isouter=True)
)


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


class SqlHall(HallTx):
    """Reads and (inside ``SqlStore.transaction``) writes of one hall."""

    def __init__(self, store: SqlStore, conn: Connection, hall: str) -> None:
        self.store = store
        self.conn = conn
        self.hall = hall
        self.appended_seq = 0  # the last event sequence number written in this transaction

    # -- reads ---------------------------------------------------------------

    def ticket(self, ticket_id: int) -> Ticket | None:
        row = self.conn.execute(_TICKET_BY_ID, {"id": ticket_id, "hall": self.hall}).mappings().first()
        return ticket_from_row(row) if row else None

    def _services_of(self) -> dict[int, dict[str, float]]:
        q = sa.select(window_service_t).where(window_service_t.c.hall == self.hall)
        out: dict[int, dict[str, float]] = {}
        for r in self.conn.execute(q).mappings():
            out.setdefault(r["window"], {})[r["service"]] = r["weight"]
        return out

    def window(self, number: int) -> Window | None:
        params = {"hall": self.hall, "number": number}
        row = self.conn.execute(_WINDOW, params).mappings().first()
        if row is None:
            return None
        return WINDOW.read(row, services=self._window_services(number))

    def _window_services(self, number: int) -> dict[str, float]:
        rows = self.conn.execute(_WINDOW_SERVICES, {"hall": self.hall, "number": number}).mappings()
        return {r["service"]: r["weight"] for r in rows}

    def windows(self) -> list[Window]:
        rows = (
            self.conn.execute(sa.select(window_t).where(window_t.c.hall == self.hall).order_by(window_t.c.number))
            .mappings()
            .all()
        )
        services = self._services_of()
        return [WINDOW.read(r, services=services.get(r["number"], {})) for r in rows]

    def _at_window(self, window: int, states: tuple[str, ...]) -> list[Ticket]:
        params = {"hall": self.hall, "window": window, "states": list(states)}
        return [ticket_from_row(r) for r in self.conn.execute(_AT_WINDOW, params).mappings()]

    def current_ticket(self, window: int) -> Ticket | None:
        found = self._at_window(window, (TicketState.CALLED.value, TicketState.SERVING.value))
        return found[0] if found else None

    def current_tickets(self, windows: Collection[int]) -> dict[int, Ticket]:
        found: dict[int, Ticket] = {}
        if windows:
            params = {"hall": self.hall, "windows": sorted(windows)}
            for row in self.conn.execute(_AT_WINDOWS, params).mappings():
                ticket = ticket_from_row(row)
                assert ticket.window is not None
                found.setdefault(ticket.window, ticket)  # the lowest id, as current_ticket
        return found

    def held_tickets(self, window: int) -> list[Ticket]:
        return self._at_window(window, (TicketState.HELD.value,))

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

    def _line(self, day: date) -> sa.ColumnElement[bool]:
        return sa.and_(_c.hall == self.hall, _c.business_day == day, _c.state == _WAITING)

    def heads(self, window: Window, day: date) -> list[Ticket]:
        stmt = _heads_statement(tuple(sorted(window.services)))
        params = {"hall": self.hall, "day": day, "window": window.number}
        return [ticket_from_row(r) for r in self.conn.execute(stmt, params).mappings()]

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

    def window_counts(self, window: int, day: date) -> dict[str, int]:
        c = ticket_t.c
        rows = self.conn.execute(
            sa.select(c.state, sa.func.count())
            .where(c.hall == self.hall, c.window == window, c.business_day == day)
            .group_by(c.state)
        ).all()
        return {state: int(n) for state, n in rows}

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

    def waiting_counts(self, day: date) -> dict[str, int]:
        c = ticket_t.c
        rows = self.conn.execute(sa.select(c.service, sa.func.count()).where(self._line(day)).group_by(c.service)).all()
        return {service: int(n) for service, n in rows}

    def active_tickets(self, day: date) -> list[Ticket]:
        active = [s.value for s in TicketState if not s.is_final]
        rows = self.conn.execute(
            sa.select(ticket_t)
            .where(_c.hall == self.hall, _c.business_day == day, _c.state.in_(active))
            .order_by(_c.order_key, _c.id)
        ).mappings()
        return [ticket_from_row(r) for r in rows]

    def events(self, after_seq: int = 0, limit: int = 1000) -> list[Event]:
        c = event_t.c
        rows = self.conn.execute(
            sa.select(event_t).where(c.hall == self.hall, c.seq > after_seq).order_by(c.seq).limit(limit)
        ).mappings()
        return [EVENT.read(r) for r in rows]

    def ticket_events(self, ticket_id: int) -> list[Event]:
        c = event_t.c
        rows = self.conn.execute(
            sa.select(event_t).where(c.hall == self.hall, c.ticket_id == ticket_id).order_by(c.seq)
        ).mappings()
        return [EVENT.read(r) for r in rows]

    def last_seq(self) -> int:
        return int(self.conn.execute(_LAST_SEQ, {"hall": self.hall}).scalar_one())

    def evaluation(self, ticket_id: int) -> Evaluation | None:
        c = evaluation_t.c
        row = self.conn.execute(_EVALUATIONS.where(c.hall == self.hall, c.ticket_id == ticket_id)).mappings().first()
        return EVALUATION.read(row) if row else None

    def evaluations(
        self, since: datetime, until: datetime, *, bad_only: bool = False, open_follow_up: bool = False
    ) -> list[Evaluation]:
        c = evaluation_t.c
        q = _EVALUATIONS.where(c.hall == self.hall, c.at >= since, c.at < until)
        if bad_only or open_follow_up:
            q = q.where(c.score <= BAD_SCORE)
        if open_follow_up:
            q = q.where(c.followed_up_at.is_(None))
        rows = self.conn.execute(q.order_by(c.at, c.ticket_id)).mappings()
        return [EVALUATION.read(r) for r in rows]

    def appointment(self, code: str) -> Appointment | None:
        c = appointment_t.c
        row = self.conn.execute(sa.select(appointment_t).where(c.hall == self.hall, c.code == code)).mappings().first()
        return APPOINTMENT.read(row) if row else None

    def appointments(self, since: datetime, until: datetime) -> list[Appointment]:
        c = appointment_t.c
        rows = self.conn.execute(
            sa.select(appointment_t)
            .where(c.hall == self.hall, c.slot_start >= since, c.slot_start < until)
            .order_by(c.slot_start, c.code)
        ).mappings()
        return [APPOINTMENT.read(r) for r in rows]

    def appointment_codes(self, codes: Collection[str]) -> set[str]:
        c = appointment_t.c
        wanted = sorted(set(codes))
        found: set[str] = set()
        for i in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[i : i + _IN_CHUNK]
            found.update(self.conn.execute(sa.select(c.code).where(c.hall == self.hall, c.code.in_(chunk))).scalars())
        return found

    def notice(self, notice_id: int) -> Notice | None:
        c = notice_t.c
        row = self.conn.execute(sa.select(notice_t).where(c.hall == self.hall, c.id == notice_id)).mappings().first()
        return NOTICE.read(row) if row else None

    def notices(self, now: datetime) -> list[Notice]:
        c = notice_t.c
        rows = self.conn.execute(
            sa.select(notice_t)
            .where(
                c.hall == self.hall,
                c.active.is_(True),
                sa.or_(c.expires_at.is_(None), c.expires_at > now),
            )
            .order_by(c.created_at.desc(), c.id.desc())
        ).mappings()
        return [NOTICE.read(r) for r in rows]

    # -- writes --------------------------------------------------------------

    def next_number(self, service: str, day: date) -> int:
        return self.store.bump_counter(self.conn, self.hall, service, day)

    def insert_ticket(self, ticket: Ticket) -> Ticket:
        new_id = self.store.prepared(_INSERT_TICKET).run(self.conn, ticket_values(ticket)).fetchone()[0]
        return replace(ticket, id=int(new_id))

    def update_ticket(self, ticket: Ticket) -> None:
        values = {**ticket_values(ticket), "b_id": ticket.id, "b_hall": self.hall}
        if self.conn.execute(_UPDATE_TICKET, values).rowcount != 1:
            raise LookupError(f"ticket {ticket.id} vanished during the transaction")

    def update_window(self, window: Window) -> None:
        self.conn.execute(
            sa.update(window_t)
            .where(window_t.c.hall == self.hall, window_t.c.number == window.number)
            .values({k: v for k, v in WINDOW.values(window).items() if k in _WINDOW_CHANGES})
        )
        if self._window_services(window.number) != dict(window.services):
            ws = window_service_t.c
            self.conn.execute(sa.delete(window_service_t).where(ws.hall == self.hall, ws.window == window.number))
            self.conn.execute(
                sa.insert(window_service_t),
                [
                    {"hall": self.hall, "window": window.number, "service": s, "weight": w}
                    for s, w in window.services.items()
                ],
            )

    def append(self, event: Event) -> Event:
        params = EVENT.values(event)
        seq = int(self.store.prepared(_INSERT_EVENT).run(self.conn, params).fetchone()[0])
        self.appended_seq = seq
        return replace(event, seq=seq)

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
        return [ticket_from_row(r) for r in rows]

    def insert_evaluation(self, evaluation: Evaluation) -> None:
        self.conn.execute(sa.insert(evaluation_t).values(EVALUATION.values(evaluation)))

    def _update_one(self, table: sa.Table, key: sa.ColumnElement[bool], values: dict[str, Any], what: str) -> None:
        """Update exactly one row of this hall, or fail loudly (the transaction then rolls back)."""
        result = self.conn.execute(sa.update(table).where(table.c.hall == self.hall, key).values(values))
        if result.rowcount != 1:
            raise LookupError(f"{what} vanished during the transaction")

    def update_evaluation(self, evaluation: Evaluation) -> None:
        self._update_one(
            evaluation_t,
            evaluation_t.c.ticket_id == evaluation.ticket_id,
            EVALUATION.values(evaluation),
            f"evaluation of ticket {evaluation.ticket_id}",
        )

    def insert_appointment(self, appointment: Appointment) -> Appointment:
        new_id = self.conn.execute(
            sa.insert(appointment_t).values(APPOINTMENT.values(appointment)).returning(appointment_t.c.id)
        ).scalar_one()
        return replace(appointment, id=int(new_id))

    def update_appointment(self, appointment: Appointment) -> None:
        self._update_one(
            appointment_t,
            appointment_t.c.id == appointment.id,
            APPOINTMENT.values(appointment),
            f"appointment {appointment.code}",
        )

    def insert_notice(self, notice: Notice) -> Notice:
        new_id = self.conn.execute(
            sa.insert(notice_t).values(NOTICE.values(notice)).returning(notice_t.c.id)
        ).scalar_one()
        return replace(notice, id=int(new_id))

    def update_notice(self, notice: Notice) -> None:
        self._update_one(notice_t, notice_t.c.id == notice.id, NOTICE.values(notice), f"notice {notice.id}")

    def devices(self) -> list[DeviceHealth]:
        c = device_health_t.c
        rows = self.conn.execute(sa.select(device_health_t).where(c.hall == self.hall).order_by(c.device)).mappings()
        return [DEVICE_HEALTH.read(r) for r in rows]

    def device(self, device: str) -> DeviceHealth | None:
        c = device_health_t.c
        stmt = sa.select(device_health_t).where(c.hall == self.hall, c.device == device)
        row = self.conn.execute(stmt).mappings().first()
        return DEVICE_HEALTH.read(row) if row else None

    def delete_device(self, device: str) -> None:
        c = device_health_t.c
        self.conn.execute(sa.delete(device_health_t).where(c.hall == self.hall, c.device == device))

    def put_device(self, health: DeviceHealth) -> None:
        # Delete-then-insert under the hall lock: a portable upsert for both backends.
        self.delete_device(health.device)
        self.conn.execute(sa.insert(device_health_t).values({**DEVICE_HEALTH.values(health), "hall": self.hall}))


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
