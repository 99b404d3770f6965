"""Failed sign-ins slow down one address for one account, never the account for everyone; a
manager clears the throttle. On both backends, with the fake clock."""

from __future__ import annotations

import pytest

from queue_server.auth.ratelimit import Limit, LoginBackoff
from queue_server.auth.service import AuthService, AuthSettings
from queue_server.errors import NotFound, TooManyRequests, Unauthorized
from queue_server.principal import Role
from queue_server.storage import Store
from tests.conftest import FakeClock

PASSWORD = "correct horse"
CLERK_PC = "10.0.0.21"  # the clerk's own window PC
VISITOR = "10.0.7.99"  # a phone on the hall's Wi-Fi
# Cheap Argon2, and a per-address limit high enough not to get in the way unless a test wants it.
SETTINGS = AuthSettings(password_time_cost=1, password_memory_kib=1024, login_limit=Limit(burst=1000, per_minute=600))


@pytest.fixture
def auth(store: Store, clock: FakeClock) -> AuthService:
    service = AuthService(store.accounts, SETTINGS, clock=clock)
    service.create_user("li", PASSWORD, Role.CLERK, "t")
    service.create_user("zhao", PASSWORD, Role.CLERK, "t")
    service.create_user("wu", PASSWORD, Role.CLERK, "u")
    return service


def fail(auth: AuthService, ip: str, username: str = "li") -> None:
    with pytest.raises(Unauthorized):
        auth.login(username, "a wrong guess", ip, bearer=True)


def slowed_for(auth: AuthService, ip: str, username: str = "li", password: str = PASSWORD) -> float:
    """The wait the server asks of ``ip`` for ``username`` (it refuses even the right password)."""
    with pytest.raises(TooManyRequests) as refused:
        auth.login(username, password, ip, bearer=True)
    return refused.value.retry_after


def test_the_delay_grows_from_30_seconds_to_5_minutes() -> None:
    backoff = LoginBackoff()
    assert [backoff.delay(n) for n in range(1, 12)] == [0, 0, 0, 0, 30, 60, 120, 240, 300, 300, 300]
    assert backoff.delay(10**6) == 300  # no overflow for a patient attacker
    with pytest.raises(ValueError):
        LoginBackoff(free=0)


def test_a_stranger_failing_cannot_keep_the_clerk_out(auth: AuthService, clock: FakeClock) -> None:
    for _ in range(5):
        fail(auth, VISITOR)
    assert slowed_for(auth, VISITOR) == pytest.approx(30)
    # The clerk at their own PC: a typo costs nothing extra, the right password signs in.
    fail(auth, CLERK_PC)
    assert auth.login("li", PASSWORD, CLERK_PC, bearer=True).principal.name == "li"
    # However long the stranger keeps at it, the clerk is never locked out.
    for _ in range(20):
        clock.advance(301)
        fail(auth, VISITOR)
    assert auth.login("li", PASSWORD, CLERK_PC, bearer=True).principal.name == "li"
    # Other accounts are not slowed for the stranger either (only the per-address limit applies).
    fail(auth, VISITOR, "zhao")


def test_each_failure_after_five_doubles_the_wait(auth: AuthService, clock: FakeClock) -> None:
    for _ in range(5):
        fail(auth, VISITOR)
    waits = []
    for _ in range(6):
        wait = slowed_for(auth, VISITOR)
        waits.append(round(wait))
        clock.advance(wait - 1)
        assert slowed_for(auth, VISITOR) == pytest.approx(1)  # not a second early
        clock.advance(1)
        fail(auth, VISITOR)  # one try, then wait longer
    assert waits == [30, 60, 120, 240, 300, 300]


def test_unknown_names_are_slowed_the_same_way(auth: AuthService) -> None:
    """So the answers do not tell which accounts exist."""
    for name in ("nobody", "li"):
        for _ in range(5):
            fail(auth, VISITOR, name)
    waits = {name: slowed_for(auth, VISITOR, name, "a wrong guess") for name in ("nobody", "li")}
    assert waits == pytest.approx({"nobody": 30, "li": 30})
    fail(auth, VISITOR, "zhao")  # each name has its own count


def test_a_success_from_that_address_clears_its_count(auth: AuthService, clock: FakeClock) -> None:
    for _ in range(4):
        fail(auth, CLERK_PC)
    auth.login("li", PASSWORD, CLERK_PC, bearer=True)
    for _ in range(4):
        fail(auth, CLERK_PC)  # four more typos: still no wait, the count started again
    assert auth.login("li", PASSWORD, CLERK_PC, bearer=True).principal.name == "li"
    assert auth.accounts.login_throttle("li", CLERK_PC) is None


def test_a_day_without_failures_forgets_them(auth: AuthService, clock: FakeClock) -> None:
    for _ in range(9):
        clock.advance(301)
        fail(auth, CLERK_PC)
    assert slowed_for(auth, CLERK_PC) == pytest.approx(300)
    clock.advance(24 * 3600 + 1)
    fail(auth, CLERK_PC)  # the count starts again at one: no wait after it
    throttle = auth.accounts.login_throttle("li", CLERK_PC)
    assert throttle is not None and throttle.failures == 1
    assert auth.login("li", PASSWORD, CLERK_PC, bearer=True).principal.name == "li"


def test_one_address_trying_many_accounts_is_limited(store: Store, clock: FakeClock) -> None:
    auth = AuthService(
        store.accounts,
        AuthSettings(password_time_cost=1, password_memory_kib=1024, login_limit=Limit(burst=4, per_minute=2)),
        clock=clock,
    )
    for name in ("a", "b", "c", "d"):
        fail(auth, VISITOR, name)
    with pytest.raises(TooManyRequests, match="too many login attempts"):
        auth.login("e", "a wrong guess", VISITOR, bearer=True)
    fail(auth, CLERK_PC, "e")  # another address is not affected
    clock.advance(30)  # one attempt a minute is given back every 30 s
    fail(auth, VISITOR, "e")


def test_a_manager_unlock_clears_every_address(auth: AuthService) -> None:
    for ip in (VISITOR, CLERK_PC):
        for _ in range(5):
            fail(auth, ip)
    assert slowed_for(auth, CLERK_PC) > 0
    assert auth.unlock("li", "t") == 2
    assert auth.login("li", PASSWORD, CLERK_PC, bearer=True).principal.name == "li"
    fail(auth, VISITOR)  # the stranger starts from zero again too (and is slowed again after five)
    with pytest.raises(NotFound):
        auth.unlock("wu", "t")  # an account of another hall
    with pytest.raises(NotFound):
        auth.unlock("nobody", "t")
    assert auth.unlock("wu", None) == 0  # the command line (hall None) reaches every account
