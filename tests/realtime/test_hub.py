"""The hub in-process: a real QueueService on SQLite, commands run in threads like the API's."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from queue_server.domain import Event
from queue_server.errors import NotFound
from queue_server.queries import snapshot as loader
from queue_server.realtime.hub import Hub, Subscription
from queue_server.realtime.local import LocalBus
from queue_server.realtime.outbox import Closed
from queue_server.service import QueueService
from queue_server.storage import open_store
from tests.conftest import FakeClock, small_config
from tests.realtime.conftest import HALL, Recorder, copy_sqlite

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class DroppingBus(LocalBus):
    """A local bus that can pretend it lost its connection (as the PostgreSQL bus can)."""

    def drop(self) -> None:
        self._resync()


@dataclass
class Env:
    service: QueueService
    other: QueueService  # another "process" on the same database: no listener, nobody hears it
    clock: FakeClock
    bus: DroppingBus
    hub: Hub

    async def run(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        return await asyncio.to_thread(fn, *args, **kw)


@pytest.fixture
async def env(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Env]:
    store = open_store(copy_sqlite(sqlite_template, tmp_path / "hallq.db"), migrate=False)
    clock = FakeClock()
    service = QueueService(store, small_config(), clock=clock)
    other = QueueService(store, small_config(), clock=clock)
    for n in (1, 2, 3):
        service.open_window(HALL, n, f"clerk{n}")
    bus = DroppingBus()
    hub = Hub(service, bus, queue_size=64, grace=0.001)
    service.listeners.append(hub.listener)
    try:
        async with hub.running():
            yield Env(service, other, clock, bus, hub)
    finally:
        store.close()


async def receive(sub: Subscription, timeout: float = 5.0) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(sub.outbox.get(), timeout))
    return message


async def receive_events(sub: Subscription, count: int) -> list[dict[str, Any]]:
    return [await receive(sub) for _ in range(count)]


async def test_a_snapshot_first_then_every_event_in_order(env: Env) -> None:
    sub = await env.hub.subscribe_hall(HALL)
    first = await receive(sub)
    assert (first["type"], first["seq"], first["hall"]) == ("snapshot", 3, HALL)
    # Four threads issue at once: their listeners may hand events over in any order.
    await asyncio.gather(*(env.run(env.service.issue, HALL, s) for s in "ABCABCABCABC"))
    events = await receive_events(sub, 12)
    assert [m["seq"] for m in events] == list(range(4, 16))
    assert all(m["prev"] == m["seq"] - 1 and m["event"]["kind"] == "ticket.issue" for m in events)
    assert events[-1]["waiting"] == {events[-1]["event"]["detail"]["service"]: 4}


async def test_events_handed_over_late_or_twice_are_applied_once_in_order(env: Env) -> None:
    sub = await env.hub.subscribe_hall(HALL)
    await receive(sub)
    recorder = Recorder()
    env.other.listeners.append(recorder)
    for s in "ABC":
        await env.run(env.other.issue, HALL, s)
    a, b, c = recorder.take()
    env.hub.listener([c])
    env.hub.listener([b, a])
    env.hub.listener([a, c])
    assert [m["seq"] for m in await receive_events(sub, 3)] == [4, 5, 6]
    with pytest.raises(TimeoutError):
        await receive(sub, timeout=0.2)


async def test_a_gap_is_filled_from_the_store(env: Env) -> None:
    sub = await env.hub.subscribe_hall(HALL)
    await receive(sub)
    for s in "AB":
        await env.run(env.other.issue, HALL, s)  # committed, but nobody in this process heard
    await env.run(env.service.issue, HALL, "C")  # heard: seq 6 while the view is at 3
    events = await receive_events(sub, 3)
    assert [(m["seq"], m["event"]["detail"]["service"]) for m in events] == [(4, "A"), (5, "B"), (6, "C")]
    assert env.hub.catch_ups >= 1


async def test_a_bus_notice_alone_is_enough(env: Env) -> None:
    sub = await env.hub.subscribe_window(HALL, 1)
    await receive(sub)
    outcome = await env.run(env.other.issue, HALL, "A")
    env.bus.notify(HALL, outcome.events[-1].seq)
    message = await receive(sub)
    assert (message["seq"], message["waiting"]) == (4, {"A": 1})


async def test_falling_too_far_behind_reloads_and_sends_a_snapshot(env: Env) -> None:
    env.hub.catch_up_limit = 3
    sub = await env.hub.subscribe_hall(HALL)
    await receive(sub)
    for _ in range(5):
        await env.run(env.other.issue, HALL, "A")
    env.bus.notify(HALL, 8)
    message = await receive(sub)
    assert (message["type"], message["seq"], message["waiting"]["A"]) == ("snapshot", 8, 5)
    assert env.hub.reloads == 1
    await env.run(env.service.issue, HALL, "B")
    assert (await receive(sub))["seq"] == 9


async def test_a_lost_bus_connection_resyncs_every_client(env: Env) -> None:
    hall, window = await env.hub.subscribe_hall(HALL), await env.hub.subscribe_window(HALL, 2)
    await receive(hall)
    await receive(window)
    await env.run(env.other.issue, HALL, "C")  # missed while "disconnected"
    env.bus.drop()
    hall_snap, window_snap = await receive(hall), await receive(window)
    assert (hall_snap["type"], hall_snap["seq"], window_snap["type"], window_snap["seq"]) == (
        "snapshot",
        4,
        "snapshot",
        4,
    )
    assert window_snap["waiting"] == {"B": 0, "C": 1}


async def test_a_malformed_stored_event_reloads_instead_of_guessing(env: Env) -> None:
    sub = await env.hub.subscribe_hall(HALL)
    await receive(sub)
    with env.service.store.transaction(HALL) as tx:
        tx.append(Event(hall=HALL, kind="ticket.call", at=env.clock(), detail={"ticket": {"id": "x"}}))
    await env.run(env.service.issue, HALL, "A")
    message = await receive(sub)
    assert (message["type"], message["seq"], message["waiting"]["A"]) == ("snapshot", 5, 1)
    await env.run(env.service.issue, HALL, "A")
    assert (await receive(sub))["seq"] == 6


async def test_a_client_that_falls_behind_is_closed_and_the_others_continue(env: Env) -> None:
    env.hub.queue_size = 4
    slow, fast = await env.hub.subscribe_hall(HALL), await env.hub.subscribe_hall(HALL)
    got: list[int] = []

    async def read_fast() -> None:
        while len(got) < 11:
            got.append((await receive(fast))["seq"])

    reader = asyncio.create_task(read_fast())
    for _ in range(10):
        await env.run(env.service.issue, HALL, "A")
        await asyncio.sleep(0)
    await asyncio.wait_for(reader, 5)
    assert got == list(range(3, 14))
    with pytest.raises(Closed) as closed:
        await slow.outbox.get()
    assert (closed.value.code, closed.value.reason) == (4008, "too slow / 客户端过慢")
    assert env.hub.evicted == 1
    assert env.hub.stats()["halls"][HALL]["subscribers"] == 1


async def test_a_client_may_ask_for_a_fresh_snapshot(env: Env) -> None:
    sub = await env.hub.subscribe_hall(HALL)
    await receive(sub)
    await env.run(env.service.issue, HALL, "B")
    await receive(sub)
    env.hub.resync(sub)
    message = await receive(sub)
    assert (message["type"], message["seq"], message["waiting"]["B"]) == ("snapshot", 4, 1)


async def test_the_ticket_channel_follows_one_ticket(env: Env) -> None:
    first = (await env.run(env.service.issue, HALL, "A")).ticket
    mine = (await env.run(env.service.issue, HALL, "A")).ticket
    sub = await env.hub.subscribe_ticket(mine)
    snap = await receive(sub)
    assert (snap["channel"], snap["ticket"]["number"], snap["ahead"]) == ("ticket", "A002", 1)
    assert "token" not in snap["ticket"]
    await env.run(env.service.call_next, HALL, 1)
    assert (await receive(sub))["ahead"] == 0
    await env.run(env.service.no_show, HALL, 1)
    await env.run(env.service.call_next, HALL, 1)
    called = await receive(sub)
    assert (called["ticket"]["state"], called["window"]["number"], called["ahead"]) == ("called", 1, None)
    assert first.id != mine.id


async def test_the_ticket_channel_says_when_no_open_window_serves_the_ticket(env: Env) -> None:
    # C is served by windows 2 and 3 (both open in the fixture).
    mine = (await env.run(env.service.issue, HALL, "C")).ticket
    sub = await env.hub.subscribe_ticket(mine)
    assert (await receive(sub))["no_open_window"] is False
    await env.run(env.service.close_window, HALL, 2)  # window 3 still serves C: nothing to tell
    await env.run(env.service.close_window, HALL, 3)
    closed = await receive(sub)
    assert (closed["seq"], closed["no_open_window"]) == (closed["prev"] + 2, True)
    await env.run(env.service.open_window, HALL, 3, "clerk3")
    assert (await receive(sub))["no_open_window"] is False


async def test_unknown_halls_and_windows_are_not_found(env: Env) -> None:
    with pytest.raises(NotFound):
        await env.hub.subscribe_hall("nowhere")
    with pytest.raises(NotFound):
        await env.hub.subscribe_window(HALL, 99)


async def test_a_new_business_day_sends_snapshots(env: Env) -> None:
    sub = await env.hub.subscribe_hall(HALL)
    await receive(sub)
    await env.run(env.service.issue, HALL, "A")
    await receive(sub)
    env.clock.advance(24 * 3600)
    env.hub.turn_days()
    message = await receive(sub)
    assert (message["type"], message["business_day"], message["waiting"]["A"]) == ("snapshot", "2026-11-24", 0)


async def test_stopping_closes_every_client(sqlite_template: Path, tmp_path: Path) -> None:
    store = open_store(copy_sqlite(sqlite_template, tmp_path / "hallq.db"), migrate=False)
    try:
        hub = Hub(QueueService(store, small_config(), clock=FakeClock()), LocalBus())
        async with hub.running():
            sub = await hub.subscribe_hall(HALL)
        with pytest.raises(Closed) as closed:
            await sub.outbox.get()
        assert closed.value.code == 1001
        hub.listener([Event(hall=HALL, kind="x", at=FakeClock()(), seq=1)])  # after stop: ignored
    finally:
        store.close()


async def test_events_handed_over_during_a_catch_up_read_do_not_force_a_reload(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    import queue_server.realtime.hub as hub_module

    real_read = loader.read_events  # what the hub calls, by the name monkeypatch replaces
    reading = asyncio.Event()
    loop = asyncio.get_running_loop()

    def slow_read(*args: Any, **kw: Any) -> list[Event]:
        loop.call_soon_threadsafe(reading.set)
        time.sleep(0.3)  # the listener hands the same event over meanwhile
        return real_read(*args, **kw)

    monkeypatch.setattr(hub_module, "read_events", slow_read)
    sub = await env.hub.subscribe_hall(HALL)
    await receive(sub)
    recorder = Recorder()
    env.other.listeners.append(recorder)
    outcome = await env.run(env.other.issue, HALL, "A")
    env.bus.notify(HALL, outcome.events[-1].seq)  # heard first from the bus: a catch-up starts
    await asyncio.wait_for(reading.wait(), 5)
    env.hub.listener(recorder.take())
    assert (await receive(sub))["seq"] == 4
    await asyncio.sleep(0.5)  # the read is back by now
    assert env.hub.reloads == 0 and sub.outbox.closed is None and len(sub.outbox) == 0


# -- resuming ----------------------------------------------------------------


async def drain(sub: Subscription) -> list[dict[str, Any]]:
    """Every message the outbox holds now."""
    out: list[dict[str, Any]] = []
    while len(sub.outbox):
        out.append(await receive(sub))
    return out


async def call_and_finish(env: Env, service: QueueService, times: int) -> None:
    for _ in range(times):
        await env.run(service.issue, HALL, "A")
        await env.run(service.call_next, HALL, 1)
        await env.run(service.start, HALL, 1)
        await env.run(service.finish, HALL, 1)


async def test_a_client_that_resumes_gets_what_it_missed_then_live(env: Env) -> None:
    first = await env.hub.subscribe_hall(HALL)
    since = (await receive(first))["seq"]
    env.hub.unsubscribe(first)  # the display goes away; the hall goes on
    await call_and_finish(env, env.service, 3)
    await env.run(env.service.issue, HALL, "B")
    await env.run(env.service.call_next, HALL, 2)  # B001 called at window 2 and still there
    await asyncio.sleep(0.05)
    env.clock.advance(30)
    sub = await env.hub.subscribe_hall(HALL, since)
    head, *events = await drain(sub)
    until = since + 14
    assert head == {
        "type": "resumed",
        "channel": "hall",
        "hall": HALL,
        "business_day": "2026-11-23",
        "seq": since,
        "until": until,
        "now": env.clock().isoformat(),
    }
    assert [(m["type"], m["seq"], m["prev"]) for m in events] == [
        ("event", s, s - 1) for s in range(since + 1, until + 1)
    ]
    calls = [m["call"] for m in events if "call" in m]
    assert [(c["number"], c["window"]) for c in calls] == [("A001", 1), ("A002", 1), ("A003", 1), ("B001", 2)]
    assert all("windows" not in m and "waiting" not in m for m in events[:-1])
    # The last one brings every window and count to now: what a fresh snapshot shows.
    fresh = await env.hub.subscribe_hall(HALL)
    snap = await receive(fresh)
    assert (events[-1]["windows"], events[-1]["waiting"]) == (snap["windows"], snap["waiting"])
    assert env.hub.resumes == 1
    # Live from there: the next event follows the last replayed one, once.
    await env.run(env.service.issue, HALL, "C")
    live = await receive(sub)
    assert (live["seq"], live["prev"]) == (until + 1, until)
    with pytest.raises(TimeoutError):
        await receive(sub, timeout=0.1)


async def test_a_client_up_to_date_resumes_with_nothing_to_replay(env: Env) -> None:
    await env.run(env.service.issue, HALL, "A")
    sub = await env.hub.subscribe_hall(HALL, 4)
    assert [(m["type"], m["seq"], m["until"]) for m in await drain(sub)] == [("resumed", 4, 4)]


@pytest.mark.parametrize(
    ("since", "why"),
    [
        (0, "nothing applied yet"),
        (2, "more than replay_limit back"),
        (99, "newer than the server's view"),
    ],
)
async def test_a_client_the_server_cannot_replay_for_gets_a_snapshot(env: Env, since: int, why: str) -> None:
    env.hub.replay_limit = 3
    await call_and_finish(env, env.service, 1)  # seq 7
    sub = await env.hub.subscribe_hall(HALL, since)
    messages = await drain(sub)
    assert [(m["type"], m["seq"]) for m in messages] == [("snapshot", 7)], why
    assert env.hub.resumes == 0


async def test_a_client_of_yesterday_gets_a_snapshot(env: Env) -> None:
    await env.run(env.service.issue, HALL, "A")  # seq 4, yesterday's last
    env.clock.advance(24 * 3600)
    await env.run(env.service.issue, HALL, "B")  # today's first
    await asyncio.sleep(0.05)
    sub = await env.hub.subscribe_hall(HALL, 4)
    (message,) = await drain(sub)
    assert (message["type"], message["seq"], message["business_day"]) == ("snapshot", 5, "2026-11-24")
    # Its state is yesterday's even with nothing new today: a snapshot too.
    env.clock.advance(24 * 3600)
    env.hub.turn_days()
    again = await env.hub.subscribe_hall(HALL, 5)
    (message,) = await drain(again)
    assert (message["type"], message["business_day"]) == ("snapshot", "2026-11-25")


async def test_events_committed_during_the_replay_read_follow_it_without_gap_or_repeat(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    import queue_server.realtime.hub as hub_module

    real_read = loader.read_events  # what the hub calls, by the name monkeypatch replaces
    reads = 0

    def slow_read(*args: Any, **kw: Any) -> list[Event]:
        nonlocal reads
        reads += 1
        if reads == 1:
            env.service.issue(HALL, "C")  # committed (and heard) while the replay is being read
            time.sleep(0.2)
        return real_read(*args, **kw)

    await call_and_finish(env, env.service, 2)  # seq 4-11
    await asyncio.sleep(0.05)
    monkeypatch.setattr(hub_module, "read_events", slow_read)
    sub = await env.hub.subscribe_hall(HALL, 5)
    messages = await drain(sub)
    await env.run(env.service.issue, HALL, "B")
    messages.append(await receive(sub))
    assert messages[0]["type"] == "resumed"
    assert [m["seq"] for m in messages[1:]] == list(range(6, 14))
    assert all(m["prev"] == m["seq"] - 1 for m in messages[1:])
    assert reads == 2  # the event heard meanwhile was read from the store too, not lost
