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

from ..accounts import ApiSession, AuditRecord, DeviceToken, StaffUser
from ..clock import SYSTEM_CLOCK, Clock, monotonic_of
from ..config import MAX_TEXT
from ..errors import BadRequest, Forbidden, NotFound, TooManyRequests, Unauthorized
from ..names import login_problem, text_problem
from ..principal import DeviceKind, Principal, Role
from ..storage.accounts import Accounts
from .ratelimit import Limit, LoginBackoff, RateLimiter
from .secrets import MIN_PASSWORD_LENGTH, Passwords, digest, new_secret, same_secret

ONE_TIME_PASSWORD_BYTES = 12  # 16 URL-safe characters

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
    # Failed sign-ins slow down the (account, address) pair, never the account for everyone.
    login_backoff: LoginBackoff = field(default_factory=LoginBackoff)
    # Every sign-in attempt of one address, whatever the account (a sweep across accounts).
    login_limit: Limit = field(default_factory=lambda: Limit(burst=10, per_minute=6))
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
            raise BadRequest(
                "窗口人员、大厅管理员和城市管理员须指定大厅 / clerks, managers and city managers belong to one hall "
                "(--hall; a city manager's reaches the halls below it)"
            )
        if role is Role.ADMIN:
            hall = None
        # The hall file's rule for staff logins, so every account made can also sign in and sit at a window.
        problem = login_problem(username)
        if problem:
            raise BadRequest(f"账号名无效 / username: {problem}")
        problem = text_problem(display_name, max_len=MAX_TEXT)
        if problem:
            raise BadRequest(f"显示名无效 / display name {problem}")
        return self.accounts.create_user(
            username, display_name or username, self.passwords.hash(password), role, hall, self.clock()
        )

    def login(self, username: str, password: str, ip: str, *, bearer: bool) -> Login:
        allowed, retry = self.login_limiter.allow(f"ip:{ip}", self.monotonic())
        if not allowed:
            self._audit(username, "auth.login", "denied", None, ip, {"reason": "rate_limited"})
            raise TooManyRequests("登录尝试过于频繁，请稍后再试 / too many login attempts; try again later", retry)
        now = self.clock()
        backoff = self.settings.login_backoff
        # Keyed by the name typed, known or not, so the answers do not tell which accounts exist.
        throttle = self.accounts.login_throttle(username, ip)
        user = self.accounts.user_by_name(username)
        hall = user.hall if user else None
        if throttle is not None and throttle.blocked_until > now:
            wait = (throttle.blocked_until - now).total_seconds()
            detail = {"reason": "throttled", "failures": throttle.failures}
            self._audit(username, "auth.login", "denied", hall, ip, detail)
            raise TooManyRequests(
                f"此地址登录失败次数过多，请 {int(wait) + 1} 秒后再试 / too many failed sign-ins to this account "
                f"from this address; try again in {int(wait) + 1} s",
                wait,
            )
        if user is None:
            self.passwords.verify(self.passwords.dummy, password)  # same cost as a real check
        if user is None or user.disabled or not self.passwords.verify(user.password_hash, password):
            forget = now - timedelta(seconds=backoff.forget_s)
            failed = self.accounts.record_login_failure(username, ip, now, backoff.delay, forget)
            reason = "unknown_user" if user is None else "bad_password"
            self._audit(username, "auth.login", "denied", hall, ip, {"reason": reason, "failures": failed.failures})
            raise Unauthorized("用户名或密码错误 / wrong username or password")
        if throttle is not None:
            self.accounts.clear_login_failures(username, ip)
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

    @staticmethod
    def credential(conn: HTTPConnection) -> tuple[str, str] | None:
        """What the request presents as its credential, as (how, value): the Authorization header
        first, then a WebSocket's ``?access_token=`` (browsers cannot set headers on one), then the
        session cookie. None: nothing (a visitor's phone). "malformed" and "query" are refused."""
        header = conn.headers.get("authorization")
        if header is not None:
            scheme, _, value = header.strip().partition(" ")
            return ("bearer", value.strip()) if scheme.lower() == "bearer" and value.strip() else ("malformed", "")
        if "access_token" in conn.query_params:
            if conn.scope["type"] == "websocket":
                return "bearer", conn.query_params["access_token"]
            return "query", ""  # over HTTP a secret in the URL is not accepted (headers exist)
        if COOKIE in conn.cookies:
            return "cookie", conn.cookies[COOKIE]
        return None

    def _bearer(self, conn: HTTPConnection) -> str | None:
        found = self.credential(conn)
        return found[1] if found is not None and found[0] == "bearer" else None

    def _session_secret(self, conn: HTTPConnection) -> str | None:
        found = self.credential(conn)
        if found is None:
            return None
        how, value = found
        if how == "bearer":
            return value if value.startswith(STAFF_TOKEN_PREFIX + "_") else None
        if how == "cookie":
            try:
                secret = self.signer.loads(value)
            except BadSignature:
                return None
            return secret if isinstance(secret, str) else None
        return None

    def presents_credentials(self, conn: HTTPConnection) -> bool:
        """Whether the request carries anything to resolve (visitors' phones do not)."""
        return self.credential(conn) is not None

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
        """Who is calling; None for a request that presents no credential at all. A credential
        that is malformed, unknown, forged, expired or revoked is refused (Unauthorized): the
        request is never served as someone else, least of all as an anonymous visitor."""
        found = self.credential(conn)
        if found is None:
            return None
        how, value = found
        if how == "malformed":
            raise Unauthorized("Authorization 头格式错误 / the Authorization header must be 'Bearer <token>'")
        if how == "query":
            raise Unauthorized(
                "令牌须放在 Authorization 头中 / send the token as 'Authorization: Bearer …', not in the URL"
            )
        if how == "bearer" and value.startswith(DEVICE_TOKEN_PREFIX + "_"):
            return self._device(value)
        if how == "bearer" and not value.startswith(STAFF_TOKEN_PREFIX + "_"):
            raise Unauthorized("令牌无效 / unknown token")
        secret = self._session_secret(conn)
        found_session = self.accounts.session(digest(secret), self.clock()) if secret else None
        if found_session is None or found_session[1].disabled:
            raise Unauthorized("登录已失效，请重新登录 / the session is unknown or has expired; sign in again")
        session, user = found_session
        return Caller(user.principal(), via_cookie=session.kind == "cookie", csrf=session.csrf)

    def _device(self, secret: str) -> Caller:
        now = self.clock()
        key = digest(secret)
        token = self.accounts.device_token(key)
        if token is None or token.revoked_at is not None:
            self._devices.pop(key, None)
            raise Unauthorized("设备令牌无效或已吊销 / the device token is unknown or revoked")
        if len(self._devices) >= DEVICE_CACHE_SIZE:
            self._devices.clear()
        self._devices[key] = (token, self.monotonic())
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            self.accounts.touch_device_token(token.id, now)
        return Caller(token.principal(), via_cookie=False, csrf=None)

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

    def reset_password(self, username: str, hall: str, by: Principal, password: str | None = None) -> str:
        """Give ``username``, an account of ``hall``, a new password (a one-time one when none is
        given), end their sessions and clear their sign-in throttle; returns the password. A
        manager resets clerks' passwords, an administrator managers' too."""
        user = self.accounts.user_by_name(username)
        if user is None or user.hall != hall:
            raise NotFound(f"大厅 {hall} 没有账号 {username} / no account {username!r} in hall {hall}")
        if by.role is not Role.ADMIN and user.role is not Role.CLERK:
            raise Forbidden(
                f"大厅管理员只能重置窗口人员的密码 / a manager resets clerks' passwords only "
                f"({username} is a {user.role.value})"
            )
        if password is not None and len(password) < MIN_PASSWORD_LENGTH:
            raise BadRequest(
                f"密码至少 {MIN_PASSWORD_LENGTH} 位 / body.password needs at least {MIN_PASSWORD_LENGTH} characters"
            )
        secret = password if password is not None else pysecrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)
        self.accounts.set_password(user.id, self.passwords.hash(secret))
        self.accounts.clear_login_failures(username)
        return secret

    # -- sign-in throttle -------------------------------------------------------

    def unlock(self, username: str, hall: str | None) -> int:
        """Forget every address's failed sign-ins to ``username`` (an account of ``hall``; None:
        any account), so it may sign in at once; returns how many addresses were waiting."""
        user = self.accounts.user_by_name(username)
        if user is None or (hall is not None and user.hall != hall):
            raise NotFound(f"没有账号 {username} / no account {username!r}" + (f" in hall {hall}" if hall else ""))
        return self.accounts.clear_login_failures(username)

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
