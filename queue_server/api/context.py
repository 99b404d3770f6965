"""What every endpoint needs: the services, who is calling, and the audit wrapper."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request

from ..auth.ratelimit import Limit, RateLimiter
from ..auth.service import AuthService, Caller, client_ip
from ..clock import monotonic_of
from ..errors import Forbidden, HallQError, TooManyRequests, Unauthorized
from ..principal import Principal
from ..service import QueueService

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class IssueLimits:
    """Ticket issuing per kiosk token and per phone address, so nobody drains a day's numbers."""

    kiosk: Limit = field(default_factory=lambda: Limit(burst=30, per_minute=30))
    phone: Limit = field(default_factory=lambda: Limit(burst=3, per_minute=0.5))


class ApiContext:
    def __init__(
        self,
        service: QueueService,
        auth: AuthService,
        limits: IssueLimits | None = None,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        self.service = service
        self.auth = auth
        limits = limits or IssueLimits()
        self.kiosk_limiter = RateLimiter(limits.kiosk)
        self.phone_limiter = RateLimiter(limits.phone)
        self.monotonic = monotonic or monotonic_of(service.clock)

    async def caller(self, conn: HTTPConnection) -> Caller | None:
        if "hallq_caller" not in conn.scope:
            if not self.auth.presents_credentials(conn):
                conn.scope["hallq_caller"] = None  # anonymous: no thread hop, no database read
            else:
                cached = self.auth.cached_device(conn)
                conn.scope["hallq_caller"] = cached or await run_in_threadpool(self.auth.resolve, conn)
        found: Caller | None = conn.scope["hallq_caller"]
        return found

    async def authenticate(self, conn: HTTPConnection) -> Principal | None:
        """The ``Authenticator`` for WebSocket channels: a refused credential is nobody (4401)."""
        try:
            found = await self.caller(conn)
        except Unauthorized:
            return None
        return found.principal if found else None

    async def require(
        self, request: Request, hall: str | None, allowed: Callable[[Principal], bool], action: str
    ) -> Principal:
        """The caller, if ``allowed``; 401 for nobody, 403 (audited) for the wrong one."""
        found = await self.caller(request)
        if found is None:
            raise Unauthorized("请先登录 / sign in first (session cookie or bearer token)")
        if not allowed(found.principal):
            await self.audit(request, found.principal, action, "denied", hall, detail={"path": request.url.path})
            raise Forbidden(f"无权执行此操作 / {found.principal.name} may not {action} here")
        self.auth.check_csrf(request, found)
        return found.principal

    def limit_issue(self, key: str, kiosk: bool) -> None:
        limiter = self.kiosk_limiter if kiosk else self.phone_limiter
        allowed, retry = limiter.allow(key, self.monotonic())
        if not allowed:
            raise TooManyRequests(
                f"取号过于频繁，请 {int(retry) + 1} 秒后再试 / too many tickets; try again in {int(retry) + 1} s", retry
            )

    async def audit(
        self,
        request: HTTPConnection | None,
        principal: Principal | None,
        action: str,
        outcome: str,
        hall: str | None,
        target: str = "",
        detail: dict[str, Any] | None = None,
    ) -> None:
        await run_in_threadpool(
            self.auth.audit,
            principal,
            action,
            outcome,
            hall=hall,
            ip=client_ip(request) if request is not None else "",
            target=target,
            detail=detail,
        )

    async def act(
        self,
        request: HTTPConnection | None,
        principal: Principal | None,
        hall: str,
        action: str,
        target: str,
        fn: Callable[..., T],
        *args: Any,
        **kwargs: Any,
    ) -> T:
        """Run a command in the threadpool and audit what came of it (电子监察)."""
        try:
            result = await run_in_threadpool(fn, *args, **kwargs)
        except HallQError as exc:
            await self.audit(request, principal, action, "rejected", hall, target, {"error": exc.code})
            raise
        await self.audit(request, principal, action, "ok", hall, target)
        return result
