"""A hall's staff accounts as its manager sees them: who they are, when each last signed in
(from the audit trail), their failed sign-ins and whether they hold it back now, and switching an account off or on.

Beside ``Accounts`` (sign-in, sessions, tokens): the same tables and write transaction, reads
and writes only the 账号 page needs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..accounts import StaffUser
from ..principal import Role
from .rows import STAFF_USER
from .tables import audit_t, login_failure_t, session_t, user_t

HALL_ROLES = (Role.MANAGER.value, Role.CLERK.value)


class AccountAdmin:
    def __init__(self, engine: Engine, write: Callable[[], AbstractContextManager[Connection]]) -> None:
        self.engine = engine
        self.write = write

    def hall_users(self, hall: str) -> list[StaffUser]:
        """The managers and clerks of ``hall`` (administrators belong to no hall), managers first."""
        c = user_t.c
        q = sa.select(user_t).where(c.hall == hall, c.role.in_(HALL_ROLES)).order_by(c.role.desc(), c.username)
        with self.engine.connect() as conn:
            return [STAFF_USER.read(r) for r in conn.execute(q).mappings()]

    def last_sign_ins(self, hall: str, usernames: Collection[str]) -> dict[str, datetime]:
        """Each account's last successful sign-in, as the audit trail recorded it (sessions end and
        are deleted, the audit row stays); an account never seen signing in is absent."""
        if not usernames:
            return {}
        c = audit_t.c
        q = (
            sa.select(c.actor, sa.func.max(c.at))
            .where(c.hall == hall, c.action == "auth.login", c.outcome == "ok", c.actor.in_(list(usernames)))
            .group_by(c.actor)
        )
        with self.engine.connect() as conn:
            return {str(actor): at for actor, at in conn.execute(q) if at is not None}

    def failed_sign_ins(self, usernames: Collection[str], since: datetime) -> dict[str, tuple[int, datetime]]:
        """Failed sign-ins to each account since ``since``: the most of one address, and until when
        the address held back longest must wait (in the past: none is held back now)."""
        if not usernames:
            return {}
        c = login_failure_t.c
        q = (
            sa.select(c.username, sa.func.max(c.failures), sa.func.max(c.blocked_until))
            .where(c.username.in_(list(usernames)), c.last_failure_at >= since)
            .group_by(c.username)
        )
        with self.engine.connect() as conn:
            return {str(name): (int(failures), until) for name, failures, until in conn.execute(q)}

    def set_disabled(self, user_id: int, disabled: bool) -> int:
        """Switch the account off (its sessions end in the same transaction) or on again;
        returns the sessions ended."""
        with self.write() as conn:
            conn.execute(sa.update(user_t).where(user_t.c.id == user_id).values(disabled=disabled))
            if not disabled:
                return 0
            return int(conn.execute(sa.delete(session_t).where(session_t.c.user_id == user_id)).rowcount)
