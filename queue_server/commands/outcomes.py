"""What the commands answer: the stored state they produced and the events they recorded."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import Appointment, DeviceHealth, Evaluation, Event, Notice, Ticket, Window
from ..rules.appointments import Arrival


@dataclass(frozen=True, slots=True)
class Issued:
    ticket: Ticket
    ahead: int
    estimated_wait_s: int | None  # None: no open window serves the ticket's service right now
    events: list[Event]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a window command did: the ticket it concerns (if any) and the stored events."""

    ticket: Ticket | None
    events: list[Event]
    window: Window | None = None
    # The ticket called or served at ``window`` after the command: with ``window``, what the
    # hall snapshot shows for it at the command's seq.
    current: Ticket | None = None


@dataclass(frozen=True, slots=True)
class DeviceReport:
    """A device's health after a report, and the event when it changed (none for a repeat)."""

    health: DeviceHealth
    events: list[Event]


@dataclass(frozen=True, slots=True)
class EvaluationOutcome:
    evaluation: Evaluation
    events: list[Event]


@dataclass(frozen=True, slots=True)
class AppointmentOutcome:
    appointment: Appointment
    events: list[Event]


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A checked-in appointment: the ticket it got (``issued``) and how its timing was judged.
    ``arrival.keeps_priority`` is False for a late visitor let in as a walk-in."""

    appointment: Appointment
    issued: Issued
    arrival: Arrival
    events: list[Event]


@dataclass(frozen=True, slots=True)
class NoticeOutcome:
    notice: Notice
    events: list[Event]
