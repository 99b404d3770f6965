"""The windows a roster keeps open when no planner says: the staff's week shared out."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

from queue_server.rules.roster_demand import daily_windows, staffed_demand
from queue_server.rules.roster_solver import solve
from queue_server.staffing import Leave, LeaveKind, NoonPolicy, Post

from .roster_support import HALL, MON, SAT, STAFF, WED, at, days, problem


def test_every_post_is_open_when_the_staff_can_hold_them() -> None:
    # six clerks, three posts, 35 working hours a week each: every post all day
    p = problem()
    assert set(daily_windows(p).values()) == {3}
    demand = staffed_demand(p)
    assert demand[MON, 40] == 3  # 10:00
    assert demand[MON, 48] == 1  # 12:00: the noon policy's minimum, lunches are taken then


def test_more_windows_than_clerks_asks_for_what_the_week_can_give() -> None:
    # twelve posts for six clerks of five 7-hour days: six windows each workday, not twelve
    posts = tuple(Post(HALL, f"P{n}", n, ("A",)) for n in range(1, 13))
    p = problem(posts=posts)
    assert [daily_windows(p)[MON + timedelta(days=i)] for i in range(5)] == [6] * 5


def test_weekend_duty_is_a_rota_and_leave_takes_its_days() -> None:
    posts = tuple(Post(HALL, f"P{n}", n, ("A",)) for n in range(1, 13))
    week = days(MON, 7, saturday=True)
    leave = (Leave(None, HALL, "f1", LeaveKind.LEAVE, at(MON, 0), at(MON + timedelta(days=7), 0)),)
    p = problem(posts=posts, days=week, leave=leave, noon=NoonPolicy(time(12), time(13), 2))
    daily = daily_windows(p)
    assert daily[SAT] == 2  # the noon minimum on a day off, from five clerks present
    # five clerks × 38 h (35 h of workdays and Saturday's 3 h fit in 40), less Saturday's 2 × 3 h,
    # over five 7-hour days: 5 windows, every clerk present
    assert daily[WED] == 5 == len(STAFF) - 1
    short = replace(p, limits=replace(p.limits, max_week_minutes=30 * 60))
    # five × 30 h, less 6 h, over 35 h of workday: 4 windows
    assert daily_windows(short)[WED] == 4


def test_the_solver_meets_the_staffed_demand_where_one_per_post_cannot_be_met() -> None:
    posts = tuple(Post(HALL, f"P{n}", n, ("A", "B", "C")) for n in range(1, 13))
    p = problem(posts=posts)
    assert not solve(p).hard_ok  # twelve windows all day from six clerks
    answer = solve(replace(p, demand=staffed_demand(p)))
    assert answer.hard_ok, [v.message for v in answer.violations]
