"""Accounts, sessions, device tokens, CSRF and the sign-in throttle, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.requests import HTTPConnection

from queue_server.auth.ratelimit import Limit, RateLimiter
from queue_server.auth.secrets import digest
from queue_server.auth.service import COOKIE, AuthService, AuthSettings
from queue_server.errors import BadRequest, Conflict, Forbidden, TooManyRequests, Unauthorized
from queue_server.principal import DeviceKind, Role
from queue_server.storage import Store
from tests.api.conftest import FAST
from tests.conftest import FakeClock


def conn(
    headers: dict[str, str] | None = None, method: str = "GET", kind: str = "http", query: str = ""
) -> HTTPConnection:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {
        "type": kind,
        "method": method,
        "headers": raw,
        "client": ("10.0.0.5", 5555),
        "path": "/",
        "query_string": query.encode(),
    }
    return HTTPConnection(scope)


@pytest.fixture
def auth(store: Store, clock: FakeClock) -> AuthService:
    ticks = iter(range(0, 10**9, 1))
    return AuthService(store.accounts, FAST, clock=clock, monotonic=lambda: float(next(ticks)))


def test_login_with_cookie_resolves_and_needs_csrf_for_changes(auth: AuthService) -> None:
    auth.create_user("li", "correct horse", Role.CLERK, "t")
    login = auth.login("li", "correct horse", "10.0.0.5", bearer=False)
    assert login.cookie_value and login.cookie_value != login.secret
    caller = auth.resolve(conn({"cookie": f"{COOKIE}={login.cookie_value}"}))
    assert caller is not None and caller.principal.name == "li" and caller.principal.role is Role.CLERK
    assert caller.via_cookie
    post = conn({"cookie": f"{COOKIE}={login.cookie_value}"}, method="POST")
    with pytest.raises(Forbidden, match="CSRF"):
        auth.check_csrf(post, caller)
    good = conn({"cookie": f"{COOKIE}={login.cookie_value}", "x-csrf-token": login.csrf}, method="POST")
    auth.check_csrf(good, caller)
    cross = conn(
        {
            "cookie": f"{COOKIE}={login.cookie_value}",
            "x-csrf-token": login.csrf,
            "origin": "https://evil.example",
            "host": "hall.local",
        },
        method="POST",
    )
    with pytest.raises(Forbidden, match="cross-site"):
        auth.check_csrf(cross, caller)


def test_a_tampered_cookie_is_refused(auth: AuthService) -> None:
    auth.create_user("li", "correct horse", Role.CLERK, "t")
    login = auth.login("li", "correct horse", "10.0.0.5", bearer=False)
    with pytest.raises(Unauthorized):
        auth.resolve(conn({"cookie": f"{COOKIE}={login.cookie_value}x"}))
    # The raw secret is not a valid cookie either: the cookie must carry our signature.
    with pytest.raises(Unauthorized):
        auth.resolve(conn({"cookie": f"{COOKIE}={login.secret}"}))
    assert auth.resolve(conn()) is None  # no credential at all: a visitor


def test_bearer_login_skips_csrf_and_logout_ends_it(auth: AuthService) -> None:
    auth.create_user("boss", "correct horse", Role.MANAGER, "t")
    login = auth.login("boss", "correct horse", "10.0.0.5", bearer=True)
    headers = {"authorization": f"Bearer {login.secret}"}
    caller = auth.resolve(conn(headers, method="POST"))
    assert caller is not None and not caller.via_cookie
    auth.check_csrf(conn(headers, method="POST"), caller)
    auth.logout(conn(headers))
    with pytest.raises(Unauthorized):
        auth.resolve(conn(headers))


def test_sessions_expire(auth: AuthService, clock: FakeClock) -> None:
    auth.create_user("li", "correct horse", Role.CLERK, "t")
    login = auth.login("li", "correct horse", "10.0.0.5", bearer=True)
    clock.advance(13 * 3600)
    with pytest.raises(Unauthorized, match="expired"):
        auth.resolve(conn({"authorization": f"Bearer {login.secret}"}))


def test_wrong_passwords_slow_that_address_down_and_are_audited(auth: AuthService, clock: FakeClock) -> None:
    auth.create_user("li", "correct horse", Role.CLERK, "t")
    for _ in range(5):
        with pytest.raises(Unauthorized):
            auth.login("li", "wrong", "10.0.0.5", bearer=True)
    with pytest.raises(TooManyRequests, match="this address") as slowed:
        auth.login("li", "correct horse", "10.0.0.5", bearer=True)
    assert slowed.value.retry_after == pytest.approx(30)
    clock.advance(31)
    auth.login("li", "correct horse", "10.0.0.5", bearer=True)
    log = auth.accounts.audit_log(None, action="auth.login")
    assert [r.outcome for r in reversed(log)] == ["denied"] * 6 + ["ok"]
    assert [r.detail["reason"] for r in reversed(log) if r.outcome == "denied"] == ["bad_password"] * 5 + ["throttled"]
    assert all(r.hall == "t" for r in log)  # the hall's manager sees them


def test_unknown_user_gets_the_same_answer(auth: AuthService) -> None:
    with pytest.raises(Unauthorized, match="wrong username or password"):
        auth.login("nobody", "whatever1", "10.0.0.5", bearer=True)


def test_login_attempts_per_address_are_rate_limited(store: Store, clock: FakeClock) -> None:
    frozen = AuthService(
        store.accounts,
        AuthSettings(login_limit=Limit(3, 1), password_time_cost=1, password_memory_kib=1024),
        clock=clock,
        monotonic=lambda: 0.0,
    )
    for _ in range(3):
        with pytest.raises(Unauthorized):
            frozen.login("x", "whatever1", "10.0.0.9", bearer=True)
    with pytest.raises(TooManyRequests):
        frozen.login("x", "whatever1", "10.0.0.9", bearer=True)
    with pytest.raises(Unauthorized):  # another address is not affected
        frozen.login("x", "whatever1", "10.0.0.10", bearer=True)


def test_device_tokens_are_scoped_listed_and_revocable(auth: AuthService) -> None:
    token, secret = auth.create_device_token(DeviceKind.DISPLAY, "t", "大厅综合屏")
    assert secret.startswith("hqd_")
    caller = auth.resolve(conn({"authorization": f"Bearer {secret}"}))
    assert caller is not None
    assert caller.principal.device is DeviceKind.DISPLAY and caller.principal.can_read("t")
    assert not caller.principal.can_read("other") and not caller.principal.can_issue("t")
    ws = auth.resolve(conn(kind="websocket", query=f"access_token={secret}"))
    assert ws is not None and ws.principal.token_id == token.id
    assert [t.id for t in auth.accounts.device_tokens("t")] == [token.id]
    auth.revoke_device_token(token.id, "t")
    with pytest.raises(Unauthorized, match="revoked"):
        auth.resolve(conn({"authorization": f"Bearer {secret}"}))


def test_users_are_unique_and_scoped(auth: AuthService) -> None:
    auth.create_user("li", "correct horse", Role.CLERK, "t")
    with pytest.raises(Conflict):
        auth.create_user("li", "another one", Role.CLERK, "t")
    with pytest.raises(BadRequest, match="--hall"):
        auth.create_user("wang", "correct horse", Role.MANAGER, None)
    with pytest.raises(ValueError, match="at least 8"):
        auth.create_user("zhao", "short", Role.CLERK, "t")
    admin = auth.create_user("root", "correct horse", Role.ADMIN, "t")
    assert admin.hall is None and admin.principal().can_manage("any-hall")


def test_the_cookie_key_is_shared_by_every_process(store: Store, clock: FakeClock) -> None:
    a = AuthService(store.accounts, FAST, clock=clock)
    b = AuthService(store.accounts, FAST, clock=clock)
    a.create_user("li", "correct horse", Role.CLERK, "t")
    login = a.login("li", "correct horse", "10.0.0.5", bearer=False)
    assert b.resolve(conn({"cookie": f"{COOKIE}={login.cookie_value}"})) is not None


def test_rate_limiter_refills() -> None:
    limiter = RateLimiter(Limit(burst=2, per_minute=60))
    assert limiter.allow("k", 0.0)[0] and limiter.allow("k", 0.0)[0]
    allowed, retry = limiter.allow("k", 0.0)
    assert not allowed and retry == pytest.approx(1.0)
    assert limiter.allow("k", 1.0)[0]
    assert timedelta(seconds=retry) == timedelta(seconds=1)


def test_a_device_token_resolved_moments_ago_needs_no_database_read(store: Store, clock: FakeClock) -> None:
    now = [0.0]
    auth = AuthService(store.accounts, FAST, clock=clock, monotonic=lambda: now[0])
    token, secret = auth.create_device_token(DeviceKind.DISPLAY, "t")
    headers = {"authorization": f"Bearer {secret}"}
    assert auth.cached_device(conn(headers)) is None  # never seen: the database decides
    assert auth.resolve(conn(headers)) is not None
    hit = auth.cached_device(conn(headers))
    assert hit is not None and hit.principal.token_id == token.id
    now[0] = 11.0
    assert auth.cached_device(conn(headers)) is None  # stale: read again
    auth.resolve(conn(headers))
    auth.revoke_device_token(token.id, "t")
    assert auth.cached_device(conn(headers)) is None  # revoked here: forgotten at once
    with pytest.raises(Unauthorized):
        auth.resolve(conn(headers))


def test_expired_sessions_are_purged(auth: AuthService, store: Store, clock: FakeClock) -> None:
    auth.create_user("li", "correct horse", Role.CLERK, "t")
    old = auth.login("li", "correct horse", "10.0.0.5", bearer=True)
    clock.advance(13 * 3600)  # past the 12-hour session
    fresh = auth.login("li", "correct horse", "10.0.0.5", bearer=True)
    assert store.accounts.delete_expired_sessions(clock.now) == 1
    assert store.accounts.session(digest(old.secret), clock.now - timedelta(days=1)) is None  # gone for good
    assert store.accounts.session(digest(fresh.secret), clock.now) is not None
