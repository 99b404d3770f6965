"""A whole week of the roster runner with the test's clock, in Asia/Shanghai: windows pause at
lunch (a visitor in service is served to the end, nobody new is called), resume at lunch end,
close at the shift's end after the current service; a clerk's own pause or choice to work
through lunch is left alone; a clerk at a window they are not rostered to works on. Every step
is audited as the runner's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from queue_server.commands.roster_runner import ROSTER_LOGIN
from queue_server.domain import TicketState, WindowState
from queue_server.errors import WindowUnavailable
from queue_server.rules.roster_boundaries import SHIFT_OVER_REASON, lunch_reason
from queue_server.service import QueueService
from queue_server.storage import Store
from tests.conftest import FakeClock
from tests.roster_runner.support import HALL, MONDAY, Harness, at, duty, hall_with_posts, local, publish


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


def week_roster() -> list:  # type: ignore[type-arg]
    duties = []
    for n in range(5):
        d = day(n)
        if n == 1:  # Tuesday li works the early shift, no lunch: her window closes at 12:30
            duties.append(duty("li", d, "W01", ((8, 30), (12, 30)), None, shift="early"))
        else:
            duties.append(duty("li", d, "W01"))
        duties.append(duty("wang", d, "W02", lunch=((14, 0), (15, 0)), shift="noon"))
        if n != 2:  # Wednesday is zhang's day off
            duties.append(duty("zhang", d, "W03", lunch=((12, 30), (13, 30))))
    return duties


@pytest.fixture
def h(store: Store, clock: FakeClock) -> Harness:
    service = hall_with_posts(store, clock)
    clock.now = at(MONDAY, 7, 0)
    publish(service, MONDAY, day(6), week_roster())
    return Harness(service, clock)


def serving(service: QueueService, window: int) -> bool:
    with service.store.reader(HALL) as r:
        current = r.current_ticket(window)
    return current is not None and current.state is TicketState.SERVING


def serve_one(service: QueueService, window: int, login: str, code: str) -> None:
    service.issue(HALL, code)
    service.call_next(HALL, window, login)
    service.start(HALL, window, login)


def test_a_week_of_boundaries(h: Harness) -> None:
    s, five = h.service, timedelta(minutes=5)
    for n in range(7):
        d = day(n)
        h.to(at(d, 8, 0))
        if n == 1:
            s.open_window(HALL, 1, "li")  # the early shift
        if n < 5:
            h.to(at(d, 8, 55))
            if n != 1:
                s.open_window(HALL, 1, "li")
            s.open_window(HALL, 2, "wang")
            if n != 2:
                s.open_window(HALL, 3, "zhang")
        if n == 2:
            h.to(at(d, 10, 0))
            s.open_window(HALL, 3, "zhang")  # on her day off: allowed, and left alone
        if n == 3:  # Thursday: li is serving across her lunch start
            h.every(at(d, 11, 55), five)
            serve_one(s, 1, "li", "A")
            h.every(at(d, 12, 7), timedelta(minutes=1))
            assert h.window(1).state is WindowState.PAUSED  # no new calls from 12:00...
            assert serving(s, 1)  # ...and nobody cut off: her visitor is served to the end
            s.issue(HALL, "A")
            with pytest.raises(WindowUnavailable):
                s.call_next(HALL, 1, "li")
            s.finish(HALL, 1, "li")
            h.every(at(d, 12, 10), timedelta(minutes=1))
        if n == 4:  # Friday: li pauses for lunch herself, early, and comes back herself
            h.every(at(d, 11, 50), five)
            s.pause_window(HALL, 1, lunch_reason(2), "li")
            h.every(at(d, 13, 5), five)
            assert h.window(1).state is WindowState.PAUSED  # her pause is hers to lift
            s.resume_window(HALL, 1, "li")
            h.every(at(d, 14, 20), five)
            s.resume_window(HALL, 2, "wang")  # wang works through his lunch: not paused again
            h.every(at(d, 16, 55), five)
            serve_one(s, 3, "zhang", "C")
            h.every(at(d, 17, 10), timedelta(minutes=1))
            assert h.window(3).state is WindowState.PAUSED and serving(s, 3)  # stops calling, serves on
            s.finish(HALL, 3, "zhang")
            h.every(at(d, 17, 15), timedelta(minutes=1))
        if n == 5:  # Saturday: li comes in unrostered and works the morning
            h.to(at(d, 10, 0))
            s.open_window(HALL, 1, "li")
            h.every(at(d, 12, 0), five)
            assert h.window(1).state is WindowState.OPEN
            s.close_window(HALL, 1, "li")
        h.every(at(d, 18, 0), five)
        if n == 2:
            assert h.window(3).state is WindowState.OPEN and h.window(3).staff == "zhang"
            s.close_window(HALL, 3, "zhang")
    h.every(at(day(7), 9, 0), timedelta(minutes=30))

    done = [f"{local(e)} {e.detail.get('reason', '')}".strip() for e in h.runner_events()]
    to2, to1, to3 = lunch_reason(2), lunch_reason(1), lunch_reason(3)
    assert done == [
        # Monday: lunches send visitors to the B holder's window, or the noon-duty clerk's.
        f"Mon 12:00 window.pause 1 {to2}",
        f"Mon 12:30 window.pause 3 {to2}",
        "Mon 13:00 window.resume 1",
        "Mon 13:30 window.resume 3",
        f"Mon 14:00 window.pause 2 {to1}",
        "Mon 15:00 window.resume 2",
        "Mon 17:00 window.close 1",
        "Mon 17:00 window.close 2",
        "Mon 17:00 window.close 3",
        # Tuesday: li's early shift ends at 12:30.
        "Tue 12:30 window.close 1",
        f"Tue 12:30 window.pause 3 {to2}",
        "Tue 13:30 window.resume 3",
        f"Tue 14:00 window.pause 2 {to3}",
        "Tue 15:00 window.resume 2",
        "Tue 17:00 window.close 2",
        "Tue 17:00 window.close 3",
        # Wednesday: zhang, unrostered at window 3, is left alone.
        f"Wed 12:00 window.pause 1 {to2}",
        "Wed 13:00 window.resume 1",
        f"Wed 14:00 window.pause 2 {to1}",
        "Wed 15:00 window.resume 2",
        "Wed 17:00 window.close 1",
        "Wed 17:00 window.close 2",
        # Thursday: li's lunch starts on time while she serves: her visitor is served to the
        # end, nobody new is called.
        f"Thu 12:00 window.pause 1 {to2}",
        f"Thu 12:30 window.pause 3 {to2}",
        "Thu 13:00 window.resume 1",
        "Thu 13:30 window.resume 3",
        f"Thu 14:00 window.pause 2 {to1}",
        "Thu 15:00 window.resume 2",
        "Thu 17:00 window.close 1",
        "Thu 17:00 window.close 2",
        "Thu 17:00 window.close 3",
        # Friday: li's own pause is hers; wang resumed at 14:20 and is not paused again;
        # zhang's window stops calling at 17:00 and closes after her visitor (17:10), at the
        # next minute.
        f"Fri 12:30 window.pause 3 {to2}",
        "Fri 13:30 window.resume 3",
        f"Fri 14:00 window.pause 2 {to1}",
        "Fri 17:00 window.close 1",
        "Fri 17:00 window.close 2",
        f"Fri 17:00 window.pause 3 {SHIFT_OVER_REASON}",
        "Fri 17:11 window.close 3",
    ]
    # Every step went through the gate as the runner's, and was audited ok.
    assert {(r["who"], r["outcome"]) for r in h.audit.rows} == {(ROSTER_LOGIN, "ok")}
    assert len(h.audit.rows) == len(done)
    # Both visitors were served to the end.
    with s.store.reader(HALL) as r:
        states = [t.state for t in r.active_tickets(day(3))] + [t.state for t in r.active_tickets(day(4))]
    assert TicketState.SERVING not in states and TicketState.CALLED not in states
