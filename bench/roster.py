"""Rosters: the solver on a month for 40 windows and 60 staff, and the runner's boundaries over 200 halls.

Requirements: a month's roster meeting every hard rule, with noon and weekend duty spreads of at
most 1, in at most 10 s of wall time on 2 cores (``--part solver``); running the day's boundaries
for 200 halls adds no visible latency to call-next: its p99 with and without the scheduler busy,
in one run (``--part boundaries``). ``--part all`` (the default) measures both.

    .venv/bin/python -m bench.roster [--part solver|boundaries|all] [--rounds 3] [--time-limit 9]
        [--halls 200] [--hall-windows 8] [--calls 300] [--boundary-rounds 3] [--pg URL]

Solver. The hall is generated (seeded): 12 services in 6 departments, each clerk able to serve
3-8 of them (their department's and some others; service M only 6 clerks know), 40 posts held
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
Rounds alternate which side goes first.

Boundaries. 200 generated halls of 8 windows in one store (SQLite in a temp dir; with ``--pg`` or
``$HALLQ_TEST_PG`` also a private PostgreSQL database, created and dropped WITH (FORCE)), each
with its staff, posts and a published roster (lunch 12:00-13:00, shifts 09:00-17:00; the measured
window, h000's window 1, eats at 13:00), served by a real uvicorn process running the app as
``run.build_app`` builds it, scheduler included, on a clock the benchmark sets
(bench/_roster_halls.py). Each round is one day: the windows opened at 08:55, tickets issued; the
clerk of h000 window 1 calls over HTTP (call-next timed, then an untimed no-show) (a) with no
roster job running and (b) while every hall's roster job runs in the server's scheduler at
12:00:02 (the 12:00 boundary: 1,599 lunch pauses) and then once more (a quiet pass, nothing to
do); rounds alternate which comes first. The rest of the day's boundaries (resume at 14:00,
close at 17:00) run untimed and their wall times are printed. The exit code is always 0.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import secrets
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
import httpx2 as httpx
import sqlalchemy as sa
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

from ._common import (
    PG_UNAVAILABLE,
    add_db_args,
    machine_line,
    median,
    percentile,
    pg_not_measured,
    pg_wanted,
    private_pg_database,
    safe_url,
    server_process,
    table,
    verdict,
)
from ._roster_halls import MEASURED, MEASURED_WINDOW, PASSWORD_ENV, bench_days, halls_config, local, prepare

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


# -- the day's boundaries over many halls ----------------------------------------------------

# "No visible latency": the p99 of call-next while the runner works stays within 1.5 x its idle
# p99, or within 20 ms of it. A clerk's button answered within ~100 ms feels immediate; the idle
# p99 here is a few ms, so 1.5 x alone would flag a few ms of noise on a shared 2-core machine,
# while 20 ms more stays far below what a clerk or the hall screen could notice.
BUSY_RATIO = 1.5
BUSY_SLACK_S = 0.020
CALL_PATH = f"/api/halls/{MEASURED}/windows/{MEASURED_WINDOW}"


def add_boundary_args(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--halls", type=int, default=200, help="halls (default 200)")
    group.add_argument("--hall-windows", type=int, default=8, help="windows per hall (default 8)")
    group.add_argument("--calls", type=int, default=300, help="idle call-next per round (default 300)")
    group.add_argument("--boundary-rounds", type=int, default=3, help="rounds, one day each (default 3)")
    group.add_argument("--tickets", type=int, default=2500, help="tickets issued at the measured hall per day")
    group.add_argument("--no-sqlite", action="store_true", help="skip SQLite (only with --pg)")
    group.add_argument(
        "--roster-threads",
        type=int,
        default=0,
        help="an experiment: the roster jobs on a pool of N threads of their own, not the scheduler's roster "
        "executor (one thread, as in production)",
    )


@dataclass
class Pass:
    label: str
    start: float
    end: float
    server: dict[str, Any]

    def text(self) -> str:
        s = self.server
        if "error" in s:
            return f"{self.label}: {s['error']}"
        steps = ", ".join(f"{n} {k}" for k, n in sorted(s["done"].items())) or "nothing to do"
        failed = f", failed {s['failed']}" if s["failed"] else ""
        jobs = f", job failures {s['job_failures']}" if s["job_failures"] else ""
        return f"{self.label} {s['wall_s']:.2f} s ({steps}{failed}{jobs}; slowest hall {s['slowest_hall_s']:.2f} s)"


@dataclass
class BoundaryRound:
    idle: list[float] = field(default_factory=list)
    boundary: list[float] = field(default_factory=list)  # calls started during the 12:00 pass
    quiet: list[float] = field(default_factory=list)  # calls started during the quiet pass after it
    passes: dict[str, Pass] = field(default_factory=dict)
    problems: Counter[str] = field(default_factory=Counter)

    @property
    def busy(self) -> list[float]:
        return self.boundary + self.quiet


class Clerk:
    """The measured window's clerk over HTTP: a timed call-next, then, untimed, a no-show (the
    window is free again for the next call and for the runner)."""

    def __init__(self, base: str, bearer: str, problems: Counter[str]) -> None:
        headers = {"authorization": f"Bearer {bearer}"}
        self.http = httpx.Client(base_url=base, headers=headers, timeout=60, trust_env=False)
        self.problems = problems

    def call(self) -> tuple[float, float] | None:
        started = time.perf_counter()
        answer = self.http.post(f"{CALL_PATH}/call-next")
        elapsed = time.perf_counter() - started
        if answer.status_code != 200:
            self.problems[f"call-next {answer.status_code}"] += 1
            return None
        if (freed := self.http.post(f"{CALL_PATH}/no-show")).status_code != 200:
            self.problems[f"no-show {freed.status_code}"] += 1
        return started, elapsed


def run_pass(admin: httpx.Client, label: str, at: datetime | None) -> Pass:
    started = time.perf_counter()
    answer = admin.post("/_bench/pass", params={"at": at.isoformat()} if at else {})
    return Pass(label, started, time.perf_counter(), answer.json())


def busy_phase(admin: httpx.Client, clerk: Clerk, day: date, result: BoundaryRound) -> None:
    """The 12:00 boundary pass, then a quiet pass, in another thread; the clerk calls until both end."""
    passes: list[Pass] = []

    def drive() -> None:
        passes.append(run_pass(admin, "12:00 boundary", local(day, 12, 0, 2)))
        passes.append(run_pass(admin, "quiet pass", None))

    driver = threading.Thread(target=drive)
    driver.start()
    calls = []
    while driver.is_alive():
        if (timed := clerk.call()) is not None:
            calls.append(timed)
    driver.join()
    boundary, quiet = passes
    result.passes.update({"boundary": boundary, "quiet": quiet})
    result.boundary = [t for s, t in calls if s < boundary.end]
    result.quiet = [t for s, t in calls if s >= quiet.start]


def boundary_round(
    admin: httpx.Client, base: str, args: argparse.Namespace, day: date, idle_first: bool
) -> BoundaryRound:
    result = BoundaryRound()
    opened = admin.post("/_bench/day", params={"day": day.isoformat(), "tickets": args.tickets}).json()
    if opened["refused"]:
        result.problems["windows not opened"] += opened["refused"]
    clerk = Clerk(base, opened["bearer"], result.problems)
    for _ in range(10):  # warm-up
        clerk.call()

    def idle() -> None:
        result.idle = [t for _ in range(args.calls) if (timed := clerk.call()) is not None for t in timed[1:]]

    if idle_first:
        admin.post("/_bench/clock", params={"at": local(day, 11, 59).isoformat()})
        idle()
        busy_phase(admin, clerk, day, result)
    else:
        busy_phase(admin, clerk, day, result)
        idle()
    # The rest of the day, untimed: the lunches end, then the shifts.
    result.passes["resume"] = run_pass(admin, "14:00 resume", local(day, 14, 0, 2))
    result.passes["close"] = run_pass(admin, "17:00 close", local(day, 17, 0, 2))
    clerk.http.close()
    return result


def p99(values: list[float]) -> float:
    return percentile(values, 99) if values else float("nan")


def p50(values: list[float]) -> float:
    return median(values) if values else float("nan")


def over_rounds(values: list[float]) -> float:
    """The median over the rounds that have a figure (a quiet pass may end before any call starts)."""
    found = [v for v in values if not math.isnan(v)]
    return median(found) if found else float("nan")


def ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f} ms"


def boundaries_backend(name: str, url: str, args: argparse.Namespace, tmp: Path) -> str:
    """Prepare the halls on ``url``, serve them, measure; the summary's words for this backend."""
    config = halls_config(args.halls, args.hall_windows)
    days = bench_days(args.boundary_rounds)
    password = secrets.token_urlsafe(18)
    prepared = prepare(url, config, days, args.hall_windows, password)
    print(f"{name}: {args.halls} halls x {args.hall_windows} windows prepared in {prepared.seconds:.0f} s "
          f"({prepared.assignments:,} duties published over {len(days)} days, {days[0]}..{days[-1]})")  # fmt: skip
    env = {**os.environ, PASSWORD_ENV: password}
    server_args = [url, local(days[0], 7).isoformat(), "--halls", str(args.halls), "--windows", str(args.hall_windows)]
    server_args += ["--roster-threads", str(args.roster_threads)]
    rounds: list[BoundaryRound] = []
    with server_process("bench._roster_halls", server_args, tmp / f"server_{name}.log", env, 600, 30) as (_, fields):
        base = f"http://127.0.0.1:{fields[0]}"
        with httpx.Client(base_url=base, timeout=900, trust_env=False) as admin:
            if not admin.get("/healthz").json().get("is_leader"):
                print(f"  {name}: the server does not lead: nothing measured\n")
                return f"{name}: not measured (no leader)"
            for r, day in enumerate(days):
                rounds.append(boundary_round(admin, base, args, day, idle_first=r % 2 == 0))
                x = rounds[-1]
                order = "idle first" if r % 2 == 0 else "busy first"
                print(f"  round {r + 1} ({day}, {order}): idle p50/p99 {ms(p50(x.idle))}/{ms(p99(x.idle))} "
                      f"({len(x.idle)} calls), busy {ms(p50(x.busy))}/{ms(p99(x.busy))} ({len(x.boundary)} calls "
                      f"during the boundary, {len(x.quiet)} during the quiet pass)"
                      + (f"; problems {dict(x.problems)}" if x.problems else ""))  # fmt: skip
                print("    " + "; ".join(p.text() for p in x.passes.values()))
    idle99, busy99 = over_rounds([p99(x.idle) for x in rounds]), over_rounds([p99(x.busy) for x in rounds])
    bound99 = over_rounds([p99(x.boundary) for x in rounds])
    wall = over_rounds([x.passes["boundary"].server.get("wall_s", float("nan")) for x in rounds])
    quiet_wall = over_rounds([x.passes["quiet"].server.get("wall_s", float("nan")) for x in rounds])
    pauses = rounds[-1].passes["boundary"].server.get("done", {}).get("pause", 0)

    def row(label: str, picked: Callable[[BoundaryRound], list[float]]) -> list[str]:
        mid, tail = over_rounds([p50(picked(x)) for x in rounds]), over_rounds([p99(picked(x)) for x in rounds])
        return [label, ms(mid), ms(tail), str(sum(len(picked(x)) for x in rounds))]

    print()
    print(table(
        [f"{name}: call-next at {MEASURED} window {MEASURED_WINDOW} (HTTP)", "p50 (median)", "p99 (median)", "calls"],
        [
            row("idle: no roster job running", lambda x: x.idle),
            row("busy: during the 12:00 boundary pass or the quiet pass", lambda x: x.busy),
            row("  during the 12:00 boundary pass", lambda x: x.boundary),
            row("  during the quiet pass after it", lambda x: x.quiet),
            ["ratio busy p99 / idle p99", "", f"{busy99 / idle99:.2f}x", ""],
        ],
    ))  # fmt: skip
    others = ", ".join(
        f"{key} {over_rounds([x.passes[key].server.get('wall_s', float('nan')) for x in rounds]):.2f} s"
        for key in ("resume", "close")
    )
    print(f"  the {args.halls} halls' roster jobs (median wall): 12:00 boundary {wall:.2f} s ({pauses} lunch pauses), "
          f"quiet pass {quiet_wall:.2f} s; untimed rest of the day: {others}")  # fmt: skip
    ok = busy99 <= max(BUSY_RATIO * idle99, idle99 + BUSY_SLACK_S) and not any(x.problems for x in rounds)
    print(f"  target: busy p99 <= {BUSY_RATIO:g} x idle p99 or <= idle p99 + {BUSY_SLACK_S * 1000:.0f} ms, "
          f"no failed call: {verdict(ok)}")  # fmt: skip
    print()
    return (
        f"{name} call-next p99 idle {ms(idle99)}, busy {ms(busy99)} ({busy99 / idle99:.2f}x; during the boundary "
        f"{ms(bound99)}), 12:00 boundary {pauses} pauses in {wall:.2f} s; {verdict(ok)}"
    )


