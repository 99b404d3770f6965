"""The WebSocket channels end to end: a real server process (uvicorn, SQLite), real clients
(the websockets library), commands driven through the server's test-only endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from queue_server.service import QueueService
from queue_server.storage import open_store
from tests.conftest import small_config
from tests.realtime._client import ServerProcess, check_chain, open_ws, recv_json, recv_until, slow_ws
from tests.realtime.conftest import HALL, copy_sqlite

pytestmark = pytest.mark.anyio

QUEUE_SIZE = 64


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def db(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = copy_sqlite(sqlite_template, tmp_path_factory.mktemp("ws") / "hallq.db")
    store = open_store(url, migrate=False)
    try:
        service = QueueService(store, small_config())
        for n in (1, 2, 3):
            service.open_window(HALL, n, f"clerk{n}")
    finally:
        store.close()
    return url


@pytest.fixture(scope="module")
def server(db: str) -> Iterator[ServerProcess]:
    # A small send buffer: see _server.py --sndbuf (the slow-client test needs it).
    s = ServerProcess(db, "--queue-size", str(QUEUE_SIZE), "--sndbuf", "16384")
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
async def hall_ws(server: ServerProcess) -> AsyncIterator[Any]:
    ws = await open_ws(server, f"/ws/halls/{HALL}")
    try:
        yield ws
    finally:
        await ws.close()


async def test_the_first_message_is_a_snapshot_with_the_seq(server: ServerProcess, hall_ws: Any) -> None:
    snap = await recv_json(hall_ws)
    assert (snap["type"], snap["channel"], snap["hall"]) == ("snapshot", "hall", HALL)
    assert snap["seq"] >= 3 and {w["number"] for w in snap["windows"]} == {1, 2, 3}
    assert set(snap["waiting"]) == set("ABCD") and isinstance(snap["calls"], list)
    # Browsers cannot set headers on a WebSocket: the token may come in the query string.
    ws = await open_ws(server, f"/ws/halls/{HALL}?access_token=test-token", token=None)
    try:
        assert (await recv_json(ws))["seq"] == snap["seq"]
    finally:
        await ws.close()


async def test_events_arrive_in_order_with_consecutive_seqs(server: ServerProcess, hall_ws: Any) -> None:
    window = await open_ws(server, f"/ws/halls/{HALL}/windows/1")
    try:
        snap, wsnap = await recv_json(hall_ws), await recv_json(window)
        assert wsnap["window"]["number"] == 1 and set(wsnap["waiting"]) == {"A", "B"}
        # Concurrent commands: the server runs them in its thread pool, in parallel.
        results = await asyncio.gather(
            *(server.acommand("issue", repeat=5, service=s) for s in "ABC"),
            server.acommand("call_next", window=1),
        )
        last = max(seq for r in results for seq in r["seqs"])
        events = await recv_until(hall_ws, last)
        assert [m["seq"] for m in events] == list(range(snap["seq"] + 1, last + 1))
        assert all(m["prev"] == m["seq"] - 1 for m in events)
        called = next(m for m in events if m["event"]["kind"] == "ticket.call")
        assert called["call"]["window"] == 1 and called["windows"][0]["current"]["number"] == called["call"]["number"]
        # The window channel skips what is not its business (service C), and chains by prev.
        mine = await recv_until(window, max(m["seq"] for m in events if m["event"]["detail"].get("service") != "C"))
        check_chain(wsnap["seq"], mine)
        assert all(set(m.get("waiting", {})) <= {"A", "B"} for m in mine)
        assert any(m.get("window", {}).get("current") for m in mine)
    finally:
        await window.close()


async def test_a_client_that_sees_a_gap_asks_for_a_snapshot(server: ServerProcess, hall_ws: Any) -> None:
    snap = await recv_json(hall_ws)
    seqs = (await server.acommand("issue", repeat=3, service="A"))["seqs"]
    first = await recv_json(hall_ws)
    await recv_json(hall_ws)  # "lost": the client never processes it
    third = await recv_json(hall_ws)
    assert first["seq"] == snap["seq"] + 1 and third["prev"] != first["seq"]  # the gap a client sees
    await hall_ws.send('{"type": "resync"}')
    fresh = await recv_json(hall_ws)
    assert (fresh["type"], fresh["seq"]) == ("snapshot", seqs[-1])
    assert fresh["waiting"]["A"] == snap["waiting"]["A"] + 3
    nxt = (await server.acommand("issue", service="B"))["seqs"][-1]
    after = await recv_json(hall_ws)
    assert (after["type"], after["seq"], after["prev"]) == ("event", nxt, fresh["seq"])


async def test_events_committed_behind_the_servers_back_are_read_from_the_store(
    server: ServerProcess, hall_ws: Any, db: str
) -> None:
    snap = await recv_json(hall_ws)
    store = open_store(db, migrate=False)
    try:
        other = QueueService(store, small_config())  # another process on the file: the server hears nothing
        for s in "ABC":
            await asyncio.to_thread(other.issue, HALL, s)
    finally:
        store.close()
    last = (await server.acommand("issue", service="A"))["seqs"][-1]  # seq snap+4: the server finds a gap
    events = await recv_until(hall_ws, last)
    assert [m["seq"] for m in events] == list(range(snap["seq"] + 1, last + 1))
    assert [m["event"]["detail"]["service"] for m in events] == ["A", "B", "C", "A"]


async def test_the_ticket_channel_needs_the_tickets_token(server: ServerProcess) -> None:
    issued = (await server.acommand("issue", service="C"))["ticket"]
    path = f"/ws/tickets/{issued['id']}"
    for bad in ("", "?token=wrong", "?token=" + issued["token"][:-1] + "Ω"):
        ws = await open_ws(server, path + bad, token=None)
        with pytest.raises(ConnectionClosed) as closed:
            await recv_json(ws)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    ws = await open_ws(server, f"{path}?token={issued['token']}", token=None)
    try:
        snap = await recv_json(ws)
        assert (snap["channel"], snap["ticket"]["number"], snap["window"]) == ("ticket", issued["number"], None)
        ahead = snap["ahead"]
        assert isinstance(ahead, int)
        # Window 3 serves C only: the people ahead are called (and miss their turn), then me.
        for _ in range(ahead + 1):
            called = (await server.acommand("call_next", window=3))["ticket"]
            if called["id"] == issued["id"]:
                break
            await server.acommand("no_show", window=3)
        await server.acommand("start", window=3)
        messages: list[dict[str, Any]] = []
        async with asyncio.timeout(10):
            while not messages or messages[-1].get("ticket", {}).get("state") != "serving":
                messages.append(await recv_json(ws))
        aheads = [m["ahead"] for m in messages if "ahead" in m]
        assert aheads == [*range(ahead - 1, -1, -1), None]
        call = next(m for m in messages if m.get("event", {}).get("kind") == "ticket.call")
        assert call["window"]["number"] == 3 and call["ticket"]["state"] == "called"
        check_chain(snap["seq"], messages)
    finally:
        await ws.close()
        await server.acommand("finish", window=3)


@pytest.mark.parametrize(
    ("path", "token", "code"),
    [
        (f"/ws/halls/{HALL}", None, 4401),
        (f"/ws/halls/{HALL}", "nonsense", 4401),
        (f"/ws/halls/{HALL}", "other-token", 4403),
        (f"/ws/halls/{HALL}/windows/2", "other-token", 4403),
        (f"/ws/halls/{HALL}/windows/99", "test-token", 4404),
        ("/ws/halls/x", "other-token", 4404),
    ],
)
async def test_who_may_watch(server: ServerProcess, path: str, token: str | None, code: int) -> None:
    ws = await open_ws(server, path, token=token)
    with pytest.raises(ConnectionClosed) as closed:
        await recv_json(ws)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == code


@pytest.mark.slow
async def test_a_client_that_never_reads_is_closed_and_the_others_keep_receiving(
    server: ServerProcess, hall_ws: Any
) -> None:
    slow = await slow_ws(server, f"/ws/halls/{HALL}")
    try:
        snap = await recv_json(hall_ws)
        received: list[dict[str, Any]] = []
        # Commands in batches until the server gives up on the slow client (bounded).
        for _ in range(60):
            last = (await server.acommand("set_window_services", window=2, services={"B": 2.0, "C": 1.0}, repeat=40))[
                "seqs"
            ][-1]
            received += await recv_until(hall_ws, last)
            if (await server.stats())["evicted"] >= 1:
                break
        else:
            raise AssertionError("the slow client was never closed")
        # The reader saw every event, in order, while the other one was being dropped.
        assert [m["seq"] for m in received] == list(range(snap["seq"] + 1, last + 1))
        assert (await server.stats())["halls"][HALL]["subscribers"] == 1
        # Now the slow client reads: what was already on its way, then the close frame.
        count = 0
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(20):
                while True:
                    await slow.recv()
                    count += 1
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4008, "too slow / 客户端过慢")
        assert 0 < count < last - snap["seq"]
    finally:
        await slow.close()


@pytest.mark.slow
async def test_a_client_that_stops_answering_pings_is_dropped(db: str) -> None:
    quick = ServerProcess(db, "--ping-interval", "0.3", "--ping-timeout", "0.3")
    try:
        ws = await open_ws(quick, f"/ws/halls/{HALL}")
        await recv_json(ws)
        assert (await quick.stats())["halls"][HALL]["subscribers"] == 1
        ws.transport.pause_reading()  # frozen: it neither reads nor answers the server's pings
        async with asyncio.timeout(10):
            while (await quick.stats())["halls"][HALL]["subscribers"]:
                await asyncio.sleep(0.1)
        ws.transport.abort()
    finally:
        quick.stop()


@pytest.mark.parametrize("since", ["", "abc", "-3", "1e3", "٣", "99999999999999999999"])
async def test_a_since_that_is_not_a_seq_gets_a_snapshot(server: ServerProcess, since: str) -> None:
    ws = await open_ws(server, f"/ws/halls/{HALL}?since={since}")
    try:
        assert (await recv_json(ws))["type"] == "snapshot"
    finally:
        await ws.close()


async def test_the_window_channel_answers_a_resume_with_a_snapshot(server: ServerProcess) -> None:
    ws = await open_ws(server, f"/ws/halls/{HALL}/windows/1?since=1")
    try:
        message = await recv_json(ws)
        assert (message["type"], message["channel"]) == ("snapshot", "window")
    finally:
        await ws.close()


async def test_the_handler_refuses_a_large_message_the_server_let_through(db: str) -> None:
    # A server configured to accept 1 MiB frames: the endpoint itself refuses more than 4 KiB.
    lax = ServerProcess(db, "--ws-max-size", str(2**20))
    try:
        ws = await open_ws(lax, f"/ws/halls/{HALL}")
        await recv_json(ws)
        await ws.send("x" * 100_000)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await recv_json(ws)
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1009, "消息过大 / message too big")
    finally:
        lax.stop()
