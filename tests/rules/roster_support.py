"""A small hall to roster in the tests: fixed dates (the week of Monday 23 November 2026, and
the month of February 2026's workdays), two posts held in A/B pairs, a floater, services A, B,
C and H (only ``h1`` knows H)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.rules.roster_problem import RosterDay, RosterProblem
from queue_server.staffing import (
    Assignment,
    CalendarDay,
    DayKind,
    Leave,
    LeaveKind,
    NoonPolicy,
    Post,
    ShiftTemplate,
    Skill,
    StaffMember,
)

HALL = "t"
TZ = ZoneInfo("Asia/Shanghai")
MON = date(2026, 11, 23)
WED = MON + timedelta(days=2)
SAT = MON + timedelta(days=5)
HOURS = (time(9), time(17))

DAY = ShiftTemplate(HALL, "DAY", "日班", "Day", time(9), time(17), 60, time(11, 30), time(13, 30))
NOON = ShiftTemplate(HALL, "NOON", "午班", "Noon duty", time(9), time(17), 60, time(13), time(14, 30), noon_duty=True)
SHORT = ShiftTemplate(HALL, "AM", "上午班", "Morning", time(9), time(12))


def clerk(login: str, *services: str, partner: str | None = None) -> StaffMember:
    return StaffMember(HALL, login, login.upper(), "dept", tuple(Skill(s) for s in services), partner)


STAFF = (
    clerk("a1", "A", "B", partner="b1"),
    clerk("b1", "A", "B", partner="a1"),
    clerk("a2", "C", partner="b2"),
    clerk("b2", "C", partner="a2"),
    clerk("h1", "A", "C", "H"),
    clerk("f1", "A", "B", "C"),
)
POSTS = (
    Post(HALL, "P1", 1, ("A", "B"), a="a1", b="b1"),
    Post(HALL, "P2", 2, ("C",), a="a2", b="b2"),
    Post(HALL, "P3", 3, ("H",), a="h1"),
)


def days(first: date, count: int, saturday: bool = False) -> tuple[RosterDay, ...]:
    """``count`` days from ``first``: weekdays open 09:00-17:00, Saturdays open in the morning
    when ``saturday`` (weekend duty), Sundays closed."""
    out = []
    for i in range(count):
        d = first + timedelta(days=i)
        if d.weekday() < 5:
            out.append(RosterDay(CalendarDay(d, DayKind.WORKDAY), HOURS, ("DAY", "NOON")))
        elif d.weekday() == 5 and saturday:
            out.append(RosterDay(CalendarDay(d, DayKind.WEEKEND), (time(9), time(12)), ("AM",)))
        else:
            out.append(RosterDay(CalendarDay(d, DayKind.WEEKEND), None))
    return tuple(out)


def services(roster_days: tuple[RosterDay, ...]) -> dict[tuple[date, int], frozenset[str]]:
    """A, B and C whenever open; H over noon (12:00-13:00) only."""
    noon = range(48, 52)
    return {
        (d.day, s): frozenset({"A", "B", "C", "H"} if s in noon else {"A", "B", "C"})
        for d in roster_days
        for s in d.slots()
    }


def problem(**fields: Any) -> RosterProblem:
    """The week of MON with noon service 12:00-13:00 (at least one window), 2 s to solve."""
    week = fields.pop("days", days(MON, 7))
    base = RosterProblem(
        hall=HALL,
        tz=TZ,
        days=week,
        staff=STAFF,
        templates=(DAY, NOON, SHORT),
        posts=POSTS,
        noon=NoonPolicy(time(12), time(13), 1),
        services=services(week),
        time_limit_s=2.0,
    )
    return replace(base, **fields)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def duty(
    login: str,
    day: date,
    shift: ShiftTemplate = DAY,
    lunch: tuple[int, int] | None = (12, 0),
    post: str | None = None,
    pinned: bool = False,
) -> Assignment:
    """``login`` on ``shift`` that day, lunch starting at ``lunch`` (hour, minute) for the shift's length."""
    start = at(day, lunch[0], lunch[1]) if lunch and shift.lunch_minutes else None
    return Assignment(
        hall=HALL,
        day=day,
        login=login,
        shift=shift.code,
        post=post,
        start=at(day, shift.start.hour, shift.start.minute),
        end=at(day, shift.end.hour, shift.end.minute),
        lunch_start=start,
        lunch_end=start + timedelta(minutes=shift.lunch_minutes) if start else None,
        pinned=pinned,
    )


def away(login: str, day: date, days_: int = 1, id: int = 1) -> Leave:
    start = datetime.combine(day, time(0), tzinfo=TZ)
    return Leave(id, HALL, login, LeaveKind.LEAVE, start, start + timedelta(days=days_))


def good_week() -> list[Assignment]:
    """A roster of MON's week that breaks no rule: everyone on days, staggered lunches, h1 on noon duty."""
    out = []
    for i in range(5):
        d = MON + timedelta(days=i)
        out += [
            duty("a1", d, lunch=(11, 30), post="P1"),
            duty("b1", d, lunch=(12, 30)),
            duty("a2", d, lunch=(11, 30), post="P2"),
            duty("b2", d, lunch=(12, 30)),
            duty("h1", d, NOON, lunch=(13, 30), post="P3"),
        ]
    return out
