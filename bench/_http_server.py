"""The two servers of ``bench.http_issue``, each one a real uvicorn process.

    python -m bench._http_server project DB
    python -m bench._http_server baseline DB [--writer serialised|concurrent]

project: HallQ's app as run.build_app builds it, on a prepared SQLite file; baseline: a
bare Starlette endpoint doing sqlite3 BEGIN IMMEDIATE; INSERT one row; COMMIT.

Both bind 127.0.0.1 on a port the OS chooses, print ``LISTENING <port> <loop> <http>`` on
stdout and serve with the same uvicorn settings (1 worker, loop and HTTP implementation
"auto" as in production, log level warning, no access log) until SIGINT or SIGTERM.

``HALLQ_BENCH_PROFILE=FILE`` runs every thread of the server under cProfile (the event
loop thread, and each threadpool thread from its start) and writes, at shutdown,
``FILE.loop`` and ``FILE.pool`` (pstats dumps: the event loop thread, the other threads merged).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import itertools
import os
import pstats
import socket
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from queue_server.api.context import ApiContext, IssueLimits
from queue_server.app import create_app
from queue_server.auth.ratelimit import Limit
from queue_server.auth.service import AuthService
from queue_server.config import demo_config
from queue_server.realtime import Hub, LocalBus
from queue_server.service import QueueService
from queue_server.storage import open_store
from run import plugins

from ._common import BASELINE_INSERT_SQLITE, sqlite_connect

PROFILE_ENV = "HALLQ_BENCH_PROFILE"
HALL = "demo"
TICKETS_PATH = "/api/halls/{hall}/tickets"
WRITERS = ("serialised", "concurrent")
# The kiosk limit (30/min, burst 30) would refuse a benchmark after 30 tickets.
BENCH_LIMITS = IssueLimits(kiosk=Limit(burst=10**9, per_minute=10**9))


def project_app(db: Path) -> Starlette:
    """run.build_app on ``db``, with the kiosk limit lifted (an ``ApiContext`` with big limits)."""
    config = demo_config()
    store = open_store(f"sqlite:///{db}", migrate=False)
    service = QueueService(store, config)
    auth = AuthService(store.accounts)
    api = ApiContext(service, auth, BENCH_LIMITS)
    hub = Hub(service, LocalBus())  # not started: the HTTP bench opens no WebSocket
    return create_app(service, plugins(service, api, hub), api=api)


def baseline_app(db: Path, writer: str = "serialised") -> Starlette:
    """One POST endpoint: parse the JSON body, insert one ticket-shaped row and commit it
    (in the threadpool, one sqlite3 connection per thread, the project's PRAGMAs), answer 201.

    ``writer="serialised"``: the threads take a lock before BEGIN IMMEDIATE, so a writer waits
    for the previous one to finish instead of sleeping in SQLite's busy handler (which polls
    with sleeps of 1 to 100 ms); ``"concurrent"``: no lock, the busy timeout sorts them out.
    """
    local = threading.local()
    numbers = itertools.count(1)
    write_lock: contextlib.AbstractContextManager[object] = (
        threading.Lock() if writer == "serialised" else contextlib.nullcontext()
    )

    def connection() -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is None:
            conn = sqlite_connect(db)
            local.conn = conn
        return conn

    def insert(hall: str, service: str) -> dict[str, Any]:
        conn = connection()
        now = datetime.now(UTC)
        number = f"{service}{next(numbers):03d}"
        with write_lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
                cur = conn.execute(
                    BASELINE_INSERT_SQLITE,
                    (hall, service, number, "waiting", int(now.timestamp() * 1e6), now.isoformat()),
                )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return {"id": cur.lastrowid, "number": number, "service": service, "issued_at": now.isoformat()}

    async def issue(request: Request) -> JSONResponse:
        body = await request.json()
        service = body.get("service") if isinstance(body, dict) else None
        if not isinstance(service, str) or len(service) != 1:
            return JSONResponse({"error": "service: one letter"}, status_code=400)
        row = await run_in_threadpool(insert, request.path_params["hall"], service)
        return JSONResponse(row, status_code=201)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/healthz", health), Route(TICKETS_PATH, issue, methods=["POST"])])


class ThreadProfiles:
    """cProfile in every thread: Python 3.11 has no setprofile_all_threads, so each new thread's
    first profile event replaces the hook with a profiler of its own."""

    def __init__(self) -> None:
        self.loop = cProfile.Profile()
        self.threads: list[cProfile.Profile] = []
        self._lock = threading.Lock()

    def _start_thread(self, frame: FrameType, event: str, arg: Any) -> None:
        prof = cProfile.Profile()
        with self._lock:
            self.threads.append(prof)
        prof.enable()

    def start(self) -> None:
        threading.setprofile(self._start_thread)
        self.loop.enable()

    def dump(self, path: str) -> None:
        self.loop.disable()
        threading.setprofile(None)
        pstats.Stats(self.loop).dump_stats(path + ".loop")
        with self._lock:
            threads = list(self.threads)
        if threads:
            for prof in threads:
                prof.disable()
            merged = pstats.Stats(threads[0])
            for prof in threads[1:]:
                merged.add(prof)
            merged.dump_stats(path + ".pool")


def serve_listening(config: uvicorn.Config, *fields: str) -> None:
    """Serve ``config``'s app on a port the OS picks, after printing ``LISTENING port loop http
    *fields`` (what ``_common.server_process`` waits for); profile its threads if asked."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    if not config.loaded:
        config.load()
    try:
        import uvloop  # noqa: F401

        loop_name = "uvloop"
    except ImportError:
        loop_name = "asyncio"
    port = sock.getsockname()[1]
    print(" ".join(["LISTENING", str(port), loop_name, config.http_protocol_class.__name__, *fields]), flush=True)
    profile_path = os.environ.get(PROFILE_ENV)
    profiles = ThreadProfiles() if profile_path else None
    if profiles is not None:
        profiles.start()
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        if profiles is not None and profile_path:
            profiles.dump(profile_path)
        sock.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._http_server", description=__doc__.split("\n\n")[0])
    parser.add_argument("side", choices=["project", "baseline"])
    parser.add_argument("db", type=Path)
    parser.add_argument("--writer", choices=WRITERS, default=WRITERS[0], help="baseline: how the threads write")
    args = parser.parse_args(argv)
    app = project_app(args.db) if args.side == "project" else baseline_app(args.db, args.writer)

    config = uvicorn.Config(
        app, host="127.0.0.1", workers=1, loop="auto", http="auto", log_level="warning", access_log=False
    )
    serve_listening(config)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
