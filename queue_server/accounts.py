"""Staff accounts, sessions, device tokens and audit records, as plain data: what the auth
layer works with and the storage layer keeps (so storage need not import auth)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .principal import DeviceKind, Principal, Role


@dataclass(frozen=True, slots=True)
class StaffUser:
    id: int
    username: str
    display_name: str
    password_hash: str
    role: Role
    hall: str | None
    disabled: bool = False

    def principal(self) -> Principal:
        return Principal(name=self.username, role=self.role, hall=self.hall)


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    """Failed sign-ins to one account (by the name typed) from one address, and until when
    that address must wait before trying that account again."""

    username: str
    ip: str
    failures: int
    last_failure_at: datetime
    blocked_until: datetime


@dataclass(frozen=True, slots=True)
class ApiSession:
    token_hash: str
    user_id: int
    kind: str  # cookie | bearer
    csrf: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class DeviceToken:
    id: int
    kind: DeviceKind
    hall: str
    label: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def principal(self) -> Principal:
        return Principal(name=f"device:{self.id}", device=self.kind, hall=self.hall, token_id=self.id)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    at: datetime
    actor: str
    action: str
    outcome: str  # ok | denied | rejected | failed
    hall: str | None = None
    target: str = ""
    ip: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    id: int = 0
