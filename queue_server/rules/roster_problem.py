"""A roster to make, and what came of it: the solver's input and answer, and the texts that
explain a broken rule.

Times of day are the hall's wall clock, cut into ``SLOT_MINUTES`` slots numbered from
midnight (slot 49 is 12:15–12:30); assignments and leave are aware datetimes, read in
``RosterProblem.tz``. The solver and the checker share these definitions, so the
violations the solver reports are exactly what the checker finds in its roster.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo

from ..staffing import (
    SLOT_MINUTES,
    Assignment,
    CalendarDay,
    DayKind,
    Leave,
    NoonPolicy,
    OpeningHours,
    Post,
    ShiftTemplate,
    StaffMember,
)

Slot = tuple[date, int]  # (day, slot of that day)


def slot_of(at: time) -> int:
    """The slot ``at`` falls in."""
    return (at.hour * 60 + at.minute) // SLOT_MINUTES


def slot_time(slot: int) -> time:
    """When ``slot`` starts (slot 96 is the day's end, shown as 24:00's stand-in 23:59)."""
    minutes = slot * SLOT_MINUTES
    return time(minutes // 60, minutes % 60) if minutes < 24 * 60 else time(23, 59)


def span_slots(start: time, end: time) -> range:
    """The slots from ``start`` up to ``end``."""
    return range(slot_of(start), slot_of(end))


@dataclass(frozen=True, slots=True)
class RosterDay:
    """One day of the period: what the calendar says, the hall's hours (None: closed), and the
    shift codes allowed that day (None: every template within the hours)."""

    calendar: CalendarDay
    hours: tuple[time, time] | None
    templates: tuple[str, ...] | None = None

    @property
    def day(self) -> date:
        return self.calendar.day

    @property
    def open_workday(self) -> bool:
        """Open on a workday: every post is held, by its A holder when they can (a weekend
        day's reduced service is a rota, see ``weekend_duty``)."""
        return self.hours is not None and self.calendar.is_workday

    @property
    def weekend_duty(self) -> bool:
        """Working today counts as weekend duty: the hall opens on a day off (周末, 节假日)."""
        return self.hours is not None and not self.calendar.is_workday

    def slots(self) -> range:
        return span_slots(*self.hours) if self.hours else range(0)

    def allows(self, template: ShiftTemplate) -> bool:
        if self.hours is None:
            return False
        if self.templates is not None:
            return template.code in self.templates
        return self.hours[0] <= template.start and template.end <= self.hours[1]


def roster_days(calendar: Iterable[CalendarDay], hours: OpeningHours) -> tuple[RosterDay, ...]:
    """The period's days with the hall's weekly hours: closed on holidays, a 调休 workday kept
    with Monday's hours (it stands in for a weekday), any other day with its weekday's."""
    out: list[RosterDay] = []
    for cal in calendar:
        if cal.kind is DayKind.HOLIDAY:
            opening = None
        elif cal.kind is DayKind.ADJUSTED_WORKDAY:
            opening = hours.on(0)
        else:
            opening = hours.on(cal.day.weekday())
        out.append(RosterDay(cal, opening))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Limits:
    """Per clerk: working minutes in a calendar week, rest between two shifts, days in a row."""

    max_week_minutes: int = 40 * 60
    min_rest_minutes: int = 11 * 60
    max_consecutive_days: int = 6


@dataclass(frozen=True, slots=True)
class RosterProblem:
    """What the solver needs. ``demand``: open windows required per slot, ``services``: what
    must be servable per slot (None: derived, see ``required_windows`` and ``required_services``).
    ``previous``: the published roster's assignments (changes from it cost), ``pinned``: kept
    exactly. ``time_limit_s`` is the solver's own wall-time limit."""

    hall: str
    tz: tzinfo
    days: tuple[RosterDay, ...]
    staff: tuple[StaffMember, ...]
    templates: tuple[ShiftTemplate, ...]
    posts: tuple[Post, ...]
    leave: tuple[Leave, ...] = ()
    noon: NoonPolicy | None = None
    demand: Mapping[Slot, int] | None = None
    services: Mapping[Slot, frozenset[str]] | None = None
    limits: Limits = field(default_factory=Limits)
    previous: tuple[Assignment, ...] = ()
    pinned: tuple[Assignment, ...] = ()
    time_limit_s: float = 10.0
    workers: int = 2

    def at(self, day: date, slot: int) -> datetime:
        """The instant ``slot`` of ``day`` starts."""
        return datetime.combine(day, slot_time(slot), tzinfo=self.tz)

    def template(self, code: str) -> ShiftTemplate | None:
        return next((t for t in self.templates if t.code == code), None)

    def clerks(self) -> tuple[StaffMember, ...]:
        return tuple(s for s in self.staff if s.active)

    def on_leave(self, login: str, start: datetime, end: datetime) -> bool:
        return any(lv.login == login and lv.covers(start, end) for lv in self.leave)

    def shift_bounds(self, day: date, template: ShiftTemplate) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, template.start, tzinfo=self.tz),
            datetime.combine(day, template.end, tzinfo=self.tz),
        )

    def day_bounds(self, day: RosterDay) -> tuple[datetime, datetime]:
        """The open hours of ``day`` as instants (an empty span when closed)."""
        first, last = (day.hours[0], day.hours[1]) if day.hours else (time(0), time(0))
        return datetime.combine(day.day, first, tzinfo=self.tz), datetime.combine(day.day, last, tzinfo=self.tz)

    def noon_slots(self) -> range:
        return span_slots(self.noon.start, self.noon.end) if self.noon else range(0)


