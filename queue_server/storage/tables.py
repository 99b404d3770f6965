"""The tables, as SQLModel classes. Alembic migrations create them; these
classes are what the code queries. Times are stored in UTC."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# The staffing tables are declared beside these, in the same metadata: importing this module
# registers them too, so migrations and the schema checks see every table.
from . import case_tables, staffing_tables  # noqa: F401
from .columns import BigId
from .columns import utc as _utc


class HallRow(SQLModel, table=True):
    __tablename__ = "hall"

    slug: str = Field(primary_key=True, max_length=63)
    name_zh: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    timezone: str = Field(max_length=200)


class ServiceRow(SQLModel, table=True):
    __tablename__ = "service"

    hall: str = Field(primary_key=True, foreign_key="hall.slug", max_length=63)
    code: str = Field(primary_key=True, max_length=1)
    name_zh: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    zone: str = Field(default="", max_length=200)
    expected_minutes: float
    active: bool = True
    # A manager may stop issuing numbers for a service (暂停取号), e.g. when the day's
    # capacity is reached; tickets already issued are still served.
    paused: bool = False
    pause_reason: str | None = Field(default=None, max_length=200)


class WindowRow(SQLModel, table=True):
    __tablename__ = "window"

    hall: str = Field(primary_key=True, foreign_key="hall.slug", max_length=63)
    number: int = Field(primary_key=True)
    kind: str = Field(max_length=16)
    state: str = Field(default="closed", max_length=16)
    staff: str | None = Field(default=None, max_length=64)
    pause_reason: str | None = Field(default=None, max_length=200)


class WindowServiceRow(SQLModel, table=True):
    __tablename__ = "window_service"

    hall: str = Field(primary_key=True, max_length=63)
    window: int = Field(primary_key=True)
    service: str = Field(primary_key=True, max_length=1)
    weight: float = 1.0


class TicketCounterRow(SQLModel, table=True):
    __tablename__ = "ticket_counter"

    hall: str = Field(primary_key=True, max_length=63)
    service: str = Field(primary_key=True, max_length=1)
    business_day: date = Field(primary_key=True)
    last: int = 0


class TicketRow(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        sa.UniqueConstraint("hall", "business_day", "number", name="uq_ticket_number"),
        # The call-next index: one seek finds the head of each (service, tier) line, and the
        # tickets transferred to one window sit together (target_window before service).
        sa.Index(
            "ix_ticket_queue",
            "hall",
            "business_day",
            "state",
            "target_window",
            "service",
            "tier",
            "order_key",
            "id",
        ),
        sa.Index("ix_ticket_window", "hall", "window", "state"),
        sa.Index("ix_ticket_finished", "hall", "service", "finished_at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    hall: str = Field(foreign_key="hall.slug", max_length=63)
    business_day: date
    service: str = Field(max_length=1)
    number: str = Field(max_length=16)
    priority: str = Field(max_length=32)
    tier: int
    state: str = Field(max_length=16)
    order_key: int = Field(sa_type=sa.BigInteger)
    issued_at: datetime = _utc()
    token: str = Field(max_length=64)
    window: int | None = None
    # 0 = any window serving the service (0, not NULL, so the queue index seeks on it).
    target_window: int = 0
    recall_count: int = 0
    reactivations: int = 0
    returned: bool = False
    called_at: datetime | None = _utc(default=None)
    started_at: datetime | None = _utc(default=None)
    finished_at: datetime | None = _utc(default=None)
    # finished_at - started_at, kept so estimates and reports average it in SQL on any backend.
    service_seconds: float | None = None
    appointment: str | None = Field(default=None, max_length=64)


class EventRow(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        # The hall's event sequence: each event takes max(seq) + 1 under the hall's lock.
        sa.UniqueConstraint("hall", "seq", name="uq_event_seq"),
        sa.Index("ix_event_ticket", "ticket_id"),
        sa.Index("ix_event_hall_at", "hall", "at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    hall: str = Field(max_length=63)
    seq: int = Field(sa_type=sa.BigInteger)
    at: datetime = _utc()
    kind: str = Field(max_length=32)
    ticket_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    window: int | None = None
    staff: str | None = Field(default=None, max_length=64)
    from_state: str | None = Field(default=None, max_length=16)
    to_state: str | None = Field(default=None, max_length=16)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class ServerSecretRow(SQLModel, table=True):
    """Keys shared by every server process (cookie signing), made on first start."""

    __tablename__ = "server_secret"

    name: str = Field(primary_key=True, max_length=32)
    value: str = Field(max_length=200)


class StaffUserRow(SQLModel, table=True):
    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=16)
    hall: str | None = Field(default=None, max_length=63)  # None: every hall (administrators)
    disabled: bool = False
    created_at: datetime = _utc()


class LoginFailureRow(SQLModel, table=True):
    """Failed sign-ins per account name and client address: they slow that address down for
    that account only (see auth.ratelimit.LoginBackoff)."""

    __tablename__ = "login_failure"

    username: str = Field(primary_key=True, max_length=64)
    ip: str = Field(primary_key=True, max_length=64)
    failures: int
    last_failure_at: datetime = _utc(index=True)
    blocked_until: datetime = _utc()


class SessionRow(SQLModel, table=True):
    """A browser session (cookie) or a program's bearer token for a staff member."""

    __tablename__ = "api_session"

    token_hash: str = Field(primary_key=True, max_length=64)  # sha256 of the secret
    user_id: int = Field(sa_type=sa.BigInteger, index=True)
    kind: str = Field(max_length=16)  # cookie | bearer
    csrf: str = Field(max_length=64)
    created_at: datetime = _utc()
    expires_at: datetime = _utc()


