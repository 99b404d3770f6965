"""The raw rows behind a report: one row per ticket issued in a range of business days, read a
day at a time (so an export of a quarter never holds more than a day), each ticket told by its
own events as the report counts it (``rules.report_facts.ticket_fact``): its first call, the
window and clerk, the last start and the finish, its outcome, wait and service time, and the
rating it got."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..domain import Event
from ..rules.report_facts import aware, day_end, day_start, settings_of, ticket_fact
from ..service import QueueService
from ..storage.sql_reports import ReportStore
from ..text import check_period
from .window_log import events_between

MAX_EXPORT_DAYS = 93
RATING_GRACE = timedelta(days=1)  # a rating comes within minutes of the service; a day is ample


@dataclass(frozen=True, slots=True)
class TicketRow:
    number: str
    service: str
    priority: str
    issued_at: datetime
    first_call: datetime | None
    window: int | None
    clerk: str
    started: datetime | None
    finished: datetime | None
    outcome: str
    wait_s: float | None
    service_s: float | None
    rating: int | None


def check_export_range(first: date, last: date) -> None:
    check_period(first, last, MAX_EXPORT_DAYS, ("一次最多导出", "an export covers at most"), start="from", end="to")


def _day_rows(service: QueueService, slug: str, day: date) -> list[TicketRow]:
    hall = service.hall(slug)
    settings = settings_of(hall)
    since, until = day_start(day, hall.tz), day_end(day, hall.tz)
    issued: dict[int, Event] = {}
    ratings: dict[int, int] = {}
    with service.store.reader(slug) as r:
        for e in events_between(r, since, until + RATING_GRACE):
            if e.ticket_id is None:
                continue
            if e.kind == "ticket.issue" and aware(e.at) < until:
                view = e.detail.get("ticket")
                if isinstance(view, dict) and view.get("business_day") == day.isoformat():
                    issued[e.ticket_id] = e
            elif e.kind == "evaluation.submit" and isinstance(e.detail.get("score"), int):
                ratings[e.ticket_id] = int(e.detail["score"])
    with ReportStore(service.store).reading(slug) as rr:
        histories = rr.histories(list(issued))
    rows = []
    for ticket_id, issue in issued.items():
        history = histories.get(ticket_id, [])
        fact = ticket_fact(history, settings)
        if fact is None:
            continue
        view = issue.detail["ticket"]
        rows.append(
            TicketRow(
                number=str(view.get("number", "")), service=fact.service, priority=str(view.get("priority", "")),
                issued_at=aware(issue.at), first_call=fact.first_call_at, window=fact.window, clerk=fact.clerk,
                started=fact.started_at, finished=fact.finished_at, outcome=fact.outcome,
                wait_s=None if fact.wait_us is None else fact.wait_us / 1e6,
                service_s=None if fact.service_us is None else fact.service_us / 1e6,
                rating=ratings.get(ticket_id),
            )
        )  # fmt: skip
    return sorted(rows, key=lambda t: t.issued_at)


def ticket_rows(service: QueueService, slug: str, first: date, last: date) -> Iterator[TicketRow]:
    """Every ticket of business days ``first..last``, by issue time, a day read at a time."""
    check_export_range(first, last)
    day = first
    while day <= last:
        yield from _day_rows(service, slug, day)
        day += timedelta(days=1)


__all__ = ["MAX_EXPORT_DAYS", "TicketRow", "check_export_range", "ticket_rows"]
