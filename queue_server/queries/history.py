"""What a hall has recorded, as the planner reads it: arrivals per service per quarter hour per
day, service times (start → finish) and no-shows, from the hall's event log.

Every ticket event carries the ticket after it (``detail["ticket"]``, with its service and
business day), so one pass over a stretch of the log gives all three; the stretch is found by a
binary search (``window_log.events_between``), so months of log are not read for a few weeks.
The recorded days are the hall's open days (by its calendar) from the first day with a ticket
on, quiet days included as zeros.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ..domain import Event
from ..rules.calendar import HallCalendar
from ..rules.forecast import Key, ObservedDay
from ..service import QueueService
from ..staffing import SLOT_MINUTES
from .window_log import events_between


@dataclass
class HallHistory:
    """Recorded days (oldest first), and per service the durations in minutes (in the order
    they finished), tickets issued and tickets that ended as no-shows; tickets issued per
    priority class."""

    days: list[ObservedDay] = field(default_factory=list)
    durations: dict[str, list[float]] = field(default_factory=dict)
    issued: dict[str, int] = field(default_factory=dict)
    no_shows: dict[str, int] = field(default_factory=dict)
    priorities: dict[str, int] = field(default_factory=dict)

    def before(self, cutoff: date, days: int) -> list[ObservedDay]:
        """The recorded days in the ``days`` before ``cutoff``."""
        since = cutoff - timedelta(days=days)
        return [d for d in self.days if since <= d.day < cutoff]

    def day(self, day: date) -> ObservedDay | None:
        return next((d for d in self.days if d.day == day), None)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _slot(at: datetime, tz: tzinfo) -> int:
    local = _aware(at).astimezone(tz)
    return (local.hour * 60 + local.minute) // SLOT_MINUTES


def _ticket(event: Event) -> tuple[str, date] | None:
    """The service and business day of a ticket event's ticket."""
    t = event.detail.get("ticket")
    if not isinstance(t, dict):
        return None
    svc, day = t.get("service"), t.get("business_day")
    if not isinstance(svc, str) or not isinstance(day, str):
        return None
    try:
        return svc, date.fromisoformat(day)
    except ValueError:
        return None


@dataclass
class _Tally:
    tz: tzinfo
    counts: dict[date, dict[Key, int]] = field(default_factory=dict)
    started: dict[int, datetime] = field(default_factory=dict)
    no_show: dict[int, str] = field(default_factory=dict)
    out: HallHistory = field(default_factory=HallHistory)

    def add(self, e: Event) -> None:
        if not e.kind.startswith("ticket.") or e.ticket_id is None:
            return
        found = _ticket(e)
        if found is None:
            return
        svc, day = found
        action = e.kind.removeprefix("ticket.")
        if action == "issue":
            key = (svc, _slot(e.at, self.tz))
            per_day = self.counts.setdefault(day, {})
            per_day[key] = per_day.get(key, 0) + 1
            self.out.issued[svc] = self.out.issued.get(svc, 0) + 1
            priority = e.detail["ticket"].get("priority")
            if isinstance(priority, str):
                self.out.priorities[priority] = self.out.priorities.get(priority, 0) + 1
        elif action == "start":
            self.started[e.ticket_id] = _aware(e.at)
        elif action == "finish":
            begun = self.started.pop(e.ticket_id, None)
            self.no_show.pop(e.ticket_id, None)  # reactivated and served after all
            if begun is not None:
                minutes = (_aware(e.at) - begun).total_seconds() / 60
                self.out.durations.setdefault(svc, []).append(minutes)
        elif action == "no_show":
            self.no_show[e.ticket_id] = svc

    def done(self, calendar: HallCalendar, last: date) -> HallHistory:
        for svc in self.no_show.values():
            self.out.no_shows[svc] = self.out.no_shows.get(svc, 0) + 1
        if not self.counts:
            return self.out
        day = min(self.counts)
        while day <= last:
            cal = calendar.day(day)
            if calendar.opening(day) is not None:
                self.out.days.append(ObservedDay(day, cal.kind, self.counts.get(day, {})))
            day += timedelta(days=1)
        return self.out


def read_history(service: QueueService, slug: str, first: date, last: date) -> HallHistory:
    """Hall ``slug``'s record of the business days ``first``..``last`` (404: unknown hall)."""
    hall = service.hall(slug)
    tz = hall.tz
    since = datetime.combine(first, time(0), tzinfo=tz)
    until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    tally = _Tally(tz)
    with service.store.reader(slug) as r:
        overrides = r.calendar_overrides(first, last)
        for e in events_between(r, since, until):
            tally.add(e)
    calendar = HallCalendar(hall.hours, overrides)
    history = tally.done(calendar, last)
    history.days = [d for d in history.days if first <= d.day <= last]
    return history


def hall_calendar(service: QueueService, slug: str, first: date, last: date) -> HallCalendar:
    """The hall's calendar with its stored dates over ``first``..``last``."""
    hall = service.hall(slug)
    with service.store.reader(slug) as r:
        overrides = r.calendar_overrides(first, last)
    return HallCalendar(hall.hours, overrides)


__all__ = ["HallHistory", "hall_calendar", "read_history"]
