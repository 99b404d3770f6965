"""The ticket's life (DESIGN.md, Ticket life) as pure functions: every allowed
transition, every refused one, and the limits that guard them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain import APPOINTMENT_CLASS, Event, Ticket, TicketAction, TicketState, Tier
from queue_server.errors import HallQError, InvalidTransition, NotEligible, RecallLimitReached
from queue_server.rules import lifecycle
from tests.rules.support import DAY, NOW, NOW_US, assert_bilingual, make_ticket

S = TicketState
A = TicketAction
LATER = NOW + timedelta(minutes=3)

# The DESIGN.md "Ticket life" table, written out independently of the code.
DESIGN_TABLE: dict[TicketAction, tuple[set[TicketState], TicketState]] = {
    A.CALL: ({S.WAITING}, S.CALLED),
    A.RECALL: ({S.CALLED}, S.CALLED),
    A.START: ({S.CALLED}, S.SERVING),
    A.NO_SHOW: ({S.CALLED}, S.NO_SHOW),
    A.REACTIVATE: ({S.NO_SHOW}, S.WAITING),
    A.HOLD: ({S.CALLED, S.SERVING}, S.HELD),
    A.CALL_BACK: ({S.HELD}, S.CALLED),
    A.TRANSFER: ({S.CALLED, S.SERVING}, S.WAITING),
    A.FINISH: ({S.SERVING}, S.DONE),
    A.CANCEL: ({S.WAITING, S.CALLED, S.HELD}, S.CANCELLED),
    A.ROLLOVER: ({S.WAITING, S.HELD, S.NO_SHOW}, S.NOT_SERVED),
    # Not a row of the design table: the held visitor is back, the ticket stays held.
    A.RETURN: ({S.HELD}, S.HELD),
}

# Each action with arguments that pass every check except the state check.
APPLY: dict[TicketAction, Callable[[Ticket], tuple[Ticket, Event]]] = {
    A.CALL: lambda t: lifecycle.call(t, 1, LATER, "clerk1"),
    A.RECALL: lambda t: lifecycle.recall(t, LATER, "clerk1", limit=5),
    A.START: lambda t: lifecycle.start(t, LATER, "clerk1"),
    A.NO_SHOW: lambda t: lifecycle.no_show(t, LATER, "clerk1"),
    A.REACTIVATE: lambda t: lifecycle.reactivate(t, NOW_US + 7, LATER, "clerk1", max_reactivations=5),
    A.HOLD: lambda t: lifecycle.hold(t, LATER, "clerk1", "取复印件"),
    A.RETURN: lambda t: lifecycle.mark_returned(t, LATER, "clerk1"),
    A.CALL_BACK: lambda t: lifecycle.call_back(t, 1, LATER, "clerk1"),
    A.TRANSFER: lambda t: lifecycle.transfer(t, LATER, "clerk1", "B", None, "转办"),
    A.FINISH: lambda t: lifecycle.finish(t, LATER, "clerk1"),
    A.CANCEL: lambda t: lifecycle.cancel(t, LATER, "clerk1", "visitor left"),
    A.ROLLOVER: lambda t: lifecycle.rollover(t, LATER),
}

ALLOWED = [(state, action) for action, (sources, _) in DESIGN_TABLE.items() for state in sorted(sources)]
REFUSED = [(state, action) for action, (sources, _) in DESIGN_TABLE.items() for state in S if state not in sources]


def at_window_1(state: TicketState) -> Ticket:
    """A ticket in ``state`` that has been at window 1 (so a call-back there is allowed)."""
    return make_ticket(7, state=state, window=1)


def test_transition_table_is_the_design_table() -> None:
    assert {a: (set(src), dst) for a, (src, dst) in lifecycle.TRANSITIONS.items()} == DESIGN_TABLE
    assert set(APPLY) == set(lifecycle.TRANSITIONS)


def test_final_states_allow_nothing() -> None:
    finals = {s for s in S if s.is_final}
    assert finals == {S.DONE, S.CANCELLED, S.NOT_SERVED}
    for sources, _ in lifecycle.TRANSITIONS.values():
        assert not finals & sources


def test_at_window_states() -> None:
    assert {s for s in S if s.at_window} == {S.CALLED, S.SERVING}


@pytest.mark.parametrize(("state", "action"), ALLOWED)
def test_allowed_transition(state: TicketState, action: TicketAction) -> None:
    ticket = at_window_1(state)
    before = dataclasses.astuple(ticket)
    new, event = APPLY[action](ticket)
    target = DESIGN_TABLE[action][1]
    assert new.state is target
    assert lifecycle.check(ticket, action) is target
    assert dataclasses.astuple(ticket) == before  # the input is a value; it never changes
    assert (new.id, new.number, new.hall, new.business_day, new.token) == (7, "A007", "t", DAY, "tok7")
    assert event.kind == f"ticket.{action.value}"
    assert (event.hall, event.ticket_id, event.at) == ("t", 7, LATER)
    assert (event.from_state, event.to_state) == (state.value, target.value)
    assert event.staff == (None if action is A.ROLLOVER else "clerk1")
    assert event.seq == 0  # numbered only when stored


@pytest.mark.parametrize(("state", "action"), REFUSED)
def test_refused_transition_raises_and_changes_nothing(state: TicketState, action: TicketAction) -> None:
    ticket = at_window_1(state)
    before = dataclasses.astuple(ticket)
    with pytest.raises(InvalidTransition) as err:
        APPLY[action](ticket)
    assert dataclasses.astuple(ticket) == before
    assert err.value.code == "invalid_transition" and err.value.status == 409
    assert_bilingual(err.value.message, "A007")
    assert state.value in err.value.message and action.value in err.value.message
    assert lifecycle.state_label(state) in err.value.message


@given(
    state=st.sampled_from(S),
    action=st.sampled_from(A).filter(lambda a: a is not A.ISSUE),
    window=st.none() | st.integers(1, 3),
    target_window=st.none() | st.integers(1, 3),
    recall_count=st.integers(0, 4),
    reactivations=st.integers(0, 3),
    returned=st.booleans(),
)
def test_any_action_either_reaches_its_target_or_raises_without_change(
    state: TicketState,
    action: TicketAction,
    window: int | None,
    target_window: int | None,
    recall_count: int,
    reactivations: int,
    returned: bool,
) -> None:
    ticket = make_ticket(
        3,
        state=state,
        window=window,
        target_window=target_window,
        recall_count=recall_count,
        reactivations=reactivations,
        returned=returned,
    )
    before = dataclasses.astuple(ticket)
    apply: dict[TicketAction, Callable[[Ticket], tuple[Ticket, Event]]] = {
        **APPLY,
        A.RECALL: lambda t: lifecycle.recall(t, LATER, None, limit=2),
        A.REACTIVATE: lambda t: lifecycle.reactivate(t, 5, LATER, None, max_reactivations=1),
    }
    try:
        new, event = apply[action](ticket)
    except HallQError as exc:
        assert dataclasses.astuple(ticket) == before
        assert "A003" in exc.message
        return
    assert state in DESIGN_TABLE[action][0]
    assert new.state is DESIGN_TABLE[action][1]
    assert (event.from_state, event.to_state) == (state.value, new.state.value)
    assert dataclasses.astuple(ticket) == before


# -- issue ---------------------------------------------------------------------


def test_issue_stands_in_line_from_the_moment_of_issue() -> None:
    t = lifecycle.issue(
        hall="t", day=DAY, service="B", running_number=17, priority="elderly", tier=Tier.PRIORITY, at=NOW, token="x"
    )
    assert (t.id, t.number, t.service, t.state) == (0, "B017", "B", S.WAITING)
    assert (t.priority, t.tier, t.order_key, t.issued_at) == ("elderly", Tier.PRIORITY, NOW_US, NOW)
    assert (t.window, t.target_window, t.recall_count, t.reactivations, t.returned) == (None, None, 0, 0, False)
    assert t.appointment is None


def test_issue_appointment_stands_in_line_from_its_slot() -> None:
    slot = NOW + timedelta(minutes=20)
    t = lifecycle.issue(
        hall="t",
        day=DAY,
        service="A",
        running_number=1,
        priority="green",  # overridden: an appointment is its own class
        tier=Tier.GREEN,
        at=NOW,
        token="x",
        slot_start=slot,
        appointment="YY-1",
    )
    assert (t.priority, t.tier, t.appointment) == (APPOINTMENT_CLASS, Tier.APPOINTMENT, "YY-1")
    assert t.order_key == lifecycle.to_us(slot)
    assert t.issued_at == NOW


def test_issue_appointment_without_slot_is_refused() -> None:
    with pytest.raises(ValueError, match="slot"):
        lifecycle.issue(
            hall="t", day=DAY, service="A", running_number=1, priority="normal", tier=Tier.NORMAL, at=NOW, token="x",
            appointment="YY-2",
        )  # fmt: skip


def test_issued_event_describes_the_ticket() -> None:
    t = make_ticket(4, service="C", priority="green", tier=Tier.GREEN)
    e = lifecycle.issued_event(t, staff="kiosk")
    assert (e.kind, e.ticket_id, e.at, e.staff, e.from_state, e.to_state) == (
        "ticket.issue", 4, t.issued_at, "kiosk", None, "waiting"
    )  # fmt: skip
    assert e.detail == {"number": "C004", "service": "C", "priority": "green"}
    appointment = dataclasses.replace(t, appointment="YY-9")
    assert lifecycle.issued_event(appointment).detail["appointment"] == "YY-9"


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_to_us_is_exact_microseconds_since_epoch(at: datetime) -> None:
    exact = (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    assert lifecycle.to_us(at) == exact


def test_to_us_keeps_the_last_microsecond_after_2038() -> None:
    # Regression: int(at.timestamp() * 1_000_000) went through a float and gave ...074 here.
    assert lifecycle.to_us(datetime(2038, 2, 1, 0, 0, 0, 75, tzinfo=UTC)) == 2_148_595_200_000_075


def test_to_us_reads_a_naive_time_as_local_time_like_timestamp() -> None:
    naive = datetime(2026, 11, 23, 9, 0, 0, 5)
    assert lifecycle.to_us(naive) == lifecycle.to_us(naive.astimezone())
    assert lifecycle.to_us(naive) == round(naive.timestamp() * 1_000_000)


# -- call ----------------------------------------------------------------------


def test_call_sets_window_and_time_and_records_the_reason() -> None:
    t = make_ticket(2, recall_count=1)
    new, e = lifecycle.call(t, 3, LATER, "clerk3", reason="老人行动不便")
    assert (new.state, new.window, new.called_at, new.recall_count) == (S.CALLED, 3, LATER, 0)
    assert new.order_key == t.order_key
    assert (e.window, e.detail) == (3, {"reason": "老人行动不便", "number": "A002"})
    _, plain = lifecycle.call(t, 3, LATER, None)
    assert plain.detail == {"number": "A002"}


def test_call_of_ticket_transferred_to_another_window_is_not_eligible() -> None:
    t = make_ticket(12, target_window=2)
    before = dataclasses.astuple(t)
    with pytest.raises(NotEligible) as err:
        lifecycle.call(t, 1, LATER, "clerk1")
    assert dataclasses.astuple(t) == before
    assert err.value.code == "not_eligible"
    assert_bilingual(err.value.message, "A012", "2")


def test_call_by_the_window_it_was_transferred_to_clears_the_target() -> None:
    new, _ = lifecycle.call(make_ticket(12, target_window=2), 2, LATER, "clerk2")
    assert (new.state, new.window, new.target_window) == (S.CALLED, 2, None)


# -- recall --------------------------------------------------------------------


def test_recall_counts_up_to_the_limit_then_refuses() -> None:
    t = make_ticket(9, state=S.CALLED, window=1)
    first, e1 = lifecycle.recall(t, LATER, "clerk1", limit=2)
    second, e2 = lifecycle.recall(first, LATER, "clerk1", limit=2)
    assert (first.recall_count, second.recall_count) == (1, 2)
    assert (e1.detail, e2.detail, e2.window) == ({"count": 1}, {"count": 2}, 1)
    before = dataclasses.astuple(second)
    with pytest.raises(RecallLimitReached) as err:
        lifecycle.recall(second, LATER, "clerk1", limit=2)
    assert dataclasses.astuple(second) == before
    assert err.value.code == "recall_limit" and err.value.status == 409
    assert_bilingual(err.value.message, "A009", "2")


def test_recall_limit_zero_refuses_the_first_recall() -> None:
    with pytest.raises(RecallLimitReached):
        lifecycle.recall(make_ticket(1, state=S.CALLED, window=1), LATER, None, limit=0)


def test_recall_state_is_checked_before_the_limit() -> None:
    with pytest.raises(InvalidTransition):
        lifecycle.recall(make_ticket(1, state=S.SERVING, recall_count=9), LATER, None, limit=2)


# -- no-show and reactivate ------------------------------------------------------


def test_reactivate_puts_the_ticket_back_in_line_at_the_given_place() -> None:
    t = make_ticket(5, state=S.NO_SHOW, window=2, called_at=NOW, recall_count=2, order_key=NOW_US - 99)
    new, e = lifecycle.reactivate(t, NOW_US + 42, LATER, "clerk2", max_reactivations=1)
    assert (new.state, new.order_key, new.reactivations) == (S.WAITING, NOW_US + 42, 1)
    assert (new.window, new.called_at, new.recall_count) == (None, None, 0)
    assert e.window is None and e.kind == "ticket.reactivate"


def test_reactivation_limit() -> None:
    t = make_ticket(5, state=S.NO_SHOW, reactivations=1)
    before = dataclasses.astuple(t)
    with pytest.raises(InvalidTransition) as err:
        lifecycle.reactivate(t, NOW_US, LATER, None, max_reactivations=1)
    assert dataclasses.astuple(t) == before
    assert_bilingual(err.value.message, "A005")
    again, _ = lifecycle.reactivate(t, NOW_US, LATER, None, max_reactivations=2)
    assert again.reactivations == 2
    with pytest.raises(InvalidTransition):
        lifecycle.reactivate(make_ticket(5, state=S.NO_SHOW), NOW_US, LATER, None, max_reactivations=0)


def test_no_show_keeps_the_window_for_the_record() -> None:
    new, e = lifecycle.no_show(make_ticket(1, state=S.CALLED, window=3), LATER, "clerk3")
    assert (new.state, new.window, e.window) == (S.NO_SHOW, 3, 3)


# -- hold, return, call back -------------------------------------------------------


def test_hold_return_and_call_back_at_the_holding_window() -> None:
    t = make_ticket(6, state=S.SERVING, window=2, started_at=NOW, returned=True)
    held, e = lifecycle.hold(t, LATER, "clerk2", "取户口本")
    assert (held.state, held.window, held.returned) == (S.HELD, 2, False)
    assert (e.window, e.detail) == (2, {"reason": "取户口本"})
    back, e = lifecycle.mark_returned(held, LATER, None)
    assert (back.state, back.returned, e.window, e.from_state, e.to_state) == (S.HELD, True, 2, "held", "held")
    again, _ = lifecycle.mark_returned(back, LATER, None)
    assert again.returned is True
    called_at = LATER + timedelta(minutes=1)
    called, e = lifecycle.call_back(dataclasses.replace(back, recall_count=2), 2, called_at, "clerk2")
    assert (called.state, called.window, called.called_at) == (S.CALLED, 2, called_at)
    assert (called.returned, called.recall_count, e.window) == (False, 0, 2)


@pytest.mark.parametrize("other", [1, 3])
def test_call_back_only_by_the_holding_window(other: int) -> None:
    held = make_ticket(8, state=S.HELD, window=2, returned=True)
    before = dataclasses.astuple(held)
    with pytest.raises(NotEligible) as err:
        lifecycle.call_back(held, other, LATER, "clerk")
    assert dataclasses.astuple(held) == before
    assert_bilingual(err.value.message, "A008", "2")


# -- transfer --------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.CALLED, S.SERVING])
def test_transfer_keeps_the_place_and_clears_the_window(state: TicketState) -> None:
    t = make_ticket(11, state=state, window=1, order_key=NOW_US - 1234, recall_count=1, called_at=NOW, started_at=NOW)
    new, e = lifecycle.transfer(t, LATER, "clerk1", "C", 3, "需社保窗口办理")
    assert new.order_key == t.order_key
    assert (new.state, new.service, new.window, new.target_window) == (S.WAITING, "C", None, 3)
    assert (new.called_at, new.started_at, new.recall_count) == (None, None, 0)
    assert (new.number, new.tier, new.issued_at) == (t.number, t.tier, t.issued_at)
    assert e.window == 1
    assert e.detail == {"from_service": "A", "to_service": "C", "to_window": 3, "reason": "需社保窗口办理"}


def test_transfer_to_a_service_leaves_any_window_free_to_call() -> None:
    new, e = lifecycle.transfer(make_ticket(1, state=S.CALLED, window=1), LATER, None, "B", None, None)
    assert (new.service, new.target_window) == ("B", None)
    assert e.detail == {"from_service": "A", "to_service": "B"}


# -- the rest ----------------------------------------------------------------------


def test_start_and_finish_stamp_their_times() -> None:
    started, _ = lifecycle.start(make_ticket(1, state=S.CALLED, window=1), NOW, None)
    done, e = lifecycle.finish(started, LATER, None)
    assert (started.started_at, done.finished_at, done.state, e.window) == (NOW, LATER, S.DONE, 1)


def test_cancel_and_rollover_record_reason_and_no_staff() -> None:
    _, e = lifecycle.cancel(make_ticket(1, state=S.HELD, window=2), LATER, None, "走了")
    assert (e.window, e.detail, e.to_state) == (2, {"reason": "走了"}, "cancelled")
    new, e = lifecycle.rollover(make_ticket(1, state=S.NO_SHOW, window=2), LATER)
    assert (new.state, e.staff, e.to_state) == (S.NOT_SERVED, None, "not_served")


def test_check_names_the_states_an_action_may_start_from() -> None:
    with pytest.raises(InvalidTransition) as err:
        lifecycle.check(make_ticket(30, state=S.DONE), A.CANCEL)
    message = err.value.message
    assert "A030" in message and "已办结" in message
    for allowed in (S.WAITING, S.CALLED, S.HELD):
        assert lifecycle.state_label(allowed) in message
