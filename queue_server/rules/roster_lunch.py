"""Lunch breaks placed slot by slot, once the month's model has said who works which shift.

Per day and slot, exactly: the required windows open, every required service servable by
someone on duty, no A/B pair both at lunch. The month's model already made this possible (its
lunch counts cover every slot, its conditions keep a lone clerk who can serve a service off a
shift whose lunch would leave it unserved); here each break gets its start. A slot where no
lunch can matter needs no constraint, so the model holds only the lunch-time slots. Keeping the
previous roster's lunch starts is worth less than any broken slot.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ortools.sat.python import cp_model

from ..staffing import Assignment, StaffMember
from .roster_problem import (
    RosterProblem,
    Slot,
    Stage,
    ab_pairs,
    lunch_slots,
    lunch_starts,
    required_services,
    required_windows,
    slot_of,
)

Terms = list[tuple[cp_model.IntVar, int]]
Starts = dict[int, dict[int, cp_model.IntVar]]  # per duty (by index): its lunch start choices


@dataclass(frozen=True, slots=True)
class _Need:
    """What every slot needs, and who can serve what."""

    windows: dict[Slot, int]
    services: dict[Slot, frozenset[str]]
    clerks: dict[str, StaffMember]


@dataclass(slots=True)
class _Day:
    """One day's duties: those whose lunch is to be placed (by index) and the fixed ones."""

    free: list[int]
    fixed: list[int]


def place_lunches(
    problem: RosterProblem, duties: list[Assignment], time_limit_s: float
) -> tuple[list[Assignment], Stage]:
    """``duties`` with every unpinned lunch placed (pinned ones, and shifts without lunch, as given)."""
    model = cp_model.CpModel()
    starts: Starts = {}
    by_day: dict[date, _Day] = defaultdict(lambda: _Day([], []))
    for i, a in enumerate(duties):
        t = problem.template(a.shift)
        if a.pinned or t is None or not lunch_starts(t):
            by_day[a.day].fixed.append(i)
            continue
        starts[i] = {s: model.new_bool_var(f"l_{a.login}_{a.day:%m%d}_{s}") for s in lunch_starts(t)}
        model.add_exactly_one(starts[i].values())
        by_day[a.day].free.append(i)
    hard: Terms = []
    need = _Need(required_windows(problem), required_services(problem), {c.login: c for c in problem.clerks()})
    for day, which in by_day.items():
        hard += _day_rules(problem, model, duties, starts, day, which, need)
    kept = _keep_previous(problem, model, duties, starts)
    # Lexicographic in one solve: a broken slot outweighs every lunch moved from the previous roster.
    weight = len(kept) + 1
    model.minimize(_sum([(v, c * weight) for v, c in hard]) + len(kept) - cp_model.LinearExpr.sum(kept))
    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = problem.workers
    solver.parameters.max_time_in_seconds = max(0.05, time_limit_s)
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return duties, Stage("lunch", name, -1, -1, solver.wall_time)
    placed = list(duties)
    for i, options in starts.items():
        s = next(s for s, v in options.items() if solver.boolean_value(v))
        start = problem.at(duties[i].day, s)
        t = problem.template(duties[i].shift)
        length = timedelta(minutes=t.lunch_minutes if t else 0)
        placed[i] = replace(duties[i], lunch_start=start, lunch_end=start + length)
    stage = Stage("lunch", name, round(solver.objective_value), round(solver.best_objective_bound), solver.wall_time)
    return placed, stage


def _covering(problem: RosterProblem, a: Assignment, options: dict[int, cp_model.IntVar], slot: int) -> Terms:
    """The lunch starts of ``a`` that put it at lunch in ``slot``."""
    t = problem.template(a.shift)
    n = lunch_slots(t) if t else 0
    return [(v, 1) for s, v in options.items() if s <= slot < s + n]


