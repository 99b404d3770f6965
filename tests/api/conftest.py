from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from queue_server.api.context import ApiContext, IssueLimits
from queue_server.app import create_app
from queue_server.auth.service import AuthService, AuthSettings
from queue_server.principal import Role
from queue_server.service import QueueService
from tests.conftest import FakeClock

PASSWORD = "correct horse battery"
# Cheap Argon2 for tests; the server uses the library defaults.
FAST = AuthSettings(password_time_cost=1, password_memory_kib=1024)


@pytest.fixture
def auth(service: QueueService, clock: FakeClock) -> AuthService:
    auth = AuthService(service.store.accounts, FAST, clock=clock)
    auth.create_user("li", PASSWORD, Role.CLERK, "t")
    auth.create_user("zhao", PASSWORD, Role.CLERK, "t")
    auth.create_user("boss", PASSWORD, Role.MANAGER, "t")
    auth.create_user("root", PASSWORD, Role.ADMIN, None)
    return auth


@pytest.fixture
def client(service: QueueService, auth: AuthService) -> Iterator[TestClient]:
    with TestClient(create_app(service, auth=auth, scheduler=False), base_url="http://hall.local") as c:
        yield c


def login(client: TestClient, username: str) -> dict[str, str]:
    """Bearer headers for ``username``."""
    r = client.post("/api/auth/login", json={"username": username, "password": PASSWORD, "token": True})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


__all__ = ["PASSWORD", "ApiContext", "IssueLimits", "login"]
