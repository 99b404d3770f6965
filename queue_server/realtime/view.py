"""A hall's live state as the screens see it: a pure model, no I/O.

``HallView`` is built from a ``Snapshot`` read from the store and then advanced
by ``apply(event)``, one event at a time, in sequence order. Every ticket event
carries the ticket's state after it (``detail["ticket"]``) and every window
event the window's (``detail["window"]``), so applying an event *replaces*
state rather than replaying a transition: applying it to a view that already
shows its effect changes nothing. That is what lets the loader read a snapshot
without a repeatable-read transaction and then apply the events committed while
it was reading.

The lines mirror ``HallReader.count_ahead``: a waiting ticket stands in its
service's line, or, once transferred to a window, in that window's line (of
every service); people ahead are the waiting tickets of the line with
``(tier, order_key)`` less than or equal to its own, itself excluded. Each line
is a sorted list of ``(tier, order_key, id)``, so ``ahead`` is one bisect and a
join or a leave is one insort or one delete, even with 100,000 people waiting.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from ..domain import DeviceHealth, Event, Ticket, TicketState, Window, WindowState
from ..views import device_view, ticket_view, window_view

JSON = dict[str, Any]
# A service code names the service's shared line; a window number names the line
# of the tickets transferred to that window (whatever their service).
Line = str | int
Entry = tuple[int, int, int]  # (tier, order_key, id): a line's sort order

# Calls a hall display shows and announces; a recall is announced again.
CALL_KINDS = frozenset({"ticket.call", "ticket.recall", "ticket.call_back"})
DEVICE_HEALTH = "device.health"
RECENT_CALLS = 10
# Larger than any ticket id: bisecting with it passes every entry of the same (tier, key).
_PAST_IDS = 2**63


class BadEvent(ValueError):
    """An event whose detail does not have the shape the view needs; the caller reloads."""


@dataclass(frozen=True, slots=True)
class Gap:
    """``apply`` refused an event: it is not the next one (``expected``)."""

    expected: int
    got: int

    @property
    def duplicate(self) -> bool:
        """Already applied (the same event heard twice, e.g. from the listener and the bus)."""
        return self.got < self.expected


@dataclass(frozen=True, slots=True)
class Change:
    """What one applied event changed, for the channels to pick from."""

    event: Event
    ticket: JSON | None  # the ticket's view after a ticket event
    touched: frozenset[int]  # windows the event concerns: its own, and the ticket's before and after
    windows: frozenset[int]  # windows whose view (state, staff, services or current ticket) changed
    waiting: Mapping[str, int]  # new waiting counts of the services whose count changed
    lines: frozenset[Line]  # lines someone joined or left: the people behind moved
    call: JSON | None  # the entry added to the recent calls
    reset: bool = False  # the business day turned before this event: send snapshots, not deltas

    @property
    def seq(self) -> int:
        return self.event.seq


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything a view starts from, as read from the store at ``seq``."""

    hall: str
    day: date
    tz: tzinfo
    seq: int
    services: tuple[str, ...]  # the hall's services: their waiting counts start at 0
    windows: tuple[Window, ...]
    tickets: tuple[Ticket, ...]  # the day's active tickets and every window's current ticket
    calls: tuple[Event, ...] = ()  # recent call events, oldest first
    devices: tuple[DeviceHealth, ...] = ()  # serial devices' last reported health
    # When each open window with nobody at it last changed (``HallReader.window_changes``).
    window_changes: Mapping[int, datetime] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Row:
    """What the view keeps of a ticket: its public view and the fields the lines sort by."""

    id: int
    service: str
    state: TicketState
    tier: int
    order_key: int
    window: int | None
    target_window: int | None
    day: date
    view: JSON

    @property
    def line(self) -> Line:
        return self.service if self.target_window is None else self.target_window

    @property
    def entry(self) -> Entry:
        return (self.tier, self.order_key, self.id)

    @property
    def at_window(self) -> bool:
        return self.state.at_window and self.window is not None


