"""One client's bounded queue of outgoing messages.

The hub pushes without ever awaiting: ``push`` either queues the message or
says the client is too far behind, and the hub then closes it. The client's
WebSocket task pulls with ``get``, which raises ``Closed`` as soon as the
outbox is closed: a client being dropped gets nothing more, not the backlog.
A resuming client's replay is handed over whole (``preload``) and goes out
before anything pushed; it does not count against the bound, what follows it does.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

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
    """Kept small: a hall display idles here all day, a thousand of them per process.
    The queue is made on the first message and a waiter exists only while waiting."""

    __slots__ = ("_first", "_items", "_waiter", "closed", "on_close", "size")

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("an outbox holds at least one message")
        self.size = size
        self.closed: tuple[int, str] | None = None
        # Called once when the outbox closes (the WebSocket task uses it to bound the close).
        self.on_close: Callable[[], None] | None = None
        self._items: deque[str] | None = None
        self._first: deque[str] | None = None  # a replay, sent before the items
        self._waiter: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        return (len(self._items) if self._items else 0) + (len(self._first) if self._first else 0)

    def preload(self, messages: list[str]) -> None:
        """Send ``messages`` before anything pushed (an empty outbox's first messages)."""
        if self.closed is None and messages:
            self._first = deque(messages)
            self._wake()

    def push(self, message: str) -> bool:
        """Queue ``message``; False (and nothing queued) when the outbox is full."""
        if self.closed is not None:
            return True  # dropped on purpose: nobody will read it
        items = self._items
        if items is None:
            items = self._items = deque()
        if len(items) >= self.size:
            return False
        items.append(message)
        self._wake()
        return True

    def close(self, code: int, reason: str) -> None:
        if self.closed is None:
            self.closed = (code, reason)
            self._items = self._first = None
            self._wake()
            if self.on_close is not None:
                self.on_close()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> str:
        while True:
            if self.closed is not None:
                raise Closed(*self.closed)
            if first := self._first:
                message = first.popleft()
                if not first:
                    self._first = None
                return message
            items = self._items
            if items:
                message = items.popleft()
                if not items:
                    self._items = None  # an idle client holds no empty queue
                return message
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
