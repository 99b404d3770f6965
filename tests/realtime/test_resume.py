"""A hall client that reconnects with ``?since=SEQ`` gets the events it missed, replayed from the
stored event log, then live ones: real server processes (tests/realtime/_server.py), real
clients (the websockets library), on SQLite and on PostgreSQL (there: it left one process and
comes back to another)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from queue_server.service import QueueService
from queue_server.storage import Store, open_store
from tests.conftest import emptied_pg_store, small_config
from tests.realtime._client import ServerProcess, open_ws, recv_json, recv_until
from tests.realtime.conftest import HALL, copy_sqlite

pytestmark = pytest.mark.anyio

MISSED = 50
# One visitor: a ticket, its call at window 1, served and done.
VISIT: list[tuple[str, dict[str, Any]]] = [
    ("issue", {"service": "A"}),
    ("call_next", {"window": 1}),
    ("start", {"window": 1}),
    ("finish", {"window": 1}),
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def open_windows(store: Store) -> None:
    try:
        service = QueueService(store, small_config())
        for n in (1, 2, 3):
            service.open_window(HALL, n, f"clerk{n}")
    finally:
        store.close()


@pytest.fixture(params=["sqlite", "postgres"])
def servers(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Where a client leaves and where it comes back: one SQLite server twice, or two server
    processes on one PostgreSQL database."""
    if request.param == "sqlite":
        url = copy_sqlite(sqlite_template, tmp_path / "hallq.db")
        open_windows(open_store(url, migrate=False))
    else:
        url = request.getfixturevalue("pg_url")
        store = emptied_pg_store(url)
        store.sync_halls(small_config())
        open_windows(store)
    started: list[ServerProcess] = []
    try:
        started.append(ServerProcess(url))
        started.append(ServerProcess(url) if request.param == "postgres" else started[0])
        yield started[0], started[1]
    finally:
        for s in {id(s): s for s in started}.values():
            s.stop()


async def test_a_display_away_for_fifty_calls_gets_all_fifty_in_order_then_live(
    servers: tuple[ServerProcess, ServerProcess],
) -> None:
    left, back = servers
    ws = await open_ws(left, f"/ws/halls/{HALL}")
    since = (await recv_json(ws))["seq"]
    await ws.close()

    until = (await left.asteps(VISIT, repeat=MISSED))["seqs"][-1]
    assert until == since + 4 * MISSED

    ws = await open_ws(back, f"/ws/halls/{HALL}?since={since}")
    try:
        head = await recv_json(ws)
        assert (head["type"], head["seq"], head["hall"]) == ("resumed", since, HALL)
        replayed = await recv_until(ws, head["until"])
        # Everything missed, once each and in order, chained as live events are.
        assert [m["seq"] for m in replayed] == list(range(since + 1, until + 1))
        assert all(m["type"] == "event" and m["prev"] == m["seq"] - 1 for m in replayed)
        calls = [m["call"] for m in replayed if "call" in m]
        assert [c["number"] for c in calls] == [f"A{n:03d}" for n in range(1, MISSED + 1)]
        assert {c["window"] for c in calls} == {1}
        assert replayed[-1]["waiting"]["A"] == 0
        window1 = next(w for w in replayed[-1]["windows"] if w["number"] == 1)
        assert (window1["state"], window1["current"]) == ("open", None)
        # Then live, without a gap.
        nxt = (await left.acommand("issue", service="B"))["seqs"][-1]
        live = await recv_until(ws, nxt)
        assert [(m["seq"], m["prev"]) for m in live] == [(until + 1, until)]
    finally:
        await ws.close()
