"""What every endpoint needs: the services, who is calling, and the way to the command gate.

``ApiContext`` is the HTTP adapter of ``commands.gate.Gate``: it finds the caller of a
request (session cookie with its CSRF token, or bearer token) and hands the gate an
``Actor``; the gate authorises, runs and audits.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request

from ..auth.ratelimit import Limit, RateLimiter
from ..auth.reach import with_reach
from ..auth.service import AuthService, Caller, client_ip
from ..clock import monotonic_of
from ..commands.gate import Actor, Gate
from ..errors import TooManyRequests, Unauthorized
from ..principal import Principal
from ..service import QueueService

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class IssueLimits:
    """Ticket issuing per kiosk token and per phone address, so nobody drains a day's numbers."""

    kiosk: Limit = field(default_factory=lambda: Limit(burst=30, per_minute=30))
    phone: Limit = field(default_factory=lambda: Limit(burst=3, per_minute=0.5))


def actor(conn: HTTPConnection | None, principal: Principal | None) -> Actor:
    return Actor(principal, client_ip(conn) if conn is not None else "")


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
        self.gate = Gate(service, auth)
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
                found_now = cached or await run_in_threadpool(self.auth.resolve, conn)
                conn.scope["hallq_caller"] = with_reach(found_now, self.service.config)
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
        principal = await self.gate.authorise(
            actor(request, found.principal), hall, allowed, action, {"path": request.url.path}
        )
        self.auth.check_csrf(request, found)
        return principal

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
        await self.gate.audit(actor(request, principal), action, outcome, hall, target, detail)

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
        """Run a command through the gate, as ``principal`` calling over ``request``."""
        call = functools.partial(fn, *args, **kwargs)
        return await self.gate.run(actor(request, principal), hall, action, target, call)
