"""Rosters as people read them: the roster of a range (the published version in force on each
day, and the drafts), a clerk's duties for a day and its week ("my duties"), the week grid
(staff × day) and the noon coverage of a day.

On each day the published version with the highest number that covers it is in force; a
draft, when asked for, stands in on the days it covers (a manager previewing it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..rules.roster_coverage import NoonCoverage, noon_coverage
from ..service import QueueService
from ..staffing import Assignment, Leave, LeaveKind, Roster, RosterState, StaffMember
from .staffing import check_range, days_of


@dataclass(frozen=True, slots=True)
class RosterRange:
    """The rosters of ``[first, last]``: the published versions in force on some day of it
    (``in_force``: day → roster id) and the drafts overlapping it."""

    first: date
    last: date
    published: tuple[Roster, ...]
    drafts: tuple[Roster, ...]
    in_force: Mapping[date, int] = field(default_factory=dict)

    def ruling(self, day: date, *, draft: bool = False) -> Roster | None:
        """The roster that says who works on ``day`` (a draft covering it, if ``draft``)."""
        if draft:
            found = next((r for r in self.drafts if r.first <= day <= r.last), None)
            if found is not None:
                return found
        rid = self.in_force.get(day)
        return next((r for r in self.published if r.id == rid), None)

    def on(self, day: date, *, draft: bool = False) -> tuple[Assignment, ...]:
        roster = self.ruling(day, draft=draft)
        return tuple(a for a in roster.assignments if a.day == day) if roster else ()

    def assignments(self, *, draft: bool = False) -> tuple[Assignment, ...]:
        """Every duty of the range as in force (or as the drafts would make it)."""
        return tuple(a for d in days_of(self.first, self.last) for a in self.on(d, draft=draft))


def rosters_in(rosters: Sequence[Roster], first: date, last: date) -> RosterRange:
    published = [r for r in rosters if r.state is RosterState.PUBLISHED]
    in_force: dict[date, int] = {}
    for day in days_of(first, last):
        newest = max((r for r in published if r.first <= day <= r.last), key=lambda r: r.version, default=None)
        if newest is not None and newest.id is not None:
            in_force[day] = newest.id
    ruling = set(in_force.values())
    drafts = [r for r in rosters if r.state is RosterState.DRAFT]  # by first day: saving one replaces overlaps
    return RosterRange(first, last, tuple(r for r in published if r.id in ruling), tuple(drafts), in_force)


def roster_range(service: QueueService, slug: str, first: date, last: date) -> RosterRange:
    service.hall(slug)
    check_range(first, last)
    with service.store.reader(slug) as r:
        return rosters_in(r.rosters(first, last), first, last)


def roster(service: QueueService, slug: str, roster_id: int) -> Roster | None:
    service.hall(slug)
    with service.store.reader(slug) as r:
        return r.roster(roster_id)


def _day_span(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class _Read:
    staff: list[StaffMember]
    rosters: RosterRange
    leave: list[Leave]


def _read(service: QueueService, slug: str, first: date, last: date, login: str | None = None) -> _Read:
    """Staff, rosters and leave of ``[first, last]`` in one read, so they agree."""
    hall = service.hall(slug)
    check_range(first, last)
    with service.store.reader(slug) as r:
        since, until = _day_span(first, hall.tz)[0], _day_span(last, hall.tz)[1]
        return _Read(r.staff(), rosters_in(r.rosters(first, last), first, last), r.leaves(since, until, login))


# -- my duties ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Duties:
    """A clerk's published duties: ``today``'s, each day of its week (Monday first), and their
    leave that week."""

    login: str
    day: date
    today: tuple[Assignment, ...]
    week: tuple[tuple[date, tuple[Assignment, ...]], ...]
    leave: tuple[Leave, ...]


def my_duties(service: QueueService, slug: str, login: str, day: date) -> Duties:
    monday = monday_of(day)
    week = days_of(monday, monday + timedelta(days=6))
    read = _read(service, slug, week[0], week[-1], login)
    by_day = tuple((d, tuple(a for a in read.rosters.on(d) if a.login == login)) for d in week)
    return Duties(login, day, dict(by_day)[day], by_day, tuple(read.leave))


# -- the week grid --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GridCell:
    day: date
    shifts: tuple[str, ...]  # shift codes of the clerk's duties that day (usually one)
    posts: tuple[str | None, ...]  # each duty's post (None: a floater)
    leave: tuple[LeaveKind, ...]  # kinds of leave overlapping the day
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class GridRow:
    login: str
    name: str
    active: bool
    cells: tuple[GridCell, ...]


@dataclass(frozen=True, slots=True)
class WeekGrid:
    """Staff × the seven days of the week starting ``monday``: who works which shift, who is away."""

    monday: date
    days: tuple[date, ...]
    rows: tuple[GridRow, ...]
    draft: bool  # the drafts stand in where they cover a day


def week_grid(service: QueueService, slug: str, day: date, *, draft: bool = False) -> WeekGrid:
    """The grid of the week holding ``day``: the active staff, and anyone inactive who still has a
    duty or leave in it."""
    tz = service.hall(slug).tz
    days = tuple(days_of(monday_of(day), monday_of(day) + timedelta(days=6)))
    read = _read(service, slug, days[0], days[-1])
    duties = {d: read.rosters.on(d, draft=draft) for d in days}
    rows: list[GridRow] = []
    for member in read.staff:
        cells = []
        for d in days:
            mine = [a for a in duties[d] if a.login == member.login]
            start, end = _day_span(d, tz)
            away = tuple(lv.kind for lv in read.leave if lv.login == member.login and lv.covers(start, end))
            cells.append(
                GridCell(
                    d, tuple(a.shift for a in mine), tuple(a.post for a in mine), away, any(a.pinned for a in mine)
                )
            )
        if member.active or any(c.shifts or c.leave for c in cells):
            rows.append(GridRow(member.login, member.name, member.active, tuple(cells)))
    return WeekGrid(days[0], days, tuple(rows), draft)


# -- noon coverage --------------------------------------------------------------


def noon_coverage_of(service: QueueService, slug: str, day: date, *, draft: bool = False) -> NoonCoverage:
    """``day``'s noon period per slot: clerks on duty and the services nobody on duty can serve
    (every service of the hall file must stay servable), from the roster in force (or the draft)."""
    hall = service.hall(slug)
    read = _read(service, slug, day, day)
    staff = {m.login: m for m in read.staff}
    services = [s.code for s in hall.services]
    return noon_coverage(day, hall.tz, hall.noon, read.rosters.on(day, draft=draft), staff, services, read.leave)
