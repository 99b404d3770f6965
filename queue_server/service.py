"""The queue service: every command a kiosk, clerk, manager or device can give.

``QueueService`` is composed of one class of commands per concept (``queue_server.commands``
says how); this module stays the one import path for it and for what its commands answer.
"""

from __future__ import annotations

from .commands.appointments import AppointmentCommands
from .commands.cases import CaseCommands
from .commands.day import DayCommands
from .commands.devices import DeviceCommands
from .commands.evaluations import EvaluationCommands
from .commands.leave import LeaveCommands
from .commands.notices import NoticeCommands
from .commands.outcomes import (
    AppointmentOutcome,
    CheckIn,
    DeviceReport,
    EvaluationOutcome,
    Issued,
    NoticeOutcome,
    Outcome,
)
from .commands.rosters import RosterCommands
from .commands.shifts import ShiftCommands
from .commands.staffing import StaffingCommands
from .commands.tickets import RECENT_SERVICES, TicketCommands
from .commands.unit import Listener
from .commands.windows import WindowCommands

__all__ = [
    "RECENT_SERVICES",
    "AppointmentOutcome",
    "CheckIn",
    "DeviceReport",
    "EvaluationOutcome",
    "Issued",
    "Listener",
    "NoticeOutcome",
    "Outcome",
    "QueueService",
]


class QueueService(
    TicketCommands,
    WindowCommands,
    AppointmentCommands,
    EvaluationCommands,
    DeviceCommands,
    NoticeCommands,
    DayCommands,
    StaffingCommands,
    ShiftCommands,
    LeaveCommands,
    RosterCommands,
    CaseCommands,
):
    """Every command and read of a hall: ``QueueService(store, config, clock)``."""
