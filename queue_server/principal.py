"""Who is asking: a staff member (by session or bearer token) or a device (by token).

The auth layer turns a request into a ``Principal``; routes and channels only ask
it questions, so the scoping rules live in one place.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import HTTPConnection


class Role(enum.StrEnum):
    CLERK = "clerk"  # acts only on the window it is logged in to
    MANAGER = "manager"  # one hall
    ADMIN = "admin"  # every hall
    CITY = "city"  # a manager of one hall and every hall below it (its ``reach``)


class DeviceKind(enum.StrEnum):
    DISPLAY = "display"  # reads one hall
    KIOSK = "kiosk"  # may issue tickets in one hall
    AGENT = "agent"  # speaks for the hall's serial devices


@dataclass(frozen=True, slots=True)
class Principal:
    name: str  # the username, or "device:<id>"
    role: Role | None = None
    device: DeviceKind | None = None
    hall: str | None = None  # None: every hall (administrators only)
    token_id: int | None = None
    # The halls below ``hall`` a city manager reaches too: the auth layer fills it from the hall
    # file's tree (auth/reach.py), so this module need not know the configuration.
    reach: frozenset[str] = frozenset()

    @property
    def is_staff(self) -> bool:
        return self.role is not None

    def in_hall(self, hall: str) -> bool:
        return self.hall is None or self.hall == hall or hall in self.reach

    def can_read(self, hall: str) -> bool:
        """May watch the hall's live state (displays, dashboard, consoles, agents)."""
        return self.in_hall(hall)

    def can_manage(self, hall: str) -> bool:
        return self.role in (Role.MANAGER, Role.CITY, Role.ADMIN) and self.in_hall(hall)

    def can_oversee(self, hall: str) -> bool:
        """May read the city view of ``hall`` and the halls below it: an administrator, or a
        city manager whose reach holds it (a hall manager sees their own hall's dashboard only)."""
        return self.role is Role.ADMIN or (self.role is Role.CITY and self.in_hall(hall))

    def can_issue(self, hall: str) -> bool:
        return self.in_hall(hall) and (self.device in (DeviceKind.KIOSK, DeviceKind.AGENT) or self.is_staff)


# Resolves the caller of an HTTP request or WebSocket, or None when anonymous.
Authenticator = Callable[[HTTPConnection], Awaitable[Principal | None]]
