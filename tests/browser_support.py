"""What the browser tests share: a real server process (``python run.py``, from
tests/server_support.py) on 127.0.0.1, Debian's Chromium through Playwright, pages that record
every request's host and JS error and capture speech synthesis, and screenshots into test-artifacts/.

The ``server`` and ``browser`` fixtures are module-scoped: a test module imports them
(``from tests.browser_support import browser, server``) and gets its own server and database.

This module imports without Playwright (other tests import it through the room conftests):
``sync_api`` is then None and every test marked ``NEEDS_CHROMIUM`` skips.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from queue_server.auth.service import AuthService
from queue_server.config import demo_config
from queue_server.principal import DeviceKind, Role
from queue_server.storage import open_store
from tests.server_support import CLERK_PASSWORD, MANAGER_PASSWORD, ROOT, Server, serve

sync_api: Any
try:
    from playwright import sync_api
except ImportError:
    sync_api = None

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts"
FULL_HD = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
# The sign-in forms' submit buttons: the manager dashboard's, the clerk console's.
DASHBOARD_LOGIN = "#login-button"
COUNTER_LOGIN = "#login-form button[type=submit]"

NEEDS_CHROMIUM = pytest.mark.skipif(
    sync_api is None or not os.path.exists(CHROMIUM),
    reason="browser tests need playwright (pip install '.[test]')"
    if sync_api is None
    else f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium fonts-wqy-microhei)",
)

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


def launch(pw: Any, *args: str) -> Any:
    """Debian's Chromium, headless, with nothing of its own going out to the network."""
    return pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *args])


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
    """A screenshot of ``page`` as test-artifacts/``name``."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def sign_in(page: Any, user: str, password: str, button: str = DASHBOARD_LOGIN) -> None:
    """Fill the page's sign-in form (#username, #password) and submit it with ``button``
    (the dashboard's by default)."""
    page.fill("#username", user)
    page.fill("#password", password)
    page.click(button)
