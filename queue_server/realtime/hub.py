"""The hub: one live ``HallView`` per watched hall, and the clients following it.

Events reach a hall's view two ways. This process's own commits come from the
``QueueService`` listener (``Hub.listener``, called in whatever thread ran the
command, handed to the loop with ``call_soon_threadsafe``); everything else is
heard from the bus as ``(hall, seq)``, and the hub reads what it lacks from the
store. Either way events are applied strictly in sequence order, each once:
anything early waits in ``pending``, anything already applied is dropped. When
a hall cannot catch up (too far behind, a malformed event, the bus lost
notices) the hub reloads its view from the store and sends every client of
that hall a fresh snapshot.

Publishing never awaits a client: one whose bounded ``Outbox`` is full is closed
(4008) and the others carry on (halls.py). State is touched only from the loop.

A hall client that reconnects may say the last seq it applied (``since``): it
then gets the events after it, read from the store, instead of a snapshot
(``HallChannel.resume``), and joins the live feed right after the last of them,
so it misses nothing and gets nothing twice. Too far back (more than
``replay_limit`` events), another business day, a seq this hub's view has not
reached, or a hole in the store: a snapshot, as for a new client.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Hashable, Sequence
from typing import Any

from ..domain import Event, Ticket
from ..errors import NotFound
from ..queries.snapshot import CALL_LOOKBACK, PAGE, load_snapshot, read_events
from ..queries.tickets import find_ticket
from ..service import QueueService
from ..views import ticket_view
from .bus import EventBus
from .channels import AnyChannel, HallChannel, TicketChannel, WindowChannel
from .halls import LiveHall, Subscription
from .messages import dumps
from .outbox import DEFAULT_SIZE
from .view import RECENT_CALLS, Change, Gap, HallView

# A reconnecting client further back than this many events gets a snapshot instead of a replay.
REPLAY_LIMIT = PAGE

log = logging.getLogger("hallq.realtime.hub")


class Hub:
    def __init__(
        self,
        service: QueueService,
        bus: EventBus | None = None,
        *,
        queue_size: int = DEFAULT_SIZE,
        recent_calls: int = RECENT_CALLS,
        call_lookback: int = CALL_LOOKBACK,
        catch_up_limit: int = 5 * PAGE,
        replay_limit: int = REPLAY_LIMIT,
        grace: float = 0.01,
        day_check: float = 30.0,
    ) -> None:
        self.service = service
        self.bus = bus
        self.queue_size = queue_size
        self.recent_calls = recent_calls
        self.call_lookback = call_lookback
        # Further behind than this, a fresh snapshot is cheaper than reading every event.
        self.catch_up_limit = catch_up_limit
        # Further back than this, a resuming client gets a snapshot (its calls are not announced).
        self.replay_limit = replay_limit
        # Before reading missing events from the store, give this process's own
        # listeners (commands finishing in other threads) a moment to hand them over.
        self.grace = grace
        # How often an idle view looks at the clock for a new business day.
        self.day_check = day_check
        self.evicted = 0
        self.reloads = 0
        self.catch_ups = 0
        self.resumes = 0  # clients that got a replay instead of a snapshot
        self._halls: dict[str, LiveHall] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running = False
        self._unsubscribe_bus: Callable[[], None] | None = None
        self._day_watch: asyncio.Task[None] | None = None

    # -- life ----------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._running = True
        self._day_watch = asyncio.create_task(self._watch_days(), name="hallq-day-watch")
        if self.bus is not None:
            self._unsubscribe_bus = self.bus.subscribe(self._on_notice, self._on_resync)
            await self.bus.start()

    async def stop(self) -> None:
        self._running = False
        if self.bus is not None:
            await self.bus.stop()
            if self._unsubscribe_bus is not None:
                self._unsubscribe_bus()
        tasks = [t for h in self._halls.values() for t in (h.sync, h.loading) if t is not None]
        if self._day_watch is not None:
            tasks.append(self._day_watch)
            self._day_watch = None
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for h in self._halls.values():
            h.close()
        self._halls.clear()
        self._loop = None

    @property
    def started(self) -> bool:
        return self._running

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """For an application's lifespan: the hub (and its bus) run inside."""
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    # -- events in -----------------------------------------------------------

    def listener(self, events: list[Event]) -> None:
        """The ``QueueService`` listener: safe from any thread, never blocks the command."""
        loop = self._loop
        if loop is None or not events:
            return
        # RuntimeError: the loop is closed: the server is shutting down.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._on_events, list(events))

    def _on_events(self, events: Sequence[Event]) -> None:
        touched: dict[str, LiveHall] = {}
        for e in events:
            h = self._halls.get(e.hall)
            if h is None:
                continue  # nobody watches this hall: its view will be read when someone does
            if h.view is None or e.seq > h.view.seq:
                h.pending[e.seq] = e
                h.known = max(h.known, e.seq)
                touched[h.slug] = h
        for h in touched.values():
            if len(h.pending) > self.catch_up_limit:
                h.pending.clear()  # a view that cannot load for so long is reloaded, not replayed
                h.reload_wanted = True
            self._advance(h)

    def _on_notice(self, hall: str, seq: int) -> None:
        h = self._halls.get(hall)
        if h is not None and seq > h.known:
            h.known = seq
            self._advance(h)

    def _on_resync(self) -> None:
        for h in self._halls.values():
            # A view still loading may have read the store before the notices resumed: it reloads too.
            if h.view is not None or h.loading is not None:
                h.reload_wanted = True
                self._schedule(h)

    # -- clients -------------------------------------------------------------

    async def subscribe_hall(self, hall: str, since: int | None = None) -> Subscription:
        """A hall client: a snapshot first, or, for one that says the last seq it applied
        (``since``), the events after it when they can be replayed."""
        h = await self._ready(hall)
        replay = None if since is None else await self._replay(h, since)
        # Nothing awaited since ``_replay`` last looked at the view: the replay ends where live begins.
        return self._join(h, ("hall",), HallChannel, replay)

    async def subscribe_window(self, hall: str, number: int) -> Subscription:
        h = await self._ready(hall)
        assert h.view is not None
        if h.view.window(number) is None:
            raise NotFound(f"没有 {number} 号窗口 / window {number} does not exist in {hall}")
        return self._join(h, ("window", number), lambda v: WindowChannel(v, number))

    async def subscribe_ticket(self, ticket: Ticket) -> Subscription:
        h = await self._ready(ticket.hall)
        return self._join(h, ("ticket", ticket.id), lambda v: TicketChannel(v, ticket_view(ticket)))

    async def find_ticket(self, ticket_id: int) -> Ticket | None:
        return await asyncio.to_thread(find_ticket, self.service, ticket_id)

    def unsubscribe(self, sub: Subscription) -> None:
        h = self._halls.get(sub.hall)
        if h is not None:
            h.leave(sub)

    def resync(self, sub: Subscription) -> None:
        """A client asked for a fresh snapshot (it saw a gap, or wants to start over)."""
        h = self._halls.get(sub.hall)
        feed = h.feed_of(sub) if h else None
        if h is None or h.view is None or feed is None:
            return
        self.evicted += not h.push(feed, sub, dumps(feed.channel.snapshot(h.view)))

    def stats(self) -> dict[str, Any]:
        return {
            "halls": {h.slug: h.stats() for h in self._halls.values()},
            "evicted": self.evicted,
            "reloads": self.reloads,
            "catch_ups": self.catch_ups,
            "resumes": self.resumes,
        }

    async def _ready(self, slug: str) -> LiveHall:
        self.service.hall(slug)  # NotFound for a hall this server does not serve
        h = self._halls.setdefault(slug, LiveHall(slug))
        while h.view is None:
            if h.loading is None:
                h.loading = asyncio.create_task(self._load(h), name=f"hallq-load-{slug}")
            # Shielded: a client that leaves mid-load must not cancel it for the others.
            await asyncio.shield(h.loading)
        return h

    def _join(
        self,
        h: LiveHall,
        key: Hashable,
        make: Callable[[HallView], AnyChannel],
        replay: tuple[int, list[Event]] | None = None,
    ) -> Subscription:
        # No await from here on: the snapshot (or replay) and the next update cannot miss each other.
        view = h.view
        assert view is not None
        sub = h.subscribe(key, make, self.queue_size)
        feed = h.feeds[key]
        if replay is not None and isinstance(feed.channel, HallChannel):
            since, events = replay
            messages = feed.channel.resume(view, since, events, self.service.clock())
            sub.outbox.preload([dumps(m) for m in messages])
            self.resumes += 1
        else:
            self.evicted += not h.push(feed, sub, dumps(feed.channel.snapshot(view)))
        return sub

    async def _replay(self, h: LiveHall, since: int) -> tuple[int, list[Event]] | None:
        """The events after ``since`` up to the view's seq, read from the store; None when
        a snapshot it must be. Returns without awaiting after its last look at the view."""
        if since <= 0:
            return None  # nothing applied yet: a snapshot is as small as it gets
        # The event the client applied last is read too: its day is the day of the client's state.
        read: list[Event] = []
        while True:
            view = h.view
            assert view is not None
            if since > view.seq or view.seq - since > self.replay_limit:
                return None
            after = read[-1].seq if read else since - 1
            if after >= view.seq:
                break
            page = await asyncio.to_thread(read_events, self.service.store, h.slug, after, view.seq - after)
            if not page or any(e.seq != after + 1 + i for i, e in enumerate(page)):
                return None  # the store lacks what the view has applied (or has a hole)
            read.extend(page)
        if read[-1].seq != view.seq or any(view.day_of(e.at) != view.day for e in read):
            return None  # the client's state, or part of what it missed, is of another business day
        return since, read[1:]

    # -- applying ------------------------------------------------------------

    def _advance(self, h: LiveHall) -> None:
        """Apply every pending event that is next in line; schedule a catch-up for the rest."""
        view = h.view
        if view is None or h.reloading:
            return
        while (event := h.pending.pop(view.seq + 1, None)) is not None:
            try:
                result = view.apply(event)
            except Exception:
                log.exception("%s: cannot apply event %d (%s); reloading", h.slug, event.seq, event.kind)
                h.reload_wanted = True
                break
            if isinstance(result, Change):
                self.evicted += h.publish(view, result)
        h.drop_applied(view.seq)
        if h.reload_wanted or h.known > view.seq:
            self._schedule(h)

    def _install(self, h: LiveHall, view: HallView, known_before: int) -> None:
        h.view = view
        h.drop_applied(view.seq)
        # The store is the truth now; keep only what was heard of while reading it.
        h.known = max(view.seq, max(h.pending, default=0), h.known if h.known != known_before else 0)
        self.evicted += h.restart(view)
        self._advance(h)

    async def _read_view(self, slug: str) -> HallView:
        snap, tail = await asyncio.to_thread(load_snapshot, self.service, slug, self.call_lookback)
        view = HallView.from_snapshot(snap, self.recent_calls)
        for event in tail:
            if isinstance(gap := view.apply(event), Gap):
                raise RuntimeError(f"{slug}: the store's events skip from {gap.expected - 1} to {gap.got}")
        return view

    async def _reload(self, h: LiveHall) -> HallView:
        """Read the hall afresh and install it (its clients get snapshots); what is heard while
        reading is held back and applied after."""
        known_before = h.known
        h.reloading = True
        try:
            view = await self._read_view(h.slug)
        finally:
            h.reloading = False
        self._install(h, view, known_before)
        return view

    async def _load(self, h: LiveHall) -> None:
        try:
            await self._reload(h)
        finally:
            h.loading = None

    async def _watch_days(self) -> None:
        while True:
            await asyncio.sleep(self.day_check)
            try:
                self.turn_days()
            except Exception:
                log.exception("checking for a new business day failed")

    def turn_days(self) -> None:
        """Start a new business day in every view whose hall's clock has passed midnight."""
        for h in self._halls.values():
            if h.view is not None and not h.reloading and h.view.turn_day(self.service.business_day(h.slug)):
                self.evicted += h.restart(h.view)

    # -- catching up ---------------------------------------------------------

    def _schedule(self, h: LiveHall) -> None:
        if self._running and h.sync is None:
            h.sync = asyncio.create_task(self._sync(h), name=f"hallq-sync-{h.slug}")

    async def _sync(self, h: LiveHall) -> None:
        """One task per hall at a time: catch up or reload until the view is current."""
        try:
            await asyncio.sleep(self.grace)
            failures = 0
            while self._running:
                try:
                    if not await self._sync_step(h):
                        return
                    failures = 0
                except Exception:
                    failures += 1
                    log.exception("%s: catching up failed (%d in a row); retrying", h.slug, failures)
                    await asyncio.sleep(min(5.0, 0.1 * 2**failures))
        finally:
            if h.sync is asyncio.current_task():
                h.sync = None

    async def _sync_step(self, h: LiveHall) -> bool:
        """One read towards a current view; False when there is nothing left to do."""
        view = h.view
        if view is None:
            return False  # the first load is under way and will catch up itself
        if h.reload_wanted:
            h.reload_wanted = False
            try:
                fresh = await self._reload(h)
            except BaseException:
                h.reload_wanted = True
                raise
            self.reloads += 1
            log.info("%s: reloaded at seq %d; snapshots sent", h.slug, fresh.seq)
            return True
        missing = h.known - view.seq
        if missing <= 0:
            return False
        if missing > self.catch_up_limit:
            h.reload_wanted = True
            return True
        after = view.seq
        events = await asyncio.to_thread(read_events, self.service.store, h.slug, after, min(missing, PAGE))
        self.catch_ups += 1
        if h.view is not view:
            return True
        # Judged against where the read started: the listener may have moved the view on meanwhile.
        if not events or events[0].seq != after + 1:
            # The store lacks what we heard of, or has a hole: start over from what it has.
            h.reload_wanted = True
            return True
        for e in events:
            if e.seq > view.seq:
                h.pending.setdefault(e.seq, e)
        self._advance(h)
        return True


__all__ = ["REPLAY_LIMIT", "Hub", "Subscription", "dumps"]
