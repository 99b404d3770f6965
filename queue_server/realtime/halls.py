"""One hall the hub watches: its live view, what was heard of but not applied, and its clients.

The clients of a hall are grouped in feeds, one per channel: each message a channel
makes is rendered once and pushed to every client of the feed. Pushing never awaits
a client; one whose bounded ``Outbox`` is full is closed (4008) and dropped, and the
others carry on. Only the hub's event loop touches any of this.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from ..domain import Event
from .channels import AnyChannel
from .messages import dumps
from .outbox import GOING_AWAY, TOO_SLOW, Outbox
from .view import Change, HallView

# The hub's logger: what happens to a hall's clients is the hub's story.
log = logging.getLogger("hallq.realtime.hub")


@dataclass(eq=False, slots=True)
class Subscription:
    """One client on one channel: the WebSocket task reads ``outbox``."""

    hall: str
    key: Hashable
    outbox: Outbox


@dataclass(eq=False, slots=True)
class Feed:
    channel: AnyChannel
    subs: set[Subscription] = field(default_factory=set)


@dataclass(eq=False, slots=True)
class LiveHall:
    slug: str
    view: HallView | None = None
    pending: dict[int, Event] = field(default_factory=dict)  # heard of, not yet applied
    known: int = 0  # the highest seq heard of
    reload_wanted: bool = False
    reloading: bool = False  # a new view is being read: hold events until it is in place
    sync: asyncio.Task[None] | None = None
    loading: asyncio.Task[None] | None = None
    feeds: dict[Hashable, Feed] = field(default_factory=dict)

    def drop_applied(self, seq: int) -> None:
        """Forget the pending events the view has already applied (up to ``seq``)."""
        for old in [s for s in self.pending if s <= seq]:
            del self.pending[old]

    def subscribe(self, key: Hashable, make: Callable[[HallView], AnyChannel], queue_size: int) -> Subscription:
        """A new client of the channel ``key`` (made from the view if nobody follows it yet)."""
        assert self.view is not None
        feed = self.feeds.get(key)
        if feed is None:
            feed = self.feeds[key] = Feed(make(self.view))
        sub = Subscription(self.slug, key, Outbox(queue_size))
        feed.subs.add(sub)
        return sub

    def feed_of(self, sub: Subscription) -> Feed | None:
        """The feed ``sub`` is still on, if it is."""
        feed = self.feeds.get(sub.key)
        return feed if feed is not None and sub in feed.subs else None

    def leave(self, sub: Subscription) -> None:
        feed = self.feeds.get(sub.key)
        if feed is not None:
            self._leave(feed, sub)

    def _leave(self, feed: Feed, sub: Subscription) -> None:
        feed.subs.discard(sub)
        if not feed.subs and self.feeds.get(sub.key) is feed:
            del self.feeds[sub.key]

    def push(self, feed: Feed, sub: Subscription, text: str) -> bool:
        """Queue ``text`` for ``sub``; False when it fell too far behind and was closed instead."""
        if sub.outbox.push(text):
            return True
        self._leave(feed, sub)
        sub.outbox.close(*TOO_SLOW)
        log.info("%s: closed a client of %s that fell %d messages behind", self.slug, sub.key, sub.outbox.size)
        return False

    def publish(self, view: HallView, change: Change) -> int:
        """Send every feed what ``change`` means to it; the number of clients closed."""
        if change.reset:
            return self.restart(view)
        dropped = 0
        for feed in list(self.feeds.values()):
            message = feed.channel.update(view, change)
            if message is not None:
                dropped += self._send(feed, dumps(message))
        return dropped

    def restart(self, view: HallView) -> int:
        """Every client of the hall starts over from a snapshot of ``view``; the number closed."""
        return sum(self._send(feed, dumps(feed.channel.restart(view))) for feed in list(self.feeds.values()))

    def _send(self, feed: Feed, text: str) -> int:
        return sum(not self.push(feed, sub, text) for sub in list(feed.subs))

    def close(self) -> None:
        """The server is going away: every client is told so."""
        for feed in self.feeds.values():
            for sub in feed.subs:
                sub.outbox.close(*GOING_AWAY)
        self.feeds.clear()

    def stats(self) -> dict[str, int | None]:
        return {
            "seq": self.view.seq if self.view else None,
            "channels": len(self.feeds),
            "subscribers": sum(len(f.subs) for f in self.feeds.values()),
            "pending": len(self.pending),
        }
