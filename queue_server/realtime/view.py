"""A hall's live state as the screens see it: a pure model, no I/O.

``HallView`` is built from a ``Snapshot`` read from the store and then advanced
by ``apply(event)``, one event at a time, in sequence order. Every ticket event
carries the ticket's state after it (``detail["ticket"]``) and every window
event the window's (``detail["window"]``), so applying an event *replaces*
state rather than replaying a transition: applying it to a view that already
shows its effect changes nothing. That is what lets the loader read a snapshot
without a repeatable-read transaction and then apply the events committed while
it was reading. Who waits in which line, and how many are ahead, is lines.py's.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any, cast

from ..domain import Event, TicketState, WindowState
from ..queries.snapshot import CALL_KINDS, Snapshot
from ..views import device_view, window_view
from .lines import Line, Lines, Row, row_of, row_of_view
from .messages import (
    JSON,
    BadEvent,
    CallEntry,
    DeviceView,
    EventKind,
    HallSnapshot,
    TicketView,
    WindowView,
    call_entry,
    device_record,
    device_view_of,
    iso,
    window_record,
)

RECENT_CALLS = 10


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
    ticket: TicketView | None  # the ticket's view after a ticket event
    touched: frozenset[int]  # windows the event concerns: its own, and the ticket's before and after
    windows: frozenset[int]  # windows whose view (state, staff, services or current ticket) changed
    waiting: Mapping[str, int]  # new waiting counts of the services whose count changed
    lines: frozenset[Line]  # lines someone joined or left: the people behind moved
    call: CallEntry | None  # the entry added to the recent calls
    reset: bool = False  # the business day turned before this event: send snapshots, not deltas

    @property
    def seq(self) -> int:
        return self.event.seq


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
        self._tickets: dict[int, Row] = {}  # the day's active tickets and tickets at a window
        self._at: dict[int, set[int]] = {}  # window -> ids of tickets called or served there
        self._held: dict[int, dict[int, None]] = {}  # window -> ids held there, in the order they were held
        self._lines = Lines(self._services)
        self._calls: deque[CallEntry] = deque(maxlen=recent_calls)
        self._devices: dict[str, DeviceView] = {}  # device id -> views.device_view
        self._changed: dict[int, str] = {}  # window -> when its state or current ticket last changed

    @classmethod
    def from_snapshot(cls, snap: Snapshot, recent_calls: int = RECENT_CALLS) -> HallView:
        view = cls(snap.hall, snap.day, snap.tz, snap.seq, snap.services, recent_calls)
        for w in snap.windows:
            view._windows[w.number] = window_record(window_view(w))
        view._changed = {n: iso(at) for n, at in snap.window_changes.items()}
        for t in snap.tickets:
            view._track(row_of(t), sort=False)
        view._lines.sort()
        for d in snap.devices:
            view._devices[d.device] = device_view_of(device_view(d))
        for e in snap.calls:
            if e.kind in CALL_KINDS and e.seq <= snap.seq and view.day_of(e.at) == snap.day:
                entry = call_entry(e)
                if entry["number"] is not None:
                    view._calls.append(entry)
        return view

    # -- queries -------------------------------------------------------------

    def window(self, number: int) -> WindowView | None:
        """The window's view with its current ticket (``views.window_view``'s shape, and more)."""
        w = self._windows.get(number)
        if w is None:
            return None
        current = self._current(number)
        # The stored view's keys as the event brought them: a newer server's extra keys pass through.
        return cast(
            WindowView,
            {
                **w,
                "current": current.view if current else None,
                "held": list(self._held.get(number, ())),
                # Since when an open window with nobody at it has been free (a dashboard's idle alert).
                "idle_since": (
                    self._changed.get(number) if w.get("state") == WindowState.OPEN and current is None else None
                ),
            },
        )

    def windows(self) -> list[WindowView]:
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
        return self._lines.waiting(services)

    def calls(self) -> list[CallEntry]:
        """The recent calls, newest first."""
        return list(reversed(self._calls))

    def devices(self) -> list[DeviceView]:
        """Every serial device's health, by id (the dashboard's device panel, a kiosk's printer)."""
        return [self._devices[k] for k in sorted(self._devices)]

    def ticket(self, ticket_id: int) -> TicketView | None:
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
        return self._lines.ahead(row)

    def waiting_count(self) -> int:
        return self._lines.total()

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
            "lines": self._lines.state(),
        }

    def snapshot_message(self) -> HallSnapshot:
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
        ticket = row_of_view(detail["ticket"]) if event.kind.startswith("ticket.") and "ticket" in detail else None
        window = window_record(detail["window"]) if event.kind.startswith("window.") and "window" in detail else None
        device = device_record(detail.get("device")) if event.kind == EventKind.DEVICE_HEALTH else None

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
        waiting_before = {s: self._lines.count(s) for s in services}

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
                self._changed[n] = iso(event.at)
        call = self.call_entry(event)
        if call is not None:
            self._calls.append(call)
        return Change(
            event=event,
            ticket=ticket.view if ticket else None,
            touched=numbers,
            windows=frozenset(n for n in numbers if self.window(n) != windows_before[n]),
            waiting={s: self._lines.count(s) for s in sorted(services) if self._lines.count(s) != waiting_before[s]},
            lines=lines,
            call=call,
            reset=reset,
        )

    def call_entry(self, event: Event) -> CallEntry | None:
        """The recent-calls entry ``event`` makes: a call (or recall) of the view's business day."""
        if event.kind in CALL_KINDS and self.day_of(event.at) == self.day:
            return call_entry(event)
        return None

    # -- bookkeeping ---------------------------------------------------------

    def day_of(self, at: datetime) -> date:
        """The hall's local date at instant ``at`` (naive: UTC)."""
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(self.tz).date()

    def _in_line(self, row: Row) -> bool:
        return row.state is TicketState.WAITING and row.day == self.day

    def _turn(self, number: int) -> tuple[Any, int | None]:
        """What a window's idle time restarts with: its state and its current ticket."""
        w, current = self._windows.get(number), self._current(number)
        return (w.get("state") if w else None, current.id if current else None)

    def _current(self, number: int) -> Row | None:
        ids = self._at.get(number)
        # Like the store (ORDER BY id): the lowest id, should two ever share a window.
        return self._tickets[min(ids)] if ids else None

    def _moved_lines(self, old: Row | None, new: Row) -> frozenset[Line]:
        before = (old.line, old.entry) if old is not None and self._in_line(old) else None
        after = (new.line, new.entry) if self._in_line(new) else None
        if before == after:
            return frozenset()
        return frozenset(place[0] for place in (before, after) if place is not None)

    def _track(self, row: Row, sort: bool = True) -> None:
        self._tickets[row.id] = row
        if self._in_line(row):
            self._lines.join(row, sort)
        if row.at_window:
            assert row.window is not None
            self._at.setdefault(row.window, set()).add(row.id)
        elif row.state is TicketState.HELD and row.window is not None:
            self._held.setdefault(row.window, {})[row.id] = None

    def _untrack(self, row: Row) -> None:
        del self._tickets[row.id]
        if self._in_line(row):
            self._lines.leave(row)
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
        self._tickets = {i: r for i, r in self._tickets.items() if r.at_window}
        self._held.clear()
        self._calls.clear()


__all__ = ["JSON", "RECENT_CALLS", "BadEvent", "Change", "Gap", "HallView"]
