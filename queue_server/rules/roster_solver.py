"""Make a roster: the month's model solved in two stages, its duties read back, lunch breaks
placed day by day, posts given, and what is still broken explained by the checker.

The stages are lexicographic: first the hard rules and fairness together (the hard rules
weighted above every fairness penalty: one solve is much faster than two here, and both
optima are usually 0, which CP-SAT proves as soon as it finds them), then stability. The
first stage's values are kept as constraints and its whole solution hinted to the second, so
stability never buys its goal with a broken rule and starts from a roster, not from nothing.
The wall-time limit is CP-SAT's own ``max_time_in_seconds``, shared out between the stages;
time a stage leaves unused passes on.
"""

from __future__ import annotations

from datetime import date

from ortools.sat.python import cp_model

from ..staffing import Assignment
from .roster_check import check
from .roster_constraints import add_hard_rules
from .roster_goals import add_goals
from .roster_lunch import place_lunches
from .roster_model import FAIR, HARD, SOFT, RosterModel
from .roster_posts import place_posts
from .roster_problem import RosterAnswer, RosterProblem, RosterStatus, Stage

RULES_SHARE = 0.6  # of the month's time, what the hard rules and fairness may use
LUNCH_SHARE = 0.15  # of the whole time limit, kept for placing lunches
_FOUND = (cp_model.OPTIMAL, cp_model.FEASIBLE)

Chosen = list[tuple[str, date, str]]  # (login, day, shift code) worked


def solve(problem: RosterProblem) -> RosterAnswer:
    rm = RosterModel(problem)
    add_hard_rules(rm)
    add_goals(rm)
    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = problem.workers
    left = problem.time_limit_s * (1 - LUNCH_SHARE)
    stages, chosen = _rules_stage(rm, solver, left * RULES_SHARE)
    left -= sum(s.wall_s for s in stages)
    if chosen is not None and rm.terms[SOFT]:
        stage, better = _stability_stage(rm, solver, left)
        stages.append(stage)
        chosen = better or chosen
        left -= stage.wall_s
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


def _rules_stage(rm: RosterModel, solver: cp_model.CpSolver, limit: float) -> tuple[list[Stage], Chosen | None]:
    """The hard rules, then fairness, in one weighted solve; reported as two stages."""
    weight = rm.most[FAIR] + 1
    rm.model.minimize(weight * rm.objective(HARD) + rm.objective(FAIR))
    solver.parameters.max_time_in_seconds = max(0.05, limit)
    status = solver.solve(rm.model)
    name, wall = solver.status_name(status), solver.wall_time
    if status not in _FOUND:
        return [Stage(HARD, name, -1, -1, wall), Stage(FAIR, name, -1, -1, 0.0)], None
    hard, fair = round(solver.value(rm.objective(HARD))), round(solver.value(rm.objective(FAIR)))
    bound = round(solver.best_objective_bound)
    hard_bound = bound // weight  # fairness penalties are never negative
    fair_bound = bound - weight * hard if hard == hard_bound else 0
    chosen = _read(rm, solver)
    rm.model.add(rm.objective(HARD) <= hard)
    rm.model.add(rm.objective(FAIR) <= fair)
    _hint_all(rm, solver)
    return [Stage(HARD, name, hard, hard_bound, wall), Stage(FAIR, name, fair, max(0, fair_bound), 0.0)], chosen


def _stability_stage(rm: RosterModel, solver: cp_model.CpSolver, limit: float) -> tuple[Stage, Chosen | None]:
    rm.model.minimize(rm.objective(SOFT))
    solver.parameters.max_time_in_seconds = max(0.05, limit)
    status = solver.solve(rm.model)
    name, wall = solver.status_name(status), solver.wall_time
    if status not in _FOUND:
        return Stage(SOFT, name, -1, -1, wall), None
    stage = Stage(SOFT, name, round(solver.objective_value), round(solver.best_objective_bound), wall)
    return stage, _read(rm, solver)


def _status(found: bool, stages: list[Stage], broken: bool) -> RosterStatus:
    if not found:
        return RosterStatus.UNKNOWN
    if broken:
        # The month's model is a relaxation of the rules: a hard minimum it proves above zero
        # proves they cannot all be met. Otherwise the time ran out, or the lunches could not
        # be placed as its conditions promised.
        hard = stages[0]
        proven = hard.status == "OPTIMAL" and hard.objective > 0
        return RosterStatus.INFEASIBLE if proven else RosterStatus.UNKNOWN
    return RosterStatus.OPTIMAL if all(s.status == "OPTIMAL" for s in stages) else RosterStatus.FEASIBLE


def _read(rm: RosterModel, solver: cp_model.CpSolver) -> Chosen:
    return sorted(key for key, v in rm.x.items() if solver.boolean_value(v))


def _hint_all(rm: RosterModel, solver: cp_model.CpSolver) -> None:
    """The whole solution as the next stage's hint."""
    rm.model.clear_hints()  # type: ignore[no-untyped-call]  # untyped in ortools 9.15
    for i in range(len(rm.model.proto.variables)):
        v = rm.model.get_int_var_from_proto_index(i)
        rm.model.add_hint(v, solver.value(v))


def _duties(problem: RosterProblem, rm: RosterModel, chosen: Chosen) -> list[Assignment]:
    """Pinned duties as they were given, then the solver's (lunch not yet placed)."""
    out = list(problem.pinned)
    for login, day, code in chosen:
        t = problem.template(code)
        if t is None or (login, day) in rm.pinned:
            continue
        start, end = problem.shift_bounds(day, t)
        out.append(Assignment(problem.hall, day, login, code, None, start, end))
    return out
