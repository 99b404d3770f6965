"""Rankings (周排名, 月通报) of a hall's windows, clerks or services by one measure, this period
against the one before, read from the report summary (nothing stored of their own)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..rules.report_rankings import MEASURES, compared, periods, rank
from ..service import QueueService
from .reports import check_report_range, summary
from .staffing import staff_list

MIN_BASIS = 10  # groups standing on fewer tickets (or ratings) than this are listed last, unranked


def group_names(service: QueueService, slug: str, of: str) -> dict[str, tuple[str, str]]:
    """What each group is called, in Chinese and English: a service's name, a clerk's name, a
    window's number."""
    hall = service.hall(slug)
    if of == "service":
        return {s.code: (s.name_zh, s.name_en) for s in hall.services}
    if of == "clerk":
        return {m.login: (m.name, m.name) for m in staff_list(service, slug)}
    with service.store.reader(slug) as r:
        return {str(w.number): (f"{w.number} 号窗口", f"Window {w.number}") for w in r.windows()}


def rankings(
    service: QueueService,
    slug: str,
    *,
    period: str,
    first: date,
    last: date | None,
    of: str,
    measure: str,
    min_basis: int = MIN_BASIS,
) -> dict[str, Any]:
    """The groups ``of`` (window, clerk, service) of ``period`` (week, month or range, from
    ``first``), ranked by ``measure``, with the previous period's value and rank."""
    m = MEASURES[measure]
    (a, b), (pa, pb) = periods(period, first, last)
    check_report_range(a, b)
    now = summary(service, slug, a, b, of)
    before = summary(service, slug, pa, pb, of)
    rows = compared(rank(now["rows"], m, min_basis), rank(before["rows"], m, min_basis), m)
    names = group_names(service, slug, of)
    for row in rows:
        zh, en = names.get(row["group"], (row["group"], row["group"]))
        row["name_zh"], row["name_en"] = zh, en
    return {
        "hall": slug,
        "period": period,
        "from": a.isoformat(),
        "to": b.isoformat(),
        "previous": {"from": pa.isoformat(), "to": pb.isoformat()},
        "of": of,
        "measure": {"code": m.code, "better": m.better, "unit": m.unit, "zh": m.zh, "en": m.en},
        "min_basis": min_basis,
        "rows": rows,
    }


__all__ = ["MIN_BASIS", "group_names", "rankings"]
