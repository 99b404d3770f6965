"""Logging in, resolving who is calling, device tokens, and the audit trail.

Browsers get a session cookie (signed, HttpOnly, SameSite=Strict) and must echo
the session's CSRF token in ``X-CSRF-Token`` on state changes; programs get a
bearer token. Both are random secrets stored only as their SHA-256.
"""

from __future__ import annotations

import secrets as pysecrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import HTTPConnection

from ..clock import SYSTEM_CLOCK, Clock, monotonic_of
from ..errors import BadRequest, Forbidden, NotFound, TooManyRequests, Unauthorized
from ..principal import DeviceKind, Principal, Role
from ..storage.accounts import Accounts
from .models import ApiSession, AuditRecord, DeviceToken, StaffUser
from .ratelimit import Limit, RateLimiter
from .secrets import Passwords, digest, new_secret, same_secret

COOKIE = "hallq_session"
CSRF_HEADER = "x-csrf-token"
STAFF_TOKEN_PREFIX = "hqs"
DEVICE_TOKEN_PREFIX = "hqd"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEVICE_CACHE_SECONDS = 10.0
DEVICE_CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class AuthSettings:
    session_hours: float = 12.0
    lock_after: int = 5  # failed logins in a row
    lock_minutes: float = 15.0
    login_limit: Limit = field(default_factory=lambda: Limit(burst=10, per_minute=6))  # per client address
    secure_cookies: bool = False  # set behind HTTPS
    password_time_cost: int | None = None  # None: argon2-cffi's default
    password_memory_kib: int | None = None


@dataclass(frozen=True, slots=True)
class Login:
    principal: Principal
    secret: str
    csrf: str
    kind: str
    expires_at: datetime
    cookie_value: str | None


@dataclass(frozen=True, slots=True)
class Caller:
    """A resolved request: who, and how (for the CSRF rule)."""

    principal: Principal
    via_cookie: bool
    csrf: str | None


