"""电子监察 figures of a report's period, composed from the cases and attendance reads: the
差评 follow-up cases rated in the period (opened, done, done on time, overdue) and attendance
(考勤: late, left early, absent) per clerk, summed over the period.

A case is done once it is resolved, closed or its appeal upheld; done on time when that first
happened on or before its due date (the hall's local date); overdue while it still needs work
after its due date. ``on_time_share`` is the cases done on time over those decided either way
(done, or overdue): a case still within its time counts in neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from ..rules.roster_presence import Attendance
from ..service import QueueService
from .cases import list_cases
from .reports import check_report_range
from .roster_now import MAX_ATTENDANCE_DAYS, attendance_of
from .staffing import staff_list

DONE_STATES = frozenset({"resolved", "closed", "appeal_upheld"})


def done_on(case: Mapping[str, Any], tz: tzinfo) -> date | None:
    """The local day a case (``queries.cases.case_view``) was first done, None while it is not."""
    if case["state"] not in DONE_STATES:
        return None
    for change in case["history"]:
        if change["state"] in DONE_STATES:
            return datetime.fromisoformat(change["at"]).astimezone(tz).date()
    return datetime.fromisoformat(case["updated_at"]).astimezone(tz).date()


def case_figures(cases: Iterable[Mapping[str, Any]], tz: tzinfo) -> dict[str, Any]:
    opened = done = on_time = overdue = 0
    for case in cases:
        opened += 1
        day = done_on(case, tz)
        if day is not None:
            done += 1
            on_time += day <= date.fromisoformat(case["due"])
        elif case["overdue"]:
            overdue += 1
    decided = done + overdue
    return {
        "opened": opened,
        "done": done,
        "done_on_time": on_time,
        "done_late": done - on_time,
        "overdue": overdue,
        "pending": opened - done - overdue,
        "on_time_share": round(on_time / decided, 6) if decided else None,
    }


def attendance_figures(rows: Iterable[Attendance], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Per clerk: days on duty, days late and the minutes, days left early and the minutes, days
    absent, days on leave (a duty not begun yet counts in none)."""
    per: dict[str, dict[str, Any]] = {}
    for a in rows:
        if a.upcoming or a.duty_start is None:
            continue
        f = per.setdefault(a.login, {
            "login": a.login, "name": names.get(a.login, a.login), "duty_days": 0, "late_days": 0,
            "late_minutes": 0, "early_days": 0, "early_minutes": 0, "absent_days": 0, "leave_days": 0,
        })  # fmt: skip
        f["duty_days"] += 1
        f["late_days"] += a.late_minutes > 0
        f["late_minutes"] += a.late_minutes
        f["early_days"] += a.early_minutes > 0
        f["early_minutes"] += a.early_minutes
        f["absent_days"] += a.absent
        f["leave_days"] += a.on_leave
    return [per[k] for k in sorted(per)]


def attendance_between(service: QueueService, slug: str, first: date, last: date) -> list[Attendance]:
    """Attendance of ``first..last``, read a quarter at a time (its read's longest range)."""
    rows: list[Attendance] = []
    start = first
    while start <= last:
        end = min(last, start + timedelta(days=MAX_ATTENDANCE_DAYS - 1))
        rows.extend(attendance_of(service, slug, start, end))
        start = end + timedelta(days=1)
    return rows


CASE_FIELDS = ("ticket_id", "number", "service", "window", "clerk", "score", "comment", "rated_at", "due", "state",
               "state_label_zh", "state_label_en", "overdue")  # fmt: skip


def case_row(case: Mapping[str, Any], tz: tzinfo) -> dict[str, Any]:
    day = done_on(case, tz)
    return {**{k: case[k] for k in CASE_FIELDS}, "done_on": day.isoformat() if day else None}


def supervision(service: QueueService, slug: str, first: date, last: date) -> dict[str, Any]:
    """The follow-up cases of the 差评 rated in ``first..last`` and the period's attendance."""
    hall = service.hall(slug)
    check_report_range(first, last)
    cases = list_cases(service, slug, first=first, last=last)
    names = {m.login: m.name for m in staff_list(service, slug)}
    clerks = attendance_figures(attendance_between(service, slug, first, last), names)
    totals = {k: sum(c[k] for c in clerks) for k in ("duty_days", "late_days", "early_days", "absent_days")}
    return {
        "hall": slug,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "follow_ups": case_figures(cases, hall.tz),
        "cases": [case_row(c, hall.tz) for c in cases],
        "attendance": {"totals": totals, "clerks": clerks},
    }


__all__ = ["DONE_STATES", "attendance_figures", "case_figures", "done_on", "supervision"]
