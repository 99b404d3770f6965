from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from starlette.testclient import TestClient

from queue_server.api.context import ApiContext
from queue_server.app import create_app
from queue_server.auth.service import AuthService, AuthSettings
from queue_server.plugins import Plugin
from queue_server.principal import Role
from queue_server.service import QueueService
from tests.conftest import FakeClock

PASSWORD = "correct horse battery"
# Cheap Argon2 for tests; the server uses the library defaults.
FAST = AuthSettings(password_time_cost=1, password_memory_kib=1024)
# The accounts a test may ask ``make_auth`` for (all with PASSWORD): role and hall.
USERS: dict[str, tuple[Role, str | None]] = {
    "li": (Role.CLERK, "t"),
    "zhao": (Role.CLERK, "t"),
    "boss": (Role.MANAGER, "t"),
    "root": (Role.ADMIN, None),
}


def make_auth(service: QueueService, clock: FakeClock, *users: str) -> AuthService:
    """An AuthService on ``service``'s store with cheap hashing and the fake clock, and ``users``
    (names from USERS) created with PASSWORD."""
    auth = AuthService(service.store.accounts, FAST, clock=clock)
    for name in users:
        role, hall = USERS[name]
        auth.create_user(name, PASSWORD, role, hall)
    return auth


@contextmanager
def room_client(
    service: QueueService, auth: AuthService, *rooms: Callable[[QueueService, ApiContext], Plugin]
) -> Iterator[TestClient]:
    """A test client of ``create_app`` with the HTTP API and the plug-ins of ``rooms`` (each
    ``room.plugin``, given the service and the API context), no scheduler."""
    api = ApiContext(service, auth)
    app = create_app(service, [room(service, api) for room in rooms], api=api, scheduler=False)
    with TestClient(app, base_url="http://hall.local") as c:
        yield c


@pytest.fixture
def auth(service: QueueService, clock: FakeClock) -> AuthService:
    return make_auth(service, clock, "li", "zhao", "boss", "root")


@pytest.fixture
def client(service: QueueService, auth: AuthService) -> Iterator[TestClient]:
    with room_client(service, auth) as c:
        yield c


def login(client: TestClient, username: str) -> dict[str, str]:
    """Bearer headers for ``username``."""
    r = client.post("/api/auth/login", json={"username": username, "password": PASSWORD, "token": True})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}
