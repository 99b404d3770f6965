"""A hall's report over any range of days, from the per-day cells.

Read in one snapshot: the stored cells of the range (the months it covers whole, and the
days of the rest); the events after the mark that the job
has not folded yet (folded here in memory the same way, so a report is never behind the log;
at most ``PENDING_LIMIT`` of them, beyond which the answer says how far it reaches); and, when
the range holds the hall's business day, the tickets still open today (issued, and waiting
so far for the called ones), which no cell holds until they are final.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..errors import BadRequest
from ..rules.report_cells import MONTH, Cell, CellKey, as_days, cells_of, merge_into, month_of
from ..rules.report_facts import FoldSettings, settings_of, ticket_fact
from ..rules.report_fold import fold_events, fold_fact, tickets_to_read
from ..rules.report_view import GROUPS, dimensions, report
from ..service import QueueService
from ..storage.sql_reports import ReportRead, ReportStore
from ..text import check_period

MAX_DAYS = 366
PENDING_LIMIT = 20_000
PAGE = 2000


def check_by(by: str | None) -> str | None:
    if by is None or by == "":
        return None
    if by not in GROUPS:
        raise BadRequest(
            f"by: 只能按 {'、'.join(GROUPS)} 分组 / query.by must be one of {', '.join(GROUPS)}, got {by[:40]!r}"
        )
    return by


def check_report_range(first: date, last: date) -> None:
    check_period(first, last, MAX_DAYS, ("一次最多统计", "a report covers at most"), start="from", end="to")


def next_month(day: date) -> date:
    return month_of(month_of(day) + timedelta(days=31))


def split(first: date, last: date) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """``first..last`` as the day ranges read day by day (the months it covers in part) and the
    whole months it covers (first days of the first and last one), if any."""
    start = first if first.day == 1 else next_month(first)
    end = month_of(last + timedelta(days=1))  # the first day after the last whole month
    if start >= end:
        return [(first, last)], None
    edges = [(a, b) for a, b in ((first, start - timedelta(days=1)), (end, last)) if a <= b]
    return edges, (start, month_of(end - timedelta(days=1)))


def stored(r: ReportRead, first: date, last: date, by: str | None) -> dict[CellKey, Cell]:
    """The stored cells a report of ``first..last`` grouped ``by`` reads: months' where whole
    months are covered (not for a report by day), days' for the rest."""
    dims = dimensions(by)
    edges, months = split(first, last)
    if by == "day" or months is None:
        edges, months = [(first, last)], None
    cells: dict[CellKey, Cell] = {}
    for a, b in edges:
        cells.update(cells_of(r.cell_rows(a, b, dims)))
    if months is not None:
        cells.update(as_days(cells_of(r.cell_rows(months[0], months[1], {MONTH + d for d in dims}))))
    return cells


def _pending(r: ReportRead, mark: int, settings: FoldSettings) -> tuple[dict[CellKey, Cell], int, int]:
    """The deltas of the events after ``mark`` (up to ``PENDING_LIMIT``), the seq they reach, and
    how many events after it are left out."""
    cells: dict[CellKey, Cell] = {}
    seq = mark
    last = r.last_seq()
    while seq < last and seq - mark < PENDING_LIMIT:
        events = r.events(seq, min(PAGE, PENDING_LIMIT - (seq - mark)))
        if not events:
            break
        merge_into(cells, fold_events(events, r.histories(tickets_to_read(events)), settings))
        seq = events[-1].seq
    return cells, seq, last - seq


def _open_today(r: ReportRead, today: date, settings: FoldSettings) -> dict[CellKey, Cell]:
    cells: dict[CellKey, Cell] = {}
    tickets = r.active_tickets(today)
    histories = r.histories([t.id for t in tickets])
    for t in tickets:
        fact = ticket_fact(histories.get(t.id, []), settings)
        if fact is not None:
            fold_fact(cells, fact, settings)
    return cells


def summary(service: QueueService, slug: str, first: date, last: date, by: str | None) -> dict[str, Any]:
    """The report of hall ``slug`` over ``first..last`` (business days), grouped ``by`` one of
    ``GROUPS`` (None: totals only)."""
    hall = service.hall(slug)
    check_report_range(first, last)
    by = check_by(by)
    settings = settings_of(hall)
    today = service.business_day(slug)
    with ReportStore(service.store).reading(slug) as r:
        cells = stored(r, first, last, by)
        mark = r.mark()
        pending, reached, left_out = _pending(r, mark, settings)
        merge_into(cells, {k: c for k, c in pending.items() if first <= k.day <= last})
        if first <= today <= last:
            merge_into(cells, _open_today(r, today, settings))
    return {
        "hall": slug,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "today": today.isoformat(),
        **report(cells, by, hall.target.called_within_minutes),
        "folded_seq": mark,
        "through_seq": reached,
        "complete": left_out == 0,
    }


__all__ = ["MAX_DAYS", "check_by", "check_report_range", "split", "summary"]
