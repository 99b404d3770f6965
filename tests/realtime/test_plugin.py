"""The realtime plug-in inside create_app: routes, listener and lifespan wired together."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from queue_server.app import create_app
from queue_server.realtime import Hub, LocalBus, bus_for, realtime_plugin
from queue_server.realtime.postgres import PostgresBus
from queue_server.service import QueueService
from queue_server.storage import open_store
from tests.conftest import FakeClock, small_config
from tests.realtime._server import authenticate
from tests.realtime.conftest import HALL, copy_sqlite


def test_the_hub_runs_with_the_app_and_hears_its_commands(sqlite_template: Path, tmp_path: Path) -> None:
    store = open_store(copy_sqlite(sqlite_template, tmp_path / "hallq.db"), migrate=False)
    try:
        service = QueueService(store, small_config(), clock=FakeClock())
        hub = Hub(service, bus_for(store.url))
        assert isinstance(hub.bus, LocalBus)
        app = create_app(service, [realtime_plugin(hub, authenticate)], scheduler=False)
        with TestClient(app) as client:
            with client.websocket_connect(f"/ws/halls/{HALL}", headers={"Authorization": "Bearer test-token"}) as ws:
                snap = ws.receive_json()
                assert (snap["type"], snap["seq"]) == ("snapshot", 0)
                service.open_window(HALL, 1, "clerk1")  # this thread: handed to the app's loop
                message = ws.receive_json()
                assert (message["seq"], message["event"]["kind"]) == (1, "window.open")
                assert message["windows"][0]["state"] == "open"
            assert hub.started
        assert not hub.started  # the lifespan stopped it
    finally:
        store.close()


def test_a_postgres_url_gets_the_listening_bus() -> None:
    assert isinstance(bus_for("postgresql://u@h/db"), PostgresBus)
    assert isinstance(bus_for("sqlite:///x.db"), LocalBus)
