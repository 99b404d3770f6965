"""The business day: which day it is in a hall, and the rollover that closes earlier ones."""

from __future__ import annotations

from datetime import date

from ..rules import lifecycle
from .outcomes import Outcome
from .unit import Commands


class DayCommands(Commands):
    def business_day(self, slug: str) -> date:
        return self.clock().astimezone(self.hall(slug).tz).date()

    def rollover(self, slug: str) -> Outcome:
        """Close earlier business days: what still waits there was not served."""
        with self._unit(slug) as u:
            for ticket in u.tx.stale_tickets(before=u.day):
                u.save(lifecycle.rollover(ticket, u.now))
        return Outcome(None, u.events)
