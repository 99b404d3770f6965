"""The roster solver on small halls with fixed dates: what it makes meets the rules (as the
checker judges), spreads noon duty evenly, changes little when re-run after a leave, keeps
pinned duties, and names what cannot be met."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

from queue_server.rules.roster_check import check, penalties
from queue_server.rules.roster_problem import RosterAnswer, RosterProblem, RosterStatus, Rule
from queue_server.rules.roster_solver import solve
from queue_server.staffing import Assignment

from .roster_support import MON, NOON, POSTS, STAFF, WED, away, clerk, days, duty, problem

MAR = date(2026, 3, 2)  # a Monday; four weeks without a public holiday (the hall is closed at weekends)


def solved(p: RosterProblem) -> RosterAnswer:
    answer = solve(p)
    assert answer.violations == check(p, answer.assignments).violations  # explained by the checker
    return answer


def on(answer: RosterAnswer, login: str, day: date) -> Assignment | None:
    return next((a for a in answer.assignments if a.login == login and a.day == day), None)


def test_a_week_meets_every_rule() -> None:
    answer = solved(problem())
    assert answer.status in (RosterStatus.OPTIMAL, RosterStatus.FEASIBLE)
    assert answer.violations == ()
    assert answer.wall_s < 2.5
    assert answer.objective[0] == 0 and answer.stages[0].name == "hard"
    # Every open day has duties, each with its lunch placed within the shift.
    for d in range(5):
        duties = [a for a in answer.assignments if a.day == MON + timedelta(days=d)]
        assert len(duties) >= 3
        assert all(a.lunch_start is not None and a.start < a.lunch_start < a.end for a in duties)


def test_the_only_clerk_who_can_serve_h_is_on_duty_over_noon() -> None:
    answer = solved(problem())
    for d in range(5):
        h1 = on(answer, "h1", MON + timedelta(days=d))
        assert h1 is not None and h1.shift == NOON.code
        noon = [h1.start.replace(hour=12, minute=15 * q) for q in range(4)]
        assert all(h1.on_duty(at) for at in noon)


def test_leave_is_respected() -> None:
    p = problem(leave=(away("a1", WED), away("b2", MON, days_=2, id=2)))
    answer = solved(p)
    assert answer.violations == ()
    assert on(answer, "a1", WED) is None
    assert on(answer, "b2", MON) is None and on(answer, "b2", MON + timedelta(days=1)) is None


def test_a_and_b_are_never_both_away_nor_both_at_lunch() -> None:
    # b1 away on Wednesday: a1 must work; a2 and b2 must stagger their lunches every day.
    answer = solved(problem(leave=(away("b1", WED),)))
    assert answer.violations == ()
    assert on(answer, "a1", WED) is not None
    for d in range(5):
        day = MON + timedelta(days=d)
        for a, b in (("a1", "b1"), ("a2", "b2")):
            da, db = on(answer, a, day), on(answer, b, day)
            assert da is not None or db is not None
            if da and db and da.lunch_start and db.lunch_start and da.lunch_end and db.lunch_end:
                assert da.lunch_end <= db.lunch_start or db.lunch_end <= da.lunch_start


def month_problem(**fields: object) -> RosterProblem:
    """Four weeks, seven clerks who can all serve A, B and C, noon service with 4 windows of 7:
    someone must be on noon duty every day, and the duties go round."""
    staff = (*STAFF[:4], clerk("c5", "A", "B", "C"), clerk("c6", "A", "B", "C"), clerk("c7", "A", "B", "C"))
    four_weeks = days(MAR, 26)
    every = frozenset({"A", "B", "C"})
    p = problem(days=four_weeks, staff=staff, posts=POSTS[:2])
    return replace(
        p,
        services={(d.day, s): every for d in four_weeks for s in d.slots()},
        noon=replace(p.noon, min_windows=4) if p.noon else None,
        time_limit_s=3.0,
        **fields,  # type: ignore[arg-type]
    )


def test_noon_duty_spread_is_at_most_one_over_a_month() -> None:
    p = month_problem()
    answer = solved(p)
    assert answer.violations == ()
    counts = Counter(a.login for a in answer.assignments if a.shift == NOON.code)
    assert sum(counts.values()) >= 20  # someone every day
    every = [counts.get(c.login, 0) for c in p.staff]
    assert max(every) - min(every) <= 1
    assert answer.penalties.noon_spread <= 1


def test_a_mid_month_leave_changes_little() -> None:
    first = solved(month_problem())
    assert first.violations == ()
    leave = (away("c5", MAR + timedelta(days=15), days_=2),)
    again = solved(month_problem(leave=leave, previous=first.assignments))
    fresh = solved(month_problem(leave=leave))
    assert again.violations == ()
    moved = penalties(month_problem(leave=leave, previous=first.assignments), list(again.assignments)).changes
    moved_fresh = penalties(month_problem(leave=leave, previous=first.assignments), list(fresh.assignments)).changes
    assert moved == again.penalties.changes
    assert moved <= 6  # c5's two days, and whoever covers them
    assert moved <= moved_fresh


def test_pinned_duties_are_kept_exactly() -> None:
    pin = duty("f1", WED, NOON, lunch=(13, 15), post="P1", pinned=True)
    answer = solved(problem(pinned=(pin,)))
    assert pin in answer.assignments
    assert [a for a in answer.assignments if (a.login, a.day) == ("f1", WED)] == [pin]
    assert all(v.rule is not Rule.PINNED for v in answer.violations)


def test_the_only_clerk_for_h_on_leave_is_explained() -> None:
    answer = solved(problem(leave=(away("h1", WED),)))
    assert answer.status is RosterStatus.INFEASIBLE
    assert [(v.rule, v.day, v.slot, v.slot_end, v.service) for v in answer.violations] == [
        (Rule.SKILL, WED, 48, 52, "H")
    ]
    why = answer.violations[0]
    assert why.zh == "11月25日周三 12:00–13:00 没有会办 H 的人在岗"
    assert why.en == "Wed 25 Nov 12:00–13:00: nobody on duty can serve H"
    # The rest of the week is still rostered, with h1 on noon duty where they can be.
    assert on(answer, "h1", WED) is None
    assert all(on(answer, "h1", MON + timedelta(days=d)) is not None for d in (0, 1, 3, 4))
