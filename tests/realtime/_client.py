"""Test-side helpers: a server process (tests/realtime/_server.py) and WebSocket clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-token"


class ServerProcess:
    """``python -m tests.realtime._server`` on an OS-chosen port; ``stop()`` in a finally."""

    def __init__(self, db: str, *extra: str, timeout: float = 30.0) -> None:
        self._stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.realtime._server", "--db", db, *extra],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        lines: queue.Queue[str] = queue.Queue()

        def read() -> None:
            for line in self.proc.stdout or ():
                lines.put(line)

        threading.Thread(target=read, daemon=True).start()
        try:
            first = json.loads(lines.get(timeout=timeout))
        except (queue.Empty, ValueError) as exc:
            self.stop()
            raise AssertionError(f"the test server did not start: {self.stderr()}") from exc
        self.port: int = first["port"]

    def ws(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def command(self, op: str, repeat: int = 1, **args: Any) -> dict[str, Any]:
        """Run a QueueService command inside the server (blocking: use ``acommand`` from async code)."""
        result: dict[str, Any] = self._request("POST", "/test/command", {"op": op, "args": args, "repeat": repeat})
        return result

    async def acommand(self, op: str, repeat: int = 1, **args: Any) -> dict[str, Any]:
        return await asyncio.to_thread(self.command, op, repeat, **args)

    async def asteps(self, steps: list[tuple[str, dict[str, Any]]], repeat: int = 1) -> dict[str, Any]:
        """Run the commands of ``steps`` in turn, ``repeat`` times, inside the server."""
        result: dict[str, Any] = await asyncio.to_thread(
            self._request, "POST", "/test/command", {"steps": steps, "repeat": repeat}
        )
        return result

    async def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = await asyncio.to_thread(self._request, "GET", "/test/stats")
        return result

    def stderr(self) -> str:
        with contextlib.suppress(ValueError, OSError):
            self._stderr.seek(0)
            return self._stderr.read()[-4000:]
        return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        for stream in (self.proc.stdout, self._stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


async def open_ws(server: ServerProcess, path: str, token: str | None = TOKEN, **options: Any) -> ClientConnection:
    """A client with the bearer token in the header; no compression, no client pings."""
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return await connect(
        server.ws(path),
        additional_headers=headers,
        compression=None,
        ping_interval=None,
        open_timeout=10,
        close_timeout=2,
        **options,
    )


async def slow_ws(server: ServerProcess, path: str) -> ClientConnection:
    """A client that will never read: a tiny receive buffer and a one-frame queue, so that
    the server's buffers, then its outbox for this client, fill after a few hundred messages."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    return await open_ws(server, path, sock=sock, max_queue=1)


async def recv_json(ws: ClientConnection, timeout: float = 5.0) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    return message


async def recv_until(ws: ClientConnection, seq: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    """Messages until one brings the client to ``seq`` (or beyond)."""
    out: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while not out or out[-1]["seq"] < seq:
            out.append(await recv_json(ws, timeout))
    return out


def check_chain(snapshot_seq: int, messages: list[dict[str, Any]]) -> None:
    """Each event message follows the previous one of its channel: the client's gap check."""
    last = snapshot_seq
    for i, m in enumerate(messages):
        assert m["type"] == "event", m
        # The first may point before the snapshot (the channel's previous message); then a chain.
        assert (m["prev"] <= last if i == 0 else m["prev"] == last) and m["seq"] > last, (last, m)
        last = m["seq"]
