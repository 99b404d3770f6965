"""The outermost HTTP layer: bodies refused by size as they stream in, a database failure as a
503 that says to retry (and the server recovering by itself), anything unexpected as the API's
JSON 500 that keeps the connection usable."""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from queue_server.api.body import MAX_BODY, MAX_UPLOAD
from queue_server.app import create_app
from queue_server.auth.service import AuthService
from queue_server.plugins import Plugin
from queue_server.principal import DeviceKind
from queue_server.service import QueueService
from queue_server.storage import open_store
from queue_server.storage import sqlite as sqlite_backend
from queue_server.storage.errors import RETRY_AFTER_S, DbFailure, classify
from tests.api.conftest import make_auth
from tests.conftest import FakeClock, emptied_pg_store, with_config
from tests.server_support import free_port


def boom_plugin() -> Plugin:
    async def boom(request: Request) -> JSONResponse:
        raise RuntimeError("secret internals")

    return Plugin(name="boom", routes=[Route("/boom", boom)])


def shape(body: Any, code: str) -> str:
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] == code, body
    message: str = body["error"]["message"]
    return message


# -- an unexpected exception ---------------------------------------------------------------


def test_an_unexpected_exception_is_a_json_500_without_traceback(
    service: QueueService, auth: AuthService, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(service, [boom_plugin()], auth=auth, scheduler=False)
    with TestClient(app) as client, caplog.at_level(logging.ERROR, logger="hallq.http"):
        r = client.get("/boom")
        assert r.status_code == 500
        shape(r.json(), "internal")
        assert "secret internals" not in r.text and "Traceback" not in r.text
        assert client.get("/healthz").status_code == 200
    logged = [rec for rec in caplog.records if rec.name == "hallq.http"]
    assert logged and logged[0].exc_info is not None and "secret internals" in str(logged[0].exc_info[1])


@pytest.fixture
def uvicorn_server(service: QueueService, auth: AuthService) -> Iterator[int]:
    """The app (with a route that fails) served by uvicorn on a free port, in this process."""
    port = free_port()
    app = create_app(service, [boom_plugin()], auth=auth, scheduler=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


def test_the_kept_alive_connection_survives_a_failed_request(uvicorn_server: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", uvicorn_server, timeout=10)
    conn.auto_open = 0  # never reconnect silently: a closed connection would fail the next request
    conn.connect()
    local = conn.sock.getsockname()
    for _ in range(3):
        conn.request("GET", "/boom")
        r = conn.getresponse()
        assert r.status == 500 and r.getheader("connection") != "close"
        shape(json.loads(r.read()), "internal")
        conn.request("GET", "/healthz")
        ok = conn.getresponse()
        assert ok.status == 200 and ok.read() == b'{"ok":true}'
    assert conn.sock.getsockname() == local
    conn.close()


def test_an_id_past_64_bits_that_reaches_the_database_is_no_500(service: QueueService, auth: AuthService) -> None:
    """A room's route that looks an ``{id:int}`` up without bounding it first (SQLite refuses
    to bind it)."""

    async def lookup(request: Request) -> JSONResponse:
        return JSONResponse({"hall": service.store.hall_of_ticket(request.path_params["ticket_id"])})

    plugin = Plugin(name="lookup", routes=[Route("/lookup/{ticket_id:int}", lookup)])
    with TestClient(create_app(service, [plugin], auth=auth, scheduler=False)) as client:
        r = client.get("/lookup/" + "9" * 25)
        assert r.status_code < 500, r.text
        if r.status_code != 200:  # PostgreSQL finds nothing, SQLite cannot bind it
            shape(r.json(), "bad_request")


# -- bodies refused by size ------------------------------------------------------------------


def asgi_post(app: Any, path: str, headers: list[tuple[bytes, bytes]], chunks: Iterator[bytes]) -> tuple[int, int]:
    """POST through the ASGI interface; the status and how many body bytes the app pulled."""
    pulled = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"hall.local"), *headers],
        "client": ("127.0.0.1", 1234),
        "server": ("hall.local", 80),
    }
    asyncio.run(app(scope, receive, send))
    return status, pulled


