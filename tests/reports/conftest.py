from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

import reports
from queue_server.auth.service import AuthService
from queue_server.service import QueueService
from tests.api.conftest import make_auth, room_client

# The real server process and the Chromium of a browser test module (test_devices_browser.py).
from tests.browser_support import browser, server  # noqa: F401
from tests.conftest import FakeClock


@pytest.fixture
def auth(service: QueueService, clock: FakeClock) -> AuthService:
    return make_auth(service, clock, "li", "boss")


@pytest.fixture
def client(service: QueueService, auth: AuthService) -> Iterator[TestClient]:
    with room_client(service, auth, reports.plugin) as c:
        yield c
