"""There is one clock: the app is built with it and nothing else reads the time of day."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from queue_server.api.context import ApiContext
from queue_server.app import create_app
from queue_server.auth.service import AuthService
from queue_server.clock import SYSTEM_CLOCK, monotonic_of
from queue_server.principal import Role
from queue_server.scheduler import purge_sessions
from queue_server.service import QueueService
from tests.api.conftest import FAST, PASSWORD
from tests.conftest import FakeClock

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ["queue_server", "displays", "counters", "hardware", "reports", "run.py"]
# Calls that read the wall clock or today's date. Monotonic timers (timeouts, pacing) are fine.
WALL_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"), ("time", "time")}


def wall_clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
            if (name, node.func.attr) in WALL_CLOCK:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}.{node.func.attr}()")
    return found


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    files = [p for top in PRODUCT for p in ([ROOT / top] if top.endswith(".py") else (ROOT / top).rglob("*.py"))]
    offenders = [hit for f in files if f.name != "clock.py" for hit in wall_clock_reads(f)]
    assert files and offenders == []


@pytest.mark.parametrize("year", [2020, 2026, 2031])
def test_a_session_cookie_lives_its_hours_whatever_the_date(service: QueueService, clock: FakeClock, year: int) -> None:
    # The cookie's Max-Age is counted on the app's clock: a clock far from the machine's date
    # (a test's, or a machine whose date is wrong) still gives a positive, exact lifetime.
    clock.now = clock.now.replace(year=year)
    auth = AuthService(service.store.accounts, FAST, clock=clock)
    auth.create_user("li", PASSWORD, Role.CLERK, "t")
    app = create_app(service, api=ApiContext(service, auth), scheduler=False)
    with TestClient(app, base_url="http://hall.local") as client:
        r = client.post("/api/auth/login", json={"username": "li", "password": PASSWORD})
        assert r.status_code == 200
        assert f"Max-Age={int(auth.settings.session_hours * 3600)}" in r.headers["set-cookie"]
        assert client.get("/api/auth/me").json()["name"] == "li"
        clock.advance(auth.settings.session_hours * 3600 + 1)
        assert client.get("/api/auth/me").status_code == 401  # expired on the same clock


def test_rate_limits_and_the_token_cache_follow_the_app_clock(service: QueueService, clock: FakeClock) -> None:
    auth = AuthService(service.store.accounts, FAST, clock=clock)
    api = ApiContext(service, auth)
    assert auth.monotonic() == api.monotonic() == clock.now.timestamp()
    clock.advance(90)
    assert api.monotonic() == clock.now.timestamp()
    assert monotonic_of(SYSTEM_CLOCK) is SYSTEM_CLOCK.monotonic


def test_the_session_purge_asks_the_app_clock(service: QueueService, clock: FakeClock) -> None:
    auth = AuthService(service.store.accounts, FAST, clock=clock)
    auth.create_user("li", PASSWORD, Role.CLERK, "t")
    auth.login("li", PASSWORD, "127.0.0.1", bearer=True)
    assert purge_sessions(service) == 0  # still valid on the app's clock
    clock.advance(auth.settings.session_hours * 3600 + 1)
    assert purge_sessions(service) == 1
