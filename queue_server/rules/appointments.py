"""预约: booking slots, and when a booked visitor may check in (a CSV import: ``appointments_csv``).

Pure: times and the hall's time zone are passed in; nothing is stored here. A
naive time (no UTC offset) is the hall's local time; every time this module
returns is aware and in UTC, as storage gives it back.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ..config import AppointmentPolicy
from ..domain import Appointment, Event
from ..errors import BadRequest, Conflict, HallQError, NotEligible, NotFound

MAX_CODE = 64
MAX_NAME = 100


class Arrival(enum.StrEnum):
    """When a booked visitor turns up, relative to the slot."""

    EARLY = "early"  # before check-in opens: refused, come back later
    ON_TIME = "on_time"  # check-in open, slot not started yet
    LATE = "late"  # slot started, within the grace period: keeps appointment priority
    TOO_LATE = "too_late"  # past the grace period: the hall's late policy decides

    @property
    def keeps_priority(self) -> bool:
        return self in (Arrival.ON_TIME, Arrival.LATE)


def check_in_opens(slot_start: datetime, policy: AppointmentPolicy) -> datetime:
    return slot_start - timedelta(minutes=policy.early_minutes)


def priority_ends(slot_start: datetime, policy: AppointmentPolicy) -> datetime:
    return slot_start + timedelta(minutes=policy.late_minutes)


def classify(slot_start: datetime, at: datetime, policy: AppointmentPolicy) -> Arrival:
    """Both ends inclusive: check-in opens exactly ``early_minutes`` before the slot, and
    priority is kept up to exactly ``late_minutes`` after its start."""
    if at < check_in_opens(slot_start, policy):
        return Arrival.EARLY
    if at <= slot_start:
        return Arrival.ON_TIME
    if at <= priority_ends(slot_start, policy):
        return Arrival.LATE
    return Arrival.TOO_LATE


def _clock(at: datetime, now: datetime, tz: ZoneInfo) -> str:
    """A time as the hall reads it: "09:30", with the date when it is not today."""
    local, today = at.astimezone(tz), now.astimezone(tz).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%Y-%m-%d %H:%M}"


def check_open(appointment: Appointment, issued_number: str | None = None) -> None:
    """Refuse a cancelled or already checked-in appointment; ``issued_number`` is the
    number of the ticket its check-in issued (for the message)."""
    if appointment.cancelled:
        raise NotFound(f"预约 {appointment.code} 已取消 / appointment {appointment.code} was cancelled")
    if appointment.ticket_id is not None:
        number = issued_number or str(appointment.ticket_id)
        raise Conflict(
            f"预约 {appointment.code} 已签到，票号 {number} / "
            f"appointment {appointment.code} is already checked in with ticket {number}"
        )


def admit(appointment: Appointment, at: datetime, policy: AppointmentPolicy, tz: ZoneInfo) -> Arrival:
    """Decide a check-in at ``at``: raise when the visitor is too early, or too late under
    the "refuse" policy; otherwise return the arrival. ``Arrival.keeps_priority`` says
    whether the ticket is an appointment ticket or (too late, "walk_in") a normal one."""
    arrival = classify(appointment.slot_start, at, policy)
    slot = _clock(appointment.slot_start, at, tz)
    if arrival is Arrival.EARLY:
        opens = _clock(check_in_opens(appointment.slot_start, policy), at, tz)
        raise BadRequest(
            f"预约 {appointment.code} 的时段为 {slot}，请于 {opens} 后签到 / "
            f"appointment {appointment.code} is at {slot}; check-in opens at {opens}"
        )
    if arrival is Arrival.TOO_LATE and policy.late_policy == "refuse":
        raise NotEligible(
            f"预约 {appointment.code} 的时段 {slot} 已过 {policy.late_minutes} 分钟以上，请重新预约 / "
            f"appointment {appointment.code} at {slot} started more than {policy.late_minutes} minutes ago; "
            "please book again"
        )
    return arrival


def checked_in(appointment: Appointment, ticket_id: int, at: datetime) -> Appointment:
    return replace(appointment, ticket_id=ticket_id, checked_in_at=at)


def cancel(appointment: Appointment, at: datetime, staff: str | None) -> tuple[Appointment, Event]:
    if appointment.cancelled:
        raise Conflict(f"预约 {appointment.code} 已取消 / appointment {appointment.code} is already cancelled")
    if appointment.ticket_id is not None:
        raise Conflict(
            f"预约 {appointment.code} 已签到取号，请取消其票号 / "
            f"appointment {appointment.code} is checked in; cancel its ticket instead"
        )
    new = replace(appointment, cancelled=True)
    return new, Event(hall=appointment.hall, kind="appointment.cancel", at=at, staff=staff)


# -- new appointments ----------------------------------------------------------


class _Invalid(Exception):
    """One bad field: which column, and what is wrong in both languages."""

    def __init__(self, column: str, zh: str, en: str, kind: type[HallQError] = BadRequest) -> None:
        super().__init__(f"{column}: {en}")
        self.column, self.zh, self.en, self.kind = column, zh, en, kind


def _code(value: str) -> str:
    code = value.strip()
    if not code:
        raise _Invalid("code", "预约号不能为空", "the appointment code is empty")
    if len(code) > MAX_CODE or not code.isprintable() or any(c.isspace() for c in code):
        raise _Invalid(
            "code",
            f"预约号须为不含空格的 1 到 {MAX_CODE} 个字符",
            f"the code must be 1..{MAX_CODE} characters without spaces, got {code!r}",
        )
    return code


def _service(value: str, services: Collection[str]) -> str:
    service = value.strip()
    if service not in services:
        raise _Invalid("service", f"没有事项 {service}", f"unknown service {service!r}", NotFound)
    return service


def in_utc(value: datetime, tz: ZoneInfo) -> datetime:
    """``value`` in UTC; a naive value is the hall's local time (``tz``)."""
    return (value.replace(tzinfo=tz) if value.tzinfo is None else value).astimezone(UTC)


def _time(value: str, column: str, tz: ZoneInfo) -> datetime:
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    # A bare date parses as midnight: for a slot that is a mistake, not a time.
    if parsed is None or len(text) <= len("2026-11-23"):
        raise _Invalid(
            column,
            f"时间须为 ISO 8601 日期和时间，如 2026-11-23T09:30，实际为「{text}」",
            f"expected an ISO 8601 date and time such as 2026-11-23T09:30, got {text!r}",
        )
    return in_utc(parsed, tz)


def _slot_end(start: datetime, end: datetime) -> datetime:
    if end <= start:
        raise _Invalid("slot_end", "结束时间须晚于开始时间", "slot_end must be after slot_start")
    return end


def _name(value: str) -> str:
    name = value.strip()
    if len(name) > MAX_NAME:
        raise _Invalid("name", f"姓名最多 {MAX_NAME} 字", f"a name has at most {MAX_NAME} characters")
    return name


def new_appointment(
    *,
    hall: str,
    code: str,
    service: str,
    slot_start: datetime,
    slot_end: datetime,
    name: str,
    at: datetime,
    tz: ZoneInfo,
    services: Collection[str],
) -> Appointment:
    """A new appointment (id 0 until stored). ``services`` are the hall's active service codes."""
    try:
        start = in_utc(slot_start, tz)
        return Appointment(
            id=0,
            hall=hall,
            code=_code(code),
            service=_service(service, services),
            slot_start=start,
            slot_end=_slot_end(start, in_utc(slot_end, tz)),
            created_at=at,
            name=_name(name),
        )
    except _Invalid as bad:
        raise bad.kind(f"{bad.zh} / {bad.en}") from None
