"""A hall's state as a live view starts from, and the event log read after it (blocking)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from ..domain import DeviceHealth, Event, Ticket, Window, WindowState
from ..service import QueueService
from ..storage import Store

PAGE = 1000
# Events looked back through for the recent calls a hall display shows.
CALL_LOOKBACK = 500
# Calls a hall display shows and announces; a recall is announced again.
CALL_KINDS = frozenset({"ticket.call", "ticket.recall", "ticket.call_back"})


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


def read_events(store: Store, hall: str, after: int, limit: int = PAGE) -> list[Event]:
    with store.reader(hall) as r:
        return r.events(after_seq=after, limit=limit)


def load_snapshot(service: QueueService, hall: str, lookback: int = CALL_LOOKBACK) -> tuple[Snapshot, list[Event]]:
    """The hall's state at its newest ``seq``, and the events committed while it was read.

    PostgreSQL reads at READ COMMITTED, so windows and tickets may already show
    events after ``seq``; the caller applies the returned tail, and since applying
    an event sets the state it produced, the view ends exactly at the tail's end.
    """
    config = service.hall(hall)
    day = service.business_day(hall)
    with service.store.reader(hall) as r:
        seq = r.last_seq()
        windows = r.windows()
        tickets: dict[int, Ticket] = {t.id: t for t in r.active_tickets(day)}
        at_windows = r.current_tickets([w.number for w in windows])
        for current in at_windows.values():
            tickets.setdefault(current.id, current)
        # Only an open window with nobody at it shows how long it has been free.
        changes = r.window_changes(
            [w.number for w in windows if w.state is WindowState.OPEN and w.number not in at_windows]
        )
        calls: list[Event] = []
        if lookback > 0 and seq > 0:
            recent = r.events(after_seq=max(0, seq - lookback), limit=lookback)
            calls = [e for e in recent if e.kind in CALL_KINDS and e.seq <= seq]
        devices = r.devices()
        tail: list[Event] = []
        while page := r.events(after_seq=tail[-1].seq if tail else seq, limit=PAGE):
            tail.extend(page)
    snap = Snapshot(
        hall=hall,
        day=day,
        tz=config.tz,
        seq=seq,
        services=tuple(s.code for s in config.services),
        windows=tuple(windows),
        tickets=tuple(sorted(tickets.values(), key=lambda t: t.id)),
        calls=tuple(calls),
        devices=tuple(devices),
        window_changes=changes,
    )
    return snap, tail
