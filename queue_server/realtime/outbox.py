"""One client's bounded queue of outgoing messages.

The hub pushes without ever awaiting: ``push`` either queues the message or
says the client is too far behind, and the hub then closes it. The client's
WebSocket task pulls with ``get``, which raises ``Closed`` as soon as the
outbox is closed: a client being dropped gets nothing more, not the backlog.
"""

from __future__ import annotations

import asyncio
from collections import deque

DEFAULT_SIZE = 256

# Close codes (4000-4999 are the application's own, RFC 6455 §7.4.2).
TOO_SLOW = (4008, "too slow / 客户端过慢")
GOING_AWAY = (1001, "server shutting down / 服务器关闭")


class Closed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


class Outbox:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("an outbox holds at least one message")
        self.size = size
        self.closed: tuple[int, str] | None = None
        self._items: deque[str] = deque()
        self._ready = asyncio.Event()
        self._closed = asyncio.Event()

    def __len__(self) -> int:
        return len(self._items)

    def push(self, message: str) -> bool:
        """Queue ``message``; False (and nothing queued) when the outbox is full."""
        if self.closed is not None:
            return True  # dropped on purpose: nobody will read it
        if len(self._items) >= self.size:
            return False
        self._items.append(message)
        self._ready.set()
        return True

    def close(self, code: int, reason: str) -> None:
        if self.closed is None:
            self.closed = (code, reason)
            self._items.clear()
            self._ready.set()
            self._closed.set()

    async def wait_closed(self) -> tuple[int, str]:
        await self._closed.wait()
        assert self.closed is not None
        return self.closed

    async def get(self) -> str:
        while True:
            if self.closed is not None:
                raise Closed(*self.closed)
            if self._items:
                return self._items.popleft()
            self._ready.clear()
            await self._ready.wait()
