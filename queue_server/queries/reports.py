"""A hall's report over any range of days, from the per-day cells.

Read in one snapshot: the stored cells of the range; the events after the mark that the job
has not folded yet (folded here in memory the same way, so a report is never behind the log;
at most ``PENDING_LIMIT`` of them, beyond which the answer says how far it reaches); and, when
the range holds the hall's business day, the tickets still open today (issued, and waiting
so far for the called ones), which no cell holds until they are final.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..errors import BadRequest
from ..rules.report_cells import Cell, CellKey, cells_of, merge_into
from ..rules.report_facts import FoldSettings, settings_of, ticket_fact
from ..rules.report_fold import fold_events, fold_fact, tickets_to_read
from ..rules.report_view import GROUPS, report
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
        cells = cells_of(r.cell_rows(first, last))
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


__all__ = ["MAX_DAYS", "check_by", "check_report_range", "summary"]
