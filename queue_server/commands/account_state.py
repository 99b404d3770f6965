"""Switching a staff account off (停用) or on again. A disabled account cannot sign in and its
sessions end at once; its staff record, rosters and audit trail stay (enabling it brings it
back as it was). As for a password reset, a manager acts on clerks, an administrator on
managers too; nobody switches off their own account (a manager locked out of their own hall)."""

from __future__ import annotations

from dataclasses import dataclass

from ..accounts import StaffUser
from ..auth.service import AuthService
from ..errors import Conflict, Forbidden, NotFound
from ..principal import Principal, Role
from ..storage.account_admin import AccountAdmin


@dataclass(frozen=True, slots=True)
class AccountSwitched:
    user: StaffUser
    sessions_ended: int


def set_account_disabled(auth: AuthService, username: str, hall: str, by: Principal, disabled: bool) -> AccountSwitched:
    """Disable (or enable) ``username``, an account of ``hall``, for ``by``. 404 for no such account
    in the hall, 409 for ``by``'s own, 403 for a manager's account asked by a manager."""
    user = auth.accounts.user_by_name(username)
    if user is None or user.hall != hall or user.role is Role.ADMIN:
        raise NotFound(f"大厅 {hall} 没有账号 {username} / no account {username!r} in hall {hall}")
    if user.username == by.name:
        raise Conflict(
            f"不能停用或启用自己的账号 / username: you cannot {'disable' if disabled else 'enable'} your own account"
        )
    if by.role is not Role.ADMIN and user.role is not Role.CLERK:
        raise Forbidden(
            f"大厅管理员只能停用或启用窗口人员的账号 / a manager disables and enables clerks' accounts only "
            f"({username} is a {user.role.value})"
        )
    ended = AccountAdmin(auth.accounts.engine, auth.accounts.write).set_disabled(user.id, disabled)
    after = auth.accounts.user(user.id)
    assert after is not None
    return AccountSwitched(after, ended)
