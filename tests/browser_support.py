"""What the browser tests share: a real server process (``python run.py``) on 127.0.0.1, Debian's
Chromium through Playwright, pages that record every request's host and JS error and capture
speech synthesis, and screenshots into test-artifacts/.

The ``server`` and ``browser`` fixtures are module-scoped: a test module imports them
(``from tests.browser_support import browser, server``) and gets its own server and database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest

from queue_server.auth.service import AuthService
from queue_server.config import demo_config
from queue_server.principal import DeviceKind, Role
from queue_server.storage import open_store

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CLERK_PASSWORD = "counter one secret"
MANAGER_PASSWORD = "manager secret one"
FULL_HD = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}

NEEDS_CHROMIUM = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium fonts-wqy-microhei)",
)

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (pip install '.[test]')")

# Replaces speechSynthesis.speak before any page script runs: records what would be said,
# and ends each utterance at once so the queue moves on.
CAPTURE_SPEECH = """
window.__spoken = [];
if (window.speechSynthesis) {
  window.speechSynthesis.speak = (u) => {
    window.__spoken.push({ text: u.text, lang: u.lang });
    setTimeout(() => u.onend && u.onend(new Event("end")), 20);
  };
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(db: str, cwd: Path, *extra: str, port: int | None = None) -> Iterator[str]:
    """``python run.py`` on ``db``, 127.0.0.1 and ``port`` (default: a free one); yields the base URL
    once /healthz answers."""
    port = port or free_port()
    cmd = [sys.executable, str(ROOT / "run.py"), "--port", str(port), "--db", db, "--log-level", "warning", *extra]
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "the server did not start within 30 s"
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def agent_headers(server: Server) -> dict[str, str]:
    """A hardware agent token for the demo hall, made by the manager through the API."""
    r = httpx.post(
        f"{server.base}/api/auth/login", json={"username": "wangju", "password": MANAGER_PASSWORD, "token": True}
    )
    assert r.status_code == 200, r.text
    manager = {"Authorization": f"Bearer {r.json()['token']}"}
    r = httpx.post(f"{server.base}/api/halls/demo/tokens", headers=manager, json={"kind": "agent", "label": "agent"})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def report_device(server: Server, agent: dict[str, str], device: str, **body: Any) -> None:
    """What the agent says of ``device``'s health (PUT /api/halls/demo/devices/{device})."""
    r = httpx.put(f"{server.base}/api/halls/demo/devices/{device}", headers=agent, json=body)
    assert r.status_code == 200, r.text


def launch(pw: Any, *args: str) -> Any:
    """Debian's Chromium, headless, with nothing of its own going out to the network."""
    return pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *args])


@dataclass
class Server:
    base: str
    display_token: str
    kiosk_token: str
    hosts: list[str] = field(default_factory=list)

    def clerk_headers(self) -> dict[str, str]:
        r = httpx.post(
            f"{self.base}/api/auth/login", json={"username": "zhangwei", "password": CLERK_PASSWORD, "token": True}
        )
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo hall in a SQLite file, with the clerk zhangwei (张伟), the manager wangju (王局),
    a display token and a kiosk token, all created before the server starts."""
    tmp = tmp_path_factory.mktemp("browser")
    db = f"sqlite:///{tmp}/hallq.db"
    store = open_store(db)
    try:
        store.sync_halls(demo_config())
        auth = AuthService(store.accounts)
        auth.create_user("zhangwei", CLERK_PASSWORD, Role.CLERK, "demo", "张伟")
        auth.create_user("wangju", MANAGER_PASSWORD, Role.MANAGER, "demo", "王局")
        _, display = auth.create_device_token(DeviceKind.DISPLAY, "demo", "综合屏")
        _, kiosk = auth.create_device_token(DeviceKind.KIOSK, "demo", "取号机")
    finally:
        store.close()
    with serve(db, tmp) as base:
        yield Server(base, display, kiosk)


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = launch(pw, "--autoplay-policy=no-user-gesture-required")
        try:
            yield b
        finally:
            b.close()


def watch(page: Any, hosts: list[str]) -> list[str]:
    """Records every request's host in ``hosts`` and refuses anything not for 127.0.0.1 (so an
    outside fetch fails the test instead of hanging); returns the list the page's JS errors go to."""
    page.on("request", lambda req: hosts.append(urlsplit(req.url).hostname or req.url))
    page.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname == "127.0.0.1"
               else route.abort())  # fmt: skip
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def new_page(browser: Any, server: Server, viewport: dict[str, int], **kw: Any) -> Any:
    """A page in its own browser context (its own cookies), zh-CN, with speech captured;
    ``page.js_errors`` collects its JS errors and ``server.hosts`` its requests' hosts."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", **kw)
    context.add_init_script(CAPTURE_SPEECH)
    page = context.new_page()
    page.js_errors = watch(page, server.hosts)
    return page


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))
