from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

import displays
from queue_server.auth.service import AuthService
from queue_server.service import QueueService
from tests.api.conftest import make_auth, room_client

# The real server process and the Chromium of this room's browser test (shared with the other rooms).
from tests.browser_support import browser, server  # noqa: F401
from tests.conftest import FakeClock


@pytest.fixture
def auth(service: QueueService, clock: FakeClock) -> AuthService:
    return make_auth(service, clock)


@pytest.fixture
def client(service: QueueService, auth: AuthService) -> Iterator[TestClient]:
    with room_client(service, auth, displays.plugin) as c:
        yield c
