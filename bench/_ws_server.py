"""The two servers of ``bench.ws_fanout``, each one a real uvicorn process.

    python -m bench._ws_server project DB
    python -m bench._ws_server baseline --snapshot FILE --call FILE --no-show FILE

project: ``run.build_app()`` itself (HALLQ_DB set to a prepared SQLite file, the demo hall): the
HTTP API, the realtime plug-in (Hub, LocalBus on SQLite, the hall channel ``/ws/halls/{hall}``)
and the rooms' plug-ins.

baseline: a bare Starlette app on the same paths. ``/ws/halls/{hall}`` accepts a client,
registers it, sends it the snapshot (the project's text, with the current ``seq``) and reads
until it leaves; ``POST /api/halls/{hall}/windows/{n}/{action}`` (call-next or no-show) builds
the event message from the action's template (the project's real message of that kind, with
the next ``seq``/``prev``), sends it to every registered client with ``await
websocket.send_text`` one after the other, and answers ``{"seq": …, "ticket": {"id": …}}``
like the project's outcome.

Both bind 127.0.0.1 on a port the OS chooses, print ``LISTENING <port> <loop> <http> <ws>``
and serve with the same uvicorn settings (1 worker; loop, HTTP and WebSocket implementation
"auto" as in production; permessage-deflate declined as run.py does (``ws_per_message_deflate=False``:
a client may offer it, the server answers without it), uvicorn's pings every 20 s; log level
warning, no access log) until SIGINT or SIGTERM. The soft limit of
open files is raised to the hard one.

Both apps are wrapped by a small ASGI layer that answers, and only answers, ``/_bench/…``:
``GET /_bench/gc`` (gc.collect(); VmRSS as the process sees it), ``GET /_bench/stats`` (the
project's ``Hub.stats()``; the baseline's client count), and with ``HALLQ_BENCH_TRACEMALLOC=N`` (frames)
``GET /_bench/mem?mark=1`` / ``GET /_bench/mem`` (a tracemalloc snapshot, then the allocation
sites grown most since it: ``[site, bytes, blocks]`` by file and by line, and by traceback when
the variable is a number of frames above 1).
``HALLQ_BENCH_PROFILE=FILE`` runs cProfile as bench/_http_server.py does (``FILE.loop``, ``FILE.pool``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import resource
import tracemalloc
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

import run
from queue_server.realtime import Hub
from queue_server.realtime.hub import dumps

from ._http_server import serve_listening

TRACEMALLOC_ENV = "HALLQ_BENCH_TRACEMALLOC"
HALL = "demo"
WS_PATH = "/ws/halls/{hall}"
ACTION_PATH = "/api/halls/{hall}/windows/{window:int}/{action}"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def vm_rss_kib(pid: int | str = "self") -> int | None:
    """VmRSS of a process in KiB (Linux /proc), None elsewhere."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def project_app(db: Path) -> tuple[Starlette, Callable[[], dict[str, Any]]]:
    """``run.build_app()`` itself, on ``db`` (HALLQ_DB; no HALLQ_CONFIG: the demo hall), and the
    statistics of the hub it made (found among the live objects: build_app keeps no handle on it)."""
    os.environ[run.ENV_DB] = f"sqlite:///{db}"
    os.environ.pop(run.ENV_CONFIG, None)
    app = run.build_app()
    hubs = [obj for obj in gc.get_objects() if isinstance(obj, Hub)]
    if len(hubs) == 1:
        return app, hubs[0].stats
    return app, lambda: {"hubs found": len(hubs)}


