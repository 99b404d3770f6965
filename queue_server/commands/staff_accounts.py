"""A clerk account and a staff member are one thing: creating one creates or links the other.

A clerk account joins the staff registry of its hall (named after the account, no skills on
record) unless the registry has that login already; a staff member added under a login that
has no account gets a clerk account with a one-time password, shown once. A login whose
account belongs to another hall cannot join this one's staff (409 naming it); a manager's
or an administrator's account may be on the staff too (a manager who also sits at a window).

The two live in different stores (accounts, the hall's tables), so this is two writes: the
one that checks more goes first, and a race between them ends in a link, never a duplicate.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from ..accounts import StaffUser
from ..auth.service import ONE_TIME_PASSWORD_BYTES, AuthService
from ..errors import Conflict
from ..principal import Role
from ..service import QueueService
from ..staffing import Skill, StaffMember


@dataclass(frozen=True, slots=True)
class AccountMade:
    """What ``create_account`` did: the account, and the staff member it made (None: linked to
    the member already there, or not a clerk)."""

    user: StaffUser
    staff: StaffMember | None
    linked: bool  # the registry had the login already


@dataclass(frozen=True, slots=True)
class StaffMade:
    """What ``add_staff`` did: the member, and the account it made (``password`` once) or linked."""

    member: StaffMember
    account: StaffUser
    password: str | None  # only when the account was made here


def account_hall_conflict(user: StaffUser, slug: str) -> Conflict | None:
    """Why ``user``'s login cannot be on hall ``slug``'s staff: their account is another hall's."""
    if user.hall is None or user.hall == slug:
        return None
    return Conflict(
        f"login: 账号 {user.username} 属于大厅 {user.hall}，不能加入 {slug} 的工作人员 / login: the account "
        f"{user.username!r} belongs to hall {user.hall!r}, not {slug!r}"
    )


class StaffAccounts:
    def __init__(self, service: QueueService, auth: AuthService) -> None:
        self.service = service
        self.auth = auth

    def create_account(
        self, username: str, password: str, role: Role, hall: str | None, display_name: str = "", by: str | None = None
    ) -> AccountMade:
        """Create the account; a clerk's joins their hall's staff registry (or is linked to the
        member there). A deactivated member of that login is a 409: they left for good."""
        if role is Role.CLERK and hall is not None:
            self.service.hall(hall)
            found = self._member(hall, username)
            if found is not None and not found.active:
                raise Conflict(
                    f"工作人员 {username} 已停用，不能再开账号 / {username!r} was deactivated on the staff of {hall} "
                    "and cannot get an account again"
                )
        user = self.auth.create_user(username, password, role, hall, display_name)
        if user.role is not Role.CLERK or user.hall is None:
            return AccountMade(user, None, False)
        if self._member(user.hall, username) is not None:
            return AccountMade(user, None, True)
        try:
            made = self.service.add_staff(user.hall, username, user.display_name, by=by).value
        except Conflict:  # added meanwhile: linked
            return AccountMade(user, None, True)
        return AccountMade(user, made, False)

    def add_staff(
        self,
        slug: str,
        login: str,
        name: str,
        *,
        department: str = "",
        skills: Sequence[Skill] = (),
        partner: str | None = None,
        by: str | None = None,
    ) -> StaffMade:
        """Add ``login`` to the staff registry, linked to their account; without one, a clerk
        account of ``slug`` is made with a one-time password (returned here, stored only hashed)."""
        self.service.hall(slug)
        existing = self.auth.accounts.user_by_name(login)
        if existing is not None and (refusal := account_hall_conflict(existing, slug)):
            raise refusal
        member = self.service.add_staff(
            slug, login, name, department=department, skills=skills, partner=partner, by=by
        ).value
        if existing is not None:
            return StaffMade(member, existing, None)
        password = secrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)
        try:
            user = self.auth.create_user(login, password, Role.CLERK, slug, member.name)
        except Conflict:  # made meanwhile: linked, if it is this hall's
            raced = self.auth.accounts.user_by_name(login)
            if raced is None or (refusal := account_hall_conflict(raced, slug)):
                raise
            return StaffMade(member, raced, None)
        return StaffMade(member, user, password)

    def _member(self, slug: str, login: str) -> StaffMember | None:
        return next((m for m in self.service.staff(slug) if m.login == login), None)
