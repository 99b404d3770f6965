"""One command, one transaction: the unit every command works in, and the base that opens it.

A unit opens one transaction on its hall (which holds the hall's write lock); the command
reads what the pure rules need, applies them, writes the new state and records the event
rows in it. Only after the commit are listeners (the realtime hub, devices) told, so nobody
ever sees a call that was rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from ..clock import SYSTEM_CLOCK, Clock
from ..config import Config, HallConfig
from ..domain import Event, Ticket, Window
from ..errors import InvalidTransition, NotFound
from ..rules import lifecycle
from ..rules import windows as window_rules
from ..storage.base import HallTx, Store
from ..views import ticket_view, window_view
from .outcomes import Outcome

Listener = Callable[[list[Event]], None]


@dataclass(slots=True)
class Unit:
    tx: HallTx
    hall: HallConfig
    now: datetime
    events: list[Event] = field(default_factory=list)

    @property
    def day(self) -> date:
        return self.now.astimezone(self.hall.tz).date()

    @property
    def now_us(self) -> int:
        return lifecycle.to_us(self.now)

    def record(self, event: Event) -> None:
        self.events.append(self.tx.append(event))

    def record_ticket(self, ticket: Ticket, event: Event) -> None:
        """Store ``event`` with the state ``ticket`` is in after it."""
        self.record(replace(event, detail={**event.detail, "ticket": ticket_view(ticket)}))

    def save(self, change: tuple[Ticket, Event]) -> Ticket:
        ticket, event = change
        self.tx.update_ticket(ticket)
        self.record_ticket(ticket, event)
        return ticket

    def save_window(self, change: tuple[Window, Event]) -> Window:
        window, event = change
        self.tx.update_window(window)
        self.record(replace(event, detail={**event.detail, "window": window_view(window)}))
        return window

    def window(self, number: int) -> Window:
        window = self.tx.window(number)
        if window is None:
            raise NotFound(f"没有 {number} 号窗口 / window {number} does not exist in {self.hall.slug}")
        return window

    def outcome(self, number: int, ticket: Ticket | None = None, window: Window | None = None) -> Outcome:
        """A window command's answer: ``ticket``, and window ``number`` as stored now (``window``
        if the command already holds it) with its current ticket, read as the snapshot reads them."""
        win = window if window is not None else self.window(number)
        return Outcome(ticket, self.events, win, self.tx.current_ticket(number))

    def callable_window(self, number: int) -> Window:
        """The window, if it may call a ticket now (open, nobody called or served there)."""
        window = self.window(number)
        current = self.tx.current_ticket(number)
        window_rules.ensure_can_call(window, current.number if current else None)
        return window

    def ticket(self, ticket_id: int) -> Ticket:
        ticket = self.tx.ticket(ticket_id)
        if ticket is None:
            raise NotFound(f"没有这张票 / ticket {ticket_id} does not exist in {self.hall.slug}")
        return ticket

    def current(self, window: int) -> Ticket:
        ticket = self.tx.current_ticket(window)
        if ticket is None:
            raise InvalidTransition(f"{window} 号窗口当前没有叫到的号 / window {window} has no called ticket")
        return ticket


class Commands:
    """What every concept's commands share: the store, the config, the clock, the listeners
    told after each commit, and ``_unit`` to run a command in."""

    def __init__(
        self,
        store: Store,
        config: Config,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.store = store
        self.config = config
        self.clock = clock
        self.listeners: list[Listener] = []

    def hall(self, slug: str) -> HallConfig:
        hall = self.config.hall(slug)
        if hall is None:
            raise NotFound(f"没有这个大厅 / unknown hall {slug!r}")
        return hall

    @contextmanager
    def _unit(self, slug: str) -> Iterator[Unit]:
        hall = self.hall(slug)
        now = self.clock()
        with self.store.transaction(slug) as tx:
            unit = Unit(tx=tx, hall=hall, now=now)
            yield unit
        for listener in self.listeners:
            listener(unit.events)
