"""A HallQ server for the WebSocket tests, run as a process of its own:

    python -m tests.realtime._server --db URL [--queue-size N] [--ping-interval S] [--ping-timeout S] [--sndbuf B]
                                     [--ws-max-size B]

It serves the small test hall (tests/conftest.py) with the realtime plug-in on
127.0.0.1 and a port the OS chooses, and prints ``{"port": …, "pid": …}`` on
one line once it accepts connections. The database must already be migrated
and hold the hall.

Test-only additions (they exist in this module, never in queue_server):
  POST /test/command  {"op": "issue", "args": {"service": "A"}, "repeat": 1}
                      runs QueueService.<op>("t", **args) ``repeat`` times; answers the events' seqs
                      and the last ticket (with its token)
                      {"steps": [["call_next", {"window": 1}], ["finish", {"window": 1}]], "repeat": 50}
                      runs the steps in turn, ``repeat`` times
  GET  /test/stats    the hub's counters and the bus's listening backend
An Authenticator that knows two bearer tokens (``Authorization: Bearer …`` or
``?access_token=…``): ``test-token`` may read hall "t", ``other-token`` only hall "x".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
from typing import Any

import uvicorn
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from queue_server.app import create_app
from queue_server.plugins import Plugin
from queue_server.principal import DeviceKind, Principal
from queue_server.realtime import UVICORN_WS, Hub, bus_for, realtime_plugin
from queue_server.realtime.postgres import PostgresBus
from queue_server.service import QueueService
from queue_server.storage import open_store
from tests.conftest import small_config

HALL = "t"
TOKENS = {
    "test-token": Principal(name="device:test", device=DeviceKind.DISPLAY, hall=HALL),
    "other-token": Principal(name="device:other", device=DeviceKind.DISPLAY, hall="x"),
}


async def authenticate(conn: HTTPConnection) -> Principal | None:
    header = conn.headers.get("authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
    return TOKENS.get(token or conn.query_params.get("access_token", ""))


def build(args: argparse.Namespace) -> tuple[Any, Hub]:
    store = open_store(args.db, migrate=False)
    service = QueueService(store, small_config())
    bus = bus_for(args.db)
    if isinstance(bus, PostgresBus):
        bus.backoff.first, bus.health_interval = 0.1, 2.0
    hub = Hub(service, bus, queue_size=args.queue_size)

    async def command(request: Request) -> JSONResponse:
        body = await request.json()
        steps = body.get("steps") or [[body["op"], body.get("args", {})]]
        repeat = int(body.get("repeat", 1))

        def run() -> dict[str, Any]:
            seqs: list[int] = []
            ticket = None
            for _ in range(repeat):
                for op, params in steps:
                    outcome = getattr(service, op)(HALL, **params)
                    seqs.extend(e.seq for e in outcome.events)
                    ticket = outcome.ticket or ticket
            found = {"id": ticket.id, "number": ticket.number, "token": ticket.token} if ticket else None
            return {"seqs": seqs, "ticket": found}

        return JSONResponse(await run_in_threadpool(run))

    async def stats(request: Request) -> JSONResponse:
        pid = bus.backend_pid if isinstance(bus, PostgresBus) else None
        connections = bus.connections if isinstance(bus, PostgresBus) else None
        return JSONResponse({**hub.stats(), "bus_pid": pid, "bus_connections": connections})

    testing = Plugin(
        name="test", routes=[Route("/test/command", command, methods=["POST"]), Route("/test/stats", stats)]
    )
    app = create_app(service, [realtime_plugin(hub, authenticate), testing], scheduler=False)
    return app, hub


async def serve(args: argparse.Namespace) -> None:
    app, _ = build(args)
    config = uvicorn.Config(
        app,
        log_level="warning",
        ws_ping_interval=args.ping_interval,
        ws_ping_timeout=args.ping_timeout,
        lifespan="on",
        **{**UVICORN_WS, **({"ws_max_size": args.ws_max_size} if args.ws_max_size else {})},  # as run.py serves
    )
    server = uvicorn.Server(config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if args.sndbuf:
        # Accepted connections inherit it: a small, fixed send buffer stands for a slow
        # network, so a client that stops reading backs up into its outbox within a few
        # hundred messages instead of the megabytes Linux would otherwise buffer on loopback.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, args.sndbuf)
    sock.bind(("127.0.0.1", 0))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(1000):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    if not server.started:
        raise SystemExit(f"the server did not start: {task.exception() if task.done() else 'timeout'}")
    print(json.dumps({"port": sock.getsockname()[1], "pid": os.getpid()}), flush=True)
    await task


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", required=True)
    p.add_argument("--queue-size", type=int, default=256)
    p.add_argument("--ping-interval", type=float, default=20.0)
    p.add_argument("--ping-timeout", type=float, default=20.0)
    p.add_argument("--sndbuf", type=int, default=0, help="SO_SNDBUF of accepted connections (0: the OS default)")
    p.add_argument("--ws-max-size", type=int, default=0, help="uvicorn's ws_max_size (0: run.py's)")
    asyncio.run(serve(p.parse_args()))


if __name__ == "__main__":
    main()
