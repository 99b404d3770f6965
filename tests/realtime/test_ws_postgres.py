"""Several server processes on one PostgreSQL database: a command made through one reaches
the WebSocket clients of the others (LISTEN/NOTIFY), and a lost listening connection is
reconnected and followed by fresh snapshots. Needs HALLQ_TEST_PG."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from queue_server.service import QueueService
from queue_server.storage import open_store
from tests.conftest import emptied_pg_store, small_config
from tests.realtime._client import ServerProcess, check_chain, open_ws, recv_json, recv_until
from tests.realtime.conftest import HALL

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def db(pg_url: str) -> str:
    store = emptied_pg_store(pg_url)
    try:
        store.sync_halls(small_config())
        service = QueueService(store, small_config())
        for n in (1, 2, 3):
            service.open_window(HALL, n, f"clerk{n}")
    finally:
        store.close()
    return pg_url


@pytest.fixture(scope="module")
def servers(db: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    started: list[ServerProcess] = []
    try:
        started.append(ServerProcess(db))
        started.append(ServerProcess(db))
        yield started[0], started[1]
    finally:
        for s in started:
            s.stop()


async def test_a_call_through_one_process_reaches_the_screens_of_the_other(
    servers: tuple[ServerProcess, ServerProcess], db: str
) -> None:
    a, b = servers
    a_hall, b_hall, b_window = (
        await open_ws(a, f"/ws/halls/{HALL}"),
        await open_ws(b, f"/ws/halls/{HALL}"),
        await open_ws(b, f"/ws/halls/{HALL}/windows/1"),
    )
    try:
        a_snap, b_snap, w_snap = await recv_json(a_hall), await recv_json(b_hall), await recv_json(b_window)
        assert a_snap == b_snap and w_snap["seq"] == b_snap["seq"]
        await a.acommand("issue", repeat=3, service="A")
        last = (await a.acommand("call_next", window=1))["seqs"][-1]
        from_a, from_b = await recv_until(a_hall, last), await recv_until(b_hall, last)
        assert [m["seq"] for m in from_b] == list(range(b_snap["seq"] + 1, last + 1))
        for ma, mb in zip(from_a, from_b, strict=True):  # same events and state, whichever process ran it
            assert ma == mb, (ma, mb)
        call = (await recv_until(b_window, last))[-1]
        assert call["event"]["kind"] == "ticket.call" and call["window"]["current"]["number"] == "A001"
        # The other way round, and from a third process that serves nobody.
        back = (await b.acommand("issue", service="B"))["seqs"][-1]
        store = open_store(db, migrate=False)
        try:
            outcome = await asyncio.to_thread(QueueService(store, small_config()).issue, HALL, "C")
        finally:
            store.close()
        third = outcome.events[-1].seq
        assert third == back + 1
        assert [m["seq"] for m in await recv_until(a_hall, third)] == [back, third]
        assert [m["seq"] for m in await recv_until(b_hall, third)] == [back, third]
    finally:
        for ws in (a_hall, b_hall, b_window):
            await ws.close()


async def test_a_lost_listening_connection_reconnects_and_resyncs(
    servers: tuple[ServerProcess, ServerProcess], db: str
) -> None:
    a, b = servers
    b_hall, b_window = await open_ws(b, f"/ws/halls/{HALL}"), await open_ws(b, f"/ws/halls/{HALL}/windows/2")
    try:
        snap = await recv_json(b_hall)
        await recv_json(b_window)
        before = await b.stats()
        assert before["bus_pid"] is not None
        engine = sa.create_engine(sa.make_url(db).set(drivername="postgresql+psycopg"))
        try:
            with engine.begin() as conn:
                killed = conn.execute(sa.select(sa.func.pg_terminate_backend(before["bus_pid"]))).scalar_one()
        finally:
            engine.dispose()
        assert killed
        # Made through the other process while b may not be listening: b must not lose it.
        missed = (await a.acommand("issue", service="B"))["seqs"][-1]
        messages: list[dict[str, Any]] = []
        async with asyncio.timeout(15):
            while not any(m["type"] == "snapshot" for m in messages) or messages[-1]["seq"] < missed:
                messages.append(await recv_json(b_hall, timeout=15))
        fresh = next(m for m in messages if m["type"] == "snapshot")
        assert fresh["seq"] >= snap["seq"]
        after = await b.stats()
        assert after["bus_pid"] not in (None, before["bus_pid"])
        assert after["bus_connections"] == before["bus_connections"] + 1 and after["reloads"] >= 1
        window_snap = await recv_json(b_window)  # the window channel was resynced too
        assert window_snap["type"] == "snapshot"
        # Listening again: the next command reaches b's clients as a plain event.
        nxt = (await a.acommand("issue", service="C"))["seqs"][-1]
        tail = await recv_until(b_hall, nxt)
        check_chain(messages[-1]["seq"], tail)
        assert tail[-1]["seq"] == nxt == messages[-1]["seq"] + 1
    finally:
        for ws in (b_hall, b_window):
            await ws.close()
