"""uvicorn's WebSocket protocol, with closes that never wait on a peer that does not read.

asyncio's ``transport.close()`` keeps a connection until everything written has
gone out. A client that stops reading (a frozen browser, a dead network path
whose peer still answers TCP) would keep its socket ESTABLISHED, megabytes of
unsent messages in the kernel and the buffers, and its close frame would never
leave. Here every close the server starts (the application ending a connection,
a keepalive timeout, a shutdown) gives the peer ``LINGER`` seconds to take what
is still unsent, then resets the connection, which frees it at once.

Clients only send small control messages (``resync``): ``MAX_MESSAGE`` bounds
what one may send, and a larger message is refused with close code 1009.

``UVICORN_WS`` is what ``uvicorn.run`` / ``uvicorn.Config`` need for both.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import socket
import struct
import termios
from typing import Any, cast

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from .ws import MAX_MESSAGE

# How long a peer may take to read what is still unsent once the server closes.
LINGER = 2.0
# How long the server waits for the peer's answer to its close frame (uvicorn: 10 s).
CLOSE_HANDSHAKE = 2.0
_POLL = 0.1

UVICORN_WS: dict[str, Any] = {
    "ws": f"{__name__}:BoundedCloseProtocol",
    "ws_max_size": MAX_MESSAGE,
}


def unsent(transport: asyncio.Transport) -> int:
    """Bytes written and not yet taken by the peer: the event loop's buffer and the kernel's send queue."""
    size = transport.get_write_buffer_size()
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError, ValueError):
            size += struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
    return size


class BoundedClose(asyncio.Transport):
    """A transport whose ``close`` lasts at most ``linger`` seconds: once the peer has taken
    everything it closes normally, else it aborts (with SO_LINGER 0: a reset, and the kernel
    drops the unsent bytes instead of retrying them for minutes)."""

    def __init__(self, inner: asyncio.Transport, linger: float = LINGER) -> None:
        super().__init__()
        self.inner = inner
        self.linger = linger
        self._closing = False
        self._timer: asyncio.TimerHandle | None = None
        self._deadline = 0.0

    def close(self) -> None:
        if self._closing or self.inner.is_closing():
            return
        self._closing = True
        if not unsent(self.inner):
            self.inner.close()
            return
        loop = asyncio.get_running_loop()
        self._deadline = loop.time() + self.linger
        self._timer = loop.call_later(_POLL, self._check)

    def _check(self) -> None:
        self._timer = None
        if self.inner.is_closing():
            return
        if not unsent(self.inner):
            self.inner.close()
            return
        loop = asyncio.get_running_loop()
        if loop.time() >= self._deadline:
            self.abort()
        else:
            self._timer = loop.call_later(_POLL, self._check)

    def abort(self) -> None:
        self.forget()
        self._closing = True
        sock = self.inner.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError, ValueError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.inner.abort()

    def forget(self) -> None:
        """The connection is gone: no check left to run."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def is_closing(self) -> bool:
        return self._closing or self.inner.is_closing()

    # -- the rest as the inner transport does it ------------------------------

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.inner.get_extra_info(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.inner.write(data)

    def writelines(self, list_of_data: Any) -> None:
        self.inner.writelines(list_of_data)

    def write_eof(self) -> None:
        self.inner.write_eof()

    def can_write_eof(self) -> bool:
        return self.inner.can_write_eof()

    def get_write_buffer_size(self) -> int:
        return self.inner.get_write_buffer_size()

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self.inner.get_write_buffer_limits()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self.inner.set_write_buffer_limits(high, low)

    def is_reading(self) -> bool:
        return self.inner.is_reading()

    def pause_reading(self) -> None:
        self.inner.pause_reading()

    def resume_reading(self) -> None:
        self.inner.resume_reading()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.inner.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self.inner.get_protocol()


class BoundedCloseProtocol(WebSocketsSansIOProtocol):
    """uvicorn's default WebSocket protocol on a ``BoundedClose`` transport, with a shorter wait
    for the peer's answer to a close frame."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.close_timeout = CLOSE_HANDSHAKE

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have its methods.
        super().connection_made(BoundedClose(cast(asyncio.Transport, transport)))

    def connection_lost(self, exc: Exception | None) -> None:
        if isinstance(self.transport, BoundedClose):
            self.transport.forget()
        super().connection_lost(exc)
