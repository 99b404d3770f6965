"""How a server process hears that events were committed, by itself or by others.

A bus carries small notices — "hall ``h`` now has events up to ``seq``" — not
the events: whoever listens reads what it missed from the store, so a notice
that is lost, duplicated or late costs a read, never a wrong screen. When a bus
may have lost notices (its connection dropped), it tells its subscribers to
resync everything instead.

One file per backend: ``local.py`` (one process) and ``postgres.py``
(LISTEN/NOTIFY across processes and hosts). Subscribers' callbacks always run
on the event loop the bus was started on, one at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..domain import Event

log = logging.getLogger("hallq.realtime.bus")

OnNotice = Callable[[str, int], None]  # (hall, seq): events up to seq are committed
OnResync = Callable[[], None]  # notices may have been lost: reload every hall


@dataclass(frozen=True, slots=True)
class _Subscription:
    on_notice: OnNotice
    on_resync: OnResync | None


class EventBus(ABC):
    def __init__(self) -> None:
        self._subscriptions: list[_Subscription] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- the interface -------------------------------------------------------

    @abstractmethod
    async def start(self) -> None:
        """Start delivering; callbacks will run on the running loop."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop delivering and release connections; safe to call twice."""

    def subscribe(self, on_notice: OnNotice, on_resync: OnResync | None = None) -> Callable[[], None]:
        """Register callbacks; returns the function that unregisters them."""
        sub = _Subscription(on_notice, on_resync)
        self._subscriptions.append(sub)
        return lambda: self._subscriptions.remove(sub) if sub in self._subscriptions else None

    def notify(self, hall: str, seq: int) -> None:
        """Tell this process's subscribers that ``hall`` has events up to ``seq``.

        Safe from any thread (commands run in a thread pool). Other processes hear
        through the backend itself (PostgreSQL's NOTIFY is sent by the writing transaction).
        """
        loop = self._loop
        if loop is None:
            return  # not started: nobody to tell
        # RuntimeError: the loop closed under us: the process is shutting down.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._deliver, hall, seq)

    def listener(self, events: Sequence[Event]) -> None:
        """A ``QueueService`` listener that feeds ``notify``: one notice per hall and batch."""
        newest: dict[str, int] = {}
        for e in events:
            newest[e.hall] = max(newest.get(e.hall, 0), e.seq)
        for hall, seq in newest.items():
            self.notify(hall, seq)

    # -- for the backends ----------------------------------------------------

    def _bind(self) -> None:
        self._loop = asyncio.get_running_loop()

    def _unbind(self) -> None:
        self._loop = None

    def _deliver(self, hall: str, seq: int) -> None:
        for sub in list(self._subscriptions):
            try:
                sub.on_notice(hall, seq)
            except Exception:
                log.exception("a bus subscriber failed on (%s, %d)", hall, seq)

    def _resync(self) -> None:
        for sub in list(self._subscriptions):
            if sub.on_resync is not None:
                try:
                    sub.on_resync()
                except Exception:
                    log.exception("a bus subscriber failed to resync")


@dataclass(slots=True)
class Backoff:
    """Delays between reconnection attempts: doubling up to ``cap``, with jitter so
    that every process of a city does not reconnect in the same millisecond."""

    first: float = 0.1
    cap: float = 5.0
    jitter: float = 0.2
    _next: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self._next = self.first

    def next(self) -> float:
        delay = self._next
        self._next = min(self.cap, self._next * 2)
        return delay * (1 + random.uniform(-self.jitter, self.jitter))

    def reset(self) -> None:
        self._next = self.first
