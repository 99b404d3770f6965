"""One serial line, kept open: the thin asyncio adapter around a pyserial port.

The port is opened with ``serial.serial_for_url`` (a device path, a pty, ``loop://``,
``socket://host:port``). A thread per line does the blocking reads and hands the
bytes to the event loop; writes go out one frame at a time with the line's gap
after each. When the port fails (a USB adapter pulled out) the link closes it,
says so, and reopens it with exponential backoff until it comes back.

What the bytes mean is not this module's business: the codecs decode them and the
device drivers (``hardware.drivers``) decide what to send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import serial

from .config import LineConfig

log = logging.getLogger("hallq.hardware.link")

READ_TIMEOUT_S = 0.05  # how long a reader thread blocks before it checks whether to stop


class Port(Protocol):
    """What a link needs of a pyserial port (``serial.Serial`` and the URL handlers)."""

    def read(self, size: int = 1) -> bytes: ...
    def write(self, data: bytes, /) -> int | None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...
    @property
    def in_waiting(self) -> int: ...


Opener = Callable[[LineConfig], Port]


def open_port(line: LineConfig) -> Port:
    port: Port = serial.serial_for_url(line.url, baudrate=line.baud, timeout=READ_TIMEOUT_S, write_timeout=2.0)
    return port


class PortDown(ConnectionError):
    """The line's port is not open: nothing can be sent until it comes back."""


class Backoff:
    """Delays between reopen attempts: doubling from ``first`` up to ``most``."""

    def __init__(self, first: float = 0.2, most: float = 5.0) -> None:
        self.first, self.most = first, most
        self.next = first

    def take(self) -> float:
        delay = self.next
        self.next = min(self.most, self.next * 2)
        return delay

    def reset(self) -> None:
        self.next = self.first


class SerialLink:
    """Keeps ``line``'s port open, reads in a thread, writes one paced frame at a time.

    ``on_data`` gets every chunk read, on the event loop; ``on_up`` runs (on the loop)
    each time the port opens, ``on_down(reason)`` each time it fails or cannot be opened.
    """

    def __init__(
        self,
        line: LineConfig,
        *,
        on_data: Callable[[bytes], None],
        on_up: Callable[[], None] = lambda: None,
        on_down: Callable[[str], None] = lambda reason: None,
        opener: Opener = open_port,
        backoff: Backoff | None = None,
    ) -> None:
        self.line = line
        self.on_data, self.on_up, self.on_down = on_data, on_up, on_down
        self.opener = opener
        self.backoff = backoff or Backoff()
        self.port: Port | None = None
        self.up = asyncio.Event()
        self._write_lock = asyncio.Lock()
        self._last_write = 0.0
        self._failed: asyncio.Event | None = None
        self.frames_sent = 0

    async def run(self) -> None:
        """Open, read until the port fails, reopen with backoff; until cancelled."""
        loop = asyncio.get_running_loop()
        was_down = False
        while True:
            try:
                port = await asyncio.to_thread(self.opener, self.line)
            except (serial.SerialException, OSError, ValueError) as exc:
                if not was_down:
                    self.on_down(_why(exc, self.line))
                    was_down = True
                await asyncio.sleep(self.backoff.take())
                continue
            was_down = False
            self.backoff.reset()
            failed = asyncio.Event()
            self._failed = failed
            stop = threading.Event()
            reasons: list[str] = []
            reader = threading.Thread(
                target=self._read_loop,
                args=(port, loop, stop, failed, reasons),
                name=f"hallq-serial-{self.line.id}",
                daemon=True,
            )
            self.port = port
            reader.start()
            self.up.set()
            log.info("line %s open on %s", self.line.id, self.line.url)
            self.on_up()
            try:
                await failed.wait()
            finally:
                self.up.clear()
                self.port = None
                stop.set()
                await asyncio.to_thread(reader.join)
                with contextlib.suppress(Exception):
                    port.close()
            reason = reasons[0] if reasons else "port closed"
            log.warning("line %s lost: %s", self.line.id, reason)
            self.on_down(reason)
            was_down = True
            await asyncio.sleep(self.backoff.take())

    def _read_loop(
        self,
        port: Port,
        loop: asyncio.AbstractEventLoop,
        stop: threading.Event,
        failed: asyncio.Event,
        reasons: list[str],
    ) -> None:
        while not stop.is_set():
            try:
                data = port.read(max(1, port.in_waiting))
            except Exception as exc:  # pyserial raises SerialException, OSError, TypeError on a dead fd
                reasons.append(_why(exc, self.line))
                break
            if data:
                loop.call_soon_threadsafe(self.on_data, data)
        with contextlib.suppress(RuntimeError):  # the loop may already be closed at shutdown
            loop.call_soon_threadsafe(failed.set)

    async def send(self, frame: bytes, *, on_write: Callable[[], None] | None = None) -> None:
        """Write one frame, at least ``gap`` after the previous one ended; PortDown if closed.

        ``on_write`` runs just before the bytes go out (after any wait for the bus): a
        half-duplex line hears them back from then on.
        """
        async with self._write_lock:
            wait = self._last_write + self.line.gap_s - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            port = self.port
            if port is None:
                raise PortDown(f"串口 {self.line.url} 未连接 / line {self.line.id} ({self.line.url}) is not open")
            if on_write is not None:
                on_write()
            try:
                await asyncio.to_thread(_write_all, port, frame)
            except Exception as exc:
                self.fail(_why(exc, self.line))
                raise PortDown(_why(exc, self.line)) from exc
            self._last_write = time.monotonic()
            self.frames_sent += 1

    def fail(self, reason: str) -> None:
        """Treat the port as gone (a write failed): the run loop closes and reopens it."""
        log.warning("line %s failed: %s", self.line.id, reason)
        if self._failed is not None:
            self._failed.set()


def _write_all(port: Port, frame: bytes) -> None:
    port.write(frame)
    port.flush()


def _why(exc: BaseException, line: LineConfig) -> str:
    text = str(exc) or type(exc).__name__
    return f"串口 {line.url} 故障 / line {line.id}: {text}"[:300]
