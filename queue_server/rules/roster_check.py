"""What is wrong with a roster: every hard rule it breaks and what its soft rules cost.

Pure and exact (per slot, whatever the solver's model simplified): the solver explains its
answer with it, a manager's hand-edited roster is validated with it, and the tests judge
the solver by it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ..staffing import SLOT_MINUTES, Assignment, ShiftTemplate
from . import roster_texts as texts
from .roster_problem import (
    Penalties,
    RosterDay,
    RosterProblem,
    Violation,
    ab_pairs,
    fairness_group,
    lunch_starts,
    required_services,
    required_windows,
    slot_of,
)


@dataclass(frozen=True, slots=True)
class CheckReport:
    violations: tuple[Violation, ...]
    penalties: Penalties


def check(problem: RosterProblem, assignments: Sequence[Assignment]) -> CheckReport:
    """The hard-rule violations of ``assignments`` (in rule order, then by day) and the soft penalties."""
    found: list[Violation] = []
    found += _shapes(problem, assignments)
    found += _doubles(assignments)
    found += _leave(problem, assignments)
    found += _pins(problem, assignments)
    duty = _duty_slots(problem, assignments)
    found += _coverage(problem, duty)
    found += _skills(problem, duty)
    found += _ab_pairs(problem, assignments)
    found += _week_hours(problem, assignments)
    found += _rest(problem, assignments)
    found += _consecutive(problem, assignments)
    return CheckReport(tuple(found), penalties(problem, assignments))


def worked_minutes(a: Assignment) -> int:
    lunch = a.lunch_end - a.lunch_start if a.lunch_start and a.lunch_end else timedelta(0)
    return int((a.end - a.start - lunch).total_seconds()) // 60


def _runs(slots: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Sorted slots as ``[first, end)`` runs of consecutive ones."""
    first = end = None
    for s in sorted(slots):
        if end is not None and s == end:
            end += 1
            continue
        if first is not None and end is not None:
            yield first, end
        first, end = s, s + 1
    if first is not None and end is not None:
        yield first, end


# -- the duties themselves ---------------------------------------------------------------


def _shape_problem(
    problem: RosterProblem, a: Assignment, day: RosterDay | None, t: ShiftTemplate | None
) -> tuple[str, str] | None:
    if not any(c.login == a.login for c in problem.clerks()):
        return "不是本厅在职人员", "not an active clerk of the hall"
    if t is None:
        return f"没有班次 {a.shift}", f"no shift template {a.shift}"
    if day is None or not day.allows(t):
        return f"当天不能排班次 {t.code}", f"shift {t.code} is not worked that day"
    if (a.start, a.end) != problem.shift_bounds(a.day, t):
        return f"时间与班次 {t.code} 不符", f"times differ from shift {t.code}"
    if not lunch_starts(t):
        return None if a.lunch_start is None else ("该班次没有午休", "that shift has no lunch break")
    if a.lunch_start is None or a.lunch_end is None:
        return "缺少午休", "no lunch break placed"
    start = a.lunch_start.astimezone(problem.tz)
    length = int((a.lunch_end - a.lunch_start).total_seconds()) // 60
    if start.date() != a.day or slot_of(start.time()) not in lunch_starts(t) or length != t.lunch_minutes:
        return "午休不在班次规定的时段", "the lunch break is outside the shift's lunch window"
    return None


def _shapes(problem: RosterProblem, assignments: Sequence[Assignment]) -> list[Violation]:
    days = {d.day: d for d in problem.days}
    out = []
    for a in assignments:
        why = _shape_problem(problem, a, days.get(a.day), problem.template(a.shift))
        if why is not None:
            out.append(texts.shape_violation(a.day, a.login, *why))
    return out


def _doubles(assignments: Sequence[Assignment]) -> list[Violation]:
    count: dict[tuple[date, str], int] = defaultdict(int)
    for a in assignments:
        count[a.day, a.login] += 1
    return [texts.double_violation(d, login, n) for (d, login), n in sorted(count.items()) if n > 1]