def client_ip(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else ""


class AuthService:
    def __init__(
        self,
        accounts: Accounts,
        settings: AuthSettings | None = None,
        clock: Clock = SYSTEM_CLOCK,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        self.accounts = accounts
        self.settings = settings or AuthSettings()
        self.clock = clock
        self.monotonic = monotonic or monotonic_of(clock)
        self.login_limiter = RateLimiter(self.settings.login_limit)
        self.passwords = Passwords(self.settings.password_time_cost, self.settings.password_memory_kib)
        # Device tokens seen in the last few seconds: a hall's displays reconnecting at once
        # (after a restart, a network blip) resolve on the event loop instead of a thread each.
        self._devices: dict[str, tuple[DeviceToken, float]] = {}
        key = accounts.secret("cookie", lambda: pysecrets.token_urlsafe(48))
        self.signer = URLSafeSerializer(key, salt="hallq-session")

    # -- staff ---------------------------------------------------------------

    def create_user(
        self, username: str, password: str, role: Role, hall: str | None, display_name: str = ""
    ) -> StaffUser:
        if role is not Role.ADMIN and not hall:
            raise BadRequest("窗口人员和大厅管理员必须指定大厅 / clerks and managers belong to one hall (--hall)")
        if role is Role.ADMIN:
            hall = None
        return self.accounts.create_user(
            username, display_name or username, self.passwords.hash(password), role, hall, self.clock()
        )

    def login(self, username: str, password: str, ip: str, *, bearer: bool) -> Login:
        allowed, retry = self.login_limiter.allow(f"ip:{ip}", self.monotonic())
        if not allowed:
            self._audit(username, "auth.login", "denied", None, ip, {"reason": "rate_limited"})
            raise TooManyRequests("登录尝试过于频繁，请稍后再试 / too many login attempts; try again later", retry)
        now = self.clock()
        user = self.accounts.user_by_name(username)
        if user is None:
            self.passwords.verify(self.passwords.dummy, password)  # same cost as a real check
            self._audit(username, "auth.login", "denied", None, ip, {"reason": "unknown_user"})
            raise Unauthorized("用户名或密码错误 / wrong username or password")
        if user.locked_until is not None and user.locked_until > now:
            self._audit(username, "auth.login", "denied", user.hall, ip, {"reason": "locked"})
            raise TooManyRequests(
                "账号已临时锁定，请稍后再试 / the account is locked for a while after repeated failures",
                (user.locked_until - now).total_seconds(),
            )
        if user.disabled or not self.passwords.verify(user.password_hash, password):
            self.accounts.record_failure(
                user.id, now, self.settings.lock_after, timedelta(minutes=self.settings.lock_minutes)
            )
            self._audit(username, "auth.login", "denied", user.hall, ip, {"reason": "bad_password"})
            raise Unauthorized("用户名或密码错误 / wrong username or password")
        self.accounts.reset_failures(user.id)
        secret = new_secret(STAFF_TOKEN_PREFIX)
        csrf = pysecrets.token_urlsafe(24)
        expires = now + timedelta(hours=self.settings.session_hours)
        kind = "bearer" if bearer else "cookie"
        self.accounts.create_session(ApiSession(digest(secret), user.id, kind, csrf, now, expires))
        self._audit(username, "auth.login", "ok", user.hall, ip, {"kind": kind})
        return Login(
            principal=user.principal(),
            secret=secret,
            csrf=csrf,
            kind=kind,
            expires_at=expires,
            cookie_value=None if bearer else self.signer.dumps(secret),
        )

    def logout(self, conn: HTTPConnection) -> None:
        secret = self._session_secret(conn)
        if secret:
            self.accounts.delete_session(digest(secret))

    # -- resolving callers -----------------------------------------------------

    def _bearer(self, conn: HTTPConnection) -> str | None:
        header = conn.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        if conn.scope["type"] == "websocket":
            # Browsers cannot set headers on a WebSocket: the token may come as a query parameter.
            return conn.query_params.get("access_token")
        return None

    def _session_secret(self, conn: HTTPConnection) -> str | None:
        bearer = self._bearer(conn)
        if bearer and bearer.startswith(STAFF_TOKEN_PREFIX + "_"):
            return bearer
        cookie = conn.cookies.get(COOKIE)
        if cookie:
            try:
                value = self.signer.loads(cookie)
            except BadSignature:
                return None
            return value if isinstance(value, str) else None
        return None

    def presents_credentials(self, conn: HTTPConnection) -> bool:
        """Whether the request carries anything to resolve (visitors' phones do not)."""
        return bool(self._bearer(conn) or conn.cookies.get(COOKIE))

    def cached_device(self, conn: HTTPConnection) -> Caller | None:
        """The caller, when it is a device token resolved moments ago (no database read)."""
        bearer = self._bearer(conn)
        if not bearer or not bearer.startswith(DEVICE_TOKEN_PREFIX + "_"):
            return None
        hit = self._devices.get(digest(bearer))
        if hit is None or self.monotonic() - hit[1] > DEVICE_CACHE_SECONDS:
            return None
        return Caller(hit[0].principal(), via_cookie=False, csrf=None)

    def resolve(self, conn: HTTPConnection) -> Caller | None:
        """Who is calling (None: anonymous). A revoked or expired credential is anonymous."""
        now = self.clock()
        bearer = self._bearer(conn)
        if bearer and bearer.startswith(DEVICE_TOKEN_PREFIX + "_"):
            key = digest(bearer)
            token = self.accounts.device_token(key)
            if token is None or token.revoked_at is not None:
                self._devices.pop(key, None)
                return None
            if len(self._devices) >= DEVICE_CACHE_SIZE:
                self._devices.clear()
            self._devices[key] = (token, self.monotonic())
            if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
                self.accounts.touch_device_token(token.id, now)
            return Caller(token.principal(), via_cookie=False, csrf=None)
        secret = self._session_secret(conn)
        if not secret:
            return None
        found = self.accounts.session(digest(secret), now)
        if found is None:
            return None
        session, user = found
        if user.disabled:
            return None
        return Caller(user.principal(), via_cookie=session.kind == "cookie", csrf=session.csrf)

    def check_csrf(self, conn: HTTPConnection, caller: Caller) -> None:
        """A cookie-authenticated state change must prove it comes from our own page."""
        if not caller.via_cookie or conn.scope.get("method") not in UNSAFE_METHODS:
            return
        sent = conn.headers.get(CSRF_HEADER, "")
        if not caller.csrf or not same_secret(caller.csrf, sent):
            raise Forbidden("缺少或错误的 CSRF 令牌 / missing or wrong CSRF token (X-CSRF-Token)")
        origin = conn.headers.get("origin")
        if origin is not None:
            host = conn.headers.get("host", "")
            if origin.split("://", 1)[-1] != host:
                raise Forbidden("跨站请求被拒绝 / cross-site request refused")

    # -- device tokens -------------------------------------------------------

    def create_device_token(self, kind: DeviceKind, hall: str, label: str = "") -> tuple[DeviceToken, str]:
        secret = new_secret(DEVICE_TOKEN_PREFIX)
        token = self.accounts.create_device_token(kind, hall, label, digest(secret), self.clock())
        return token, secret

    def revoke_device_token(self, token_id: int, hall: str | None) -> DeviceToken:
        existing = [t for t in self.accounts.device_tokens(hall) if t.id == token_id]
        if not existing:
            raise NotFound(f"没有这个设备令牌 / no device token {token_id}")
        revoked = self.accounts.revoke_device_token(token_id, self.clock())
        assert revoked is not None
        # Revoked here: forget it at once (other processes within DEVICE_CACHE_SECONDS).
        self._devices = {k: v for k, v in self._devices.items() if v[0].id != token_id}
        return revoked

    # -- audit ---------------------------------------------------------------

    def _audit(
        self, actor: str, action: str, outcome: str, hall: str | None, ip: str, detail: dict[str, Any], target: str = ""
    ) -> None:
        self.accounts.audit(
            AuditRecord(
                at=self.clock(),
                actor=actor,
                action=action,
                outcome=outcome,
                hall=hall,
                target=target,
                ip=ip,
                detail=detail,
            )
        )

    def audit(
        self,
        principal: Principal | None,
        action: str,
        outcome: str,
        *,
        hall: str | None,
        ip: str = "",
        target: str = "",
        detail: dict[str, Any] | None = None,
    ) -> None:
        self._audit(principal.name if principal else "anonymous", action, outcome, hall, ip, detail or {}, target)
