"""预约 as the manager's page reads them: a day's appointments with what became of each, and a
CSV import checked row by row without storing anything (the preview)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..domain import Appointment
from ..rules.appointments_csv import RowCheck, check_file
from ..service import QueueService


class AppointmentState(enum.StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    MISSED = "missed"  # the slot ended and nobody checked in


def appointment_state(appointment: Appointment, now: datetime) -> AppointmentState:
    if appointment.cancelled:
        return AppointmentState.CANCELLED
    if appointment.ticket_id is not None:
        return AppointmentState.CHECKED_IN
    if appointment.slot_end <= now:
        return AppointmentState.MISSED
    return AppointmentState.BOOKED


@dataclass(frozen=True, slots=True)
class BookedSlot:
    """One appointment of a day, its state now, and its ticket's number once checked in."""

    appointment: Appointment
    state: AppointmentState
    ticket_number: str | None


def appointments_of_day(service: QueueService, slug: str, day: date) -> list[BookedSlot]:
    """The appointments whose slot starts on ``day`` (the hall's local day), cancelled ones
    included, by slot."""
    hall = service.hall(slug)
    since = datetime.combine(day, time(0), tzinfo=hall.tz)
    until = datetime.combine(day + timedelta(days=1), time(0), tzinfo=hall.tz)
    now = service.clock()
    with service.store.reader(slug) as r:
        found = r.appointments(since, until)
        tickets = {a.ticket_id: r.ticket(a.ticket_id) for a in found if a.ticket_id is not None}
    out = []
    for a in found:
        ticket = tickets.get(a.ticket_id) if a.ticket_id is not None else None
        out.append(BookedSlot(a, appointment_state(a, now), ticket.number if ticket else None))
    return out


def preview_import(service: QueueService, slug: str, text: str) -> list[RowCheck]:
    """Every row of a CSV import checked as the import would check it, at this moment; nothing
    is stored."""
    hall = service.hall(slug)
    with service.store.reader(slug) as r:
        return check_file(
            text, hall=hall, now=service.clock(), taken=r.appointment_codes, overrides=r.calendar_overrides
        )
