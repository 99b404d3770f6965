"""The event buses, each test on every backend (PostgreSQL when HALLQ_TEST_PG is set)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from queue_server.realtime.bus import Backoff, EventBus
from queue_server.realtime.postgres import PostgresBus
from queue_server.service import QueueService
from queue_server.storage import Store
from tests.conftest import FakeClock, small_config
from tests.realtime.conftest import HALL, make_bus

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Heard:
    """What a subscriber heard, and on which thread."""

    def __init__(self) -> None:
        self.notices: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
        self.resyncs = 0
        self.threads: set[int] = set()

    def on_notice(self, hall: str, seq: int) -> None:
        self.threads.add(threading.get_ident())
        self.notices.put_nowait((hall, seq))

    def on_resync(self) -> None:
        self.resyncs += 1

    async def until(self, seq: int, timeout: float = 5.0) -> set[int]:
        """Every seq heard until ``seq`` comes."""
        seen: set[int] = set()
        async with asyncio.timeout(timeout):
            while seq not in seen:
                hall, s = await self.notices.get()
                assert hall == HALL
                seen.add(s)
        return seen


@pytest.fixture
async def bus(backend: tuple[str, Store]) -> AsyncIterator[EventBus]:
    kind, store = backend
    b = make_bus(kind, store)
    try:
        yield b
    finally:
        await b.stop()


def service_on(backend: tuple[str, Store]) -> QueueService:
    store = backend[1]
    service = QueueService(store, small_config(), clock=FakeClock())
    return service


async def test_a_commit_of_this_process_is_heard_on_the_loop(backend: tuple[str, Store], bus: EventBus) -> None:
    heard = Heard()
    bus.subscribe(heard.on_notice, heard.on_resync)
    await bus.start()
    service = service_on(backend)
    service.listeners.append(bus.listener)
    outcome = await asyncio.to_thread(service.open_window, HALL, 1, "clerk1")
    await heard.until(outcome.events[-1].seq)
    assert heard.threads == {threading.get_ident()}  # the loop's thread, not the command's


async def test_notify_is_safe_from_any_thread(bus: EventBus) -> None:
    heard = Heard()
    bus.subscribe(heard.on_notice)
    await bus.start()
    threads = [threading.Thread(target=bus.notify, args=(HALL, n)) for n in range(1, 21)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seen: set[int] = set()
    async with asyncio.timeout(5):
        while len(seen) < 20:
            seen.add((await heard.notices.get())[1])
    assert seen == set(range(1, 21)) and heard.threads == {threading.get_ident()}


async def test_unsubscribed_and_stopped_buses_are_silent(bus: EventBus) -> None:
    kept, dropped = Heard(), Heard()
    bus.subscribe(kept.on_notice)
    unsubscribe = bus.subscribe(dropped.on_notice)
    await bus.start()
    unsubscribe()
    unsubscribe()  # twice is fine
    bus.notify(HALL, 7)
    assert await kept.until(7) == {7}
    await bus.stop()
    await bus.stop()
    bus.notify(HALL, 8)
    await asyncio.sleep(0.05)
    assert dropped.notices.empty() and kept.notices.empty()


async def test_a_failing_subscriber_does_not_silence_the_others(bus: EventBus) -> None:
    heard = Heard()

    def broken(hall: str, seq: int) -> None:
        raise RuntimeError("a broken screen")

    bus.subscribe(broken)
    bus.subscribe(heard.on_notice)
    await bus.start()
    bus.notify(HALL, 3)
    assert await heard.until(3) == {3}


async def test_another_process_commit_is_heard(backend: tuple[str, Store], bus: EventBus) -> None:
    kind, _ = backend
    if kind == "local":
        pytest.skip("the local bus hears only its own process, by design")
    heard = Heard()
    bus.subscribe(heard.on_notice)
    await bus.start()
    other = service_on(backend)  # no listener: only PostgreSQL can tell
    outcome = await asyncio.to_thread(other.open_window, HALL, 2, "clerk2")
    await heard.until(outcome.events[-1].seq)


async def test_a_dropped_connection_reconnects_and_asks_for_a_resync(backend: tuple[str, Store], bus: EventBus) -> None:
    kind, store = backend
    if kind == "local":
        pytest.skip("the local bus has no connection to lose")
    assert isinstance(bus, PostgresBus)
    heard = Heard()
    bus.subscribe(heard.on_notice, heard.on_resync)
    await bus.start()
    assert heard.resyncs == 1  # the first LISTEN: anything before it is unknown
    old = bus.backend_pid
    assert old is not None
    await asyncio.to_thread(_terminate, store, old)
    async with asyncio.timeout(10):
        while heard.resyncs < 2:
            await asyncio.sleep(0.02)
    assert bus.backend_pid not in (None, old) and bus.connections == 2
    outcome = await asyncio.to_thread(service_on(backend).open_window, HALL, 3, "clerk3")
    await heard.until(outcome.events[-1].seq)


async def test_a_malformed_notice_is_ignored(backend: tuple[str, Store], bus: EventBus) -> None:
    kind, store = backend
    if kind == "local":
        pytest.skip("only PostgreSQL carries payloads from outside")
    heard = Heard()
    bus.subscribe(heard.on_notice)
    await bus.start()
    engine: sa.Engine = store.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for payload in ("not json", '{"hall": "t"}', '["t", 1]', '{"hall": "t", "seq": 41}'):
            conn.execute(sa.select(sa.func.pg_notify("hallq_events", payload)))
    assert await heard.until(41) == {41}


async def test_a_database_that_is_down_does_not_block_the_start() -> None:
    bus = PostgresBus("postgresql://nobody@127.0.0.1:9/none", backoff=Backoff(first=0.05, cap=0.1), start_timeout=0.3)
    try:
        async with asyncio.timeout(5):
            await bus.start()
        assert bus.backend_pid is None and bus.connections == 0
    finally:
        await bus.stop()


def _terminate(store: Store, pid: int) -> None:
    engine: sa.Engine = store.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        assert conn.execute(sa.select(sa.func.pg_terminate_backend(pid))).scalar_one()
