"""Scenarios a hall lives through, run on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from queue_server.domain import TicketState
from queue_server.errors import BadRequest, NotEligible, NotFound, NotOnStaff, NoWindowServes
from queue_server.service import QueueService
from queue_server.storage import Store
from tests.conftest import FakeClock, with_config

# Appended to the small hall: li (李娜) knows only B; wang (王强) has no skills on record (serves anything).
STAFF = """
[[hall.staff]]
login = "li"
name = "李娜"
skills = ["B"]

[[hall.staff]]
login = "wang"
name = "王强"
skills = []
"""


def called_number(service: QueueService, window: int) -> str | None:
    outcome = service.call_next("t", window)
    return outcome.ticket.number if outcome.ticket else None


def test_clerk_skills_narrow_what_a_window_calls(store: Store, clock: FakeClock) -> None:
    service = with_config(store, clock, STAFF)
    service.issue("t", "A")
    clock.advance(60)
    service.issue("t", "B")
    service.open_window("t", 1, "li")  # window 1 serves A and B; li only knows B
    assert called_number(service, 1) == "B001"
    service.no_show("t", 1)
    assert called_number(service, 1) is None
    service.close_window("t", 1)
    service.open_window("t", 1, "wang")  # no skills on record: everything the window serves
    assert called_number(service, 1) == "A001"


def test_unknown_clerk_cannot_open_a_window(store: Store, clock: FakeClock) -> None:
    service = with_config(store, clock, STAFF)
    # Forbidden, not "not found": the hall exists, the login exists, the staff list does not name it;
    # the message says which file key to add it to.
    with pytest.raises(NotOnStaff, match=r"not on the staff of t: add login = 'nobody' to \[\[hall.staff\]\]"):
        service.open_window("t", 1, "nobody")
    with store.reader("t") as r:
        window = r.window(1)
    assert window is not None and window.state.value == "closed"


def test_a_window_whose_clerk_has_no_matching_skill_says_so(store: Store, clock: FakeClock) -> None:
    service = with_config(store, clock, STAFF)
    service.open_window("t", 3, "li")  # window 3 serves C only
    with pytest.raises(NotEligible, match="no skill"):
        service.call_next("t", 3)


def test_estimate_uses_open_windows_and_recent_service_times(service: QueueService, clock: FakeClock) -> None:
    # No window open: no estimate (nobody can say when one opens).
    service.issue("t", "B")
    second = service.issue("t", "B")
    assert (second.ahead, second.estimated_wait_s) == (1, None)
    # Nothing known yet: B's expected 20 minutes, by one window.
    service.open_window("t", 1)
    assert service.issue("t", "B").estimated_wait_s == 2 * 20 * 60
    service.open_window("t", 2)
    third = service.issue("t", "B")
    assert (third.ahead, third.estimated_wait_s) == (3, 3 * 20 * 60 // 2)
    # Five real services of 4 minutes each replace the configured 20.
    for _ in range(5):
        service.issue("t", "B")
    for _ in range(5):
        service.call_next("t", 1)
        service.start("t", 1)
        clock.advance(240)
        service.finish("t", 1)
    after = service.issue("t", "B")
    assert after.ahead == 4
    assert after.estimated_wait_s == 4 * 240 // 2


def test_issue_for_a_service_nobody_serves_spends_no_number(service: QueueService) -> None:
    with pytest.raises(NoWindowServes):
        service.issue("t", "D")
    service.set_window_services("t", 3, {"C": 1.0, "D": 1.0})
    assert service.issue("t", "D").ticket.number == "D001"


def test_unknown_service_and_priority_are_refused(service: QueueService) -> None:
    with pytest.raises(NotFound, match="'Z'"):
        service.issue("t", "Z")
    with pytest.raises(BadRequest, match="vip"):
        service.issue("t", "A", "vip")


def test_held_visitor_who_returns_is_called_back_first(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1)
    service.issue("t", "A")
    service.issue("t", "A")
    first = service.call_next("t", 1).ticket
    assert first is not None
    service.start("t", 1)
    service.hold("t", 1, reason="补材料")
    assert called_number(service, 1) == "A002"
    service.start("t", 1)
    service.finish("t", 1)
    service.issue("t", "A", "green")
    service.mark_returned("t", first.id)
    back = service.call_next("t", 1).ticket
    assert back is not None and (back.id, back.state) == (first.id, TicketState.CALLED)
    with service.store.reader("t") as r:
        kinds = [e.kind for e in r.ticket_events(first.id)]
    assert kinds == ["ticket.issue", "ticket.call", "ticket.start", "ticket.hold", "ticket.return", "ticket.call_back"]


def test_transfer_to_a_window_keeps_the_place_and_only_that_window_calls_it(
    service: QueueService, clock: FakeClock
) -> None:
    for n in (1, 2):
        service.open_window("t", n)
    service.issue("t", "B")
    clock.advance(60)
    service.issue("t", "B")
    service.call_next("t", 1)
    moved = service.transfer("t", 1, to_window=2, reason="需要专人办理").ticket
    assert moved is not None and moved.target_window == 2 and moved.state is TicketState.WAITING
    service.open_window("t", 3)
    assert called_number(service, 1) == "B002"  # B001 now belongs to window 2
    assert called_number(service, 2) == "B001"


def test_transfer_to_another_service_keeps_arrival_order(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1)
    service.issue("t", "A")
    clock.advance(60)
    service.issue("t", "C")
    service.call_next("t", 1)
    service.transfer("t", 1, service="C")
    service.open_window("t", 3)
    assert called_number(service, 3) == "A001"  # arrived before C001


def test_late_visitor_goes_back_behind_requeue_after_people(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 3)
    for _ in range(5):
        service.issue("t", "C")
        clock.advance(10)
    late = service.call_next("t", 3).ticket
    assert late is not None
    service.no_show("t", 3)
    service.reactivate("t", late.id)
    order = []
    for _ in range(5):
        number = called_number(service, 3)
        order.append(number)
        service.start("t", 3)
        service.finish("t", 3)
    assert order == ["C002", "C003", "C001", "C004", "C005"]  # requeue_after = 2


def test_appointment_waits_for_its_slot_then_goes_first(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 3)
    service.issue("t", "C")
    slot = clock.now + timedelta(minutes=10)
    booked = service.issue("t", "C", appointment="YY2026-0001", slot_start=slot)
    assert booked.ticket.priority == "appointment"
    clock.advance(60)
    service.issue("t", "C")
    assert called_number(service, 3) == "C001"  # slot not yet come: C002 waits like everyone
    service.no_show("t", 3)
    clock.advance(10 * 60)
    assert called_number(service, 3) == "C002"  # slot has come: ahead of C003


def test_specific_call_needs_a_reason_and_is_audited(service: QueueService) -> None:
    service.open_window("t", 1)
    service.issue("t", "A")
    wanted = service.issue("t", "A").ticket
    with pytest.raises(BadRequest):
        service.call_ticket("t", 1, wanted.id, reason="  ")
    out = service.call_ticket("t", 1, wanted.id, reason="老人行动不便")
    assert out.ticket is not None and out.ticket.number == "A002"
    assert out.events[0].detail["reason"] == "老人行动不便"
    service.no_show("t", 1)
    other = service.issue("t", "C").ticket
    with pytest.raises(NotEligible, match="does not serve C"):
        service.call_ticket("t", 1, other.id, reason="顺便办理")


def test_business_day_restarts_numbers_and_rollover_closes_yesterday(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1)
    yesterday = service.issue("t", "A").ticket
    clock.advance(24 * 3600)
    assert service.issue("t", "A").ticket.number == "A001"
    assert called_number(service, 1) == "A001"  # yesterday's A001 is not in today's line
    out = service.rollover("t")
    assert [e.ticket_id for e in out.events] == [yesterday.id]
    assert service.rollover("t").events == []  # idempotent


def test_events_carry_the_state_they_produced(service: QueueService, clock: FakeClock) -> None:
    opened = service.open_window("t", 1, "clerk")
    assert opened.events[0].detail["window"]["state"] == "open"
    issued = service.issue("t", "A")
    assert issued.events[0].detail["ticket"]["state"] == "waiting"
    called = service.call_next("t", 1)
    view = called.events[0].detail["ticket"]
    assert (view["number"], view["state"], view["window"]) == ("A001", "called", 1)
    with service.store.reader("t") as r:
        assert [t.number for t in r.active_tickets(service.business_day("t"))] == ["A001"]
        stored = r.events(after_seq=0)
    assert [e.detail for e in stored] == [e.detail for e in opened.events + issued.events + called.events]