def baseline_app(snapshot: str, templates: dict[str, str]) -> tuple[Starlette, Callable[[], dict[str, Any]]]:
    """Register WebSocket clients; broadcast one message per POST with a plain send loop."""
    clients: set[WebSocket] = set()
    parsed = {action: json.loads(text) for action, text in templates.items()}
    first = json.loads(snapshot)
    state = {"seq": int(first["seq"])}

    async def hall(websocket: WebSocket) -> None:
        await websocket.accept()
        clients.add(websocket)
        try:
            await websocket.send_text(dumps({**first, "seq": state["seq"]}))
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
        except WebSocketDisconnect:
            return
        finally:
            clients.discard(websocket)

    async def action(request: Request) -> JSONResponse:
        template = parsed.get(request.path_params["action"])
        if template is None:
            return JSONResponse({"error": "unknown action"}, status_code=404)
        state["seq"] += 1
        seq = state["seq"]
        text = dumps({**template, "seq": seq, "prev": seq - 1})
        for websocket in list(clients):
            try:
                await websocket.send_text(text)
            except (WebSocketDisconnect, RuntimeError, OSError):
                clients.discard(websocket)
        return JSONResponse({"seq": seq, "ticket": {"id": template["event"]["ticket_id"]}})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    app = Starlette(
        routes=[
            Route("/healthz", health),
            WebSocketRoute(WS_PATH, hall),
            Route(ACTION_PATH, action, methods=["POST"]),
        ]
    )
    return app, lambda: {"clients": len(clients), "seq": state["seq"]}


def with_bench_routes(app: ASGIApp, stats: Callable[[], dict[str, Any]]) -> ASGIApp:
    """``/_bench/…`` answered here (the same layer on both sides); everything else goes to ``app``."""
    marks: list[tracemalloc.Snapshot] = []

    def mem(query: str) -> dict[str, Any]:
        if not tracemalloc.is_tracing():
            return {"error": f"tracemalloc is off (set {TRACEMALLOC_ENV}=1)"}
        snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        if "mark" in query or not marks:
            marks[:] = [snap]
            return {"marked": True}
        out: dict[str, Any] = {}
        for key in ("filename", "lineno"):
            out[key] = [
                [str(stat.traceback[0]), stat.size_diff, stat.count_diff]
                for stat in snap.compare_to(marks[0], key)[:60]
            ]
        if tracemalloc.get_traceback_limit() > 1:
            out["traceback"] = [
                [[str(frame) for frame in stat.traceback], stat.size_diff, stat.count_diff]
                for stat in snap.compare_to(marks[0], "traceback")[:40]
            ]
        return out

    async def answer(send: Send, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/_bench/"):
            await app(scope, receive, send)
            return
        if path == "/_bench/gc":
            collected = gc.collect()
            await answer(send, {"collected": collected, "rss_kib": vm_rss_kib()})
        elif path == "/_bench/stats":
            await answer(send, stats())
        elif path == "/_bench/mem":
            await answer(send, mem(scope.get("query_string", b"").decode()))
        else:
            await answer(send, {"error": "unknown"})

    return wrapped


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._ws_server", description=__doc__.split("\n\n")[0])
    parser.add_argument("side", choices=["project", "baseline"])
    parser.add_argument("db", type=Path, nargs="?", help="project: the prepared SQLite file")
    parser.add_argument("--snapshot", type=Path, help="baseline: the snapshot text sent to each new client")
    parser.add_argument("--call", type=Path, help="baseline: the call-next event message template")
    parser.add_argument("--no-show", type=Path, help="baseline: the no-show event message template")
    args = parser.parse_args(argv)
    raise_fd_limit()
    if os.environ.get(TRACEMALLOC_ENV):
        frames = os.environ[TRACEMALLOC_ENV]
        tracemalloc.start(int(frames) if frames.isdigit() else 1)
    if args.side == "project":
        if args.db is None:
            parser.error("project needs DB")
        app, stats = project_app(args.db)
    else:
        if args.snapshot is None or args.call is None or args.no_show is None:
            parser.error("baseline needs --snapshot, --call and --no-show")
        templates = {"call-next": args.call.read_text(), "no-show": args.no_show.read_text()}
        app, stats = baseline_app(args.snapshot.read_text(), templates)

    config = uvicorn.Config(
        with_bench_routes(app, stats),
        host="127.0.0.1",
        workers=1,
        loop="auto",
        http="auto",
        ws="auto",
        # As run.py serves: no per-connection deflate (clients may offer it; the server declines).
        ws_per_message_deflate=False,
        log_level="warning",
        access_log=False,
    )
    config.load()  # to name the WebSocket protocol class in the LISTENING line
    ws_class = config.ws_protocol_class.__name__ if config.ws_protocol_class is not None else "none"
    serve_listening(config, ws_class)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
