from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

import reports
from queue_server.api.context import ApiContext
from queue_server.app import create_app
from queue_server.auth.service import AuthService
from queue_server.principal import Role
from queue_server.service import QueueService
from tests.api.conftest import FAST, PASSWORD

# The real server process and the Chromium of a browser test module (test_devices_browser.py).
from tests.browser_support import browser, server  # noqa: F401
from tests.conftest import FakeClock


@pytest.fixture
def auth(service: QueueService, clock: FakeClock) -> AuthService:
    auth = AuthService(service.store.accounts, FAST, clock=clock)
    auth.create_user("li", PASSWORD, Role.CLERK, "t")
    auth.create_user("boss", PASSWORD, Role.MANAGER, "t")
    return auth


@pytest.fixture
def client(service: QueueService, auth: AuthService) -> Iterator[TestClient]:
    api = ApiContext(service, auth)
    app = create_app(service, [reports.plugin(service, api)], api=api, scheduler=False)
    with TestClient(app, base_url="http://hall.local") as c:
        yield c
