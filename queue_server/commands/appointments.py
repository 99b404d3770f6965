"""Appointment commands (预约): book a slot, import a day's bookings, cancel one, and check a
booked visitor in at the kiosk (which issues the ticket). The booking rules are
``rules.appointments``'s."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..config import HallConfig
from ..domain import Appointment, Event
from ..errors import Conflict, NotFound
from ..rules import appointments as appointment_rules
from ..rules import appointments_csv
from ..views import appointment_view
from .outcomes import AppointmentOutcome, CheckIn
from .tickets import issue_in
from .unit import Commands, Unit


def _active_services(hall: HallConfig) -> set[str]:
    # The file's services are the active ones; sync_halls marks the others inactive.
    return {s.code for s in hall.services}


def _appointment(u: Unit, code: str) -> Appointment:
    appointment = u.tx.appointment(code)
    if appointment is None:
        raise NotFound(f"没有预约 {code} / appointment {code!r} does not exist in {u.hall.slug}")
    return appointment


class AppointmentCommands(Commands):
    def create_appointment(
        self,
        slug: str,
        code: str,
        service: str,
        slot_start: datetime,
        slot_end: datetime,
        name: str = "",
        *,
        staff: str | None = None,
    ) -> AppointmentOutcome:
        """Book a slot. Naive times are the hall's local time."""
        with self._unit(slug) as u:
            appointment = appointment_rules.new_appointment(
                hall=slug,
                code=code,
                service=service,
                slot_start=slot_start,
                slot_end=slot_end,
                name=name,
                at=u.now,
                tz=u.hall.tz,
                services=_active_services(u.hall),
            )
            if u.tx.appointment(appointment.code) is not None:
                raise Conflict(
                    f"预约号 {appointment.code} 已存在 / appointment code {appointment.code!r} already exists in {slug}"
                )
            appointment = u.tx.insert_appointment(appointment)
            u.record(
                Event(
                    hall=slug,
                    kind="appointment.create",
                    at=u.now,
                    staff=staff,
                    detail={"appointment": appointment_view(appointment)},
                )
            )
        return AppointmentOutcome(appointment, u.events)

    def import_appointments(self, slug: str, csv_text: str, *, staff: str | None = None) -> int:
        """Book every row of a CSV (header ``code,service,slot_start,slot_end,name``), all or
        nothing; returns how many were stored. A row is refused as its preview shows it
        (``rules.appointments_csv``: also a slot already begun, on a day the hall is closed or
        outside its hours). One event lists them all, so an import does not flood the screens
        with one event per row."""
        with self._unit(slug) as u:
            rows = appointments_csv.check_file(
                csv_text, hall=u.hall, now=u.now, taken=u.tx.appointment_codes, overrides=u.tx.calendar_overrides
            )
            stored = [u.tx.insert_appointment(a) for a in appointments_csv.refuse_bad(rows)]
            if stored:
                u.record(
                    Event(
                        hall=slug,
                        kind="appointment.import",
                        at=u.now,
                        staff=staff,
                        detail={"count": len(stored), "appointments": [appointment_view(a) for a in stored]},
                    )
                )
        return len(stored)

    def cancel_appointment(self, slug: str, code: str, *, staff: str | None = None) -> AppointmentOutcome:
        with self._unit(slug) as u:
            appointment, event = appointment_rules.cancel(_appointment(u, code.strip()), u.now, staff)
            u.tx.update_appointment(appointment)
            u.record(replace(event, detail={"appointment": appointment_view(appointment)}))
        return AppointmentOutcome(appointment, u.events)

    def check_in(self, slug: str, code: str) -> CheckIn:
        """The booked visitor checks in at the kiosk: one transaction issues the ticket and marks
        the appointment. On time (or late within ``late_minutes``) the ticket stands in line from
        the slot's start with appointment priority; later, the hall's ``late_policy`` decides."""
        with self._unit(slug) as u:
            appointment = _appointment(u, code.strip())
            issued_ticket = u.tx.ticket(appointment.ticket_id) if appointment.ticket_id is not None else None
            appointment_rules.check_open(appointment, issued_ticket.number if issued_ticket else None)
            arrival = appointment_rules.admit(appointment, u.now, u.hall.appointments, u.hall.tz)
            if arrival.keeps_priority:
                issued = issue_in(
                    u, appointment.service, appointment=appointment.code, slot_start=appointment.slot_start
                )
            else:
                issued = issue_in(u, appointment.service)
            appointment = appointment_rules.checked_in(appointment, issued.ticket.id, u.now)
            u.tx.update_appointment(appointment)
            u.record_ticket(
                issued.ticket,
                Event(
                    hall=slug,
                    kind="appointment.check_in",
                    at=u.now,
                    ticket_id=issued.ticket.id,
                    detail={"appointment": appointment_view(appointment), "arrival": arrival.value},
                ),
            )
        return CheckIn(appointment, issued, arrival, u.events)
