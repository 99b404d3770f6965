"""Staff accounts, sessions, device tokens, shared secrets and the audit log, in SQL.

Not on the hot path: plain SQLAlchemy Core, one short transaction per call.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from ..accounts import ApiSession, AuditRecord, DeviceToken, LoginThrottle, StaffUser
from ..errors import Conflict
from ..principal import DeviceKind, Role
from .rows import API_SESSION, AUDIT, DEVICE_TOKEN, LOGIN_THROTTLE, STAFF_USER
from .tables import audit_t, device_token_t, login_failure_t, secret_t, session_t, user_t


class Accounts:
    def __init__(self, engine: Engine, write: Callable[[], AbstractContextManager[Connection]]) -> None:
        self.engine = engine
        # The store's write transaction: on SQLite it queues this process's writers before
        # taking the database lock, instead of leaving them to SQLite's sleeping busy handler.
        self.write = write

    # -- users ---------------------------------------------------------------

    def create_user(
        self, username: str, display_name: str, password_hash: str, role: Role, hall: str | None, now: datetime
    ) -> StaffUser:
        with self.write() as conn:
            if conn.execute(sa.select(user_t.c.id).where(user_t.c.username == username)).first():
                raise Conflict(f"用户名 {username} 已存在 / user {username!r} already exists")
            conn.execute(
                sa.insert(user_t).values(
                    username=username,
                    display_name=display_name,
                    password_hash=password_hash,
                    role=role.value,
                    hall=hall,
                    disabled=False,
                    created_at=now,
                )
            )
        user = self.user_by_name(username)
        assert user is not None
        return user

    def user_by_name(self, username: str) -> StaffUser | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(user_t).where(user_t.c.username == username)).mappings().first()
        return STAFF_USER.read(row) if row else None

    def user(self, user_id: int) -> StaffUser | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(user_t).where(user_t.c.id == user_id)).mappings().first()
        return STAFF_USER.read(row) if row else None

    def set_password(self, user_id: int, password_hash: str) -> int:
        """Replace the account's password and end its sessions, in one transaction (someone
        signed in with the old password is signed out); returns the sessions ended."""
        with self.write() as conn:
            conn.execute(sa.update(user_t).where(user_t.c.id == user_id).values(password_hash=password_hash))
            return int(conn.execute(sa.delete(session_t).where(session_t.c.user_id == user_id)).rowcount)

    def count_users(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(user_t)).scalar_one())

    # -- failed sign-ins, per account name and address ---------------------------

    def login_throttle(self, username: str, ip: str) -> LoginThrottle | None:
        c = login_failure_t.c
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(login_failure_t).where(c.username == username, c.ip == ip)).mappings().first()
        if row is None:
            return None
        return LOGIN_THROTTLE.read(row)

    def record_login_failure(
        self, username: str, ip: str, now: datetime, delay: Callable[[int], float], forget_before: datetime
    ) -> LoginThrottle:
        """Count one more failure of ``username`` from ``ip`` (a count whose last failure is older
        than ``forget_before`` starts again) and block the pair for ``delay(failures)`` seconds."""
        c = login_failure_t.c
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        # One statement, so two failures at once from one pair both count (no read-then-insert race).
        upsert = dialect.insert(login_failure_t).values(
            username=username, ip=ip, failures=1, last_failure_at=now, blocked_until=now
        )
        upsert = upsert.on_conflict_do_update(
            index_elements=[c.username, c.ip], set_={"failures": c.failures + 1, "last_failure_at": now}
        )
        with self.write() as conn:
            conn.execute(sa.delete(login_failure_t).where(c.last_failure_at < forget_before))
            failures = int(conn.execute(upsert.returning(c.failures)).scalar_one())
            blocked = now + timedelta(seconds=delay(failures))
            conn.execute(
                sa.update(login_failure_t).where(c.username == username, c.ip == ip).values(blocked_until=blocked)
            )
        return LoginThrottle(username, ip, failures, now, blocked)

    def clear_login_failures(self, username: str, ip: str | None = None) -> int:
        """Forget the failures of ``username`` from ``ip`` (None: from every address)."""
        c = login_failure_t.c
        q = sa.delete(login_failure_t).where(c.username == username)
        if ip is not None:
            q = q.where(c.ip == ip)
        with self.write() as conn:
            return int(conn.execute(q).rowcount)

    # -- sessions ------------------------------------------------------------

    def create_session(self, session: ApiSession) -> None:
        with self.write() as conn:
            conn.execute(sa.insert(session_t).values(API_SESSION.values(session)))

    def session(self, token_hash: str, now: datetime) -> tuple[ApiSession, StaffUser] | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    sa.select(session_t, user_t)
                    .join(user_t, user_t.c.id == session_t.c.user_id)
                    .where(session_t.c.token_hash == token_hash, session_t.c.expires_at > now)
                )
                .mappings()
                .first()
            )
        if row is None:
            return None
        return API_SESSION.read(row), STAFF_USER.read(row)

    def delete_session(self, token_hash: str) -> None:
        with self.write() as conn:
            conn.execute(sa.delete(session_t).where(session_t.c.token_hash == token_hash))

    def delete_expired_sessions(self, now: datetime) -> int:
        with self.write() as conn:
            return conn.execute(sa.delete(session_t).where(session_t.c.expires_at <= now)).rowcount

    # -- device tokens -------------------------------------------------------

    def create_device_token(
        self, kind: DeviceKind, hall: str, label: str, token_hash: str, now: datetime
    ) -> DeviceToken:
        with self.write() as conn:
            new_id = conn.execute(
                sa.insert(device_token_t)
                .values(kind=kind.value, hall=hall, label=label, token_hash=token_hash, created_at=now)
                .returning(device_token_t.c.id)
            ).scalar_one()
        return DeviceToken(id=int(new_id), kind=kind, hall=hall, label=label, created_at=now)

    def device_token(self, token_hash: str) -> DeviceToken | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(sa.select(device_token_t).where(device_token_t.c.token_hash == token_hash))
                .mappings()
                .first()
            )
        return DEVICE_TOKEN.read(row) if row else None

    def device_tokens(self, hall: str | None = None) -> list[DeviceToken]:
        q = sa.select(device_token_t).order_by(device_token_t.c.id)
        if hall is not None:
            q = q.where(device_token_t.c.hall == hall)
        with self.engine.connect() as conn:
            return [DEVICE_TOKEN.read(r) for r in conn.execute(q).mappings()]

    def revoke_device_token(self, token_id: int, now: datetime) -> DeviceToken | None:
        with self.write() as conn:
            conn.execute(
                sa.update(device_token_t)
                .where(device_token_t.c.id == token_id, device_token_t.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            row = conn.execute(sa.select(device_token_t).where(device_token_t.c.id == token_id)).mappings().first()
        return DEVICE_TOKEN.read(row) if row else None

    def touch_device_token(self, token_id: int, now: datetime) -> None:
        with self.write() as conn:
            conn.execute(sa.update(device_token_t).where(device_token_t.c.id == token_id).values(last_used_at=now))

    # -- shared secrets --------------------------------------------------------

    def secret(self, name: str, make: Callable[[], str]) -> str:
        """The named secret, created on first use; every process reads the same one."""
        with self.write() as conn:
            value = conn.execute(sa.select(secret_t.c.value).where(secret_t.c.name == name)).scalar()
            if value is not None:
                return str(value)
            try:
                with conn.begin_nested():
                    conn.execute(sa.insert(secret_t).values(name=name, value=make()))
            except sa.exc.IntegrityError:
                pass  # another process made it first: use theirs
            return str(conn.execute(sa.select(secret_t.c.value).where(secret_t.c.name == name)).scalar_one())

    # -- audit ---------------------------------------------------------------

    def audit(self, record: AuditRecord) -> None:
        with self.write() as conn:
            conn.execute(sa.insert(audit_t).values(AUDIT.values(record)))

    def audit_log(
        self,
        hall: str | None,
        *,
        actor: str | None = None,
        action: str | None = None,
        outcome: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 200,
        before_id: int | None = None,
    ) -> list[AuditRecord]:
        """Newest first; ``before_id`` pages back; ``action`` is a prefix, ``target`` exact."""
        c = audit_t.c
        conditions: list[Any] = []
        if hall is not None:
            conditions.append(c.hall == hall)
        if actor:
            conditions.append(c.actor == actor)
        if action:
            conditions.append(c.action.startswith(action, autoescape=True))
        if outcome:
            conditions.append(c.outcome == outcome)
        if target:
            conditions.append(c.target == target)
        if since:
            conditions.append(c.at >= since)
        if until:
            conditions.append(c.at < until)
        if before_id:
            conditions.append(c.id < before_id)
        q = sa.select(audit_t).where(*conditions).order_by(c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [AUDIT.read(r) for r in conn.execute(q).mappings()]
