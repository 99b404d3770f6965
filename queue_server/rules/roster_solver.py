"""Make a roster: the month's model solved stage by stage (hard rules, then fairness, then
stability), its duties read back, lunch breaks placed day by day, posts given, and what is
still broken explained by the checker.

Each stage's result is kept as a constraint and its whole solution hinted to the next, so a
later stage can never buy its goal with an earlier one's and starts from a roster, not from
nothing. The wall-time limit is CP-SAT's own ``max_time_in_seconds``, shared out between
the stages; time a stage leaves unused passes on.
"""

from __future__ import annotations

from datetime import date

from ortools.sat.python import cp_model

from ..staffing import Assignment
from .roster_check import check
from .roster_constraints import add_hard_rules
from .roster_goals import add_goals
from .roster_lunch import place_lunches
from .roster_model import HARD, STAGES, RosterModel
from .roster_posts import place_posts
from .roster_problem import RosterAnswer, RosterProblem, RosterStatus, Stage

# Of the time still left, what each stage may use; the lunch placement gets LUNCH_SHARE of the whole.
_SHARE = {HARD: 0.5, "fairness": 0.5, "stability": 1.0}
LUNCH_SHARE = 0.2
_FOUND = (cp_model.OPTIMAL, cp_model.FEASIBLE)


def solve(problem: RosterProblem) -> RosterAnswer:
    rm = RosterModel(problem)
    add_hard_rules(rm)
    add_goals(rm)
    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = problem.workers
    stages: list[Stage] = []
    chosen: list[tuple[str, date, str]] | None = None
    left = problem.time_limit_s * (1 - LUNCH_SHARE)
    for name in STAGES:
        if not rm.terms[name] and not rm.offset[name]:
            continue
        rm.model.minimize(rm.objective(name))
        solver.parameters.max_time_in_seconds = max(0.05, left * _SHARE[name])
        status = solver.solve(rm.model)
        left -= solver.wall_time
        if status not in _FOUND:
            stages.append(Stage(name, solver.status_name(status), -1, -1, solver.wall_time))
            break
        value, bound = round(solver.objective_value), round(solver.best_objective_bound)
        stages.append(Stage(name, solver.status_name(status), value, bound, solver.wall_time))
        chosen = sorted(key for key, v in rm.x.items() if solver.boolean_value(v))
        rm.model.add(rm.objective(name) <= value)
        _hint_all(rm, solver)
    duties = _duties(problem, rm, chosen or [])
    duties, lunch = place_lunches(problem, duties, problem.time_limit_s * LUNCH_SHARE + max(0.0, left))
    stages.append(lunch)
    assignments = place_posts(problem, duties)
    report = check(problem, assignments)
    return RosterAnswer(
        assignments=tuple(assignments),
        status=_status(chosen is not None, stages, bool(report.violations)),
        objective=tuple(s.objective for s in stages),
        bound=tuple(s.bound for s in stages),
        wall_s=sum(s.wall_s for s in stages),
        violations=report.violations,
        penalties=report.penalties,
        stages=tuple(stages),
    )


def _status(found: bool, stages: list[Stage], broken: bool) -> RosterStatus:
    if not found:
        return RosterStatus.UNKNOWN
    if broken:
        # The month's model is a relaxation of the rules: a hard minimum it proves above zero
        # proves they cannot all be met. Otherwise the time ran out, or the lunches could not
        # be placed as its conditions promised.
        hard = stages[0]
        proven = hard.name == HARD and hard.status == "OPTIMAL" and hard.objective > 0
        return RosterStatus.INFEASIBLE if proven else RosterStatus.UNKNOWN
    return RosterStatus.OPTIMAL if all(s.status == "OPTIMAL" for s in stages) else RosterStatus.FEASIBLE


def _hint_all(rm: RosterModel, solver: cp_model.CpSolver) -> None:
    """The whole solution as the next stage's hint."""
    rm.model.clear_hints()  # type: ignore[no-untyped-call]  # untyped in ortools 9.15
    for i in range(len(rm.model.proto.variables)):
        v = rm.model.get_int_var_from_proto_index(i)
        rm.model.add_hint(v, solver.value(v))


def _duties(problem: RosterProblem, rm: RosterModel, chosen: list[tuple[str, date, str]]) -> list[Assignment]:
    """Pinned duties as they were given, then the solver's (lunch not yet placed)."""
    out = list(problem.pinned)
    for login, day, code in chosen:
        t = problem.template(code)
        if t is None or (login, day) in rm.pinned:
            continue
        start, end = problem.shift_bounds(day, t)
        out.append(Assignment(problem.hall, day, login, code, None, start, end))
    return out
