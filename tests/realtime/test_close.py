"""Clients that misbehave against the real server (``python run.py``, tests/server_support.py):
one that never reads is dropped from the fan-out and its connection is gone within seconds,
whether or not it ever reads again; one that sends a huge message is closed with 1009. The
well-behaved client next to them misses nothing."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from queue_server.auth.service import AuthService
from queue_server.config import demo_config
from queue_server.principal import DeviceKind, Role
from queue_server.realtime.protocol import LINGER
from queue_server.realtime.ws import CLOSE_TIMEOUT
from queue_server.storage import open_store
from tests.server_support import MANAGER_PASSWORD, bearer, serve

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc/net/tcp")

EVICTED = "fell 256 messages behind"  # what the hub logs when it drops a client
# The notice a manager publishes: the largest message the hall channel carries (~2.3 KB).
NOTICE = {"text_zh": "请携带身份证原件办理业务" * 40, "text_en": "Please bring your ID card. " * 18}
TCP_ESTABLISHED = 1
# {"type": "resync"} as a masked client text frame.
_RESYNC = b'{"type":"resync"}'
RESYNC = bytes([0x81, 0x80 | len(_RESYNC), 0, 0, 0, 0]) + _RESYNC


@dataclass
class Hall:
    base: str
    port: int
    display: str  # a display token of the demo hall
    log: Path
    manager: dict[str, str]

    def ws_url(self, query: str = "") -> str:
        return f"ws://127.0.0.1:{self.port}/ws/halls/demo?access_token={self.display}{query}"

    def publish(self) -> None:
        r = httpx.post(f"{self.base}/api/halls/demo/notices", headers=self.manager, json=NOTICE, timeout=30)
        assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    tmp = tmp_path_factory.mktemp("close")
    db = f"sqlite:///{tmp}/hallq.db"
    store = open_store(db)
    try:
        store.sync_halls(demo_config())
        auth = AuthService(store.accounts)
        auth.create_user("wangju", MANAGER_PASSWORD, Role.MANAGER, "demo", "王局")
        _, display = auth.create_device_token(DeviceKind.DISPLAY, "demo", "综合屏")
    finally:
        store.close()
    log = tmp / "server.log"
    with serve(db, tmp, log=log) as base:
        yield Hall(base, int(base.rsplit(":", 1)[1]), display, log, bearer(base, "wangju", MANAGER_PASSWORD))


def server_side(port: int, client_port: int) -> tuple[int, int] | None:
    """The server's end of the connection from ``client_port``: (TCP state, bytes unsent), if it exists."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16)
        if (local, remote) == (port, client_port):
            return int(fields[3], 16), int(fields[4].split(":")[0], 16)
    return None


def tcp_state(sock: socket.socket) -> int:
    """The kernel's TCP state of ``sock`` (1 ESTABLISHED, 7 CLOSE), from TCP_INFO's first byte."""
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]


def never_reading_client(hall: Hall) -> socket.socket:
    """A WebSocket client that does the handshake and then never reads (and has little room to
    receive): what a frozen display looks like from the server."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", hall.port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET /ws/halls/demo?access_token={hall.display} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


class Reader:
    """A well-behaved client, read in a thread: every message it gets, in order."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.messages: list[dict[str, Any]] = []
        self.closed: ConnectionClosed | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for text in self.ws:
                self.messages.append(json.loads(text))
        except ConnectionClosed as exc:
            self.closed = exc

    def wait_for(self, seq: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not self.messages or self.messages[-1]["seq"] < seq:
            assert self.closed is None, self.closed
            assert time.monotonic() < deadline, f"no seq {seq} within {timeout} s"
            time.sleep(0.02)

    def check_chain(self) -> None:
        first, *events = self.messages
        assert first["type"] == "snapshot"
        assert [m["seq"] for m in events] == list(range(first["seq"] + 1, first["seq"] + 1 + len(events)))


@contextlib.contextmanager
def reading(hall: Hall) -> Iterator[Reader]:
    with connect(hall.ws_url(), compression=None, open_timeout=10) as ws:
        reader = Reader(ws)
        try:
            yield reader
        finally:
            ws.close()
            reader.thread.join(5)


def last_seq(hall: Hall) -> int:
    r = httpx.get(f"{hall.base}/api/halls/demo/snapshot", headers=hall.manager)
    assert r.status_code == 200, r.text
    seq: int = r.json()["seq"]
    return seq


@pytest.mark.slow
def test_a_client_that_never_reads_is_disconnected_within_seconds_of_its_eviction(hall: Hall) -> None:
    frozen = never_reading_client(hall)
    client_port = frozen.getsockname()[1]
    assert tcp_state(frozen) == TCP_ESTABLISHED
    stop = threading.Event()

    def fan_out() -> None:
        while not stop.wait(0.05):
            hall.publish()

    publishing = threading.Thread(target=fan_out, daemon=True)
    try:
        with reading(hall) as reader:
            publishing.start()
            # Its messages pile up on the server (megabytes on loopback) until its outbox overflows
            # and the hub drops it; the log says when. Asking for snapshots it will never read (a
            # hall's is ~10 KB) gets there in seconds where the notices alone would take minutes.
            deadline = time.monotonic() + 120
            before = time.monotonic()
            while EVICTED not in hall.log.read_text(encoding="utf-8"):
                assert time.monotonic() < deadline, "the frozen client was never dropped"
                before = time.monotonic()
                with contextlib.suppress(OSError):
                    frozen.sendall(RESYNC * 20)
                time.sleep(0.01)
            # It happened after ``before``. Gone from the server within a few seconds, though it
            # never read: no socket, no unsent megabytes.
            while (row := server_side(hall.port, client_port)) is not None:
                assert time.monotonic() - before < CLOSE_TIMEOUT + LINGER + 2, f"still there: {row}"
                time.sleep(0.1)
            assert tcp_state(frozen) != TCP_ESTABLISHED  # reset: the kernel's end is closed too
            # Reading now ends at once: what little had arrived, then the reset.
            frozen.settimeout(2)
            with pytest.raises(ConnectionResetError):
                while frozen.recv(65536):
                    pass
            stop.set()
            publishing.join(30)
            # The reader got every event of the fan-out, in order, and is still served.
            final = last_seq(hall)
            reader.wait_for(final)
            hall.publish()
            reader.wait_for(final + 1)
            reader.check_chain()
            assert len(reader.messages) > 2
    finally:
        stop.set()
        frozen.close()


def test_a_message_larger_than_a_client_ever_needs_is_refused_with_1009(hall: Hall) -> None:
    with reading(hall) as reader:
        with connect(hall.ws_url(), compression=None, open_timeout=10, close_timeout=5) as big:
            assert big.recv(timeout=5)  # its snapshot
            with pytest.raises(ConnectionClosed) as closed:
                big.send("x" * 5_000_000)
                while True:
                    big.recv(timeout=5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
        # The one next to it did not notice.
        seq = last_seq(hall)
        hall.publish()
        reader.wait_for(seq + 1)
        reader.check_chain()
        assert reader.closed is None


def test_a_resync_still_gets_through(hall: Hall) -> None:
    """The limit leaves room for what clients do send."""
    with connect(hall.ws_url(), compression=None, open_timeout=10) as ws:
        first = json.loads(ws.recv(timeout=5))
        ws.send(json.dumps({"type": "resync", "pad": "x" * 2000}))
        again = json.loads(ws.recv(timeout=5))
        assert (first["type"], again["type"], again["seq"]) == ("snapshot", "snapshot", first["seq"])
