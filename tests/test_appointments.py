"""预约 scenarios, run on every backend: booking, importing, cancelling and checking in,
and what a checked-in appointment does to the order windows call in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from queue_server.domain import Appointment, Ticket, Tier
from queue_server.errors import BadRequest, Conflict, HallQError, NotEligible, NotFound, NoWindowServes
from queue_server.rules.appointments import Arrival
from queue_server.rules.lifecycle import to_us
from queue_server.service import QueueService
from queue_server.storage import Store
from tests.conftest import TWO_HALLS, FakeClock, refused, with_config

DAY = date(2026, 11, 23)  # FakeClock starts at 09:00 on this day in Shanghai
HEADER = "code,service,slot_start,slot_end,name\n"


def local(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    """A naive hall-local time, as a booking system would send it."""
    return datetime(day.year, day.month, day.day, hour, minute)


def utc(hour: int, minute: int = 0) -> datetime:
    """The same wall-clock time in Shanghai, as stored (UTC)."""
    return datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC) + timedelta(hours=hour - 8, minutes=minute)


def book(service: QueueService, code: str = "YY-001", svc: str = "C", hour: int = 10, minute: int = 0) -> Appointment:
    start = local(hour, minute)
    return service.create_appointment("t", code, svc, start, start + timedelta(minutes=30), "张三丰").appointment


def state(service: QueueService) -> tuple[int, list[Appointment], list[Ticket]]:
    """Everything a refused command must leave alone."""
    with service.store.reader("t") as r:
        return (
            r.last_seq(),
            r.appointments(utc(8) - timedelta(days=2), utc(8) + timedelta(days=2)),
            r.active_tickets(DAY),
        )


# --- booking ------------------------------------------------------------------


def test_create_appointment(service: QueueService, clock: FakeClock) -> None:
    out = service.create_appointment("t", " YY-001 ", "C", local(10), local(10, 30), "张三丰", staff="mgr")
    a = out.appointment
    assert (a.code, a.service, a.name, a.cancelled, a.ticket_id) == ("YY-001", "C", "张三丰", False, None)
    assert (a.slot_start, a.slot_end, a.created_at) == (utc(10), utc(10, 30), clock.now)
    [event] = out.events
    assert (event.kind, event.staff) == ("appointment.create", "mgr")
    assert event.detail["appointment"]["name"] == "张**"  # screens never see the full name
    assert event.detail["appointment"]["slot_start"] == utc(10).isoformat()
    with service.store.reader("t") as r:
        assert r.appointment("YY-001") == a
        assert r.appointments(utc(9), utc(11)) == [a]
        assert r.appointments(utc(10, 1), utc(11)) == []


def test_aware_slot_times_are_kept(service: QueueService) -> None:
    a = service.create_appointment("t", "YY-001", "C", utc(10), utc(10, 30)).appointment
    assert (a.slot_start, a.slot_end) == (utc(10), utc(10, 30))


def test_appointment_codes_are_unique_per_hall(service: QueueService) -> None:
    book(service)
    message = refused(lambda: state(service), Conflict, lambda: book(service, svc="A", hour=11))
    assert "YY-001" in message
    service.cancel_appointment("t", "YY-001")
    refused(lambda: state(service), Conflict, lambda: book(service))  # a cancelled code stays taken


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("YY-001", "Z", local(10), local(10, 30)), NotFound),
        (("YY-001", "C", local(10), local(10)), BadRequest),
        (("YY-001", "C", local(10), local(9, 30)), BadRequest),
        (("  ", "C", local(10), local(10, 30)), BadRequest),
        (("YY 001", "C", local(10), local(10, 30)), BadRequest),
    ],
)
def test_create_refuses_bad_input(service: QueueService, args: tuple[Any, ...], error: type[HallQError]) -> None:
    refused(lambda: state(service), error, lambda: service.create_appointment("t", *args))


def test_create_refuses_a_long_name(service: QueueService) -> None:
    refused(
        lambda: state(service),
        BadRequest,
        lambda: service.create_appointment("t", "Y", "C", local(10), local(11), "名" * 101),
    )


def test_cancel_appointment(service: QueueService) -> None:
    book(service)
    out = service.cancel_appointment("t", "YY-001", staff="mgr")
    assert out.appointment.cancelled
    [event] = out.events
    assert (event.kind, event.staff, event.detail["appointment"]["cancelled"]) == ("appointment.cancel", "mgr", True)
    refused(lambda: state(service), Conflict, lambda: service.cancel_appointment("t", "YY-001"))
    refused(lambda: state(service), NotFound, lambda: service.cancel_appointment("t", "NOPE"))


def test_a_checked_in_appointment_cannot_be_cancelled(service: QueueService, clock: FakeClock) -> None:
    book(service, hour=9, minute=15)
    service.check_in("t", "YY-001")
    message = refused(lambda: state(service), Conflict, lambda: service.cancel_appointment("t", "YY-001"))
    assert "cancel its ticket" in message


# --- importing ----------------------------------------------------------------

GOOD_ROWS = (
    "YY-1,A,2026-11-23T10:00,2026-11-23T10:30,张三\n"
    "YY-2,B,2026-11-23T10:30:00+08:00,2026-11-23T11:00:00+08:00,\n"
    'YY-3,C,2026-11-23 11:00,2026-11-23 11:30,"李, 四"\n'
)


def test_import_appointments(service: QueueService) -> None:
    assert service.import_appointments("t", "\ufeff" + HEADER + GOOD_ROWS, staff="mgr") == 3
    with service.store.reader("t") as r:
        stored = r.appointments(utc(8), utc(23))
        events = r.events()
    assert [(a.code, a.service, a.slot_start, a.name) for a in stored] == [
        ("YY-1", "A", utc(10), "张三"),
        ("YY-2", "B", utc(10, 30), ""),
        ("YY-3", "C", utc(11), "李, 四"),
    ]
    [event] = events  # one event for the whole import, listing every appointment
    assert (event.kind, event.staff, event.detail["count"]) == ("appointment.import", "mgr", 3)
    assert [v["code"] for v in event.detail["appointments"]] == ["YY-1", "YY-2", "YY-3"]
    assert [v["name"] for v in event.detail["appointments"]] == ["张*", "", "李***"]


def test_import_of_a_header_only_file_stores_nothing(service: QueueService) -> None:
    assert service.import_appointments("t", HEADER) == 0
    assert state(service)[0] == 0


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        (GOOD_ROWS + "YY-4,A,2026-11-23T25:00,2026-11-23T10:30,\n", "line 5, column slot_start"),
        (GOOD_ROWS + "YY-4,Z,2026-11-23T10:00,2026-11-23T10:30,\n", "line 5, column service"),
        (GOOD_ROWS + "YY-2,A,2026-11-23T12:00,2026-11-23T12:30,\n", "line 5, column code: code 'YY-2' repeats line 3"),
        (GOOD_ROWS + "YY-4,A,2026-11-23T12:00,2026-11-23T11:30,\n", "line 5, column slot_end"),
        (GOOD_ROWS + "YY-4,A,2026-11-23T12:00\n", "line 5: expected 5 columns, got 3"),
    ],
)
def test_import_is_all_or_nothing(service: QueueService, rows: str, needle: str) -> None:
    message = refused(lambda: state(service), BadRequest, lambda: service.import_appointments("t", HEADER + rows))
    assert needle in message
    assert state(service)[1] == []


def test_import_refuses_codes_the_hall_already_has(service: QueueService) -> None:
    book(service, code="YY-3")
    message = refused(lambda: state(service), BadRequest, lambda: service.import_appointments("t", HEADER + GOOD_ROWS))
    assert "line 4, column code: appointment code 'YY-3' already exists" in message
    assert "第 4 行「code」列" in message


def test_import_refuses_a_bad_header(service: QueueService) -> None:
    message = refused(
        lambda: state(service), BadRequest, lambda: service.import_appointments("t", "编号,事项\n" + GOOD_ROWS)
    )
    assert "line 1: the header must be code,service,slot_start,slot_end,name" in message


# --- checking in --------------------------------------------------------------


def test_check_in_too_early_says_from_when(service: QueueService) -> None:
    book(service, hour=10)  # it is 09:00; check-in opens 09:30
    message = refused(lambda: state(service), BadRequest, lambda: service.check_in("t", "YY-001"))
    assert "09:30" in message and "10:00" in message


def test_check_in_on_time_issues_an_appointment_ticket(service: QueueService, clock: FakeClock) -> None:
    booked = book(service, hour=9, minute=20)
    out = service.check_in("t", " YY-001 ")
    ticket = out.issued.ticket
    assert out.arrival is Arrival.ON_TIME
    assert (ticket.number, ticket.priority, ticket.tier, ticket.appointment) == (
        "C001",
        "appointment",
        Tier.APPOINTMENT,
        "YY-001",
    )
    assert ticket.order_key == to_us(booked.slot_start)  # stands in line from the slot's start
    assert (out.appointment.ticket_id, out.appointment.checked_in_at) == (ticket.id, clock.now)
    assert [e.kind for e in out.events] == ["ticket.issue", "appointment.check_in"]
    assert out.issued.events is out.events
    check_in = out.events[1]
    assert (check_in.ticket_id, check_in.detail["arrival"]) == (ticket.id, "on_time")
    assert check_in.detail["appointment"]["ticket_id"] == ticket.id
    assert check_in.detail["ticket"]["priority"] == "appointment"
    with service.store.reader("t") as r:
        assert r.appointment("YY-001") == out.appointment
        assert r.ticket(ticket.id) == ticket


def test_check_in_twice_names_the_ticket(service: QueueService) -> None:
    book(service, hour=9, minute=20)
    service.check_in("t", "YY-001")
    message = refused(lambda: state(service), Conflict, lambda: service.check_in("t", "YY-001"))
    assert "C001" in message


def test_check_in_late_within_the_grace_keeps_priority(service: QueueService, clock: FakeClock) -> None:
    book(service, hour=8, minute=45)  # 15 minutes ago: the last moment with priority
    out = service.check_in("t", "YY-001")
    assert out.arrival is Arrival.LATE and out.issued.ticket.priority == "appointment"


def test_check_in_too_late_becomes_a_walk_in(service: QueueService) -> None:
    book(service, hour=8, minute=44)
    out = service.check_in("t", "YY-001")
    ticket = out.issued.ticket
    assert out.arrival is Arrival.TOO_LATE
    assert (ticket.priority, ticket.tier, ticket.appointment) == ("normal", Tier.NORMAL, None)
    assert out.appointment.ticket_id == ticket.id
    assert out.events[1].detail["arrival"] == "too_late"
    refused(lambda: state(service), Conflict, lambda: service.check_in("t", "YY-001"))


def test_check_in_too_late_refused_when_the_hall_says_so(store: Store, clock: FakeClock) -> None:
    service = with_config(store, clock, '\n[hall.appointments]\nlate_minutes = 5\nlate_policy = "refuse"\n')
    book(service, hour=8, minute=55)
    assert service.check_in("t", "YY-001").arrival is Arrival.LATE
    book(service, code="YY-002", hour=8, minute=54)
    message = refused(lambda: state(service), NotEligible, lambda: service.check_in("t", "YY-002"))
    assert "08:54" in message and "book again" in message


def test_early_minutes_is_configured_per_hall(store: Store, clock: FakeClock) -> None:
    service = with_config(store, clock, "\n[hall.appointments]\nearly_minutes = 90\n")
    book(service, hour=10, minute=30)
    assert service.check_in("t", "YY-001").arrival is Arrival.ON_TIME


def test_check_in_unknown_or_cancelled(service: QueueService) -> None:
    refused(lambda: state(service), NotFound, lambda: service.check_in("t", "NOPE"))
    book(service, hour=9, minute=10)
    service.cancel_appointment("t", "YY-001")
    message = refused(lambda: state(service), NotFound, lambda: service.check_in("t", "YY-001"))
    assert "cancelled" in message


def test_check_in_for_a_service_nobody_serves_changes_nothing(service: QueueService) -> None:
    book(service, svc="D", hour=9, minute=10)
    refused(lambda: state(service), NoWindowServes, lambda: service.check_in("t", "YY-001"))
    service.set_window_services("t", 3, {"C": 1.0, "D": 1.0})
    out = service.check_in("t", "YY-001")
    assert out.issued.ticket.number == "D001"  # the refused check-in spent no number


def test_codes_are_per_hall(store: Store, clock: FakeClock) -> None:
    service = with_config(store, clock, halls=TWO_HALLS)
    start = local(9, 10)
    service.create_appointment("t", "YY-001", "C", start, start + timedelta(minutes=30))
    other = service.create_appointment("u", "YY-001", "A", start, start + timedelta(minutes=30)).appointment
    assert (other.hall, other.service) == ("u", "A")
    assert service.check_in("u", "YY-001").issued.ticket.number == "A001"
    assert service.check_in("t", "YY-001").issued.ticket.number == "C001"  # not "already checked in"


def test_issue_is_unchanged_by_the_check_in_path(service: QueueService) -> None:
    slot = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    with pytest.raises(BadRequest):
        service.issue("t", "C", appointment="YY-9")
    out = service.issue("t", "C", appointment="YY-9", slot_start=slot)
    assert (out.ticket.priority, out.ticket.order_key) == ("appointment", to_us(slot))
    assert [e.kind for e in out.events] == ["ticket.issue"]


# --- what a checked-in appointment does to the line ---------------------------


def called(service: QueueService, window: int) -> str | None:
    out = service.call_next("t", window)
    if out.ticket is None:
        return None
    service.start("t", window)
    service.finish("t", window)
    return out.ticket.number


def test_checked_in_appointment_is_called_first_once_its_slot_comes(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 3)
    book(service, hour=9, minute=20)
    service.issue("t", "C")  # C001, 09:00
    clock.advance(5 * 60)
    service.issue("t", "C")  # C002, 09:05
    clock.advance(5 * 60)
    assert service.check_in("t", "YY-001").issued.ticket.number == "C003"  # 09:10, on time
    assert called(service, 3) == "C001"  # 09:10: the slot has not come, the appointment waits
    clock.advance(10 * 60)
    assert called(service, 3) == "C003"  # 09:20: the slot has come, ahead of C002 who came at 09:05
    assert called(service, 3) == "C002"


def test_a_walk_in_from_a_missed_slot_queues_like_everyone(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 3)
    book(service, hour=8)  # an hour ago
    service.issue("t", "C")  # C001
    clock.advance(60)
    late = service.check_in("t", "YY-001")
    assert late.arrival is Arrival.TOO_LATE and late.issued.ticket.number == "C002"
    assert late.issued.ahead == 1
    assert [called(service, 3), called(service, 3)] == ["C001", "C002"]
