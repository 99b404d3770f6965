"""A real server process on PostgreSQL while its database connections are terminated
(``pg_terminate_backend`` from a second connection) during a burst of ticket commands: every
answer is a 2xx, a 4xx or a JSON 503 that says to retry, over connections that stay open; no
acknowledged ticket is lost and no number is given twice; afterwards the server serves as
usual by itself. Needs HALLQ_TEST_PG."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import sqlalchemy as sa

from queue_server.auth.service import AuthService
from queue_server.config import demo_config
from queue_server.principal import DeviceKind
from queue_server.storage import open_store
from tests.conftest import private_pg_database
from tests.server_support import serve

pytestmark = pytest.mark.slow

WORKERS = 8
PER_WORKER = 25  # under a kiosk token's 30 a minute
ROUNDS = 4  # bursts until one met a terminated connection
SERVICES = ("A", "B", "C")


@pytest.fixture(scope="module")
def db() -> Iterator[tuple[str, list[str]]]:
    """A private database with the demo hall and a kiosk token per worker and round."""
    with private_pg_database("hallq_outage") as url:
        store = open_store(url)
        try:
            store.sync_halls(demo_config())
            auth = AuthService(store.accounts)
            tokens = [auth.create_device_token(DeviceKind.KIOSK, "demo")[1] for _ in range(WORKERS * ROUNDS)]
        finally:
            store.close()
        yield url, tokens


@dataclass
class Burst:
    answers: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    terminated: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def issue_many(base: str, token: str, burst: Burst) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        for i in range(PER_WORKER):
            try:
                r = client.post("/api/halls/demo/tickets", json={"service": SERVICES[i % len(SERVICES)]})
            except httpx.TransportError as exc:  # a reset connection: what must not happen
                with burst.lock:
                    burst.transport_errors.append(repr(exc))
                continue
            with burst.lock:
                burst.answers.append((r.status_code, r.text, dict(r.headers)))


def terminate_all(admin: sa.Engine) -> int:
    with admin.connect() as conn:
        return len(
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).all()
        )


def run_burst(base: str, tokens: list[str], admin: sa.Engine) -> Burst:
    burst = Burst()
    workers = [threading.Thread(target=issue_many, args=(base, t, burst)) for t in tokens]
    for w in workers:
        w.start()
    while any(w.is_alive() for w in workers):
        burst.terminated += terminate_all(admin)
        time.sleep(0.15)
    for w in workers:
        w.join()
    return burst


def test_terminated_connections_during_a_burst(db: tuple[str, list[str]], tmp_path: Path) -> None:
    url, tokens = db
    admin = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    acknowledged: list[dict[str, Any]] = []
    unavailable = 0
    try:
        with serve(url, tmp_path) as base:
            for round_ in range(ROUNDS):
                burst = run_burst(base, tokens[round_ * WORKERS : (round_ + 1) * WORKERS], admin)
                assert burst.terminated > 0
                assert burst.transport_errors == [], burst.transport_errors[:3]
                for status, text, headers in burst.answers:
                    assert status < 500 or status == 503, (status, text)
                    body = json.loads(text)
                    if status == 201:
                        acknowledged.append(body)
                        continue
                    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
                    if status == 503:
                        unavailable += 1
                        assert body["error"]["code"] == "database_unavailable"
                        assert int(headers["retry-after"]) >= 1
                if unavailable:
                    break
            assert unavailable, "no command met a terminated connection"

            # Serves as usual by itself: no 503 once the database is left alone.
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens[-1]}"}) as client:
                after = [client.post("/api/halls/demo/tickets", json={"service": "D"}) for _ in range(3)]
                assert [r.status_code for r in after] == [201, 201, 201], [r.text for r in after]
                assert [r.json()["number"] for r in after] == ["D001", "D002", "D003"]
                assert client.get("/api/halls/demo").status_code == 200
                acknowledged.extend(r.json() for r in after)

        with admin.connect() as conn:
            stored = {
                row.id: (row.service, row.number)
                for row in conn.execute(sa.text("SELECT id, service, number FROM ticket WHERE hall = 'demo'"))
            }
    finally:
        admin.dispose()
    for ticket in acknowledged:  # nothing acknowledged was lost
        assert stored.get(ticket["id"]) == (ticket["service"], ticket["number"]), ticket
    numbers = list(stored.values())
    assert len(numbers) == len(set(numbers))  # no number given twice
    ack_numbers = [(t["service"], t["number"]) for t in acknowledged]
    assert len(ack_numbers) == len(set(ack_numbers))
