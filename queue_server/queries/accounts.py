"""The 账号 page's read: a hall's manager and clerk accounts, each with its staff registry link,
whether it is switched off, its failed sign-ins (held back now or not), and its last sign-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..auth.service import AuthService
from ..principal import Role
from ..service import QueueService
from ..storage.account_admin import AccountAdmin


@dataclass(frozen=True, slots=True)
class HallAccount:
    username: str
    role: Role
    display_name: str
    disabled: bool
    staff: str | None  # the staff registry's login linked to the account (the same name), if any
    staff_active: bool | None
    locked_until: datetime | None  # some address may not try signing in before then (None: every one may)
    failures: int  # the most failed sign-ins in a row of one address, not yet forgotten
    last_sign_in: datetime | None


def hall_accounts(service: QueueService, auth: AuthService, slug: str) -> list[HallAccount]:
    """The accounts of hall ``slug`` (404 for an unknown hall), managers first, then by name."""
    service.hall(slug)
    admin = AccountAdmin(auth.accounts.engine, auth.accounts.write)
    now = service.clock()
    users = admin.hall_users(slug)
    names = [u.username for u in users]
    staff = {m.login: m for m in service.staff(slug)}
    seen = admin.last_sign_ins(slug, names)
    held = admin.failed_sign_ins(names, now - timedelta(seconds=auth.settings.login_backoff.forget_s))
    found = []
    for u in users:
        member = staff.get(u.username)
        failures, until = held.get(u.username, (0, None))
        found.append(
            HallAccount(
                username=u.username,
                role=u.role,
                display_name=u.display_name,
                disabled=u.disabled,
                staff=member.login if member else None,
                staff_active=member.active if member else None,
                locked_until=until if until is not None and until > now else None,
                failures=failures,
                last_sign_in=seen.get(u.username),
            )
        )
    return found