def boundaries_part(args: argparse.Namespace) -> str:
    print(f"boundaries: {args.halls} halls x {args.hall_windows} windows, one roster job per hall in the "
          f"server's scheduler; {args.calls} idle call-next per round, "
          f"{args.boundary_rounds} rounds (a day each)")  # fmt: skip
    print(f"  machine: {machine_line()}")
    parts = []
    with tempfile.TemporaryDirectory(prefix="hallq_bench_", dir=args.tmp) as d:
        tmp = Path(d)
        if not args.no_sqlite:
            parts.append(boundaries_backend("sqlite", f"sqlite:///{tmp / 'halls.db'}", args, tmp))
        if pg := pg_wanted(args):
            try:
                with private_pg_database(pg) as url:
                    name = sa.make_url(url).database
                    print(f"PostgreSQL at {safe_url(pg)}: private database {name} (dropped at the end)")
                    parts.append(boundaries_backend("postgres", url, args, tmp))
            except PG_UNAVAILABLE as exc:
                parts.append(pg_not_measured(exc))
    return "boundaries " + ("; ".join(parts) or "nothing measured")


def solver_part(args: argparse.Namespace) -> str:
    """The month's solve against the bare model; the summary's words for it."""
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
    print()
    return (
        f"solver {p_wall:.2f} s (rules met: {met}) vs bare {b_wall:.2f} s, ratio {p_wall / b_wall:.1f}x; {verdict(ok)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.roster", description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("solver", "boundaries", "all"), default="all", help="what to measure")
    solver = parser.add_argument_group("solver")
    solver.add_argument("--rounds", type=int, default=3, help="rounds per side; medians are printed (default 3)")
    solver.add_argument("--windows", type=int, default=40, help="windows, one post each (default 40)")
    solver.add_argument("--staff", type=int, default=60, help="clerks (default 60)")
    solver.add_argument("--time-limit", type=float, default=9.0, help="the solver's time limit in s (default 9)")
    solver.add_argument("--seed", type=int, default=20260301, help="random seed of the hall")
    add_boundary_args(parser.add_argument_group("boundaries"))
    add_db_args(parser)
    args = parser.parse_args(argv)
    parts = []
    if args.part in ("solver", "all"):
        parts.append(solver_part(args))
    if args.part in ("boundaries", "all"):
        parts.append(boundaries_part(args))
    print(f"machine at the end: {machine_line()}")
    print("SUMMARY roster: " + "; ".join(parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
