"""Since when an open window has been free (``idle_since``), from the server: the hall channel's
snapshot (what a hub loading now sends) and the window views its live events carry say the same,
so a reloaded dashboard raises the "idle for a minute" alert at once. On both backends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from queue_server.domain import Event
from queue_server.queries.snapshot import load_snapshot
from queue_server.realtime.view import Change, HallView
from queue_server.service import QueueService
from queue_server.storage.sql import WINDOW_TURN_PAGE
from tests.conftest import FakeClock


def loaded(service: QueueService) -> HallView:
    snap, tail = load_snapshot(service, "t")
    view = HallView.from_snapshot(snap)
    for e in tail:
        view.apply(e)
    return view


def channel(view: HallView) -> dict[int, Any]:
    return {w["number"]: w["idle_since"] for w in view.snapshot_message()["windows"]}


class Live:
    """A view loaded at the start and advanced by the service's events, as a hub's is."""

    def __init__(self, service: QueueService) -> None:
        self.events: list[Event] = []
        service.listeners.append(self.events.extend)
        self.view = loaded(service)

    def follow(self) -> dict[int, Any]:
        """Applies the new events; the window views the last change sent, and the whole view."""
        sent: dict[int, Any] = {}
        for e in self.events:
            change = self.view.apply(e)
            assert isinstance(change, Change)
            for n in change.windows:
                w = self.view.window(n)
                assert w is not None
                sent[n] = w["idle_since"]
        self.events.clear()
        return sent


def everywhere(service: QueueService, live: Live) -> dict[int, Any]:
    """Each window's idle_since, checked to agree in a freshly loaded hall channel (the store's
    event log) and in the live view (the events applied one by one)."""
    found = channel(loaded(service))
    assert channel(live.view) == found
    return found


def iso(at: datetime) -> str:
    return at.isoformat()


def test_idle_since_comes_from_the_server(service: QueueService, clock: FakeClock) -> None:
    live = Live(service)
    assert everywhere(service, live) == {1: None, 2: None, 3: None}  # closed windows are not idle

    opened = clock()
    service.open_window("t", 1, "li")
    assert live.follow() == {1: iso(opened)}
    clock.advance(90)
    assert everywhere(service, live)[1] == iso(opened)

    a = service.issue("t", "A").ticket
    clock.advance(30)
    service.call_next("t", 1, "li")
    assert live.follow() == {1: None}  # a ticket at the window: not idle
    clock.advance(60)
    service.recall("t", 1, "li")
    service.start("t", 1, "li")
    clock.advance(300)
    finished = clock()
    service.finish("t", 1, "li")
    assert live.follow() == {1: iso(finished)}
    clock.advance(120)
    service.evaluate("t", a.id, 1, "phone")  # a rating names the window but does not make it busy
    live.follow()
    assert everywhere(service, live) == {1: iso(finished), 2: None, 3: None}

    # Each way a ticket leaves restarts the count: no-show, hold, transfer.
    for leave in ("no_show", "hold", "transfer"):
        service.issue("t", "B")
        service.call_next("t", 1, "li")
        clock.advance(45)
        left = clock()
        if leave == "transfer":
            service.transfer("t", 1, service="C")
        else:
            getattr(service, leave)("t", 1, "li")
        assert live.follow() == {1: iso(left)}, leave
        assert everywhere(service, live)[1] == iso(left), leave

    # Paused is not idle; resuming starts a new idle time. Changing services keeps it.
    service.pause_window("t", 1, "午休")
    assert live.follow() == {1: None}
    clock.advance(1800)
    resumed = clock()
    service.resume_window("t", 1)
    clock.advance(60)
    service.set_window_services("t", 1, {"A": 1.0, "C": 1.0})
    live.follow()
    assert everywhere(service, live) == {1: iso(resumed), 2: None, 3: None}

    # Another window's events leave window 1's time alone; closing ends it.
    service.open_window("t", 2, "wang")
    second = clock()
    clock.advance(10)
    service.close_window("t", 1)
    live.follow()
    assert everywhere(service, live) == {1: None, 2: iso(second), 3: None}


def test_a_window_free_for_long_is_found_behind_a_busy_one(service: QueueService, clock: FakeClock) -> None:
    """The store reads the event log newest first a page at a time: a window that went free long
    ago is found behind pages of another window's calls."""
    service.open_window("t", 2, "wang")
    free_since = clock()
    service.open_window("t", 1, "li")
    for _ in range(WINDOW_TURN_PAGE):  # two turns each: twice a page of window 1's events
        clock.advance(5)
        service.issue("t", "A")
        service.call_next("t", 1, "li")
        service.no_show("t", 1, "li")
    last = clock()
    assert channel(loaded(service)) == {1: iso(last), 2: iso(free_since), 3: None}
