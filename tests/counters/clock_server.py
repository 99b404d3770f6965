"""The demo hall served in this test process on a clock the test moves by hand: a real uvicorn
server (HTTP and WebSockets, the API, the screens and the console) whose service clock is a
``FakeClock``, for browser tests of what happens at given times of day (the lunch handover).

The accounts: the clerk zhangwei (张伟, on the demo hall's staff), the clerk zhaolin (an account
without a staff record) and the manager wangju (王局). No scheduler runs: what moves a window
at a time of day is the test (or the clerk), never a job racing it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from time import monotonic, sleep
from zoneinfo import ZoneInfo

import uvicorn

import counters
import displays
from queue_server.api.context import ApiContext
from queue_server.app import create_app
from queue_server.auth.service import AuthService
from queue_server.config import demo_config
from queue_server.principal import DeviceKind, Role
from queue_server.realtime import UVICORN_WS, Hub, bus_for, realtime_plugin
from queue_server.service import QueueService
from queue_server.storage import open_store
from tests.api.conftest import FAST
from tests.conftest import FakeClock
from tests.server_support import CLERK_PASSWORD, MANAGER_PASSWORD, bearer

# A Monday, fixed: the test never depends on the day it runs (nor on the clock's shift in CI).
MONDAY = date(2026, 11, 23)
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime.combine(MONDAY, time(8, 0), tzinfo=SHANGHAI).astimezone(UTC)


@dataclass
class ClockServer:
    base: str
    clock: FakeClock
    service: QueueService
    display_token: str
    kiosk_token: str

    def manager_headers(self) -> dict[str, str]:
        return bearer(self.base, "wangju", MANAGER_PASSWORD)

    def clerk_headers(self) -> dict[str, str]:
        return bearer(self.base, "zhangwei", CLERK_PASSWORD)

    def set_time(self, hhmm: str, day: date = MONDAY) -> None:
        """The service's clock to ``hhmm`` (Shanghai) on ``day``."""
        self.clock.now = datetime.combine(day, time.fromisoformat(hhmm), tzinfo=SHANGHAI).astimezone(UTC)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def clock_server(tmp: Path) -> Iterator[ClockServer]:
    db = f"sqlite:///{tmp}/hallq.db"
    config = demo_config()
    store = open_store(db)
    store.sync_halls(config)
    clock = FakeClock(START)
    service = QueueService(store, config, clock=clock)
    auth = AuthService(store.accounts, FAST, clock=clock)
    auth.create_user("zhangwei", CLERK_PASSWORD, Role.CLERK, "demo", "张伟")
    auth.create_user("zhaolin", CLERK_PASSWORD, Role.CLERK, "demo", "赵林")
    auth.create_user("wangju", MANAGER_PASSWORD, Role.MANAGER, "demo", "王局")
    _, display = auth.create_device_token(DeviceKind.DISPLAY, "demo", "综合屏")
    _, kiosk = auth.create_device_token(DeviceKind.KIOSK, "demo", "取号机")
    api = ApiContext(service, auth)
    hub = Hub(service, bus_for(db))
    plugins = [realtime_plugin(hub, api.authenticate), displays.plugin(service, api), counters.plugin(service, api)]
    app = create_app(service, plugins, api=api, scheduler=False)
    port = _port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **UVICORN_WS))
    thread = threading.Thread(target=server.run, name="clock-server", daemon=True)
    thread.start()
    try:
        deadline = monotonic() + 30
        while not server.started:
            assert thread.is_alive() and monotonic() < deadline, "the server did not start"
            sleep(0.05)
        yield ClockServer(f"http://127.0.0.1:{port}", clock, service, display, kiosk)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        store.close()