def endless(chunk: int = 64 * 1024, total: int = 12 * 1024 * 1024) -> Iterator[bytes]:
    """A body far larger than anything the API reads (bounded, so a server that reads it all
    still ends)."""
    for _ in range(total // chunk):
        yield b"[" * chunk


def test_a_declared_length_too_large_is_refused_before_reading(service: QueueService, auth: AuthService) -> None:
    app = create_app(service, auth=auth, scheduler=False)
    status, pulled = asgi_post(app, "/api/halls/t/tickets", [(b"content-length", b"10000000")], endless())
    assert (status, pulled) == (413, 0)


@pytest.mark.parametrize(
    ("path", "limit"), [("/api/halls/t/tickets", MAX_BODY), ("/api/halls/t/appointments/import", MAX_UPLOAD)]
)
def test_a_streamed_body_is_refused_once_past_the_limit(
    service: QueueService, auth: AuthService, path: str, limit: int
) -> None:
    app = create_app(service, auth=auth, scheduler=False)
    status, pulled = asgi_post(app, path, [(b"transfer-encoding", b"chunked")], endless())
    assert status == 413
    assert limit < pulled <= limit + 64 * 1024  # stopped at the first chunk past the limit


def test_a_streamed_body_past_what_any_endpoint_reads_is_refused_by_the_guard(
    service: QueueService, auth: AuthService
) -> None:
    """An endpoint that reads its body its own way (a room's plug-in) still stops at the guard's cap."""

    async def greedy(request: Request) -> JSONResponse:
        return JSONResponse({"size": len(await request.body())})

    app = create_app(service, [Plugin(name="greedy", routes=[Route("/greedy", greedy, methods=["POST"])])])
    status, pulled = asgi_post(app, "/greedy", [], endless())
    assert status == 413 and MAX_UPLOAD < pulled <= MAX_UPLOAD + 64 * 1024


# -- the database failing ------------------------------------------------------------------


def test_sqlite_locked_past_the_busy_timeout_is_a_503_then_serves_again(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_backend, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "locked.db"
    store = open_store(f"sqlite:///{path}")
    try:
        service = with_config(store, clock)
        with TestClient(create_app(service, auth=make_auth(service, clock), scheduler=False)) as client:
            other = sqlite3.connect(path, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            try:
                r = client.post("/api/halls/t/tickets", json={"service": "A"})
                assert r.status_code == 503, r.text
                assert r.headers["retry-after"] == str(RETRY_AFTER_S)
                assert "try again" in shape(r.json(), "database_unavailable")
                assert client.get("/api/halls/t").status_code == 200  # readers are not blocked (WAL)
            finally:
                other.execute("ROLLBACK")
                other.close()
            r = client.post("/api/halls/t/tickets", json={"service": "A"})
            assert r.status_code == 201 and r.json()["number"] == "A001"  # the refused one took no number
    finally:
        store.close()


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Any]:
    store = emptied_pg_store(pg_url)
    try:
        yield store
    finally:
        store.close()


def terminate(admin: sa.Engine, pid: int) -> None:
    """End backend ``pid`` from another connection, and wait until it is gone."""
    with admin.connect() as a:
        a.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        deadline = time.monotonic() + 5
        while a.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar():
            assert time.monotonic() < deadline
            time.sleep(0.01)


@pytest.mark.parametrize("when", ["before", "after"])
def test_postgres_connection_dropped_mid_command_is_a_503_and_nothing_is_half_done(
    pg_store: Any, pg_url: str, clock: FakeClock, when: str
) -> None:
    """The backend of a ticket's transaction is terminated from a second connection, before the
    hall's lock statement ("before": SQLAlchemy sees the failure) or right after it ("after": the
    driver's cursor runs the next, hot statement and fails on its own)."""
    service = with_config(pg_store, clock)
    admin = sa.create_engine(sa.make_url(pg_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    armed = [False]

    def kill(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if armed[0] and "FOR UPDATE" in statement:
            armed[0] = False
            terminate(admin, conn.connection.dbapi_connection.info.backend_pid)

    event.listen(pg_store.engine, f"{when}_cursor_execute", kill)
    try:
        auth = make_auth(service, clock)
        _, kiosk = auth.create_device_token(DeviceKind.KIOSK, "t")
        headers = {"Authorization": f"Bearer {kiosk}"}
        with TestClient(create_app(service, auth=auth, scheduler=False), headers=headers) as client:
            assert client.post("/api/halls/t/tickets", json={"service": "A"}).json()["number"] == "A001"
            armed[0] = True
            r = client.post("/api/halls/t/tickets", json={"service": "A"})
            assert not armed[0], "the command never reached the hall's lock"
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"] == str(RETRY_AFTER_S)
            shape(r.json(), "database_unavailable")
            # Every pooled connection is gone too: the next requests must not meet a dead one.
            with admin.connect() as a:
                a.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            numbers = [client.post("/api/halls/t/tickets", json={"service": "A"}).json()["number"] for _ in range(3)]
            assert numbers == ["A002", "A003", "A004"]  # nothing of the failed command was stored
            assert client.get("/api/halls/t").status_code == 200
        with pg_store.engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT number FROM ticket ORDER BY id")).scalars().all()
        assert stored == ["A001", "A002", "A003", "A004"]
    finally:
        event.remove(pg_store.engine, f"{when}_cursor_execute", kill)
        admin.dispose()


# -- what counts as a database failure -----------------------------------------------------


def _wrapped(cls: type[sa_exc.DBAPIError], orig: BaseException, invalidated: bool = False) -> sa_exc.DBAPIError:
    return cls("SELECT 1", {}, orig, connection_invalidated=invalidated)


def test_database_failures_are_classified() -> None:
    locked = sqlite3.OperationalError("database is locked")
    assert classify(locked) is DbFailure.UNAVAILABLE  # raw, from the BEGIN IMMEDIATE hook
    assert classify(_wrapped(sa_exc.OperationalError, locked)) is DbFailure.UNAVAILABLE
    schema = sqlite3.OperationalError("no such table: ticket")
    assert classify(_wrapped(sa_exc.OperationalError, schema)) is None  # a broken schema is no outage
    assert classify(_wrapped(sa_exc.ProgrammingError, Exception("x"), invalidated=True)) is DbFailure.UNAVAILABLE
    assert classify(sa_exc.TimeoutError("QueuePool limit reached")) is DbFailure.UNAVAILABLE
    assert classify(_wrapped(sa_exc.IntegrityError, Exception("duplicate key"))) is DbFailure.CONFLICT
    assert classify(_wrapped(sa_exc.DataError, Exception("NUL"))) is DbFailure.BAD_VALUE
    assert classify(RuntimeError("x")) is None
    assert classify(OverflowError("Python int too large to convert to SQLite INTEGER")) is DbFailure.BAD_VALUE
    assert classify(OverflowError("date value out of range")) is None  # our own arithmetic: a bug, a 500
    psycopg = pytest.importorskip("psycopg")
    assert classify(psycopg.errors.AdminShutdown("terminating connection")) is DbFailure.UNAVAILABLE
    assert classify(_wrapped(sa_exc.OperationalError, psycopg.OperationalError("closed"))) is DbFailure.UNAVAILABLE
