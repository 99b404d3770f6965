"""The month's roster as CP-SAT variables: who works which shift on which day.

Lunch breaks are placed afterwards, day by day (``roster_lunch``): here only how many of a
shift's clerks start lunch in each slot is chosen, which makes coverage exact (clerks on one
shift are alike for counting) while the model stays a few thousand Booleans. What depends on
who exactly is at lunch (a service only some can serve, an A/B pair) is held by necessary
conditions here and met exactly by the lunch model.

A clerk's state in a slot (on duty, at lunch, off) depends only on the shifts that span the
slot and the lunch starts that would cover it. Slots sharing both (the whole afternoon, say)
share one constraint; slots a lunch break may fall in get their own (the noon period is
checked per slot). Penalty terms are collected per stage: the hard rules (modelled as soft,
so an answer always comes back and can name what failed), fairness, then stability.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from ortools.sat.python import cp_model

from ..staffing import Assignment, ShiftTemplate
from .roster_problem import RosterDay, RosterProblem, lunch_slots, lunch_starts, slot_of

Terms = list[tuple[cp_model.IntVar, int]]
HARD, FAIR, SOFT = "hard", "fairness", "stability"
STAGES = (HARD, FAIR, SOFT)


@dataclass(frozen=True, slots=True)
class SlotGroup:
    """Slots of one day where every clerk's on-duty state is one expression: the shifts that span
    them and the (shift, lunch start) choices that put someone at lunch in them."""

    day: date
    slots: tuple[int, ...]
    shifts: frozenset[str]
    lunches: frozenset[tuple[str, int]]


def allowed(problem: RosterProblem, day: RosterDay) -> list[ShiftTemplate]:
    return [t for t in problem.templates if day.allows(t)]


def slot_groups(problem: RosterProblem, day: RosterDay) -> list[SlotGroup]:
    shifts = allowed(problem, day)
    by_signature: dict[tuple[frozenset[str], frozenset[tuple[str, int]]], list[int]] = defaultdict(list)
    for s in day.slots():
        spans = frozenset(t.code for t in shifts if slot_of(t.start) <= s < slot_of(t.end))
        lunches = frozenset(
            (t.code, s0) for t in shifts for s0 in lunch_starts(t) if s0 <= s < s0 + lunch_slots(t) and t.code in spans
        )
        by_signature[spans, lunches].append(s)
    return [SlotGroup(day.day, tuple(slots), spans, lunches) for (spans, lunches), slots in by_signature.items()]


def linear(terms: Terms) -> cp_model.LinearExpr:
    return cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [c for _, c in terms])


class RosterModel:
    """The month's variables and penalty terms; the rules are added by ``roster_constraints``
    and ``roster_goals``."""

    def __init__(self, problem: RosterProblem) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        self.days = [d for d in problem.days if d.hours is not None]
        self.groups = {d.day: slot_groups(problem, d) for d in self.days}
        self.x: dict[tuple[str, date, str], cp_model.IntVar] = {}
        self.shifts: dict[tuple[str, date], list[tuple[ShiftTemplate, cp_model.IntVar]]] = defaultdict(list)
        self.count: dict[tuple[date, str], cp_model.IntVar] = {}
        self.lunch_count: dict[tuple[date, str, int], cp_model.IntVar] = {}
        self.pinned: dict[tuple[str, date], list[Assignment]] = defaultdict(list)
        self.fixed: set[int] = set()  # the variables pins fix
        self.terms: dict[str, Terms] = {stage: [] for stage in STAGES}
        self.offset: dict[str, int] = dict.fromkeys(STAGES, 0)  # broken whatever the solver does
        self.most: dict[str, int] = dict.fromkeys(STAGES, 0)  # the largest a stage's penalties can sum to
        for pin in problem.pinned:
            self.pinned[pin.login, pin.day].append(pin)
        for clerk in problem.clerks():
            for day in self.days:
                self._clerk_day(clerk.login, day)
        working: dict[tuple[date, str], list[cp_model.IntVar]] = defaultdict(list)
        for (_, day_), shifts in self.shifts.items():
            for t, v in shifts:
                working[day_, t.code].append(v)
        for day in self.days:
            for t in allowed(problem, day):
                self._counts(day.day, t, working[day.day, t.code])

    def _clerk_day(self, login: str, day: RosterDay) -> None:
        pins = self.pinned.get((login, day.day))
        for t in allowed(self.problem, day):
            if pins:
                if any(p.shift == t.code for p in pins):  # kept exactly: its shift is fixed
                    x = self._shift(login, day.day, t)
                    self.model.add(x == 1)
                    self.fixed.add(x.index)
            elif not self.problem.on_leave(login, *self.problem.shift_bounds(day.day, t)):
                self._shift(login, day.day, t)
        if not pins:
            self.model.add_at_most_one(v for _, v in self.shifts[login, day.day])

    def _shift(self, login: str, day: date, t: ShiftTemplate) -> cp_model.IntVar:
        x = self.model.new_bool_var(f"x_{login}_{day:%m%d}_{t.code}")
        self.x[login, day, t.code] = x
        self.shifts[login, day].append((t, x))
        return x

    def _counts(self, day: date, t: ShiftTemplate, on: list[cp_model.IntVar]) -> None:
        """How many work ``t`` that day, and how many of them start lunch in each slot."""
        count = self.model.new_int_var(0, len(on), f"n_{day:%m%d}_{t.code}")
        self.model.add(cp_model.LinearExpr.sum(on) == count)
        self.count[day, t.code] = count
        starts = lunch_starts(t)
        if starts:
            lunches = [self.model.new_int_var(0, len(on), f"n_{day:%m%d}_{t.code}_{s}") for s in starts]
            self.lunch_count.update({(day, t.code, s): v for s, v in zip(starts, lunches, strict=True)})
            self.model.add(cp_model.LinearExpr.sum(lunches) == count)

    # -- expressions ---------------------------------------------------------------------------

    def works(self, login: str, day: date) -> Terms:
        """1 when ``login`` works on ``day``."""
        return [(v, 1) for _, v in self.shifts.get((login, day), ())]

    def on_duty_count(self, group: SlotGroup) -> Terms:
        """How many are on duty (working, not at lunch) in the slots of ``group``."""
        terms: Terms = [(self.count[group.day, code], 1) for code in group.shifts if (group.day, code) in self.count]
        terms += [(self.lunch_count[group.day, code, s], -1) for code, s in group.lunches]
        return terms

    def penalty(self, stage: str, upper: int, weight: int, name: str) -> cp_model.IntVar:
        """A new penalty variable in ``[0, upper]`` counted ``weight`` times in ``stage``."""
        v = self.model.new_int_var(0, upper, name)
        self.terms[stage].append((v, weight))
        self.most[stage] += weight * upper
        return v

    def at_most(self, terms: Terms, bound: int, name: str, weight: int, unit: int = 1) -> None:
        """A hard rule ``sum(terms) <= bound`` on shifts worked. Plain when no pin is in it (not
        working meets it, so the model stays feasible); with a penalty per ``unit`` over when a pin
        may break it, so the answer names the rule instead of failing."""
        if not any(v.index in self.fixed for v, _ in terms):
            self.model.add(linear(terms) <= bound)
            return
        most = sum(c for _, c in terms if c > 0) - bound
        over = self.penalty(HARD, max(1, -(-most // unit)), weight, name)
        self.model.add(linear(terms) <= bound + unit * over)

    def objective(self, stage: str) -> cp_model.LinearExpr:
        return linear(self.terms[stage]) + self.offset[stage]
