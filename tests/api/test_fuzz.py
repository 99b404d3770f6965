"""Property-based API test: schemathesis generates requests from /openapi.json; none may 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queue_server.app import create_app
from queue_server.auth.service import AuthService
from queue_server.principal import Role
from queue_server.service import QueueService
from queue_server.storage import open_store
from tests.api.conftest import FAST, PASSWORD
from tests.conftest import FakeClock, small_config

HEADERS: dict[str, str] = {}


@pytest.fixture
def api_schema(tmp_path: Path) -> Iterator[schemathesis.schemas.BaseSchema]:
    store = open_store(f"sqlite:///{tmp_path / 'fuzz.db'}")
    config = small_config()
    store.sync_halls(config)
    clock = FakeClock()
    service = QueueService(store, config, clock=clock)
    auth = AuthService(store.accounts, FAST, clock=clock)
    auth.create_user("boss", PASSWORD, Role.MANAGER, "t")
    login = auth.login("boss", PASSWORD, "127.0.0.1", bearer=True)
    HEADERS["Authorization"] = f"Bearer {login.secret}"
    service.open_window("t", 1, "boss")
    service.issue("t", "A")
    app = create_app(service, auth=auth, scheduler=False)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    store.close()


def test_no_request_makes_the_server_fail(api_schema: schemathesis.schemas.BaseSchema) -> None:
    """Every operation, with generated parameters and bodies, anonymous and as a manager.

    (schemathesis's own pytest plugin does not load under pytest 9 yet, so the
    operations' Hypothesis strategies are driven directly.)"""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 25

    seen: set[int] = set()

    @given(case=st.one_of(*(op.as_strategy() for op in operations)))
    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def call(case: schemathesis.Case) -> None:
        for headers in ({}, HEADERS):
            response = case.call(headers=headers)
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
            seen.add(response.status_code)

    call()
    # The run reached both the handlers' success paths and their refusals.
    assert any(200 <= s < 300 for s in seen) and any(400 <= s < 500 for s in seen), seen
