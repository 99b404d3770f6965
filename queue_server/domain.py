"""The words of a service hall, as types.

Everything here is plain data: no database, clock or network. The rules in
``queue_server.rules`` take these values and return new ones.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class TicketState(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    HELD = "held"
    NO_SHOW = "no_show"
    DONE = "done"
    CANCELLED = "cancelled"
    NOT_SERVED = "not_served"

    @property
    def is_final(self) -> bool:
        return self in _FINAL_STATES

    @property
    def at_window(self) -> bool:
        """A ticket in this state occupies its window (the window's current ticket)."""
        return self in (TicketState.CALLED, TicketState.SERVING)


_FINAL_STATES = frozenset({TicketState.DONE, TicketState.CANCELLED, TicketState.NOT_SERVED})


class TicketAction(enum.StrEnum):
    ISSUE = "issue"
    CALL = "call"
    RECALL = "recall"
    START = "start"
    NO_SHOW = "no_show"
    REACTIVATE = "reactivate"
    HOLD = "hold"
    RETURN = "return"
    CALL_BACK = "call_back"
    TRANSFER = "transfer"
    FINISH = "finish"
    CANCEL = "cancel"
    ROLLOVER = "rollover"


class WindowState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


class WindowAction(enum.StrEnum):
    OPEN = "open"
    PAUSE = "pause"
    RESUME = "resume"
    CLOSE = "close"


class WindowKind(enum.StrEnum):
    COMPREHENSIVE = "comprehensive"
    DEDICATED = "dedicated"


class Tier(enum.IntEnum):
    """Routing tiers, most urgent first (DESIGN.md, Routing).

    A ticket is stored with its base tier; ``CALLBACK`` and the aged promotion to
    ``GREEN`` are decided at call time, because they depend on the window and the
    clock.
    """

    CALLBACK = 0
    GREEN = 1
    APPOINTMENT = 2
    PRIORITY = 3
    NORMAL = 4


# The priority-class tiers a hall's configuration may name.
CONFIGURABLE_TIERS: dict[str, Tier] = {
    "green": Tier.GREEN,
    "priority": Tier.PRIORITY,
    "normal": Tier.NORMAL,
}

APPOINTMENT_CLASS = "appointment"
NORMAL_CLASS = "normal"


@dataclass(frozen=True, slots=True)
class Ticket:
    """One visitor's number for one business day."""

    id: int
    hall: str
    business_day: date
    service: str
    number: str
    priority: str
    tier: Tier
    state: TicketState
    # Position in line, in microseconds since the epoch: the arrival time, kept
    # across transfers; an appointment's slot start; a reactivated ticket's new place.
    order_key: int
    issued_at: datetime
    token: str
    window: int | None = None
    target_window: int | None = None
    recall_count: int = 0
    reactivations: int = 0
    returned: bool = False
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    appointment: str | None = None


@dataclass(frozen=True, slots=True)
class Window:
    hall: str
    number: int
    kind: WindowKind
    state: WindowState
    services: dict[str, float]
    staff: str | None = None
    pause_reason: str | None = None

    def serves(self, service: str) -> bool:
        return service in self.services


@dataclass(frozen=True, slots=True)
class Event:
    """One stored transition: the audit trail and the realtime feed are made of these."""

    hall: str
    kind: str
    at: datetime
    ticket_id: int | None = None
    window: int | None = None
    staff: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    seq: int = 0


# 好差评: the five scores of a rating, best first (Chinese, English).
SCORE_LABELS: dict[int, tuple[str, str]] = {
    5: ("非常满意", "very satisfied"),
    4: ("满意", "satisfied"),
    3: ("基本满意", "fairly satisfied"),
    2: ("不满意", "dissatisfied"),
    1: ("非常不满意", "very dissatisfied"),
}
# Scores at or below this are 差评 (bad ratings) and need a follow-up.
BAD_SCORE = 2
EVALUATION_CHANNELS = frozenset({"pad", "phone", "kiosk"})


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One visitor's rating of one finished service (好差评)."""

    ticket_id: int
    hall: str
    score: int
    at: datetime
    channel: str
    service: str
    window: int | None = None
    staff: str | None = None  # the clerk who finished the service
    comment: str = ""
    follow_up_due: date | None = None  # set for bad ratings only
    followed_up_at: datetime | None = None
    number: str = ""  # the ticket's number (A017), read with the rating so a manager can name it

    @property
    def bad(self) -> bool:
        return self.score <= BAD_SCORE


@dataclass(frozen=True, slots=True)
class Appointment:
    """A booked time slot (预约); checking it in at the kiosk issues its ticket."""

    id: int
    hall: str
    code: str
    service: str
    slot_start: datetime
    slot_end: datetime
    created_at: datetime
    name: str = ""
    cancelled: bool = False
    ticket_id: int | None = None
    checked_in_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """A hall notice (公告) shown on the screens until withdrawn or expired."""

    id: int
    hall: str
    text_zh: str
    created_at: datetime
    text_en: str = ""
    expires_at: datetime | None = None
    created_by: str = ""
    active: bool = True

    def shown_at(self, at: datetime) -> bool:
        return self.active and (self.expires_at is None or at < self.expires_at)


class DeviceState(enum.StrEnum):
    """A serial device's health, as its link sees it (LED screens, pads, printers)."""

    ONLINE = "online"
    RETRYING = "retrying"  # the last frame went unanswered; the link is trying again
    OFFLINE = "offline"  # the port is gone or the device stopped answering
    # No running line reports it: the server has just started and nothing has reported it
    # yet, or the agent that drives it left. The server's word, never a link's report.
    UNKNOWN = "unknown"


DEVICE_KINDS = frozenset({"window_led", "hall_led", "caller_pad", "evaluation_pad", "printer"})


@dataclass(frozen=True, slots=True)
class DeviceHealth:
    """A hall's device's last known health (as reported, or unknown when nothing reports it);
    stored so a reloaded dashboard sees it."""

    hall: str
    device: str  # the id the hall's configuration gives it
    kind: str
    state: DeviceState
    since: datetime  # when it entered this state
    window: int | None = None
    error: str = ""  # the last error, in words a manager can act on


class CaseState(enum.StrEnum):
    """Where a follow-up case (回访工单) of a 差评 stands; ``rules.cases`` says what moves it."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    APPEALED = "appealed"
    APPEAL_UPHELD = "appeal_upheld"
    APPEAL_REJECTED = "appeal_rejected"


CALL_BACK_METHODS = ("phone", "visit", "sms")


@dataclass(frozen=True, slots=True)
class CaseNote:
    at: datetime
    by: str
    text: str


@dataclass(frozen=True, slots=True)
class CallBack:
    """One call-back (回访记录) to the visitor: how, whether they were reached, what they said."""

    at: datetime
    by: str
    method: str  # one of CALL_BACK_METHODS
    reached: bool
    response: str


@dataclass(frozen=True, slots=True)
class CaseChange:
    """One line of a case's history: who did what, and the state it left the case in."""

    at: datetime
    by: str
    action: str
    state: CaseState
    text: str = ""


@dataclass(frozen=True, slots=True)
class FollowUpCase:
    """The follow-up case (回访工单) a 差评 opens: the rating's facts, its due date, and the work on it."""

    ticket_id: int
    hall: str
    number: str
    service: str
    window: int | None
    clerk: str | None  # the clerk who finished the service rated
    score: int
    comment: str
    rated_at: datetime
    due: date
    state: CaseState
    opened_at: datetime
    updated_at: datetime
    owner: str | None = None
    notes: tuple[CaseNote, ...] = ()
    callbacks: tuple[CallBack, ...] = ()
    history: tuple[CaseChange, ...] = ()
    resolution: str | None = None
    resolved_at: datetime | None = None
    satisfied: bool | None = None  # None: not asked (a follow-up recorded before cases existed)
    appeal_reason: str | None = None
    appealed_by: str | None = None
    appealed_at: datetime | None = None
    decision_note: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
