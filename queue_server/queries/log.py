"""A hall's event log as reports read it: every change, in order, with its sequence number."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Protocol

from ..domain import Event, Ticket
from ..service import QueueService


class EventLog(Protocol):
    """Read access to one hall's log (and the day's open tickets), within one read."""

    def last_seq(self) -> int: ...
    def events(self, after_seq: int = 0, limit: int = 1000) -> list[Event]: ...
    def active_tickets(self, day: date) -> list[Ticket]: ...


@contextmanager
def event_log(service: QueueService, slug: str) -> Iterator[EventLog]:
    """Hall ``slug``'s log, read in one read transaction (blocking); 404 for an unknown hall."""
    service.hall(slug)
    with service.store.reader(slug) as r:
        yield r
