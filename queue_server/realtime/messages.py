"""What the hall, window and ticket channels send, as types, and the shaping of their parts.

The messages are JSON text. These declarations are their shapes: the channels build
them (mypy holds them to it), the serial devices read them, and the screens'
JavaScript has them as a JSDoc block generated from here (``python -m
queue_server.realtime.jsdoc``). A field typed ``Annotated[str, SomeEnum]`` is a plain
string on the wire whose values are that enum's. A ``NotRequired`` key of an event
message is sent only when it changed (channels.py).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, NotRequired, TypedDict, cast

from ..domain import DeviceState, Event, TicketState, WindowKind, WindowState

JSON = dict[str, Any]

# ``resync`` is the one message a client sends (it wants a new snapshot); the server sends the rest.
MessageType = Literal["snapshot", "event", "resumed", "resync"]
ChannelName = Literal["hall", "window", "ticket"]


class EventKind(enum.StrEnum):
    """Every kind of event the core stores; the hall channel forwards each of them."""

    TICKET_ISSUE = "ticket.issue"
    TICKET_CALL = "ticket.call"
    TICKET_RECALL = "ticket.recall"
    TICKET_START = "ticket.start"
    TICKET_NO_SHOW = "ticket.no_show"
    TICKET_REACTIVATE = "ticket.reactivate"
    TICKET_HOLD = "ticket.hold"
    TICKET_RETURN = "ticket.return"
    TICKET_CALL_BACK = "ticket.call_back"
    TICKET_TRANSFER = "ticket.transfer"
    TICKET_FINISH = "ticket.finish"
    TICKET_CANCEL = "ticket.cancel"
    TICKET_ROLLOVER = "ticket.rollover"
    WINDOW_OPEN = "window.open"
    WINDOW_PAUSE = "window.pause"
    WINDOW_RESUME = "window.resume"
    WINDOW_CLOSE = "window.close"
    WINDOW_SERVICES = "window.services"
    SERVICE_PAUSE = "service.pause"
    SERVICE_RESUME = "service.resume"
    DEVICE_HEALTH = "device.health"
    DEVICE_PRINT = "device.print"
    APPOINTMENT_CREATE = "appointment.create"
    APPOINTMENT_IMPORT = "appointment.import"
    APPOINTMENT_CHECK_IN = "appointment.check_in"
    APPOINTMENT_CANCEL = "appointment.cancel"
    EVALUATION_SUBMIT = "evaluation.submit"
    EVALUATION_NOT_RATED = "evaluation.not_rated"
    EVALUATION_FOLLOW_UP = "evaluation.follow_up"
    NOTICE_PUBLISH = "notice.publish"
    NOTICE_WITHDRAW = "notice.withdraw"
    STAFF_CHANGED = "staff.changed"
    POST_CHANGED = "post.changed"
    SHIFT_CHANGED = "shift.changed"
    LEAVE_CHANGED = "leave.changed"
    CALENDAR_CHANGED = "calendar.changed"
    ROSTER_SAVED = "roster.saved"
    ROSTER_PUBLISHED = "roster.published"
    CASE_OPEN = "case.open"
    CASE_ASSIGN = "case.assign"
    CASE_NOTE = "case.note"
    CASE_CALL_BACK = "case.call_back"
    CASE_RESOLVE = "case.resolve"
    CASE_CLOSE = "case.close"
    CASE_APPEAL = "case.appeal"
    CASE_DECIDE = "case.decide"


# -- the parts of a message ---------------------------------------------------


class TicketView(TypedDict):
    """A ticket as anyone in the hall may see it (``views.ticket_view``: no token)."""

    id: int
    number: str
    service: str
    state: Annotated[str, TicketState]
    priority: str
    tier: int
    order_key: int
    window: int | None
    target_window: int | None
    business_day: str
    issued_at: str
    called_at: str | None
    recall_count: int


class WindowView(TypedDict):
    """A window as the channels send it: ``views.window_view`` and what the live view adds."""

    number: int
    kind: Annotated[str, WindowKind]
    state: Annotated[str, WindowState]
    staff: str | None
    pause_reason: str | None
    services: dict[str, float]
    current: TicketView | None
    held: list[int]  # ids of the tickets held at the window, in the order they were held
    idle_since: str | None  # since when an open window with nobody at it has been free


class DeviceView(TypedDict):
    """A serial device's last reported health (``views.device_view``)."""

    id: str
    kind: str
    window: int | None
    state: Annotated[str, DeviceState]
    error: str
    since: str


class EventView(TypedDict):
    """One stored event as clients see it; its ``seq`` travels next to it, in the message."""

    kind: Annotated[str, EventKind]
    at: str
    ticket_id: int | None
    window: int | None
    staff: str | None
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any]  # by kind: the ticket, window or device after it, and more


class CallEntry(TypedDict):
    """One of the recent calls a hall display shows and announces (a recall is one again)."""

    seq: int
    kind: Annotated[str, EventKind]
    ticket_id: int | None
    number: str | None
    service: str | None
    window: int | None
    recall_count: int
    at: str


# -- the messages -------------------------------------------------------------