def _leave(problem: RosterProblem, assignments: Sequence[Assignment]) -> list[Violation]:
    return [texts.leave_violation(a.day, a.login) for a in assignments if problem.on_leave(a.login, a.start, a.end)]


def _pins(problem: RosterProblem, assignments: Sequence[Assignment]) -> list[Violation]:
    kept = {replace(a, pinned=True) for a in assignments}
    return [
        texts.pinned_violation(p.day, p.login, p.shift) for p in problem.pinned if replace(p, pinned=True) not in kept
    ]


# -- slots: windows, services, A/B lunches ---------------------------------------------------

Duty = list[tuple[Assignment, frozenset[int]]]


def _duty_slots(problem: RosterProblem, assignments: Sequence[Assignment]) -> Duty:
    """Each assignment with the open slots of its day it is on duty in."""
    days = {d.day: d for d in problem.days}
    out: Duty = []
    for a in assignments:
        day = days.get(a.day)
        slots = day.slots() if day else range(0)
        out.append((a, frozenset(s for s in slots if a.on_duty(problem.at(a.day, s)))))
    return out


def _coverage(problem: RosterProblem, duty: Duty) -> list[Violation]:
    on: dict[tuple[date, int], int] = defaultdict(int)
    for a, slots in duty:
        for s in slots:
            on[a.day, s] += 1
    short: dict[tuple[date, int, int], list[int]] = defaultdict(list)
    for (day, s), need in required_windows(problem).items():
        if on[day, s] < need:
            short[day, on[day, s], need].append(s)
    out = [
        texts.coverage_violation(day, first, end, have, need)
        for (day, have, need), slots in short.items()
        for first, end in _runs(slots)
    ]
    return sorted(out, key=lambda v: (v.day or date.min, v.slot or 0))


def _skills(problem: RosterProblem, duty: Duty) -> list[Violation]:
    clerks = {c.login: c for c in problem.clerks()}
    on: dict[tuple[date, int], list[str]] = defaultdict(list)
    for a, slots in duty:
        for s in slots:
            on[a.day, s].append(a.login)
    missing: dict[tuple[date, str], list[int]] = defaultdict(list)
    for (day, s), services in required_services(problem).items():
        here = [clerks[login] for login in on[day, s] if login in clerks]
        for svc in sorted(services):
            if not any(c.can_serve(svc) for c in here):
                missing[day, svc].append(s)
    out = [
        texts.skill_violation(day, first, end, svc)
        for (day, svc), slots in missing.items()
        for first, end in _runs(slots)
    ]
    return sorted(out, key=lambda v: (v.day or date.min, v.slot or 0, v.service or ""))


