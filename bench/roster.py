"""Roster solver: a month for a hall of 40 windows and 60 staff, against a bare coverage model.

Requirement: a month's roster meeting every hard rule, with noon and weekend duty spreads
of at most 1, in at most 10 s of wall time on 2 cores.

    .venv/bin/python -m bench.roster [--rounds 3] [--windows 40] [--staff 60] [--time-limit 9]

The hall is generated (seeded): 12 services in 6 departments, each clerk able to serve 3-8
of them (their department's and some others; service M only 6 clerks know), 40 posts held
in A/B pairs by 40 clerks (partners back each other's post), 20 floaters, about 5 % of the
clerk-days on leave in runs of 1-3 days (never both of a pair on one day). March 2026 (no
public holiday): open 08:30-17:30 on the 22 workdays and 09:00-12:00 on the 4 Saturdays
(10 windows), noon service 12:00-14:00 with at least 24 of the 40 windows. Shifts: the day
shift (an hour's lunch placed 12:00-14:00), two noon-duty shifts (an hour's lunch placed
10:45-12:00 or 14:00-15:15) and the Saturday morning.

Project: ``roster_solver.solve`` on that problem with ``--time-limit`` (CP-SAT's own limit,
shared by its stages), timed with perf_counter around the whole call (building the model,
the stages, placing lunches and posts, checking the answer); the roster is checked again
with ``roster_check.check``. The stability stage (A holders at their posts) usually runs to
the limit: its objective and bound are printed.
Baseline, in the same run: a bare CP-SAT model of the same size (shift templates only, no
lunch placement, skills, A/B pairs, fairness or stability): one shift a day at most, leave,
the weekly hours, and the windows required per template span, minimising the windows short.
Rounds alternate which side goes first. The exit code is always 0.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import chinese_calendar
from ortools.sat.python import cp_model

from queue_server.rules.roster_check import check
from queue_server.rules.roster_problem import RosterAnswer, RosterDay, RosterProblem, required_windows, slot_of
from queue_server.rules.roster_solver import solve
from queue_server.staffing import (
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

from ._common import machine_line, median, table, verdict

HALL = "bench"
TZ = ZoneInfo("Asia/Shanghai")
TARGET_S = 10.0
SERVICES = tuple("ABCDEFGHJKLM")  # I is skipped: it reads like 1 on LED screens
DEPARTMENTS = ("公安", "社保", "医保", "不动产", "市场监管", "税务")
RARE = "M"  # a service only a few clerks know
RARE_KNOWN_BY = (10, 11, 22, 23, 46, 47)
SATURDAY_WINDOWS = 10
NOON_WINDOWS = 24
FIRST = date(2026, 3, 1)  # a month with no public holiday: 22 workdays and 4 Saturdays open


def month_days(first: date) -> list[CalendarDay]:
    out, day = [], first
    while day.month == first.month:
        _, name = chinese_calendar.get_holiday_detail(day)
        if chinese_calendar.is_workday(day):
            kind = DayKind.WORKDAY if day.weekday() < 5 else DayKind.ADJUSTED_WORKDAY
        else:
            kind = DayKind.HOLIDAY if name else DayKind.WEEKEND
        out.append(CalendarDay(day, kind, name or "", "chinese_calendar"))
        day += timedelta(days=1)
    return out


def templates() -> tuple[ShiftTemplate, ...]:
    t = clock_time
    return (
        ShiftTemplate(HALL, "DAY", "日班", "Day", t(8, 30), t(17, 30), 60, t(12), t(14)),
        ShiftTemplate(HALL, "NE", "午班（早餐）", "Noon, early lunch", t(8, 30), t(17, 30), 60, t(10, 45), t(12), True),
        ShiftTemplate(HALL, "NL", "午班（晚餐）", "Noon, late lunch", t(8, 30), t(17, 30), 60, t(14), t(15, 15), True),
        ShiftTemplate(HALL, "SAT", "周六班", "Saturday", t(9), t(12)),
    )


def _hours(cal: CalendarDay) -> RosterDay:
    """Workdays (调休 Saturdays too) 08:30-17:30 on the weekday shifts; other Saturdays 09:00-12:00."""
    if cal.is_workday:
        return RosterDay(cal, (clock_time(8, 30), clock_time(17, 30)), ("DAY", "NE", "NL"))
    if cal.day.weekday() == 5 and cal.kind is DayKind.WEEKEND:
        return RosterDay(cal, (clock_time(9), clock_time(12)), ("SAT",))
    return RosterDay(cal, None)


def _clerks(rng: random.Random, staff: int, windows: int) -> list[StaffMember]:
    dept_services = {d: SERVICES[2 * i : 2 * i + 2] for i, d in enumerate(DEPARTMENTS)}
    out: list[StaffMember] = []
    for i in range(staff):
        dept = DEPARTMENTS[(i // 2) % len(DEPARTMENTS)]  # A/B partners share a department
        own = [s for s in dept_services[dept] if s != RARE or i in RARE_KNOWN_BY]
        others = [s for s in SERVICES if s not in own and s != RARE]
        extra = rng.sample(others, rng.randint(max(0, 3 - len(own)), 8 - len(own)))
        skills = tuple(Skill(s) for s in [*own, *extra])
        partner = f"c{i ^ 1:02d}" if i < windows else None
        out.append(StaffMember(HALL, f"c{i:02d}", f"Clerk {i}", dept, skills, partner))
    return out


def bench_problem(seed: int, windows: int = 40, staff: int = 60, time_limit_s: float = 30.0) -> RosterProblem:
    rng = random.Random(seed)
    clerks = _clerks(rng, staff, windows)
    # A post serves its A holder's department services and one more they know; B knows them too.
    posts = []
    for k in range(windows):
        a, b = clerks[k], clerks[k ^ 1]
        both = [s.service for s in a.skills if b.can_serve(s.service)]
        posts.append(Post(HALL, f"P{k + 1:02d}", k + 1, tuple(both[:3]), a=a.login, b=b.login))
    days = tuple(_hours(c) for c in month_days(FIRST))
    leave = tuple(_leave(rng, days, [c.login for c in clerks]))
    noon = NoonPolicy(clock_time(12), clock_time(14), NOON_WINDOWS)
    problem = RosterProblem(HALL, TZ, days, tuple(clerks), templates(), tuple(posts), leave, noon)
    demand = required_windows(problem)
    for d in days:
        if d.templates == ("SAT",):
            demand.update({(d.day, s): SATURDAY_WINDOWS for s in d.slots()})
    return replace(problem, demand=demand, time_limit_s=time_limit_s)


def _leave(rng: random.Random, days: tuple[RosterDay, ...], logins: list[str]) -> Iterator[Leave]:
    """About 5 % of the clerk-days open, in runs of 1-3 calendar days; never both of a pair on one day."""
    open_days = [d.day for d in days if d.hours is not None]
    away: set[tuple[str, date]] = set()
    target = round(0.05 * len(open_days) * len(logins))
    n = 0
    while len(away) < target:
        login = rng.choice(logins)
        first = rng.choice(open_days)
        last = first + timedelta(days=rng.randint(1, 3))
        run = [d for d in open_days if first <= d < last]
        partner = f"c{int(login[1:]) ^ 1:02d}"
        if any((partner, d) in away or (login, d) in away for d in run):
            continue
        away.update((login, d) for d in run)
        n += 1
        start, end = datetime.combine(first, clock_time(0), tzinfo=TZ), datetime.combine(last, clock_time(0), tzinfo=TZ)
        yield Leave(n, HALL, login, LeaveKind.LEAVE, start, end)


# -- the bare baseline ---------------------------------------------------------------------


def bare_round(problem: RosterProblem) -> tuple[float, str, int, int]:
    """Shift templates covering the required windows, nothing else: (wall s, status, objective, bound)."""
    started = time.perf_counter()
    model = cp_model.CpModel()
    shifts: dict[tuple[str, date], list[tuple[ShiftTemplate, cp_model.IntVar]]] = {}
    for clerk in problem.clerks():
        for d in (d for d in problem.days if d.hours is not None):
            mine = [
                (t, model.new_bool_var(f"x_{clerk.login}_{d.day}_{t.code}"))
                for t in problem.templates
                if d.allows(t) and not problem.on_leave(clerk.login, *problem.shift_bounds(d.day, t))
            ]
            shifts[clerk.login, d.day] = mine
            model.add_at_most_one(v for _, v in mine)
    weeks: dict[tuple[str, date], list[tuple[cp_model.IntVar, int]]] = {}
    for (login, day), mine in shifts.items():
        weeks.setdefault((login, day - timedelta(days=day.weekday())), []).extend((v, t.minutes) for t, v in mine)
    for terms in weeks.values():
        model.add(cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [c for _, c in terms]) <= 40 * 60)
    windows = required_windows(problem)
    short_terms: list[tuple[cp_model.IntVar, int]] = []
    for d in (d for d in problem.days if d.hours is not None):
        spans: dict[frozenset[str], int] = {}
        for s in d.slots():
            codes = frozenset(
                t.code for t in problem.templates if d.allows(t) and slot_of(t.start) <= s < slot_of(t.end)
            )
            spans[codes] = max(spans.get(codes, 0), windows.get((d.day, s), 0))
        for codes, need in spans.items():
            on = [v for c in problem.clerks() for t, v in shifts[c.login, d.day] if t.code in codes]
            short = model.new_int_var(0, need, f"short_{d.day}_{len(codes)}")
            model.add(cp_model.LinearExpr.sum(on) + short >= need)
            short_terms.append((short, 1))
    model.minimize(cp_model.LinearExpr.weighted_sum([v for v, _ in short_terms], [c for _, c in short_terms]))
    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = problem.workers
    solver.parameters.max_time_in_seconds = problem.time_limit_s
    status = solver.solve(model)
    wall = time.perf_counter() - started
    return wall, solver.status_name(status), round(solver.objective_value), round(solver.best_objective_bound)


# -- the project ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRound:
    wall_s: float
    answer: RosterAnswer
    rules_met: bool  # checked again: no hard rule broken, both spreads at most 1


def project_round(problem: RosterProblem) -> ProjectRound:
    started = time.perf_counter()
    answer = solve(problem)
    wall = time.perf_counter() - started
    report = check(problem, answer.assignments)
    met = not report.violations and report.penalties.noon_spread <= 1 and report.penalties.weekend_spread <= 1
    return ProjectRound(wall, answer, met)


def stages_text(answer: RosterAnswer) -> str:
    return ", ".join(f"{s.name} {s.objective}/{s.bound} {s.wall_s:.1f}s" for s in answer.stages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.roster", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side; medians are printed (default 3)")
    parser.add_argument("--windows", type=int, default=40, help="windows, one post each (default 40)")
    parser.add_argument("--staff", type=int, default=60, help="clerks (default 60)")
    parser.add_argument("--time-limit", type=float, default=9.0, help="the solver's time limit in s (default 9)")
    parser.add_argument("--seed", type=int, default=20260301, help="random seed of the hall")
    args = parser.parse_args(argv)
    problem = bench_problem(args.seed, args.windows, args.staff, args.time_limit)
    open_days = sum(1 for d in problem.days if d.hours is not None)
    away = sum(
        1
        for c in problem.clerks()
        for d in problem.days
        if d.hours and problem.on_leave(c.login, *problem.day_bounds(d))
    )
    share = away / (open_days * args.staff)
    print(f"roster: {args.windows} windows, {args.staff} staff, {FIRST:%B %Y} ({open_days} open days), "
          f"{away} clerk-days on leave ({share:.1%}), time limit {args.time_limit:g} s")  # fmt: skip
    print(f"  machine: {machine_line()}")
    project: list[ProjectRound] = []
    bare: list[tuple[float, str, int, int]] = []
    for r in range(args.rounds):
        for side in ("project", "bare") if r % 2 == 0 else ("bare", "project"):
            if side == "project":
                project.append(project_round(problem))
            else:
                bare.append(bare_round(problem))
        p, b = project[-1], bare[-1]
        soft = p.answer.penalties
        print(f"  round {r + 1}: project {p.wall_s:.2f} s {p.answer.status} ({stages_text(p.answer)}), "
              f"rules met: {p.rules_met}, spreads noon {soft.noon_spread} weekend {soft.weekend_spread}, "
              f"A holders absent {soft.a_absent}; bare {b[0]:.2f} s {b[1]} {b[2]}/{b[3]}")  # fmt: skip
    p_wall, b_wall = median([p.wall_s for p in project]), median([b[0] for b in bare])
    met = all(p.rules_met for p in project)
    ok = met and p_wall <= TARGET_S
    last = project[-1].answer
    print()
    print(
        table(
            ["", "wall (median)", "status (last)", "objective / bound (last)"],
            [
                ["project: solve() of the month", f"{p_wall:.2f} s", last.status.value,
                 " ".join(f"{s.name} {s.objective}/{s.bound}" for s in last.stages)],
                ["baseline: bare coverage model", f"{b_wall:.2f} s", bare[-1][1], f"{bare[-1][2]}/{bare[-1][3]}"],
                ["ratio project/bare", f"{p_wall / b_wall:.1f}x", "", ""],
            ],
        )
    )  # fmt: skip
    print(f"  every round's roster meets every hard rule with spreads <= 1: {met}")
    print(f"  target: <= {TARGET_S:g} s with every rule met: {verdict(ok)}")
    print(f"SUMMARY roster: project {p_wall:.2f} s (rules met: {met}) vs bare {b_wall:.2f} s, "
          f"ratio {p_wall / b_wall:.1f}x; {verdict(ok)}")  # fmt: skip
    print(f"machine at the end: {machine_line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
