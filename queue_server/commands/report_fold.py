"""Keeping the report cells current: the job that folds new events, and the rebuild.

The job reads a hall's events after the stored mark in pages (a read snapshot: no lock the
queue needs), computes the page's cell deltas with the pure folds, and adds them with the new
mark in one short write transaction of its own (``ReportStore.add``), so the queue's commands
are never slowed by reports and a restart resumes exactly at the mark. Only the leader runs
it (``scheduler``); if anyone else moved the mark meanwhile, the page is read again.

The rebuild recomputes a hall's cells (every day, or the months given) from the raw log: the
log is read page by page up to one seq, and the days' cells and the mark are replaced in one
write. Rebuilding days while the job runs is safe: the rebuild folds the log up to the
mark it read and replaces those days only if the mark has not moved since.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from ..errors import Conflict
from ..rules.report_cells import CellKey, cell_row, month_of, plus, with_months
from ..rules.report_facts import settings_of
from ..rules.report_fold import Refold, fold_events, tickets_to_read
from ..service import QueueService
from ..storage.sql_reports import ReportStore, Row

log = logging.getLogger("hallq.reports")

PAGE = 500  # events per fold transaction: a few dozen cells, written in milliseconds
REBUILD_PAGE = 5000
RETRIES = 5


class ReportFolder:
    def __init__(self, service: QueueService, page: int = PAGE) -> None:
        self.service = service
        self.reports = ReportStore(service.store)
        self.page = page

    def fold_page(self, slug: str) -> int:
        """Fold the next page of hall ``slug``'s events after the mark; how many were folded
        (0: caught up, or someone else moved the mark and nothing was written)."""
        settings = settings_of(self.service.hall(slug))
        with self.reports.reading(slug) as r:
            mark = r.mark()
            events = r.events(mark, self.page)
            if not events:
                return 0
            deltas = with_months(fold_events(events, r.histories(tickets_to_read(events)), settings))
            stored: list[Row] = []
            for day in sorted({k.day for k in deltas}):
                stored.extend(r.cell_rows(day, day, {k.dim for k in deltas if k.day == day}))
        rows = plus(deltas)(stored)
        if not self.reports.put(slug, mark, events[-1].seq, rows, self.service.clock()):
            log.info("%s: the report mark moved during a fold; the page is read again", slug)
            return 0
        return len(events)

    def fold(self, slug: str, max_pages: int | None = None) -> int:
        """Fold pages until caught up (or ``max_pages``); how many events were folded."""
        total = pages = 0
        misses = 0
        while max_pages is None or pages < max_pages:
            done = self.fold_page(slug)
            pages += 1
            if done:
                total += done
                continue
            with self.reports.reading(slug) as r:
                behind = r.last_seq() > r.mark()
            misses += 1
            if not behind or misses >= RETRIES:
                break
        return total

    def rebuild(self, slug: str, first: date | None = None, last: date | None = None) -> dict[str, Any]:
        """Recompute the cells of the months of ``first..last`` (None: every day, and the mark
        becomes the log's end) from the raw log; whole months, since a month's cell adds up
        all its days. Answers the days rebuilt, the cells written and the mark."""
        settings = settings_of(self.service.hall(slug))
        days = None
        if first is not None and last is not None:
            days = (month_of(first), month_of(month_of(last) + timedelta(days=31)) - timedelta(days=1))
        for _ in range(RETRIES):
            with self.reports.reading(slug) as r:
                mark = r.mark() if days is not None else r.last_seq()
                refold = Refold(settings)
                seq = 0
                while seq < mark:
                    events = [e for e in r.events(seq, REBUILD_PAGE) if e.seq <= mark]
                    if not events:
                        break
                    refold.feed(events)
                    seq = events[-1].seq
            cells = with_months(refold.cells)
            rows = [cell_row(k, c) for k, c in sorted(cells.items()) if _within(k, days)]
            expected = mark if days is not None else None
            if self.reports.replace(slug, days, rows, mark, self.service.clock(), expected=expected):
                return {
                    "from": days[0].isoformat() if days else None,
                    "to": days[1].isoformat() if days else None,
                    "cells": len(rows),
                    "mark": mark,
                }
        raise Conflict(f"报表正在更新，请稍后重试 / the reports of {slug} kept changing during the rebuild; try again")


def _within(key: CellKey, days: tuple[date, date] | None) -> bool:
    return days is None or days[0] <= key.day <= days[1]


__all__ = ["PAGE", "ReportFolder"]