def _row(view: Any) -> _Row:
    if not isinstance(view, Mapping):
        raise BadEvent(f"ticket view is {type(view).__name__}, not an object")
    try:
        return _Row(
            id=int(view["id"]),
            service=str(view["service"]),
            state=TicketState(view["state"]),
            tier=int(view["tier"]),
            order_key=int(view["order_key"]),
            window=None if view["window"] is None else int(view["window"]),
            target_window=None if view["target_window"] is None else int(view["target_window"]),
            day=date.fromisoformat(view["business_day"]),
            view=dict(view),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BadEvent(f"bad ticket view: {exc!r}") from exc


def _row_of(t: Ticket) -> _Row:
    """A stored ticket, without parsing back the view made from it."""
    return _Row(
        id=t.id,
        service=t.service,
        state=t.state,
        tier=int(t.tier),
        order_key=t.order_key,
        window=t.window,
        target_window=t.target_window,
        day=t.business_day,
        view=ticket_view(t),
    )


def _window(view: Any) -> JSON:
    if not isinstance(view, Mapping) or not isinstance(view.get("number"), int):
        raise BadEvent("bad window view: no window number")
    out = dict(view)
    out.pop("current", None)  # the current ticket is the view's own business (see ``window``)
    return out


def _device(view: Any) -> JSON:
    if not isinstance(view, dict) or not isinstance(view.get("id"), str) or not isinstance(view.get("state"), str):
        raise BadEvent(f"a device.health event needs detail.device with an id and a state, got {view!r}")
    return view


def event_json(event: Event) -> JSON:
    """The event as clients see it (its ``seq`` travels next to it, in the message)."""
    return {
        "kind": event.kind,
        "at": _iso(event.at),
        "ticket_id": event.ticket_id,
        "window": event.window,
        "staff": event.staff,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "detail": event.detail,
    }


def _iso(at: datetime) -> str:
    # Listener events carry the service clock's time, store events the database's: one spelling.
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def _call_entry(event: Event) -> JSON:
    # Read loosely: one odd old event must not keep a hall's view from loading.
    view = event.detail.get("ticket")
    if not isinstance(view, Mapping):
        view = {}
    return {
        "seq": event.seq,
        "kind": event.kind,
        "ticket_id": event.ticket_id,
        "number": view.get("number", event.detail.get("number")),
        "service": view.get("service"),
        "window": event.window,
        "recall_count": view.get("recall_count", 0),
        "at": _iso(event.at),
    }


class HallView:
    """One hall's windows, waiting counts, recent calls and lines, at sequence number ``seq``."""

    def __init__(
        self,
        hall: str,
        day: date,
        tz: tzinfo,
        seq: int = 0,
        services: Iterable[str] = (),
        recent_calls: int = RECENT_CALLS,
    ) -> None:
        self.hall = hall
        self.day = day
        self.tz = tz
        self.seq = seq
        self._services = tuple(services)
        self._windows: dict[int, JSON] = {}  # window views without their current ticket
        self._tickets: dict[int, _Row] = {}  # the day's active tickets and tickets at a window
        self._at: dict[int, set[int]] = {}  # window -> ids of tickets called or served there
        self._held: dict[int, dict[int, None]] = {}  # window -> ids held there, in the order they were held
        self._lines: dict[Line, list[Entry]] = {}
        self._waiting: dict[str, int] = dict.fromkeys(self._services, 0)
        self._calls: deque[JSON] = deque(maxlen=recent_calls)
        self._devices: dict[str, JSON] = {}  # device id -> views.device_view
        self._changed: dict[int, str] = {}  # window -> when its state or current ticket last changed

    @classmethod
    def from_snapshot(cls, snap: Snapshot, recent_calls: int = RECENT_CALLS) -> HallView:
        view = cls(snap.hall, snap.day, snap.tz, snap.seq, snap.services, recent_calls)
        for w in snap.windows:
            view._windows[w.number] = _window(window_view(w))
        view._changed = {n: _iso(at) for n, at in snap.window_changes.items()}
        for t in snap.tickets:
            view._track(_row_of(t), sort=False)
        for line in view._lines.values():
            line.sort()  # once, rather than an insort per ticket: a big hall loads in one pass
        for d in snap.devices:
            view._devices[d.device] = device_view(d)
        for e in snap.calls:
            if e.kind in CALL_KINDS and e.seq <= snap.seq and view.day_of(e.at) == snap.day:
                entry = _call_entry(e)
                if entry["number"] is not None:
                    view._calls.append(entry)
        return view

    # -- queries -------------------------------------------------------------

    def window(self, number: int) -> JSON | None:
        """The window's view with its current ticket (``views.window_view``'s shape)."""
        w = self._windows.get(number)
        if w is None:
            return None
        current = self._current(number)
        return {
            **w,
            "current": current.view if current else None,
            "held": list(self._held.get(number, ())),
            # Since when an open window with nobody at it has been free (a dashboard's idle alert).
            "idle_since": self._changed.get(number) if w.get("state") == WindowState.OPEN and current is None else None,
        }

    def windows(self) -> list[JSON]:
        return [v for n in sorted(self._windows) if (v := self.window(n)) is not None]

    def served_now(self, service: str) -> bool:
        """Whether an open window serves ``service`` right now (a waiting ticket's estimate needs one)."""
        return any(
            w.get("state") == WindowState.OPEN and service in (w.get("services") or ()) for w in self._windows.values()
        )

    def window_services(self, number: int) -> list[str]:
        w = self._windows.get(number)
        return sorted(w.get("services") or ()) if w else []

    def waiting(self, services: Iterable[str] | None = None) -> dict[str, int]:
        if services is None:
            return dict(sorted(self._waiting.items()))
        return {s: self._waiting.get(s, 0) for s in services}

    def calls(self) -> list[JSON]:
        """The recent calls, newest first."""
        return list(reversed(self._calls))

    def devices(self) -> list[JSON]:
        """Every serial device's health, by id (the dashboard's device panel, a kiosk's printer)."""
        return [self._devices[k] for k in sorted(self._devices)]

    def ticket(self, ticket_id: int) -> JSON | None:
        """The ticket's view, if it is still active today (or at a window)."""
        row = self._tickets.get(ticket_id)
        return row.view if row else None

    def line_of(self, ticket_id: int) -> Line | None:
        row = self._tickets.get(ticket_id)
        return row.line if row and self._in_line(row) else None

    def ahead(self, ticket_id: int) -> int | None:
        """Waiting people ahead of a waiting ticket (``HallReader.count_ahead``); None otherwise."""
        row = self._tickets.get(ticket_id)
        if row is None or not self._in_line(row):
            return None
        line = self._lines.get(row.line, [])
        return bisect.bisect_right(line, (row.tier, row.order_key, _PAST_IDS)) - 1

    def waiting_count(self) -> int:
        return sum(len(line) for line in self._lines.values())

    def state(self) -> JSON:
        """Everything the view holds, for comparing two views (tests, debugging)."""
        return {
            "hall": self.hall,
            "day": self.day.isoformat(),
            "seq": self.seq,
            "windows": self.windows(),
            "waiting": self.waiting(),
            "calls": self.calls(),
            "devices": self.devices(),
            "tickets": {i: r.view for i, r in sorted(self._tickets.items())},
            "lines": {str(k): list(v) for k, v in sorted(self._lines.items(), key=lambda kv: str(kv[0])) if v},
        }

    def snapshot_message(self) -> JSON:
        """The hall channel's first message: compact (no list of the people waiting)."""
        return {
            "type": "snapshot",
            "channel": "hall",
            "hall": self.hall,
            "business_day": self.day.isoformat(),
            "seq": self.seq,
            "windows": self.windows(),
            "waiting": self.waiting(),
            "calls": self.calls(),
            "devices": self.devices(),
        }

    # -- advancing -----------------------------------------------------------

    def turn_day(self, day: date) -> bool:
        """The clock says the business day is ``day``; if that is a new one, start it afresh
        (an idle midnight has no event to do it). True when the view was reset."""
        if day <= self.day:
            return False
        self._new_day(day)
        return True

    def apply(self, event: Event) -> Change | Gap:
        """Advance by ``event`` if it is the next one; otherwise change nothing and say so.

        A ``ticket.*`` event's ``detail["ticket"]`` is the ticket after it, a ``window.*``
        event's ``detail["window"]`` the window after it; if either is malformed, ``BadEvent``
        is raised before anything changes. Other kinds (notices, evaluations, whatever comes
        next) only advance ``seq``: the channels still forward them.
        """
        if event.seq != self.seq + 1:
            return Gap(expected=self.seq + 1, got=event.seq)
        detail = event.detail
        ticket = _row(detail["ticket"]) if event.kind.startswith("ticket.") and "ticket" in detail else None
        window = _window(detail["window"]) if event.kind.startswith("window.") and "window" in detail else None
        device = _device(detail.get("device")) if event.kind == DEVICE_HEALTH else None

        reset = self.day_of(event.at) > self.day
        if reset:
            self._new_day(self.day_of(event.at))
        old = self._tickets.get(ticket.id) if ticket else None
        touched = {event.window}
        if window is not None:
            touched.add(window["number"])
        for row in (old, ticket):
            if row is not None:
                touched.update((row.window, row.target_window))
        numbers = frozenset(n for n in touched if n is not None)
        windows_before = {n: self.window(n) for n in numbers}
        turns_before = {n: self._turn(n) for n in numbers}
        services = {r.service for r in (old, ticket) if r is not None}
        waiting_before = {s: self._waiting.get(s, 0) for s in services}

        self.seq = event.seq
        if device is not None:
            self._devices[device["id"]] = device
        if window is not None:
            self._windows[window["number"]] = window
        lines: frozenset[Line] = frozenset()
        if ticket is not None:
            lines = self._moved_lines(old, ticket)
            if old is not None:
                self._untrack(old)
            if not ticket.state.is_final and (ticket.day == self.day or ticket.at_window):
                self._track(ticket)
        for n in numbers:
            if self._turn(n) != turns_before[n]:
                self._changed[n] = _iso(event.at)
        call = self.call_entry(event)
        if call is not None:
            self._calls.append(call)
        return Change(
            event=event,
            ticket=ticket.view if ticket else None,
            touched=numbers,
            windows=frozenset(n for n in numbers if self.window(n) != windows_before[n]),
            waiting={
                s: self._waiting.get(s, 0) for s in sorted(services) if self._waiting.get(s, 0) != waiting_before[s]
            },
            lines=lines,
            call=call,
            reset=reset,
        )

    def call_entry(self, event: Event) -> JSON | None:
        """The recent-calls entry ``event`` makes: a call (or recall) of the view's business day."""
        if event.kind in CALL_KINDS and self.day_of(event.at) == self.day:
            return _call_entry(event)
        return None

    # -- bookkeeping ---------------------------------------------------------

    def day_of(self, at: datetime) -> date:
        """The hall's local date at instant ``at`` (naive: UTC)."""
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(self.tz).date()

    def _in_line(self, row: _Row) -> bool:
        return row.state is TicketState.WAITING and row.day == self.day

    def _turn(self, number: int) -> tuple[Any, int | None]:
        """What a window's idle time restarts with: its state and its current ticket."""
        w, current = self._windows.get(number), self._current(number)
        return (w.get("state") if w else None, current.id if current else None)

    def _current(self, number: int) -> _Row | None:
        ids = self._at.get(number)
        # Like the store (ORDER BY id): the lowest id, should two ever share a window.
        return self._tickets[min(ids)] if ids else None

    def _moved_lines(self, old: _Row | None, new: _Row) -> frozenset[Line]:
        before = (old.line, old.entry) if old is not None and self._in_line(old) else None
        after = (new.line, new.entry) if self._in_line(new) else None
        if before == after:
            return frozenset()
        return frozenset(place[0] for place in (before, after) if place is not None)

    def _track(self, row: _Row, sort: bool = True) -> None:
        self._tickets[row.id] = row
        if self._in_line(row):
            line = self._lines.setdefault(row.line, [])
            if sort:
                bisect.insort(line, row.entry)
            else:
                line.append(row.entry)
            self._waiting[row.service] = self._waiting.get(row.service, 0) + 1
        if row.at_window:
            assert row.window is not None
            self._at.setdefault(row.window, set()).add(row.id)
        elif row.state is TicketState.HELD and row.window is not None:
            self._held.setdefault(row.window, {})[row.id] = None

    def _untrack(self, row: _Row) -> None:
        del self._tickets[row.id]
        if self._in_line(row):
            line = self._lines[row.line]
            i = bisect.bisect_left(line, row.entry)
            del line[i]
            if not line:
                del self._lines[row.line]
            left = self._waiting[row.service] - 1
            if left or row.service in self._services:
                self._waiting[row.service] = left
            else:
                del self._waiting[row.service]  # an unconfigured service shows only while someone waits
        if row.at_window:
            assert row.window is not None
            ids = self._at[row.window]
            ids.discard(row.id)
            if not ids:
                del self._at[row.window]
        elif row.state is TicketState.HELD and row.window is not None:
            held = self._held[row.window]
            del held[row.id]
            if not held:
                del self._held[row.window]

    def _new_day(self, day: date) -> None:
        """The business day turned: yesterday's lines and calls are over; a ticket still
        at a window stays there until the clerk finishes it."""
        self.day = day
        self._lines.clear()
        self._waiting = dict.fromkeys(self._services, 0)
        self._tickets = {i: r for i, r in self._tickets.items() if r.at_window}
        self._held.clear()
        self._calls.clear()
