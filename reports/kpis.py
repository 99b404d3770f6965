"""A business day's key figures, computed from the hall's stored event rows (pure: no I/O).

Every ticket event carries the ticket's state after it (``detail["ticket"]``, with its
``business_day``), so one pass over the events gives issued, served, no-show and
cancelled counts, wait times (issued → first call), service times (start → finish),
arrivals and services per quarter hour, and the day's ratings (``evaluation.submit``) and
services the evaluation pad asked about in vain (``evaluation.not_rated``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from queue_server import BAD_SCORE, Event, EventLog, TicketState

QUARTER = 15  # minutes per chart bucket
PAGE = 1000


@dataclass
class _Life:
    """What one ticket went through on the day."""

    issued_at: datetime | None = None
    first_call: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    service: str = ""
    no_show: bool = False
    cancelled: bool = False
    final_state: str = ""
    events: list[str] = field(default_factory=list)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def local_day(at: datetime, tz: tzinfo) -> date:
    return _aware(at).astimezone(tz).date()


def quarter(at: datetime, tz: tzinfo) -> str:
    """The local quarter hour an instant falls in, as ``"HH:MM"``."""
    local = _aware(at).astimezone(tz)
    return f"{local.hour:02d}:{local.minute - local.minute % QUARTER:02d}"


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _ticket_day(event: Event) -> str | None:
    ticket = event.detail.get("ticket")
    if isinstance(ticket, dict):
        day = ticket.get("business_day")
        return day if isinstance(day, str) else None
    return None


def day_kpis(events: Iterable[Event], day: date, tz: tzinfo) -> dict[str, Any]:
    """The KPIs of ``day`` (the hall's business day, local time ``tz``) from the hall's events.

    Ticket events count when their ticket belongs to ``day``; ratings when given on ``day``
    (local time). Times are in seconds; buckets are local quarter hours ``"HH:MM"``.
    """
    iso = day.isoformat()
    lives: dict[int, _Life] = {}
    scores: list[int] = []
    rated: set[int] = set()
    unrated: set[int] = set()  # the evaluation pad asked and no score came (evaluation.not_rated)
    for e in events:
        if e.kind == "evaluation.submit":
            score = e.detail.get("score")
            if isinstance(score, int) and local_day(e.at, tz) == day:
                scores.append(score)
                if e.ticket_id is not None:
                    rated.add(e.ticket_id)
            continue
        if e.kind == "evaluation.not_rated":
            if e.ticket_id is not None and local_day(e.at, tz) == day:
                unrated.add(e.ticket_id)
            continue
        if not e.kind.startswith("ticket.") or e.ticket_id is None or _ticket_day(e) != iso:
            continue
        life = lives.setdefault(e.ticket_id, _Life())
        at = _aware(e.at)
        action = e.kind.removeprefix("ticket.")
        life.events.append(action)
        ticket = e.detail.get("ticket") or {}
        life.service = str(ticket.get("service") or life.service)
        life.final_state = e.to_state or life.final_state
        if action == "issue":
            life.issued_at = at
        elif action == "call" and life.first_call is None:
            life.first_call = at
        elif action == "start":
            life.started_at = at
        elif action == "finish":
            life.finished_at = at
        elif action == "no_show":
            life.no_show = True
        elif action == "cancel":
            life.cancelled = True

    arrivals: dict[str, int] = {}
    served_by_q: dict[str, int] = {}
    waits: list[float] = []
    services: list[float] = []
    per_service: dict[str, dict[str, int]] = {}
    for life in lives.values():
        counts = per_service.setdefault(life.service, {"issued": 0, "served": 0})
        if life.issued_at is not None:
            counts["issued"] += 1
            key = quarter(life.issued_at, tz)
            arrivals[key] = arrivals.get(key, 0) + 1
            if life.first_call is not None:
                waits.append((life.first_call - life.issued_at).total_seconds())
        if life.finished_at is not None:
            counts["served"] += 1
            key = quarter(life.finished_at, tz)
            served_by_q[key] = served_by_q.get(key, 0) + 1
            if life.started_at is not None:
                services.append((life.finished_at - life.started_at).total_seconds())

    issued = sum(1 for life in lives.values() if life.issued_at is not None)
    served = sum(1 for life in lives.values() if life.finished_at is not None)
    no_show = sum(1 for life in lives.values() if life.no_show and life.finished_at is None)
    cancelled = sum(1 for life in lives.values() if life.cancelled)
    good = sum(1 for s in scores if s >= 4)
    bad = sum(1 for s in scores if s <= BAD_SCORE)
    keys = sorted(set(arrivals) | set(served_by_q))
    return {
        "date": iso,
        "issued": issued,
        "served": served,
        "no_show": no_show,
        "cancelled": cancelled,
        "wait_mean_s": _round(mean(waits)),
        "wait_p90_s": _round(percentile(waits, 90)),
        "service_mean_s": _round(mean(services)),
        "satisfaction": {
            "ratings": len(scores),
            "satisfied_share": round(good / len(scores), 4) if scores else None,
            "bad": bad,
            "mean_score": _round(mean([float(s) for s in scores])),
            # Asked at the pad, never rated (a later phone rating takes a ticket off this count).
            "not_rated": len(unrated - rated),
        },
        "by_service": {k: v for k, v in sorted(per_service.items()) if k},
        "quarters": [{"at": k, "arrivals": arrivals.get(k, 0), "served": served_by_q.get(k, 0)} for k in keys],
    }


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """``[since, until)`` of a local day, in UTC."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def all_events(reader: EventLog, after_seq: int = 0, page: int = PAGE) -> Iterator[Event]:
    """Every event of the hall after ``after_seq``, in pages of ``page`` (reads the whole log)."""
    seq = after_seq
    while True:
        batch = reader.events(seq, page)
        yield from batch
        if len(batch) < page:
            return
        seq = batch[-1].seq


# Events are appended under the hall's lock, so their times rise with seq up to clock skew
# between server processes; the search starts this much earlier to be safe.
SKEW = timedelta(hours=1)


def first_seq_at(reader: EventLog, at: datetime) -> int:
    """The seq after which the events from ``at`` on begin: a binary search over the log with
    one-event reads (O(log n) queries), so a day's report does not read months of history."""
    lo, hi = 0, reader.last_seq()  # the answer lies in [lo, hi]
    while lo < hi:
        mid = (lo + hi) // 2
        found = reader.events(mid, 1)  # the first event after seq ``mid``
        if not found or _aware(found[0].at) >= at:
            hi = mid
        else:
            lo = found[0].seq
    return lo


def read_day_kpis(reader: EventLog, day: date, tz: tzinfo) -> dict[str, Any]:
    """``day_kpis`` over the hall's stored events from the day's start (less ``SKEW``) on:
    a ticket of ``day`` has no events from an earlier local date."""
    since, _ = day_bounds(day, tz)
    after = first_seq_at(reader, since - SKEW)
    return day_kpis((e for e in all_events(reader, after) if _aware(e.at) >= since - SKEW), day, tz)


def waiting_tickets(reader: EventLog, day: date) -> list[dict[str, Any]]:
    """The day's waiting tickets (for the dashboard's longest waits), oldest first.

    One read of the day's active (not final) tickets, of which the waiting ones are kept; the
    dashboard asks once per snapshot of the hall channel, not per event."""
    waiting = [t for t in reader.active_tickets(day) if t.state is TicketState.WAITING]
    waiting.sort(key=lambda t: t.issued_at)
    return [
        {"id": t.id, "number": t.number, "service": t.service, "issued_at": _aware(t.issued_at).isoformat()}
        for t in waiting
    ]


__all__ = ["day_bounds", "day_kpis", "percentile", "quarter", "read_day_kpis", "waiting_tickets"]
