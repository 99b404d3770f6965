"""The three channels a client can follow, as pure filters over a ``HallView``.

A channel turns each ``Change`` into the message its clients need, or into
nothing when the change does not concern it. Every client of one channel gets
the same messages (so each is rendered once), after a snapshot of its own.

Messages after the snapshot carry ``seq`` (the hall's sequence number the
message brings the client to) and ``prev`` (the ``seq`` of this channel's
previous message). On the hall channel ``prev`` is always ``seq - 1``; the
narrower channels skip events that do not concern them, so a client checks
``prev <= its last seq`` instead: a ``prev`` beyond the last ``seq`` it has
seen means it missed a message, and it sends ``{"type": "resync"}``.

Keys other than ``type``, ``seq`` and ``prev`` appear only when they changed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Sequence
from datetime import UTC, datetime
from typing import Any

from ..domain import Event
from .view import JSON, Change, HallView, event_json


class Channel(ABC):
    """One stream of messages; ``prev`` is the ``seq`` of its last message."""

    def __init__(self, view: HallView) -> None:
        self.prev = view.seq

    @property
    @abstractmethod
    def key(self) -> Hashable: ...

    @abstractmethod
    def snapshot(self, view: HallView) -> JSON:
        """The full state a new (or resyncing) client starts from, at ``view.seq``."""

    @abstractmethod
    def delta(self, view: HallView, change: Change) -> JSON | None:
        """What ``change`` changed for this channel, or None when nothing concerns it."""

    def update(self, view: HallView, change: Change) -> JSON | None:
        body = self.delta(view, change)
        if body is None:
            return None
        message = {"type": "event", "seq": change.seq, "prev": self.prev, **body}
        self.prev = change.seq
        return message

    def restart(self, view: HallView) -> JSON:
        """Everyone on the channel gets a new snapshot (after a reload or a new day)."""
        self.prev = view.seq
        return self.snapshot(view)


def _head(view: HallView, channel: str) -> JSON:
    return {
        "type": "snapshot",
        "channel": channel,
        "hall": view.hall,
        "business_day": view.day.isoformat(),
        "seq": view.seq,
    }


class HallChannel(Channel):
    """The hall display and the dashboard: every event, with the state it changed."""

    @property
    def key(self) -> Hashable:
        return ("hall",)

    def snapshot(self, view: HallView) -> JSON:
        return view.snapshot_message()

    def resume(self, view: HallView, since: int, events: Sequence[Event], now: datetime) -> list[JSON]:
        """What a client that last applied ``since`` gets instead of a snapshot: a ``resumed``
        head, then ``events`` (``since`` + 1 to ``view.seq``, read from the store) as event
        messages. Each carries its event and the call it made, as live; the state they changed
        comes once, with the last one: every window and waiting count as they are now, which is
        how they are after that event."""
        head: JSON = {
            **_head(view, "hall"),
            "type": "resumed",
            "seq": since,
            "until": view.seq,
            "now": now.astimezone(UTC).isoformat(),
        }
        out = [head]
        for e in events:
            message: JSON = {"type": "event", "seq": e.seq, "prev": e.seq - 1, "event": event_json(e)}
            if (call := view.call_entry(e)) is not None:
                message["call"] = call
            out.append(message)
        if events:
            out[-1]["windows"] = view.windows()
            out[-1]["waiting"] = view.waiting()
        return out

    def delta(self, view: HallView, change: Change) -> JSON | None:
        body: JSON = {"event": event_json(change.event)}
        if change.windows:
            body["windows"] = [view.window(n) for n in sorted(change.windows)]
        if change.waiting:
            body["waiting"] = dict(change.waiting)
        if change.call:
            body["call"] = change.call
        return body


class WindowChannel(Channel):
    """The screen above one window: that window's events and its services' waiting counts."""

    def __init__(self, view: HallView, number: int) -> None:
        super().__init__(view)
        self.number = number

    @property
    def key(self) -> Hashable:
        return ("window", self.number)

    def snapshot(self, view: HallView) -> JSON:
        return {
            **_head(view, "window"),
            "window": view.window(self.number),
            "waiting": view.waiting(view.window_services(self.number)),
            "calls": [c for c in view.calls() if c["window"] == self.number],
        }

    def delta(self, view: HallView, change: Change) -> JSON | None:
        services = view.window_services(self.number)
        body: JSON = {}
        if self.number in change.touched:
            body["event"] = event_json(change.event)
        if self.number in change.windows:
            body["window"] = view.window(self.number)
            # What it serves may have changed: send every count it shows.
            body["waiting"] = view.waiting(services)
        else:
            waiting = {s: n for s, n in change.waiting.items() if s in services}
            if waiting:
                body["waiting"] = waiting
        if change.call and change.call["window"] == self.number:
            body["call"] = change.call
        return body or None


_AT_A_WINDOW = frozenset({"called", "serving", "held"})


class TicketChannel(Channel):
    """A visitor's phone: the ticket's state, the window it is called to, and people ahead."""

    def __init__(self, view: HallView, ticket: JSON) -> None:
        super().__init__(view)
        self.id = int(ticket["id"])
        # The view drops tickets that are done; the channel keeps the last state it knew.
        self.ticket = view.ticket(self.id) or ticket
        self.ahead = view.ahead(self.id)
        self.window = self._window(view)
        self.no_open_window = self._no_open_window(view)

    @property
    def key(self) -> Hashable:
        return ("ticket", self.id)

    def _window(self, view: HallView) -> JSON | None:
        """The window the visitor should go to (or come back to): only while it expects them."""
        number: Any = self.ticket.get("window")
        if self.ticket.get("state") not in _AT_A_WINDOW or not isinstance(number, int):
            return None
        return view.window(number)

    def _no_open_window(self, view: HallView) -> bool:
        """A waiting ticket's service has no open window right now (the phone says so, not a time)."""
        return self.ticket.get("state") == "waiting" and not view.served_now(str(self.ticket.get("service")))

    def snapshot(self, view: HallView) -> JSON:
        return {
            **_head(view, "ticket"),
            "ticket": self.ticket,
            "ahead": self.ahead,
            "window": self.window,
            "no_open_window": self.no_open_window,
        }

    def restart(self, view: HallView) -> JSON:
        self.ticket = view.ticket(self.id) or self.ticket
        self.ahead = view.ahead(self.id)
        self.window = self._window(view)
        self.no_open_window = self._no_open_window(view)
        return super().restart(view)

    def delta(self, view: HallView, change: Change) -> JSON | None:
        body: JSON = {}
        mine = change.ticket is not None and change.ticket["id"] == self.id
        if mine:
            assert change.ticket is not None
            self.ticket = change.ticket
            body["event"] = event_json(change.event)
            body["ticket"] = self.ticket
        if mine or view.line_of(self.id) in change.lines:
            ahead = view.ahead(self.id)
            if ahead != self.ahead:
                self.ahead = body["ahead"] = ahead
        number = self.ticket.get("window")
        if mine or number in change.windows:
            window = self._window(view)
            if window != self.window:
                self.window = body["window"] = window
        if mine or change.windows:
            no_open_window = self._no_open_window(view)
            if no_open_window != self.no_open_window:
                self.no_open_window = body["no_open_window"] = no_open_window
        return body or None
