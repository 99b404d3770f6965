"""A clerk holds one window, however many "open" requests arrive at once: exactly one wins, the
others get 409 naming the window it took. Threads on one service, and threads against a real
server process, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx2 as httpx
import pytest

from queue_server.auth.service import AuthService
from queue_server.config import demo_config
from queue_server.domain import WindowState
from queue_server.errors import StaffAtWindow
from queue_server.principal import Role
from queue_server.service import QueueService
from queue_server.storage import Store, open_store
from tests.conftest import FakeClock, with_config
from tests.server_support import CLERK_PASSWORD, bearer, serve

WINDOWS = (1, 2, 3, 4, 5, 6)
SIX_WINDOWS = "".join(f"\n[[hall.windows]]\nnumber = {n}\nservices = {{ A = 1.0 }}\n" for n in (4, 5, 6))
T = TypeVar("T")


def all_at_once(calls: list[Callable[[], T]]) -> list[T | BaseException]:
    """Run ``calls`` on one thread each, released together; their results (or what they raised)."""
    barrier = threading.Barrier(len(calls))
    results: list[T | BaseException] = [RuntimeError("did not finish")] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except BaseException as exc:  # reported to the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def held_by(service: QueueService, slug: str, staff: str) -> list[int]:
    with service.store.reader(slug) as r:
        return [w.number for w in r.windows() if w.staff == staff and w.state is not WindowState.CLOSED]


def test_threads_opening_six_windows_for_one_clerk(store: Store, clock: FakeClock) -> None:
    service = with_config(store, clock, SIX_WINDOWS)
    for _ in range(3):  # a few rounds: the race is won at random
        results = all_at_once([lambda n=n: service.open_window("t", n, "li") for n in WINDOWS])  # type: ignore[misc]
        won = [r for r in results if not isinstance(r, BaseException)]
        lost = [r for r in results if isinstance(r, BaseException)]
        assert len(won) == 1 and all(isinstance(e, StaffAtWindow) for e in lost), results
        window = won[0].window
        assert window is not None and held_by(service, "t", "li") == [window.number]
        assert all(f"already holds window {window.number}" in e.message for e in lost if isinstance(e, StaffAtWindow))
        service.close_window("t", window.number, "li")
    # Another clerk is not held back by it, and a manager cannot seat li twice either.
    service.open_window("t", 1, "li")
    assert service.open_window("t", 2, "zhao").window is not None
    with pytest.raises(StaffAtWindow, match="window 1"):
        service.open_window("t", 3, "li")


def test_six_concurrent_requests_to_a_real_server(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url)
    try:
        store.sync_halls(demo_config())
        AuthService(store.accounts).create_user("zhangwei", CLERK_PASSWORD, Role.CLERK, "demo", "张伟")
    finally:
        store.close()
    with serve(db_url, tmp_path, log=tmp_path / "server.log") as base:
        clerk = bearer(base, "zhangwei", CLERK_PASSWORD)
        with httpx.Client(base_url=base, headers=clerk, timeout=30) as client:
            opens = [lambda n=n: client.post(f"/api/halls/demo/windows/{n}/open") for n in WINDOWS]
            answers = all_at_once(opens)  # type: ignore[arg-type]
            assert not [a for a in answers if isinstance(a, BaseException)], answers
            responses = [a for a in answers if isinstance(a, httpx.Response)]
            assert sorted(r.status_code for r in responses) == [200, 409, 409, 409, 409, 409]
            (winner,) = [r for r in responses if r.status_code == 200]
            taken = winner.json()["window"]["number"]
            for r in responses:
                if r.status_code == 409:
                    assert r.json()["error"]["code"] == "staff_at_window"
                    assert re.search(rf"already holds window {taken}\b", r.json()["error"]["message"])
            windows = client.get("/api/halls/demo/snapshot").json()["windows"]
            assert [w["number"] for w in windows if w["staff"] == "zhangwei" and w["state"] != "closed"] == [taken]
