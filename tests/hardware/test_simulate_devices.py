"""``run.py --simulate-devices``: the demo hall on virtual devices, and the simulator page a
newcomer uses to press keys and watch the frames go out (a real server and Chromium)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from queue_server.auth.service import AuthService
from queue_server.config import demo_config
from queue_server.principal import Role
from queue_server.storage import open_store
from tests.browser_support import NEEDS_CHROMIUM, launch, shot, sync_api, watch
from tests.server_support import bearer, serve

pytestmark = pytest.mark.slow
PASSWORD = "simulated clerk secret"


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("simulated")
    db = f"sqlite:///{tmp}/hallq.db"
    store = open_store(db)
    try:
        store.sync_halls(demo_config())
        AuthService(store.accounts).create_user("zhangwei", PASSWORD, Role.CLERK, "demo", "张伟")
    finally:
        store.close()
    with serve(db, tmp, "--simulate-devices") as base:
        assert (tmp / "data" / "devices" / "demo-led").is_symlink()  # the virtual lines live under ./data
        yield base


def open_window_one(base: str) -> None:
    opened = httpx.post(f"{base}/api/halls/demo/windows/1/open", headers=bearer(base, "zhangwei", PASSWORD))
    assert opened.status_code in (200, 409), opened.text  # 409: already open (an earlier test)


def window_one(base: str) -> dict[str, object]:
    state = httpx.get(f"{base}/simulator/api/demo").json()
    return next(w for w in state["windows"] if w["number"] == 1)  # type: ignore[no-any-return]


def test_the_simulator_api_presses_a_pad_and_reads_the_screen(simulated: str) -> None:
    open_window_one(simulated)
    issued = httpx.post(f"{simulated}/api/halls/demo/tickets", json={"service": "A"}).json()
    assert httpx.post(f"{simulated}/simulator/api/demo/press", json={"window": 1, "key": "call"}).status_code == 200
    deadline = time.monotonic() + 5
    while issued["number"] not in "".join(window_one(simulated)["led"]):  # type: ignore[arg-type]
        assert time.monotonic() < deadline, window_one(simulated)
        time.sleep(0.05)
    state = httpx.get(f"{simulated}/simulator/api/demo").json()
    assert any(f["dir"] == "in" for f in state["lines"]["led"]["traffic"])  # the frames that went out
    bad = httpx.post(f"{simulated}/simulator/api/demo/press", json={"window": 1, "key": "explode"})
    assert bad.status_code == 400 and "call" in bad.json()["error"]["message"]
    deep = httpx.post(f"{simulated}/simulator/api/demo/press", content=b"[" * 1000 + b"]" * 1000)
    assert deep.status_code == 400 and deep.json()["error"]["code"] == "bad_request"
    # 6 + confirm: the visitor did not come; the window is free for the next test's call.
    httpx.post(f"{simulated}/simulator/api/demo/press", json={"window": 1, "key": "no-show"})
    while issued["number"] in "".join(window_one(simulated)["led"]):  # type: ignore[arg-type]
        assert time.monotonic() < deadline + 5, window_one(simulated)
        time.sleep(0.05)


@NEEDS_CHROMIUM
@pytest.mark.browser
def test_the_simulator_page_shows_the_call_made_with_its_button(simulated: str) -> None:
    open_window_one(simulated)
    issued = httpx.post(f"{simulated}/api/halls/demo/tickets", json={"service": "A"}).json()
    hosts: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
            errors = watch(page, hosts)
            page.goto(f"{simulated}/simulator/demo")
            page.locator("#window-1 button[data-key=call]").click()
            page.locator("#window-1 .led").filter(has_text=issued["number"]).wait_for(timeout=5000)
            page.locator("#hall-led").filter(has_text=f"{issued['number']} → 1号窗口").wait_for(timeout=5000)
            shot(page, "simulator.png")
            assert errors == []
        finally:
            browser.close()
    assert set(hosts) == {"127.0.0.1"}


def test_a_later_server_that_drives_nothing_does_not_show_the_simulated_devices(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/hallq.db"
    store = open_store(db)
    try:
        store.sync_halls(demo_config())
        AuthService(store.accounts).create_user("zhangwei", PASSWORD, Role.CLERK, "demo", "张伟")
    finally:
        store.close()

    def devices(base: str) -> dict[str, str]:
        found = httpx.get(f"{base}/api/halls/demo/devices", headers=bearer(base, "zhangwei", PASSWORD))
        return {d["id"]: d["state"] for d in found.json()["devices"]}

    with serve(db, tmp_path, "--simulate-devices") as base:
        deadline = time.monotonic() + 10
        while devices(base).get("led-1") != "online":
            assert time.monotonic() < deadline, devices(base)
            time.sleep(0.1)
    # The demo hall file declares no devices: a server without --simulate-devices lists none.
    with serve(db, tmp_path) as base:
        assert devices(base) == {}
