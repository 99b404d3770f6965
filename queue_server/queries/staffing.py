"""The hall's staffing as the roster pages read it: the staff registry with skills, posts,
shift templates, leave over a range and what each day of a range is."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..rules.calendar import HallCalendar
from ..service import QueueService
from ..staffing import CalendarDay, Leave, Post, ShiftTemplate, StaffMember
from ..text import check_period

MAX_RANGE_DAYS = 400  # a range read at once: a year of rosters and some


def check_range(first: date, last: date) -> None:
    check_period(first, last, MAX_RANGE_DAYS, ("一次最多查询", "a range has at most"), given=False)


def days_of(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def staff_list(service: QueueService, slug: str, *, active_only: bool = False) -> list[StaffMember]:
    """The staff registry, by login, with skills (inactive members too, unless ``active_only``)."""
    return [m for m in service.staff(slug) if m.active or not active_only]


def posts(service: QueueService, slug: str) -> list[Post]:
    service.hall(slug)
    with service.store.reader(slug) as r:
        return r.posts()


def shift_templates(service: QueueService, slug: str) -> list[ShiftTemplate]:
    service.hall(slug)
    with service.store.reader(slug) as r:
        return r.shift_templates()


def leave_between(
    service: QueueService, slug: str, since: datetime, until: datetime, login: str | None = None
) -> list[Leave]:
    """Leave overlapping ``[since, until)`` (aware instants), of ``login`` only if given."""
    service.hall(slug)
    with service.store.reader(slug) as r:
        return r.leaves(since, until, login)


def hall_calendar(service: QueueService, slug: str, first: date, last: date) -> HallCalendar:
    """The hall's calendar with its stored overrides of ``[first, last]`` (the hall file's and the
    dashboard's, the dashboard's winning) over the national calendar."""
    hall = service.hall(slug)
    check_range(first, last)
    with service.store.reader(slug) as r:
        overrides = r.calendar_overrides(first, last)
    return HallCalendar(hall.hours, overrides)


def calendar_days(service: QueueService, slug: str, first: date, last: date) -> list[CalendarDay]:
    """What each day of ``[first, last]`` is for the hall (``HallCalendar``: its own dates, then
    China's holidays and 调休, then the weekly pattern, flagged ``beyond_data``)."""
    calendar = hall_calendar(service, slug, first, last)
    return [calendar.day(d) for d in days_of(first, last)]
