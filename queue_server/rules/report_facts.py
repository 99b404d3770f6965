"""One ticket's events folded into one fact row: what a report counts of it (pure: no I/O).

The rules (the same as the day's KPIs, reports/kpis.py, where both speak):

- a ticket belongs to its business day (``detail["ticket"]["business_day"]``), its last
  service (a ticket transferred to another service counts there), the window and clerk of the
  last call, start or finish it went through (none: never called), and the local quarter hour
  it was issued in;
- its outcome is one of: served (finished), cancelled, no-show (marked no-show and neither
  served nor cancelled after a reactivation), not served (rolled over at the day's end
  without a no-show), or still open (today, live); ``transferred`` counts it once however
  often it was transferred;
- wait: issued → first call; service time: the last start → finish (a held service resumed
  counts from its restart);
- noon service (中午不停歇): issued inside the hall's noon period; served there (its last start
  inside it); its wait when first called inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ..config import HallConfig
from ..domain import Event
from .lifecycle import to_us

FINAL_STATES = frozenset({"done", "cancelled", "not_served"})
SLOTS_PER_DAY = 96


@dataclass(frozen=True, slots=True)
class FoldSettings:
    """What folding needs of the hall: its zone per service, time zone, noon period and target."""

    tz: tzinfo
    noon: tuple[time, time]
    target_us: int
    zones: dict[str, str]

    def zone(self, service: str) -> str:
        return self.zones.get(service, "")


def settings_of(hall: HallConfig) -> FoldSettings:
    return FoldSettings(
        tz=hall.tz,
        noon=(hall.noon.start, hall.noon.end),
        target_us=round(hall.target.called_within_minutes * 60 * 1_000_000),
        zones={s.code: s.zone for s in hall.services},
    )


@dataclass(frozen=True, slots=True)
class TicketFact:
    ticket_id: int
    day: date
    service: str
    window: int | None
    clerk: str
    slot: int  # local quarter hour of issue, 0..95
    outcome: str  # served | cancelled | no_show | not_served | open
    transferred: bool
    wait_us: int | None
    service_us: int | None
    noon_issued: bool
    noon_served: bool
    noon_wait: bool  # first called inside the noon period
    # The moments behind the figures, as the raw rows of an export show them (the last start).
    first_call_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


def aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def slot_of(at: datetime, tz: tzinfo) -> int:
    local = aware(at).astimezone(tz)
    return local.hour * 4 + local.minute // 15


def in_noon(at: datetime | None, settings: FoldSettings) -> bool:
    if at is None:
        return False
    local = aware(at).astimezone(settings.tz).time()
    return settings.noon[0] <= local < settings.noon[1]


def _us(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return to_us(aware(end)) - to_us(aware(start))


def _outcome(state: str, no_show: bool) -> str:
    if state == "done":
        return "served"
    if state == "cancelled":
        return "cancelled"
    if no_show and state in ("no_show", "not_served"):
        return "no_show"
    if state == "not_served":
        return "not_served"
    return "open"


def ticket_fact(events: Sequence[Event], settings: FoldSettings) -> TicketFact | None:
    """The fact of one ticket from its ``ticket.*`` events in order (others are skipped);
    None without its issue (a log that does not reach back to it)."""
    issued: datetime | None = None
    first_call: datetime | None = None
    started: datetime | None = None
    finished: datetime | None = None
    window: int | None = None
    clerk = ""
    service = ""
    day = ""
    state = ""
    no_show = transferred = False
    ticket_id = 0
    for e in events:
        if not e.kind.startswith("ticket.") or e.ticket_id is None:
            continue
        ticket_id = e.ticket_id
        view = e.detail.get("ticket")
        if isinstance(view, dict):
            service = str(view.get("service") or service)
            day = str(view.get("business_day") or day)
        state = e.to_state or state
        action = e.kind.removeprefix("ticket.")
        if action == "issue":
            issued = aware(e.at)
        elif action == "call" and first_call is None:
            first_call = aware(e.at)
        elif action == "start":
            started = aware(e.at)
        elif action == "finish":
            finished = aware(e.at)
        elif action == "no_show":
            no_show = True
        elif action == "transfer":
            transferred = True
        if action in ("call", "call_back", "start", "finish", "no_show") and e.window is not None:
            window, clerk = e.window, e.staff or ""
    if issued is None or not day:
        return None
    served_us = _us(started, finished)
    return TicketFact(
        ticket_id=ticket_id,
        day=date.fromisoformat(day),
        service=service,
        window=window,
        clerk=clerk,
        slot=slot_of(issued, settings.tz),
        outcome=_outcome(state, no_show),
        transferred=transferred,
        wait_us=_us(issued, first_call),
        service_us=served_us,
        noon_issued=in_noon(issued, settings),
        noon_served=served_us is not None and in_noon(started, settings),
        noon_wait=first_call is not None and in_noon(first_call, settings),
        first_call_at=first_call,
        started_at=started,
        finished_at=finished,
    )


def day_start(day: date, tz: tzinfo) -> datetime:
    """The local midnight starting ``day``, in UTC."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def day_end(day: date, tz: tzinfo) -> datetime:
    return day_start(day + timedelta(days=1), tz)


__all__ = [
    "FINAL_STATES",
    "SLOTS_PER_DAY",
    "FoldSettings",
    "TicketFact",
    "aware",
    "day_end",
    "day_start",
    "in_noon",
    "settings_of",
    "slot_of",
    "ticket_fact",
]
