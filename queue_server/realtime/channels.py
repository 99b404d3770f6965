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
from collections.abc import Hashable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from ..domain import Event, TicketState
from .messages import (
    ChannelName,
    EventHead,
    HallChange,
    HallEvent,
    HallSnapshot,
    Resumed,
    SnapshotHead,
    TicketChange,
    TicketEvent,
    TicketSnapshot,
    TicketView,
    WindowChange,
    WindowEvent,
    WindowSnapshot,
    WindowView,
    event_view,
    ticket_view_of,
)
from .view import Change, HallView

S = TypeVar("S", HallSnapshot, WindowSnapshot, TicketSnapshot)
E = TypeVar("E", HallEvent, WindowEvent, TicketEvent)


class Channel(ABC, Generic[S, E]):
    """One stream of messages; ``prev`` is the ``seq`` of its last message."""

    def __init__(self, view: HallView) -> None:
        self.prev = view.seq

    @property
    @abstractmethod
    def key(self) -> Hashable: ...

    @abstractmethod
    def snapshot(self, view: HallView) -> S:
        """The full state a new (or resyncing) client starts from, at ``view.seq``."""

    @abstractmethod
    def delta(self, view: HallView, change: Change, head: EventHead) -> E | None:
        """The message ``head`` begins for what ``change`` changed for this channel, or None
        when nothing concerns it."""

    def update(self, view: HallView, change: Change) -> E | None:
        message = self.delta(view, change, {"type": "event", "seq": change.seq, "prev": self.prev})
        if message is None:
            return None
        self.prev = change.seq
        return message

    def restart(self, view: HallView) -> S:
        """Everyone on the channel gets a new snapshot (after a reload or a new day)."""
        self.prev = view.seq
        return self.snapshot(view)


def _head(view: HallView, channel: ChannelName) -> SnapshotHead:
    return {
        "type": "snapshot",
        "channel": channel,
        "hall": view.hall,
        "business_day": view.day.isoformat(),
        "seq": view.seq,
    }


class HallChannel(Channel[HallSnapshot, HallEvent]):
    """The hall display and the dashboard: every event, with the state it changed."""

    @property
    def key(self) -> Hashable:
        return ("hall",)

    def snapshot(self, view: HallView) -> HallSnapshot:
        return view.snapshot_message()

    def resume(self, view: HallView, since: int, events: Sequence[Event], now: datetime) -> list[Resumed | HallEvent]:
        """What a client that last applied ``since`` gets instead of a snapshot: a ``resumed``
        head, then ``events`` (``since`` + 1 to ``view.seq``, read from the store) as event
        messages. Each carries its event and the call it made, as live; the state they changed
        comes once, with the last one: every window and waiting count as they are now, which is
        how they are after that event."""
        head: Resumed = {
            "type": "resumed",
            "channel": "hall",
            "hall": view.hall,
            "business_day": view.day.isoformat(),
            "seq": since,
            "until": view.seq,
            "now": now.astimezone(UTC).isoformat(),
        }
        replayed: list[HallEvent] = []
        for e in events:
            message: HallEvent = {"type": "event", "seq": e.seq, "prev": e.seq - 1, "event": event_view(e)}
            if (call := view.call_entry(e)) is not None:
                message["call"] = call
            replayed.append(message)
        if replayed:
            replayed[-1]["windows"] = view.windows()
            replayed[-1]["waiting"] = view.waiting()
        return [head, *replayed]

    def delta(self, view: HallView, change: Change, head: EventHead) -> HallEvent:
        body: HallChange = {"event": event_view(change.event)}
        if change.windows:
            body["windows"] = [w for n in sorted(change.windows) if (w := view.window(n)) is not None]
        if change.waiting:
            body["waiting"] = dict(change.waiting)
        if change.call:
            body["call"] = change.call
        return {**head, **body}


class WindowChannel(Channel[WindowSnapshot, WindowEvent]):
    """The screen above one window: that window's events and its services' waiting counts."""

    def __init__(self, view: HallView, number: int) -> None:
        super().__init__(view)
        self.number = number

    @property
    def key(self) -> Hashable:
        return ("window", self.number)

    def snapshot(self, view: HallView) -> WindowSnapshot:
        return {
            **_head(view, "window"),
            "window": view.window(self.number),
            "waiting": view.waiting(view.window_services(self.number)),
            "calls": [c for c in view.calls() if c["window"] == self.number],
        }

    def delta(self, view: HallView, change: Change, head: EventHead) -> WindowEvent | None:
        services = view.window_services(self.number)
        body: WindowChange = {}
        if self.number in change.touched:
            body["event"] = event_view(change.event)
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
        return {**head, **body} if body else None


_AT_A_WINDOW = frozenset({TicketState.CALLED, TicketState.SERVING, TicketState.HELD})


class TicketChannel(Channel[TicketSnapshot, TicketEvent]):
    """A visitor's phone: the ticket's state, the window it is called to, and people ahead."""

    def __init__(self, view: HallView, ticket: Mapping[str, Any]) -> None:
        super().__init__(view)
        self.id = int(ticket["id"])
        # The view drops tickets that are done; the channel keeps the last state it knew.
        self.ticket: TicketView = view.ticket(self.id) or ticket_view_of(ticket)
        self.ahead = view.ahead(self.id)
        self.window = self._window(view)
        self.no_open_window = self._no_open_window(view)

    @property
    def key(self) -> Hashable:
        return ("ticket", self.id)

    def _window(self, view: HallView) -> WindowView | None:
        """The window the visitor should go to (or come back to): only while it expects them."""
        number: Any = self.ticket.get("window")
        if self.ticket.get("state") not in _AT_A_WINDOW or not isinstance(number, int):
            return None
        return view.window(number)

    def _no_open_window(self, view: HallView) -> bool:
        """A waiting ticket's service has no open window right now (the phone says so, not a time)."""
        return self.ticket.get("state") == TicketState.WAITING and not view.served_now(str(self.ticket.get("service")))

    def snapshot(self, view: HallView) -> TicketSnapshot:
        return {
            **_head(view, "ticket"),
            "ticket": self.ticket,
            "ahead": self.ahead,
            "window": self.window,
            "no_open_window": self.no_open_window,
        }

    def restart(self, view: HallView) -> TicketSnapshot:
        self.ticket = view.ticket(self.id) or self.ticket
        self.ahead = view.ahead(self.id)
        self.window = self._window(view)
        self.no_open_window = self._no_open_window(view)
        return super().restart(view)

    def delta(self, view: HallView, change: Change, head: EventHead) -> TicketEvent | None:
        body: TicketChange = {}
        mine = change.ticket is not None and change.ticket["id"] == self.id
        if mine:
            assert change.ticket is not None
            self.ticket = change.ticket
            body["event"] = event_view(change.event)
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
        return {**head, **body} if body else None


AnyChannel = HallChannel | WindowChannel | TicketChannel
