"""The roster checker on hand-made rosters: a good week passes, each hard rule is caught where
it is broken, and the soft rules are measured."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

from queue_server.rules.roster_check import check, penalties
from queue_server.rules.roster_problem import Limits, Rule, Violation, slot_of
from queue_server.staffing import Assignment

from .roster_support import DAY, MON, NOON, SAT, SHORT, WED, away, days, duty, good_week, problem


def rules(found: tuple[Violation, ...]) -> set[Rule]:
    return {v.rule for v in found}


def without(roster: list[Assignment], login: str, day: object) -> list[Assignment]:
    return [a for a in roster if not (a.login == login and a.day == day)]


def test_a_good_week_breaks_nothing() -> None:
    report = check(problem(), good_week())
    assert report.violations == ()
    assert report.penalties.a_absent == 0


def test_too_few_on_duty_is_named_with_the_slots() -> None:
    roster = without(good_week(), "b2", WED)  # a2 at lunch 11:30-12:30 leaves b1 and h1
    found = [v for v in check(problem(), roster).violations if v.rule is Rule.COVERAGE]
    # 11:30-12:00: a1 and a2 at lunch, b1 and h1 on duty; from 12:00 the noon minimum (1) applies.
    assert [(v.day, v.slot, v.slot_end, v.amount) for v in found] == [
        (WED, slot_of(time(11, 30)), slot_of(time(12)), 1)
    ]
    assert found[0].zh == "11月25日周三 11:30–12:00 在岗 2 人，需开 3 个窗口"
    assert found[0].en == "Wed 25 Nov 11:30–12:00: 2 on duty, 3 windows required"


def test_a_service_nobody_on_duty_can_serve_is_named() -> None:
    roster = [a if (a.login, a.day) != ("h1", WED) else duty("h1", WED, DAY, lunch=(12, 15)) for a in good_week()]
    found = [v for v in check(problem(), roster).violations if v.rule is Rule.SKILL]
    assert [(v.day, v.service, v.slot, v.slot_end) for v in found] == [(WED, "H", 49, 52)]
    assert found[0].zh == "11月25日周三 12:15–13:00 没有会办 H 的人在岗"
    assert found[0].en == "Wed 25 Nov 12:15–13:00: nobody on duty can serve H"


def test_rostered_while_away() -> None:
    found = check(problem(leave=(away("b1", WED),)), good_week()).violations
    assert [(v.rule, v.day, v.login) for v in found] == [(Rule.LEAVE, WED, "b1")]


def test_a_and_b_both_away() -> None:
    roster = [*without(without(good_week(), "a1", WED), "b1", WED), duty("f1", WED, lunch=(12, 0))]
    found = [v for v in check(problem(), roster).violations if v.rule is Rule.AB_AWAY]
    assert [(v.day, v.post) for v in found] == [(WED, "P1")]
    assert "A 岗 a1 与 B 岗 b1 同时不在" in found[0].zh


def test_a_and_b_both_at_lunch() -> None:
    roster = [a if (a.login, a.day) != ("b1", WED) else duty("b1", WED, lunch=(12, 0)) for a in good_week()]
    found = [v for v in check(problem(), roster).violations if v.rule is Rule.AB_LUNCH]
    assert [(v.day, v.post, v.slot, v.slot_end) for v in found] == [(WED, "P1", 48, 50)]
    assert "12:00–12:30" in found[0].en


def test_week_hours_rest_and_days_in_a_row() -> None:
    limits = Limits(max_week_minutes=30 * 60, min_rest_minutes=17 * 60, max_consecutive_days=3)
    found = check(problem(limits=limits), good_week()).violations
    assert rules(found) == {Rule.WEEK_HOURS, Rule.REST, Rule.CONSECUTIVE}
    week = [v for v in found if v.rule is Rule.WEEK_HOURS and v.login == "a1"]
    assert [(v.day, v.amount) for v in week] == [(MON, 5 * 7 * 60 - 30 * 60)]
    assert sum(1 for v in found if v.rule is Rule.REST and v.login == "a1") == 4  # 16 h between days
    run = [v for v in found if v.rule is Rule.CONSECUTIVE and v.login == "a1"]
    assert [(v.day, v.amount) for v in run] == [(MON + timedelta(days=4), 2)]


def test_a_pinned_duty_that_was_not_kept() -> None:
    pin = duty("f1", WED, pinned=True)
    found = check(problem(pinned=(pin,)), good_week()).violations
    assert [(v.rule, v.login, v.day) for v in found] == [(Rule.PINNED, "f1", WED)]
    assert check(problem(pinned=(pin,)), [*good_week(), pin]).violations == ()


def test_two_duties_in_a_day_and_malformed_duties() -> None:
    roster = good_week()
    roster += [
        duty("a1", WED, NOON, lunch=(13, 0)),  # a second duty
        duty("f1", SAT),  # closed that day
        duty("f1", MON, lunch=(14, 0)),  # lunch outside the window
        replace(duty("f1", WED), shift="NIGHT"),  # no such template
        duty("zz", WED),  # nobody of the hall
        duty("f1", WED + timedelta(days=1), SHORT, lunch=None),  # AM is not worked on weekdays here
    ]
    found = check(problem(), roster).violations
    assert [(v.login, v.day) for v in found if v.rule is Rule.DOUBLE] == [("a1", WED)]
    shapes = {(v.login, v.day) for v in found if v.rule is Rule.SHAPE}
    assert shapes == {("f1", SAT), ("f1", MON), ("f1", WED), ("zz", WED), ("f1", WED + timedelta(days=1))}


def test_a_duty_without_its_lunch_break() -> None:
    roster = [*good_week(), duty("f1", MON, lunch=None)]
    found = [v for v in check(problem(), roster).violations if v.rule is Rule.SHAPE]
    assert [(v.login, v.day) for v in found] == [("f1", MON)]
    assert "no lunch break placed" in found[0].en


def test_soft_rules_measured() -> None:
    month = problem(days=days(MON, 14, saturday=True))
    roster = [*good_week(), duty("f1", SAT, SHORT, lunch=None), duty("a1", SAT, SHORT, lunch=None)]
    measured = penalties(month, roster)
    # h1 has 5 noon duties, the others none; a1 and f1 one Saturday each, the others none.
    assert measured.noon_spread == 5
    assert measured.weekend_spread == 1
    # The three A holders are at their posts the first five days only: absent the second week's
    # five workdays (Saturdays are a rota, not counted).
    assert measured.a_absent == 3 * 5
    changed = penalties(problem(previous=tuple(good_week())), without(good_week(), "b1", WED))
    assert changed.changes == 1
    swapped = [a if (a.login, a.day) != ("b1", MON) else duty("b1", MON, NOON, lunch=(13, 0)) for a in good_week()]
    assert penalties(problem(previous=tuple(good_week())), swapped).changes == 1


def test_someone_on_leave_is_left_out_of_the_spread() -> None:
    logins = ("b1", "a2", "b2", "h1", "f1")
    noon = [duty(login, MON + timedelta(days=i), NOON, lunch=(13, 0)) for i, login in enumerate(logins)]
    # One noon duty each but a1's none: level without a1 (on leave that week), 1 apart with.
    assert penalties(problem(leave=(away("a1", MON),)), noon).noon_spread == 0
    assert penalties(problem(), noon).noon_spread == 1