def _day_rules(
    problem: RosterProblem,
    model: cp_model.CpModel,
    duties: list[Assignment],
    starts: Starts,
    day: date,
    which: _Day,
    wanted: _Need,
) -> Terms:
    windows, services, clerks = wanted.windows, wanted.services, wanted.clerks
    hard: Terms = []
    for s in sorted({s for i in which.free for o in starts[i] for s in range(o, o + _length(problem, duties[i]))}):
        at = problem.at(day, s)
        # Who is on duty whatever the lunches, and whose lunch may fall here.
        sure = [duties[i].login for i in which.fixed if duties[i].on_duty(at)]
        maybe = {i: _covering(problem, duties[i], starts[i], s) for i in which.free if duties[i].start <= at}
        maybe = {i: terms for i, terms in maybe.items() if terms and at < duties[i].end}
        sure += [duties[i].login for i in which.free if duties[i].start <= at < duties[i].end and i not in maybe]
        need = windows.get((day, s), 0) - len(sure) - len(maybe)
        if maybe and need > -len(maybe):  # else enough on duty even with every possible lunch here
            short = model.new_int_var(0, len(maybe) + max(need, 0), f"short_{day:%m%d}_{s}")
            model.add(_sum([t for terms in maybe.values() for t in terms]) <= -need + short)
            hard.append((short, 1))
        for svc in sorted(services.get((day, s), frozenset())):
            if any(clerks[login].can_serve(svc) for login in sure if login in clerks):
                continue
            able = [i for i in maybe if duties[i].login in clerks and clerks[duties[i].login].can_serve(svc)]
            if able:
                miss = model.new_bool_var(f"miss_{day:%m%d}_{s}_{svc}")
                model.add(_sum([t for i in able for t in maybe[i]]) <= len(able) - 1 + miss)
                hard.append((miss, 1))
        hard += _ab_slot(problem, model, duties, which, maybe, day, s)
    return hard


def _length(problem: RosterProblem, a: Assignment) -> int:
    t = problem.template(a.shift)
    return lunch_slots(t) if t else 0


def _ab_slot(
    problem: RosterProblem,
    model: cp_model.CpModel,
    duties: list[Assignment],
    which: _Day,
    maybe: dict[int, Terms],
    day: date,
    s: int,
) -> Terms:
    """A and B of a post not both at lunch in slot ``s``."""
    at = problem.at(day, s)
    lunch: dict[str, Terms | bool] = {}
    for i in which.fixed:
        d = duties[i]
        lunch[d.login] = d.lunch_start is not None and d.lunch_end is not None and d.lunch_start <= at < d.lunch_end
    for i, terms in maybe.items():
        lunch[duties[i].login] = terms
    out: Terms = []
    for post, a, b in ab_pairs(problem):
        la, lb = lunch.get(a, False), lunch.get(b, False)
        if not la or not lb or (la is True and lb is True):  # apart for sure, or together whatever happens
            continue
        terms = [t for side in (la, lb) if not isinstance(side, bool) for t in side]
        both = model.new_bool_var(f"both_{post}_{day:%m%d}_{s}")
        model.add(_sum(terms) <= (0 if True in (la, lb) else 1) + both)
        out.append((both, 1))
    return out


def _keep_previous(
    problem: RosterProblem,
    model: cp_model.CpModel,
    duties: list[Assignment],
    starts: Starts,
) -> list[cp_model.IntVar]:
    """The previous roster's lunch starts, where the same clerk works the same shift: hinted,
    and returned (each one not kept costs 1)."""
    before = {(a.login, a.day, a.shift): a.lunch_start for a in problem.previous if a.lunch_start is not None}
    out = []
    for i, options in starts.items():
        a = duties[i]
        start = before.get((a.login, a.day, a.shift))
        if start is None:
            continue
        slot = slot_of(start.astimezone(problem.tz).time())
        for s, v in options.items():
            model.add_hint(v, s == slot)
        if slot in options:
            out.append(options[slot])
    return out


def _sum(terms: Terms) -> cp_model.LinearExpr:
    return cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [c for _, c in terms])