def required_windows(problem: RosterProblem) -> dict[Slot, int]:
    """Windows to keep open per open slot: the problem's own, or one per post outside the noon
    period and the noon policy's minimum inside it."""
    if problem.demand is not None:
        return dict(problem.demand)
    noon = set(problem.noon_slots())
    minimum = problem.noon.min_windows if problem.noon else len(problem.posts)
    return {(d.day, s): (minimum if s in noon else len(problem.posts)) for d in problem.days for s in d.slots()}


def required_services(problem: RosterProblem) -> dict[Slot, frozenset[str]]:
    """Services someone on duty must be able to serve per open slot: the problem's own, or every
    service of the posts."""
    if problem.services is not None:
        return dict(problem.services)
    every = frozenset(svc for p in problem.posts for svc in p.services)
    return {(d.day, s): every for d in problem.days for s in d.slots()}


def lunch_starts(template: ShiftTemplate) -> tuple[int, ...]:
    """The slots a template's lunch break may start in (none: no break, or no room for one)."""
    if template.lunch_minutes <= 0:
        return ()
    first = slot_of(template.lunch_earliest or template.start)
    last = slot_of(template.lunch_latest or template.end) - lunch_slots(template)
    return tuple(range(first, last + 1))


def lunch_slots(template: ShiftTemplate) -> int:
    """How many slots the lunch break takes."""
    return -(-template.lunch_minutes // SLOT_MINUTES)


def fairness_group(problem: RosterProblem) -> frozenset[str]:
    """Clerks whose duty counts are held level (noon duty, weekend duty): the active ones with
    no leave on an open day of the period; someone on leave is held to a pro-rated share."""
    out: set[str] = set()
    for clerk in problem.clerks():
        away = any(d.hours is not None and problem.on_leave(clerk.login, *problem.day_bounds(d)) for d in problem.days)
        if not away:
            out.add(clerk.login)
    return frozenset(out)


def ab_pairs(problem: RosterProblem) -> list[tuple[str, str, str]]:
    """(post, A, B) once per pair of clerks: partners backing each other's posts are one pair."""
    seen: set[frozenset[str]] = set()
    out = []
    for post in problem.posts:
        if post.a and post.b and post.a != post.b and (pair := frozenset((post.a, post.b))) not in seen:
            seen.add(pair)
            out.append((post.code, post.a, post.b))
    return out


# -- the answer ------------------------------------------------------------------------


class RosterStatus(enum.StrEnum):
    OPTIMAL = "optimal"  # every rule met, and nothing better exists
    FEASIBLE = "feasible"  # every rule met, better not ruled out within the time limit
    INFEASIBLE = "infeasible"  # the rules cannot all be met: the violations say where
    UNKNOWN = "unknown"  # rules still broken when the time ran out


class Rule(enum.StrEnum):
    COVERAGE = "coverage"  # required windows open
    SKILL = "skill"  # a required service servable by someone on duty
    LEAVE = "leave"  # nobody rostered while away
    AB_AWAY = "ab_away"  # a post's A and B not both away on an open day
    AB_LUNCH = "ab_lunch"  # nor both at lunch in one slot
    WEEK_HOURS = "week_hours"
    REST = "rest"
    CONSECUTIVE = "consecutive"
    PINNED = "pinned"  # a manager's pinned duty kept
    DOUBLE = "double"  # one duty per clerk and day
    SHAPE = "shape"  # a duty as its template says (known clerk and shift, open day, lunch in place)


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken rule: where (day, slots ``[slot, slot_end)``) and whom it concerns, and why in
    Chinese and English."""

    rule: Rule
    day: date | None
    zh: str
    en: str
    slot: int | None = None
    slot_end: int | None = None
    service: str | None = None
    post: str | None = None
    login: str | None = None
    amount: int = 1  # windows short, minutes over, days over...

    @property
    def message(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True, slots=True)
class Penalties:
    """The soft rules' measure: spreads of duty counts in the fairness group, changes from the
    previous roster (a clerk-day whose shift differs), and post-days of open workdays whose A
    holder is not on leave yet not at the post."""

    noon_spread: int = 0
    weekend_spread: int = 0
    changes: int = 0
    a_absent: int = 0


@dataclass(frozen=True, slots=True)
class Stage:
    """One lexicographic stage of the solve: what it minimised, the value reached and the bound."""

    name: str
    status: str
    objective: int
    bound: int
    wall_s: float


@dataclass(frozen=True, slots=True)
class RosterAnswer:
    assignments: tuple[Assignment, ...]
    status: RosterStatus
    objective: tuple[int, ...]  # per stage, lexicographic
    bound: tuple[int, ...]
    wall_s: float
    violations: tuple[Violation, ...]
    penalties: Penalties
    stages: tuple[Stage, ...] = ()

    @property
    def hard_ok(self) -> bool:
        return not self.violations
