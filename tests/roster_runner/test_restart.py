"""The runner's boundaries survive restarts: run exactly at a boundary twice, or by a fresh
service and runner on the same database, and it happens once; a server that was down over a
boundary brings the hall to what the roster says when it is back (nothing replayed that no
longer holds)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from queue_server.domain import WindowState
from queue_server.rules.roster_boundaries import lunch_reason
from queue_server.service import QueueService
from queue_server.storage import Store, open_store
from tests.conftest import FakeClock
from tests.roster_runner.support import HALL, MONDAY, Harness, at, duty, hall_with_posts, local, publish

TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def service(store: Store, clock: FakeClock) -> QueueService:
    service = hall_with_posts(store, clock)
    clock.now = at(MONDAY, 8, 0)
    duties = [duty("li", d, "W01") for d in (MONDAY, TUESDAY)] + [
        duty("wang", d, "W02", lunch=((14, 0), (15, 0)), shift="noon") for d in (MONDAY, TUESDAY)
    ]
    publish(service, MONDAY, TUESDAY, duties)
    service.open_window(HALL, 1, "li")
    service.open_window(HALL, 2, "wang")
    return service


def fresh(service: QueueService, clock: FakeClock) -> Harness:
    """A new server process on the same database: its own store, service and runner."""
    store = open_store(service.store.url, migrate=False)
    return Harness(QueueService(store, service.config, clock=clock), clock)


def steps(h: Harness) -> list[str]:
    return [local(e) for e in h.runner_events()]


@pytest.mark.parametrize("boundary", [(12, 0), (13, 0), (17, 0)])
def test_a_restart_exactly_at_a_boundary_neither_repeats_nor_skips_it(
    service: QueueService, clock: FakeClock, boundary: tuple[int, int]
) -> None:
    first = Harness(service, clock)
    first.every(at(MONDAY, *boundary) - timedelta(minutes=1), timedelta(minutes=30))
    before = steps(first)
    first.to(at(MONDAY, *boundary))
    # The same runner again, then a new process's runner (no memory of the first), same instant.
    again = first.runner.reconcile(HALL)
    second = fresh(service, clock)
    try:
        twice = second.runner.reconcile(HALL)
        later = second.every(at(MONDAY, *boundary) + timedelta(minutes=3))
        assert again.done == twice.done == () and all(t.done == () for t in later)
        new = steps(second)[len(before) :]
    finally:
        second.service.store.close()
    assert new == EXPECTED[boundary]


EXPECTED = {
    (12, 0): ["Mon 12:00 window.pause 1"],
    (13, 0): ["Mon 13:00 window.resume 1"],
    (17, 0): ["Mon 17:00 window.close 1", "Mon 17:00 window.close 2"],
}


def test_a_process_that_died_before_a_boundary_is_caught_up_by_the_next(
    service: QueueService, clock: FakeClock
) -> None:
    Harness(service, clock).to(at(MONDAY, 11, 59))
    second = fresh(service, clock)
    try:
        second.to(at(MONDAY, 12, 0) + timedelta(seconds=30))
        assert [local(e) for e in second.runner_events()] == ["Mon 12:00 window.pause 1"]
    finally:
        second.service.store.close()


def test_down_over_a_lunch_start_pauses_late_down_over_the_whole_lunch_does_nothing(
    service: QueueService, clock: FakeClock
) -> None:
    h = Harness(service, clock)
    h.to(at(MONDAY, 11, 0))
    h.to(at(MONDAY, 12, 40))  # back during li's lunch: her window pauses now
    assert h.window(1).state is WindowState.PAUSED and h.window(1).pause_reason == lunch_reason(2)
    h.to(at(MONDAY, 13, 50))  # and down again over its end: resumed when back
    assert h.window(1).state is WindowState.OPEN
    h.to(at(MONDAY, 15, 10))  # wang's whole lunch (14:00-15:00) passed while down: nothing to do
    assert h.window(2).state is WindowState.OPEN
    assert steps(h) == ["Mon 12:40 window.pause 1", "Mon 13:50 window.resume 1"]


def test_down_over_the_shift_end_closes_when_back_even_the_next_morning(
    service: QueueService, clock: FakeClock
) -> None:
    h = Harness(service, clock)
    h.to(at(MONDAY, 16, 0))
    h.to(at(TUESDAY, 7, 30))  # down over night: yesterday's shift is over, the windows close
    assert [h.window(n).state for n in (1, 2)] == [WindowState.CLOSED, WindowState.CLOSED]
    assert steps(h) == ["Tue 07:30 window.close 1", "Tue 07:30 window.close 2"]


def test_down_until_the_next_shift_leaves_the_clerk_at_work(service: QueueService, clock: FakeClock) -> None:
    h = Harness(service, clock)
    h.to(at(MONDAY, 16, 0))
    h.to(at(TUESDAY, 9, 30))  # li's window was never closed and she is on duty again now
    assert h.window(1).state is WindowState.OPEN and steps(h) == []


def test_a_roster_published_during_the_day_rules_from_the_next_run(service: QueueService, clock: FakeClock) -> None:
    h = Harness(service, clock)
    h.to(at(MONDAY, 10, 0))  # the runner has read (and keeps) the day's duties
    clock.now = at(MONDAY, 10, 30)
    early_lunch = [duty("li", MONDAY, "W01", lunch=((11, 0), (12, 0)))]
    publish(service, MONDAY, MONDAY, [*early_lunch, duty("wang", MONDAY, "W02", lunch=((14, 0), (15, 0)))])
    h.every(at(MONDAY, 12, 30), timedelta(minutes=30))
    assert steps(h) == ["Mon 11:00 window.pause 1", "Mon 12:00 window.resume 1"]
