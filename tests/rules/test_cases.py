"""Follow-up cases (回访工单), without storage: the due date over the hall calendar, every move
of the state machine, and every refusal naming the state or the field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from queue_server.config import DEFAULT_HOURS
from queue_server.domain import CaseState, Evaluation, FollowUpCase
from queue_server.errors import BadRequest, Conflict, Forbidden, InvalidTransition
from queue_server.rules import cases as rules
from queue_server.rules.calendar import HallCalendar
from queue_server.rules.evaluations import follow_up_due
from queue_server.staffing import CalendarDay, DayKind

S = CaseState
CALENDAR = HallCalendar(DEFAULT_HOURS)
AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rated_on", "days", "due"),
    [
        # 国庆 2026: 1-7 October off, Saturday 10 October worked (调休).
        (date(2026, 9, 30), 5, date(2026, 10, 13)),
        (date(2026, 9, 30), 10, date(2026, 10, 20)),
        # 春节 2026: Saturday 14 February worked, 15-23 February off.
        (date(2026, 2, 13), 5, date(2026, 2, 27)),
        (date(2026, 2, 13), 10, date(2026, 3, 5)),
        # An ordinary week: Monday to Monday, and two weeks.
        (date(2026, 11, 23), 5, date(2026, 11, 30)),
        (date(2026, 11, 23), 10, date(2026, 12, 7)),
    ],
)
def test_due_date_counts_working_days_of_the_hall_calendar(rated_on: date, days: int, due: date) -> None:
    assert follow_up_due(1, rated_on, CALENDAR, days) == due
    assert follow_up_due(2, rated_on, CALENDAR, days) == due
    assert follow_up_due(3, rated_on, CALENDAR, days) is None


def test_an_adjusted_saturday_counts_and_a_hall_holiday_does_not() -> None:
    assert CALENDAR.day(date(2026, 10, 10)).kind is DayKind.ADJUSTED_WORKDAY
    # From Friday 9 October: Saturday 10 (调休) is the first working day, Monday 12 the second.
    assert follow_up_due(1, date(2026, 10, 9), CALENDAR, 1) == date(2026, 10, 10)
    own = HallCalendar(DEFAULT_HOURS, (CalendarDay(date(2026, 11, 24), DayKind.HOLIDAY, source="hall"),))
    assert follow_up_due(1, date(2026, 11, 23), own, 5) == date(2026, 12, 1)


def bad(score: int = 1, staff: str | None = "li") -> Evaluation:
    return Evaluation(
        ticket_id=7, hall="t", score=score, at=AT, channel="pad", service="A", window=2, staff=staff,
        comment="等太久", follow_up_due=date(2026, 11, 30), number="A007",
    )  # fmt: skip


def opened() -> FollowUpCase:
    case, event = rules.open_case(bad(), AT)
    assert event.kind == "case.open" and event.detail["case"]["state"] == "open"
    assert "等太久" not in str(event.detail)  # the visitor's comment stays off the hall channel
    return case


def later(n: int = 1) -> datetime:
    return AT + timedelta(hours=n)


def called(case: FollowUpCase) -> FollowUpCase:
    return rules.call_back(case, method="phone", reached=True, response="已致歉", by="boss", at=later())[0]


def test_opening_takes_the_rating_facts() -> None:
    case = opened()
    assert (case.number, case.service, case.window, case.clerk, case.score, case.comment) == (
        "A007", "A", 2, "li", 1, "等太久",
    )  # fmt: skip
    assert (case.state, case.due, case.rated_at, case.opened_at) == (S.OPEN, date(2026, 11, 30), AT, AT)
    with pytest.raises(ValueError):
        rules.open_case(bad(score=4), AT)


def test_the_happy_path_open_call_back_resolve_close() -> None:
    case = opened()
    case, event = rules.assign(case, owner="wang", by="boss", at=later())
    assert (case.state, case.owner, event.kind) == (S.IN_PROGRESS, "wang", "case.assign")
    case, _ = rules.add_note(case, text="先查监控", by="boss", at=later(2))
    assert case.state is S.IN_PROGRESS and case.notes[-1].text == "先查监控"
    case, event = rules.call_back(case, method="sms", reached=False, response="", by="wang", at=later(3))
    assert case.callbacks[-1].reached is False and event.kind == "case.call_back"
    case, _ = rules.call_back(case, method="phone", reached=True, response="接受道歉", by="wang", at=later(4))
    case, event = rules.resolve(case, text="已道歉并说明流程", satisfied=True, by="wang", at=later(5))
    assert (case.state, case.satisfied, case.resolved_at, event.kind) == (S.RESOLVED, True, later(5), "case.resolve")
    case, event = rules.close(case, by="boss", at=later(6))
    assert case.state is S.CLOSED and event.kind == "case.close"
    assert [h.action for h in case.history] == ["open", "assign", "note", "call_back", "call_back", "resolve", "close"]


def test_a_call_back_moves_an_open_case_to_in_progress() -> None:
    assert called(opened()).state is S.IN_PROGRESS


def test_appeal_upheld_then_closed() -> None:
    case, event = rules.appeal(opened(), reason="访客排错了队", by="li", at=later())
    assert (case.state, case.appealed_by, event.kind) == (S.APPEALED, "li", "case.appeal")
    case, event = rules.decide(case, upheld=True, note="核实属实", by="boss", at=later(2))
    assert (case.state, case.decided_by, event.kind) == (S.APPEAL_UPHELD, "boss", "case.decide")
    assert rules.due_status(case, date(2027, 1, 1), CALENDAR) == "done"
    assert rules.close(case, by="boss", at=later(3))[0].state is S.CLOSED


def test_appeal_rejected_then_the_follow_up_goes_on() -> None:
    case = rules.appeal(called(opened()), reason="不是我的错", by="li", at=later(2))[0]
    case = rules.decide(case, upheld=False, note="录像显示确有问题", by="boss", at=later(3))[0]
    assert case.state is S.APPEAL_REJECTED
    assert rules.resolve(case, text="再次致歉", satisfied=False, by="boss", at=later(4))[0].state is S.RESOLVED
    assert called(case).state is S.IN_PROGRESS


Move = Callable[[FollowUpCase], object]
MOVES: dict[str, Move] = {
    "call_back": called,
    "resolve": lambda c: rules.resolve(c, text="好", satisfied=True, by="boss", at=later()),
    "close": lambda c: rules.close(c, by="boss", at=later()),
    "appeal": lambda c: rules.appeal(c, reason="理由", by="li", at=later()),
    "decide": lambda c: rules.decide(c, upheld=True, note="说明", by="boss", at=later()),
    "assign": lambda c: rules.assign(c, owner="wang", by="boss", at=later()),
    "note": lambda c: rules.add_note(c, text="备注", by="boss", at=later()),
}


def in_state(state: CaseState) -> FollowUpCase:
    return replace(opened(), state=state)


@pytest.mark.parametrize("state", list(CaseState))
@pytest.mark.parametrize("action", list(MOVES))
def test_every_move_from_every_state_is_allowed_or_refused_naming_the_state(action: str, state: CaseState) -> None:
    case = in_state(state)
    if action == "resolve":
        case = replace(case, callbacks=called(opened()).callbacks)
    if state in rules.ACTIONS[action][1]:
        MOVES[action](case)
    else:
        with pytest.raises(InvalidTransition) as refused:
            MOVES[action](case)
        assert state.value in str(refused.value) and rules.STATE_LABELS[state][0] in str(refused.value)


def test_refusals_name_the_field_or_the_rule() -> None:
    case = opened()
    with pytest.raises(Conflict, match="no call-back"):
        rules.resolve(rules.assign(case, owner="wang", by="boss", at=later())[0], text="x", satisfied=True, by="boss",
                      at=later())  # fmt: skip
    with pytest.raises(BadRequest, match="method"):
        rules.call_back(case, method="fax", reached=True, response="x", by="boss", at=later())
    with pytest.raises(BadRequest, match="response"):
        rules.call_back(case, method="phone", reached=True, response="  ", by="boss", at=later())
    with pytest.raises(BadRequest, match="owner"):
        rules.assign(case, owner=" ", by="boss", at=later())
    with pytest.raises(BadRequest, match="text"):
        rules.add_note(case, text="x" * 501, by="boss", at=later())
    with pytest.raises(BadRequest, match="note"):
        rules.decide(
            rules.appeal(case, reason="r", by="li", at=later())[0], upheld=True, note="", by="boss", at=later()
        )
    with pytest.raises(Forbidden, match="only the clerk concerned"):
        rules.appeal(case, reason="r", by="zhao", at=later())
    again = rules.decide(rules.appeal(case, reason="r", by="li", at=later())[0], upheld=False, note="n", by="b",
                         at=later())[0]  # fmt: skip
    with pytest.raises(Conflict, match="already been appealed"):
        rules.appeal(called(again), reason="r", by="li", at=later())


def test_due_status_over_the_calendar() -> None:
    case = opened()  # due Monday 2026-11-30
    assert rules.due_status(case, date(2026, 11, 26), CALENDAR) == "open"
    assert rules.due_status(case, date(2026, 11, 27), CALENDAR) == "due_soon"  # Friday: one working day left
    assert rules.due_status(case, date(2026, 11, 30), CALENDAR) == "due_soon"
    assert rules.due_status(case, date(2026, 12, 1), CALENDAR) == "overdue"
    assert rules.matches_due("overdue", "open") and not rules.matches_due("done", "open")
    assert rules.matches_due("done", "all") and not rules.matches_due("open", "overdue")
