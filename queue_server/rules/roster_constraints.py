"""The hard rules on the month's model, each with the penalty that lets it fail by name
instead of making the whole model infeasible.

Coverage is exact. Skills and A/B lunches depend on whose lunch falls where, which the lunch
model decides; here they are held by conditions every good roster meets (so the month model
stays a relaxation, and a hard stage it proves above zero proves the rules cannot all be
met). Weights count a broken slot as 1 and a broken day as ``DAY_WEIGHT``. Limits that not
working always meets (hours, rest, days in a row, A/B lunches that must overlap) are plain
constraints unless a pin is in them: fewer penalties, and the model is still always feasible.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from ..staffing import SLOT_MINUTES, ShiftTemplate
from .roster_model import HARD, RosterModel, SlotGroup, Terms, allowed, linear
from .roster_problem import RosterDay, ab_pairs, lunch_slots, lunch_starts, required_services, required_windows

DAY_WEIGHT = 32  # a broken day rule (A/B both away, a rest or run too short) against broken slots


def add_hard_rules(rm: RosterModel) -> None:
    add_coverage(rm)
    add_skills(rm)
    add_ab_pairs(rm)
    add_week_hours(rm)
    add_rest(rm)
    add_consecutive(rm)


def add_coverage(rm: RosterModel) -> None:
    """Per slot group, the required windows open."""
    windows = required_windows(rm.problem)
    for day in rm.days:
        for g in rm.groups[day.day]:
            need = max(windows.get((day.day, s), 0) for s in g.slots)
            if need > 0:
                short = rm.penalty(HARD, need, len(g.slots), f"short_{day.day:%m%d}_{g.slots[0]}")
                rm.model.add(linear(rm.on_duty_count(g)) + short >= need)


def _may_serve(g: SlotGroup, t: ShiftTemplate) -> bool:
    """Someone on ``t`` can be on duty in ``g``: it spans ``g`` and a lunch start misses it."""
    return t.code in g.shifts and (not lunch_starts(t) or any((t.code, s) not in g.lunches for s in lunch_starts(t)))


def add_skills(rm: RosterModel) -> None:
    """Each required service: in every slot group someone able to serve it works a shift that
    may have them on duty then; and when every such shift's lunch falls in a slot needing the
    service, at least two of them work (one alone would leave it unserved over lunch)."""
    services = required_services(rm.problem)
    clerks = rm.problem.clerks()
    for day in rm.days:
        shifts = allowed(rm.problem, day)
        wanted: dict[str, list[SlotGroup]] = defaultdict(list)
        for g in rm.groups[day.day]:
            for svc in set().union(*(services.get((day.day, s), frozenset()) for s in g.slots)):
                wanted[svc].append(g)
        for svc, groups in sorted(wanted.items()):
            able = [c.login for c in clerks if c.can_serve(svc)]
            by_shifts: dict[frozenset[str], int] = defaultdict(int)
            for g in groups:
                by_shifts[frozenset(t.code for t in shifts if _may_serve(g, t))] += len(g.slots)
            for codes, slots in by_shifts.items():
                terms = [(v, 1) for login in able for t, v in rm.shifts.get((login, day.day), ()) if t.code in codes]
                if not terms:  # nobody able could be there: broken whatever the roster
                    rm.offset[HARD] += slots
                    continue
                miss = rm.penalty(HARD, 1, slots, f"miss_{day.day:%m%d}_{svc}_{len(codes)}")
                rm.model.add(linear(terms) + miss >= 1)
            _not_alone(rm, day, svc, groups, able)


def _not_alone(rm: RosterModel, day: RosterDay, svc: str, groups: list[SlotGroup], able: list[str]) -> None:
    lunchy = [g for g in groups if g.lunches]
    if not lunchy:
        return
    terms: Terms = []
    for login in able:
        for t, v in rm.shifts.get((login, day.day), ()):
            mine = [g for g in lunchy if t.code in g.shifts]
            if not mine:
                continue
            # Every lunch start of t falls in a slot needing the service: worth 1, else 2.
            hit = bool(lunch_starts(t)) and all(any((t.code, s) in g.lunches for g in mine) for s in lunch_starts(t))
            terms.append((v, 1 if hit else 2))
    if terms and any(c == 1 for _, c in terms):
        alone = rm.penalty(HARD, 1, 1, f"alone_{day.day:%m%d}_{svc}")
        rm.model.add(linear(terms) + 2 * alone >= 2)


def _lunches_overlap(t1: ShiftTemplate, t2: ShiftTemplate) -> bool:
    """Whatever their starts, a lunch on ``t1`` and one on ``t2`` share a slot."""
    s1, s2 = lunch_starts(t1), lunch_starts(t2)
    if not s1 or not s2:
        return False
    n1, n2 = lunch_slots(t1), lunch_slots(t2)
    return all(a < b + n2 and b < a + n1 for a in s1 for b in s2)


def add_ab_pairs(rm: RosterModel) -> None:
    """A post's A and B: not both away on an open day, and not on two shifts whose lunches
    always overlap (the lunch model keeps the rest of their lunches apart)."""
    for post, a, b in ab_pairs(rm.problem):
        for day in rm.days:
            work = rm.works(a, day.day) + rm.works(b, day.day)
            if work:
                away = rm.penalty(HARD, 1, DAY_WEIGHT, f"away_{post}_{day.day:%m%d}")
                rm.model.add(linear(work) + away >= 1)
            elif not rm.pinned.get((a, day.day)) and not rm.pinned.get((b, day.day)):
                rm.offset[HARD] += DAY_WEIGHT
            for t1, v1 in rm.shifts.get((a, day.day), ()):
                for t2, v2 in rm.shifts.get((b, day.day), ()):
                    if _lunches_overlap(t1, t2):
                        rm.at_most([(v1, 1), (v2, 1)], 1, f"both_{post}_{day.day:%m%d}_{t1.code}_{t2.code}", 1)


def add_week_hours(rm: RosterModel) -> None:
    """Working minutes per calendar week within the limit (the excess counted in slots)."""
    limit = rm.problem.limits.max_week_minutes
    weeks: dict[tuple[str, date], Terms] = defaultdict(list)
    for (login, day), shifts in rm.shifts.items():
        weeks[login, day - timedelta(days=day.weekday())].extend((v, t.minutes) for t, v in shifts)
    for (login, monday), terms in weeks.items():
        if sum(c for _, c in terms) > limit:
            rm.at_most(terms, limit, f"over_{login}_{monday:%m%d}", 1, SLOT_MINUTES)


def add_rest(rm: RosterModel) -> None:
    """No two shifts on consecutive days closer than the minimum rest."""
    limit = timedelta(minutes=rm.problem.limits.min_rest_minutes)
    for (login, day), shifts in rm.shifts.items():
        for t1, v1 in shifts:
            for t2, v2 in rm.shifts.get((login, day + timedelta(days=1)), ()):
                end = rm.problem.shift_bounds(day, t1)[1]
                start = rm.problem.shift_bounds(day + timedelta(days=1), t2)[0]
                if start - end < limit:
                    rm.at_most([(v1, 1), (v2, 1)], 1, f"rest_{login}_{day:%m%d}_{t1.code}_{t2.code}", DAY_WEIGHT)


def add_consecutive(rm: RosterModel) -> None:
    """In any run of (limit + 1) calendar days, at most ``limit`` worked."""
    limit = rm.problem.limits.max_consecutive_days
    days = sorted(d.day for d in rm.problem.days)
    if not days:
        return
    for clerk in rm.problem.clerks():
        first = days[0]
        while first + timedelta(days=limit) <= days[-1]:
            run = [first + timedelta(days=i) for i in range(limit + 1)]
            if sum(1 for d in run if rm.works(clerk.login, d)) > limit:
                work = [term for d in run for term in rm.works(clerk.login, d)]
                rm.at_most(work, limit, f"run_{clerk.login}_{first:%m%d}", DAY_WEIGHT)
            first += timedelta(days=1)