def _lunch(problem: RosterProblem, a: Assignment) -> set[int]:
    if a.lunch_start is None or a.lunch_end is None:
        return set()
    first = slot_of(a.lunch_start.astimezone(problem.tz).time())
    minutes = int((a.lunch_end - a.lunch_start).total_seconds()) // 60
    return set(range(first, first + -(-minutes // SLOT_MINUTES)))


def _ab_pairs(problem: RosterProblem, assignments: Sequence[Assignment]) -> list[Violation]:
    by: dict[tuple[date, str], list[Assignment]] = defaultdict(list)
    for duty in assignments:
        by[duty.day, duty.login].append(duty)
    out: list[Violation] = []
    for day in (d.day for d in problem.days if d.hours is not None):
        for post, a, b in ab_pairs(problem):
            if not by[day, a] and not by[day, b]:
                out.append(texts.ab_away_violation(day, post, a, b))
                continue
            lunch_a = set().union(*(_lunch(problem, x) for x in by[day, a]))
            lunch_b = set().union(*(_lunch(problem, x) for x in by[day, b]))
            out += [texts.ab_lunch_violation(day, s, e, post, a, b) for s, e in _runs(lunch_a & lunch_b)]
    return out


# -- a clerk's weeks ---------------------------------------------------------------------------


def _by_clerk(assignments: Sequence[Assignment]) -> dict[str, list[Assignment]]:
    out: dict[str, list[Assignment]] = defaultdict(list)
    for a in sorted(assignments, key=lambda a: (a.login, a.start)):
        out[a.login].append(a)
    return out


def _week_hours(problem: RosterProblem, assignments: Sequence[Assignment]) -> list[Violation]:
    minutes: dict[tuple[date, str], int] = defaultdict(int)
    for a in assignments:
        minutes[a.day - timedelta(days=a.day.weekday()), a.login] += worked_minutes(a)
    limit = problem.limits.max_week_minutes
    return [
        texts.week_hours_violation(monday, login, m, limit)
        for (monday, login), m in sorted(minutes.items())
        if m > limit
    ]


def _rest(problem: RosterProblem, assignments: Sequence[Assignment]) -> list[Violation]:
    limit = problem.limits.min_rest_minutes
    out = []
    for login, duties in _by_clerk(assignments).items():
        for before, after in itertools.pairwise(duties):
            rest = int((after.start - before.end).total_seconds()) // 60
            if before.day != after.day and rest < limit:
                out.append(texts.rest_violation(after.day, login, rest, limit))
    return out


def _consecutive(problem: RosterProblem, assignments: Sequence[Assignment]) -> list[Violation]:
    limit = problem.limits.max_consecutive_days
    out = []
    for login, duties in _by_clerk(assignments).items():
        days = sorted({a.day for a in duties})
        run = 0
        for i, day in enumerate(days):
            run = run + 1 if i and days[i - 1] == day - timedelta(days=1) else 1
            ends = i + 1 == len(days) or days[i + 1] != day + timedelta(days=1)
            if ends and run > limit:
                out.append(texts.consecutive_violation(day, login, run, limit))
    return out


# -- the soft rules ------------------------------------------------------------------------------


def _spread(counts: dict[str, int], group: frozenset[str]) -> int:
    values = [counts.get(login, 0) for login in group]
    return max(values) - min(values) if values else 0


def penalties(problem: RosterProblem, assignments: Sequence[Assignment]) -> Penalties:
    """Noon and weekend duty spreads over the fairness group, clerk-days changed from the
    previous roster, and post-days of open workdays whose A holder could work (no leave) but is
    not at the post."""
    days = {d.day: d for d in problem.days}
    noon: dict[str, int] = defaultdict(int)
    weekend: dict[str, int] = defaultdict(int)
    shift: dict[tuple[date, str], str] = {}
    post: dict[tuple[date, str], str | None] = {}
    for a in assignments:
        t = problem.template(a.shift)
        noon[a.login] += bool(t and t.noon_duty)
        weekend[a.login] += bool(a.day in days and days[a.day].weekend_duty)
        shift[a.day, a.login] = a.shift
        post[a.day, a.login] = a.post
    group = fairness_group(problem)
    return Penalties(
        noon_spread=_spread(noon, group),
        weekend_spread=_spread(weekend, group),
        changes=_changes(problem, shift),
        a_absent=sum(
            1
            for d in problem.days
            if d.open_workday
            for p in problem.posts
            if p.a and not problem.on_leave(p.a, *problem.day_bounds(d)) and post.get((d.day, p.a), "") != p.code
        ),
    )


def _changes(problem: RosterProblem, shift: dict[tuple[date, str], str]) -> int:
    """Clerk-days of the days the previous roster covered whose shift (or day off) differs."""
    period = {d.day for d in problem.days}
    before = {(a.day, a.login): a.shift for a in problem.previous if a.day in period}
    covered = {day for day, _ in before}
    logins = {c.login for c in problem.clerks()}
    return sum(1 for day in covered for login in logins if before.get((day, login)) != shift.get((day, login)))