class DeviceTokenRow(SQLModel, table=True):
    __tablename__ = "device_token"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    kind: str = Field(max_length=16)  # display | kiosk | agent
    hall: str = Field(max_length=63)
    label: str = Field(default="", max_length=200)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _utc()
    revoked_at: datetime | None = _utc(default=None)
    last_used_at: datetime | None = _utc(default=None)


class AuditRow(SQLModel, table=True):
    """电子监察: every staff and device action, allowed or refused."""

    __tablename__ = "audit"
    __table_args__ = (sa.Index("ix_audit_hall_at", "hall", "at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    hall: str | None = Field(default=None, max_length=63)
    at: datetime = _utc()
    actor: str = Field(max_length=80)
    action: str = Field(max_length=80)
    target: str = Field(default="", max_length=200)
    outcome: str = Field(max_length=16)  # ok | denied | rejected | failed
    ip: str = Field(default="", max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class EvaluationRow(SQLModel, table=True):
    """好差评: one rating per service (per ticket)."""

    __tablename__ = "evaluation"
    __table_args__ = (sa.Index("ix_evaluation_hall_at", "hall", "at"),)

    ticket_id: int = Field(primary_key=True, sa_type=sa.BigInteger)
    hall: str = Field(max_length=63)
    score: int
    at: datetime = _utc()
    channel: str = Field(max_length=16)  # pad | phone | kiosk
    service: str = Field(max_length=1)
    window: int | None = None
    staff: str | None = Field(default=None, max_length=64)
    comment: str = Field(default="", max_length=500)
    # 差评 (1, 2) must be followed up within 15 working days.
    follow_up_due: date | None = None
    followed_up_at: datetime | None = _utc(default=None)


class AppointmentRow(SQLModel, table=True):
    __tablename__ = "appointment"
    __table_args__ = (sa.UniqueConstraint("hall", "code", name="uq_appointment_code"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    hall: str = Field(max_length=63)
    code: str = Field(max_length=64)
    service: str = Field(max_length=1)
    slot_start: datetime = _utc()
    slot_end: datetime = _utc()
    name: str = Field(default="", max_length=100)
    created_at: datetime = _utc()
    cancelled: bool = False
    ticket_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    checked_in_at: datetime | None = _utc(default=None)


class NoticeRow(SQLModel, table=True):
    __tablename__ = "notice"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    hall: str = Field(max_length=63)
    text_zh: str = Field(max_length=500)
    text_en: str = Field(default="", max_length=500)
    created_at: datetime = _utc()
    expires_at: datetime | None = _utc(default=None)
    created_by: str = Field(default="", max_length=64)
    active: bool = True


class DeviceHealthRow(SQLModel, table=True):
    """Each serial device's last reported health (LED screens, pads, printers)."""

    __tablename__ = "device_health"

    hall: str = Field(primary_key=True, max_length=63)
    device: str = Field(primary_key=True, max_length=63)
    kind: str = Field(max_length=32)
    window: int | None = None
    state: str = Field(max_length=16)
    error: str = Field(default="", max_length=500)
    since: datetime = _utc()


metadata = SQLModel.metadata
hall_t: sa.Table = HallRow.__table__  # type: ignore[attr-defined]
service_t: sa.Table = ServiceRow.__table__  # type: ignore[attr-defined]
window_t: sa.Table = WindowRow.__table__  # type: ignore[attr-defined]
window_service_t: sa.Table = WindowServiceRow.__table__  # type: ignore[attr-defined]
counter_t: sa.Table = TicketCounterRow.__table__  # type: ignore[attr-defined]
ticket_t: sa.Table = TicketRow.__table__  # type: ignore[attr-defined]
event_t: sa.Table = EventRow.__table__  # type: ignore[attr-defined]
secret_t: sa.Table = ServerSecretRow.__table__  # type: ignore[attr-defined]
user_t: sa.Table = StaffUserRow.__table__  # type: ignore[attr-defined]
login_failure_t: sa.Table = LoginFailureRow.__table__  # type: ignore[attr-defined]
session_t: sa.Table = SessionRow.__table__  # type: ignore[attr-defined]
device_token_t: sa.Table = DeviceTokenRow.__table__  # type: ignore[attr-defined]
audit_t: sa.Table = AuditRow.__table__  # type: ignore[attr-defined]
evaluation_t: sa.Table = EvaluationRow.__table__  # type: ignore[attr-defined]
appointment_t: sa.Table = AppointmentRow.__table__  # type: ignore[attr-defined]
notice_t: sa.Table = NoticeRow.__table__  # type: ignore[attr-defined]
device_health_t: sa.Table = DeviceHealthRow.__table__  # type: ignore[attr-defined]

# The report cells and their mark (report_tables) join the same metadata.
from . import report_tables  # noqa: E402, F401