class SnapshotHead(TypedDict):
    """What every snapshot begins with; the hall's ``seq`` is the state's."""

    type: Literal["snapshot"]
    channel: ChannelName
    hall: str
    business_day: str
    seq: int


class HallSnapshot(SnapshotHead):
    """The hall channel's first message: compact (no list of the people waiting)."""

    windows: list[WindowView]
    waiting: dict[str, int]
    calls: list[CallEntry]  # newest first
    devices: list[DeviceView]


class WindowSnapshot(SnapshotHead):
    """The window channel's first message: the window, its services' counts and its calls."""

    window: WindowView | None
    waiting: dict[str, int]  # the window's services only
    calls: list[CallEntry]  # to this window only


class TicketSnapshot(SnapshotHead):
    """The ticket channel's first message: where the visitor stands."""

    ticket: TicketView
    ahead: int | None
    window: WindowView | None  # the window the visitor should go to, while it expects them
    no_open_window: bool


class Resumed(TypedDict):
    """Instead of a snapshot, for a hall client that said the last seq it applied (``seq``):
    the events from ``seq`` + 1 to ``until`` follow as event messages."""

    type: Literal["resumed"]
    channel: Literal["hall"]
    hall: str
    business_day: str
    seq: int
    until: int
    now: str  # the server's clock


class EventHead(TypedDict):
    """What every event message begins with: the client applies them in ``seq`` order."""

    type: Literal["event"]
    seq: int
    prev: int  # the seq of the channel's previous message


class HallChange(TypedDict):
    """What an event changed, on the hall channel: the event always, the rest when changed."""

    event: EventView
    windows: NotRequired[list[WindowView]]
    waiting: NotRequired[dict[str, int]]
    call: NotRequired[CallEntry]


class WindowChange(TypedDict, total=False):
    """What an event changed for one window's screen (nothing at all: no message)."""

    event: EventView
    window: WindowView | None
    waiting: dict[str, int]
    call: CallEntry


class TicketChange(TypedDict, total=False):
    """What an event changed for one visitor's ticket (nothing at all: no message)."""

    event: EventView
    ticket: TicketView
    ahead: int | None
    window: WindowView | None
    no_open_window: bool


class HallEvent(EventHead, HallChange):
    """One event on the hall channel, with the windows and waiting counts it changed and the
    call it made."""


class WindowEvent(EventHead, WindowChange):
    """What one event changed for a window's screen; sent only when something did."""


class TicketEvent(EventHead, TicketChange):
    """What one event changed for a visitor's ticket; sent only when something did."""


class Resync(TypedDict):
    """What a client sends for a new snapshot (it saw a gap, or wants to start over)."""

    type: Literal["resync"]


SnapshotMessage = HallSnapshot | WindowSnapshot | TicketSnapshot
EventMessage = HallEvent | WindowEvent | TicketEvent
HallMessage = HallSnapshot | Resumed | HallEvent
Message = HallSnapshot | WindowSnapshot | TicketSnapshot | Resumed | HallEvent | WindowEvent | TicketEvent


def dumps(message: Mapping[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)


# -- shaping ------------------------------------------------------------------


class BadEvent(ValueError):
    """An event whose detail does not have the shape the view needs; the caller reloads."""


def iso(at: datetime) -> str:
    # Listener events carry the service clock's time, store events the database's: one spelling.
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def event_view(event: Event) -> EventView:
    """The event as clients see it (its ``seq`` travels next to it, in the message)."""
    return {
        "kind": event.kind,
        "at": iso(event.at),
        "ticket_id": event.ticket_id,
        "window": event.window,
        "staff": event.staff,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "detail": event.detail,
    }


def call_entry(event: Event) -> CallEntry:
    # Read loosely: one odd old event must not keep a hall's view from loading.
    view = event.detail.get("ticket")
    if not isinstance(view, Mapping):
        view = {}
    return {
        "seq": event.seq,
        "kind": event.kind,
        "ticket_id": event.ticket_id,
        "number": view.get("number", event.detail.get("number")),
        "service": view.get("service"),
        "window": event.window,
        "recall_count": view.get("recall_count", 0),
        "at": iso(event.at),
    }


def window_record(view: Any) -> JSON:
    """A window view from a store or an event, without its current ticket (the live view's business)."""
    if not isinstance(view, Mapping) or not isinstance(view.get("number"), int):
        raise BadEvent("bad window view: no window number")
    out = dict(view)
    out.pop("current", None)
    return out


def device_record(view: Any) -> DeviceView:
    if not isinstance(view, dict) or not isinstance(view.get("id"), str) or not isinstance(view.get("state"), str):
        raise BadEvent(f"a device.health event needs detail.device with an id and a state, got {view!r}")
    return cast(DeviceView, view)


def ticket_view_of(view: Mapping[str, Any]) -> TicketView:
    """A ``views.ticket_view`` dict as the type it is (the views module speaks plain dicts)."""
    return cast(TicketView, view)


def device_view_of(view: Mapping[str, Any]) -> DeviceView:
    """A ``views.device_view`` dict as the type it is."""
    return cast(DeviceView, view)
