"""The words of staffing a hall, as types: staff, shift templates, posts, leave, rosters.

Plain data like ``domain``: the roster rules and the solver take these values, the store
keeps them, the pages show them. Times of day are the hall's local wall clock; instants
(a leave, an assignment) are aware datetimes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time

SLOT_MINUTES = 15  # the grain of coverage: required windows and lunch breaks are checked per slot


class LeaveKind(enum.StrEnum):
    LEAVE = "leave"  # 请假
    OUT = "out"  # 外出 (on official business)
    TRAINING = "training"  # 培训


class RosterState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class DayKind(enum.StrEnum):
    WORKDAY = "workday"  # 工作日
    WEEKEND = "weekend"  # 周末 (no service unless the hall opens on it)
    HOLIDAY = "holiday"  # 法定节假日
    ADJUSTED_WORKDAY = "adjusted_workday"  # 调休上班: a weekend day worked instead of a holiday


@dataclass(frozen=True, slots=True)
class Skill:
    """A service a clerk can serve; ``weight`` is their proficiency (1.0 = fully, routing may prefer more)."""

    service: str
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class StaffMember:
    """One clerk of a hall (工作人员): the login is their account's."""

    hall: str
    login: str
    name: str
    department: str = ""  # 派驻部门
    skills: tuple[Skill, ...] = ()
    partner: str | None = None  # the A/B partner's login
    active: bool = True

    def can_serve(self, service: str) -> bool:
        """No skills on record: anything (as the hall file's staff list has always meant)."""
        return not self.skills or any(s.service == service for s in self.skills)


@dataclass(frozen=True, slots=True)
class ShiftTemplate:
    """A kind of shift (班次): from ``start`` to ``end``, with a lunch break of ``lunch_minutes``
    placed somewhere between ``lunch_earliest`` and ``lunch_latest`` (the break's start and end)."""

    hall: str
    code: str
    name_zh: str
    name_en: str
    start: time
    end: time
    lunch_minutes: int = 0
    lunch_earliest: time | None = None
    lunch_latest: time | None = None
    noon_duty: bool = False  # works through the noon period (its break is outside it)

    @property
    def minutes(self) -> int:
        """Working minutes, the lunch break excluded."""
        span = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        return span - self.lunch_minutes


@dataclass(frozen=True, slots=True)
class Post:
    """A post (岗位): by default one per window, needing the skills of what the window serves,
    held by ``a`` with ``b`` as the backup (AB岗)."""

    hall: str
    code: str
    window: int | None
    services: tuple[str, ...]
    a: str | None = None
    b: str | None = None


@dataclass(frozen=True, slots=True)
class Leave:
    """Someone away (请假, 外出, 培训) over ``[start, end)``."""

    id: int | None
    hall: str
    login: str
    kind: LeaveKind
    start: datetime
    end: datetime
    note: str = ""

    def covers(self, start: datetime, end: datetime) -> bool:
        """Whether the leave overlaps ``[start, end)``."""
        return self.start < end and start < self.end


@dataclass(frozen=True, slots=True)
class Assignment:
    """One clerk's duty on one day: ``post`` (None: a floater) on template ``shift``, with the
    lunch break placed; ``pinned`` by a manager's hand, which the solver keeps."""

    hall: str
    day: date
    login: str
    shift: str
    post: str | None
    start: datetime
    end: datetime
    lunch_start: datetime | None = None
    lunch_end: datetime | None = None
    pinned: bool = False

    def on_duty(self, at: datetime) -> bool:
        """At work (not at lunch) at ``at``."""
        if not self.start <= at < self.end:
            return False
        return not (
            self.lunch_start is not None and self.lunch_end is not None and self.lunch_start <= at < self.lunch_end
        )


@dataclass(frozen=True, slots=True)
class Roster:
    """A roster (排班表) of ``[first, last]``: a draft or a published version."""

    id: int | None
    hall: str
    first: date
    last: date
    state: RosterState
    version: int
    assignments: tuple[Assignment, ...]
    made_by: str
    made_at: datetime
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """When the hall serves on a weekday (0 = Monday); None: closed that weekday."""

    weekdays: tuple[tuple[time, time] | None, ...]  # seven entries, Monday first

    def on(self, weekday: int) -> tuple[time, time] | None:
        return self.weekdays[weekday]


@dataclass(frozen=True, slots=True)
class NoonPolicy:
    """中午不停歇: from ``start`` to ``end`` at least ``min_windows`` windows stay open, and every
    service issuing tickets then has someone on duty who can serve it."""

    start: time
    end: time
    min_windows: int


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """What a date is for the hall, and where that came from."""

    day: date
    kind: DayKind
    name: str = ""  # the holiday's name, if any
    source: str = "pattern"  # chinese_calendar | pattern | hall
    beyond_data: bool = False  # after the holiday data's last year: the weekly pattern guessed it

    @property
    def is_workday(self) -> bool:
        return self.kind in (DayKind.WORKDAY, DayKind.ADJUSTED_WORKDAY)
