"""The hall display loses its connection, misses calls, comes back: it resumes where it was
(``?since=SEQ``), shows every call it missed, and announces those still waiting for their visitor
(called within the last 2 minutes by the server's clock, the ticket still called at that window),
once each, in order. A real server process and Chromium (tests/browser_support.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest

from tests.browser_support import (  # noqa: F401  (this module's fixtures)
    FULL_HD,
    NEEDS_CHROMIUM,
    browser,
    new_page,
    server,
    sync_api,
)
from tests.server_support import MANAGER_PASSWORD, Server, bearer

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def say(number: str, window: int) -> str:
    return f"请{number}号到{window}号窗口办理"


class Hall:
    """The demo hall driven through its API: a kiosk issues, the manager runs the windows."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.manager = bearer(base, "wangju", MANAGER_PASSWORD)

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        r = httpx.post(f"{self.base}/api/halls/demo{path}", headers=self.manager, json=body)
        assert r.status_code in (200, 201), r.text
        answer: dict[str, Any] = r.json()
        return answer

    def issue(self) -> str:
        number: str = self.post("/tickets", {"service": "A"})["number"]
        return number

    def call(self, window: int) -> str:
        number: str = self.post(f"/windows/{window}/call-next")["ticket"]["number"]
        return number

    def serve(self, window: int) -> None:
        self.post(f"/windows/{window}/start")
        self.post(f"/windows/{window}/finish")


class Link:
    """The display's WebSocket, passed through the test: ``cut()`` drops it and refuses new ones
    until ``restore()``; ``shift`` moves the server's clock in the ``resumed`` message (as if the
    display had come back that much later)."""

    def __init__(self) -> None:
        self.up = True
        self.shift = timedelta(0)
        self.open: list[Any] = []
        self.urls: list[str] = []

    def route(self, ws: Any) -> None:
        self.urls.append(ws.url)
        if not self.up:
            ws.close(code=1001, reason="offline")
            return
        upstream = ws.connect_to_server()
        upstream.on_message(lambda message: ws.send(self.from_server(message)))
        ws.on_message(lambda message: upstream.send(message))
        self.open.append((ws, upstream))

    def from_server(self, message: str | bytes) -> str | bytes:
        if self.shift and isinstance(message, str) and message.startswith('{"type":"resumed"'):
            head = json.loads(message)
            head["now"] = (datetime.fromisoformat(head["now"]) + self.shift).isoformat()
            return json.dumps(head, ensure_ascii=False)
        return message

    def cut(self) -> None:
        self.up = False
        for page_side, server_side in self.open:
            server_side.close()
            page_side.close(code=1001, reason="offline")
        self.open.clear()

    def restore(self) -> None:
        self.up = True


def wait(page: Any, predicate: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        page.wait_for_timeout(100)


def test_a_display_back_online_announces_the_calls_it_missed_that_still_wait(browser: Any, server: Server) -> None:  # noqa: F811
    expect = sync_api.expect
    hall = Hall(server.base)
    hall.post("/windows/1/open", {"staff": "zhangwei"})
    hall.post("/windows/2/open", {"staff": "wangfang"})
    link = Link()
    display = new_page(browser, server, FULL_HD)
    display.route_web_socket("**/ws/halls/demo*", link.route)
    display.goto(f"{server.base}/display/demo?token={server.display_token}")

    def spoken() -> list[str]:
        return list(display.evaluate("window.hallqVoice.history"))

    # Online: a call is shown and announced at once.
    first = hall.issue()
    hall.call(1)
    expect(display.locator("#latest .number")).to_have_text(first)
    wait(display, lambda: spoken() == [say(first, 1)], "the live call was not announced")
    hall.serve(1)

    # Offline: three calls, the first already served when the display comes back.
    link.cut()
    expect(display.locator("#offline")).to_be_visible()
    a, b, c = hall.issue(), hall.issue(), hall.issue()
    assert hall.call(1) == a
    hall.serve(1)
    assert hall.call(1) == b  # still called at window 1
    assert hall.call(2) == c  # still called at window 2
    link.restore()

    # Back: every missed call shown, the two still waiting announced once each, in order.
    expect(display.locator("#offline")).to_be_hidden(timeout=20000)
    expect(display.locator("#latest .number")).to_have_text(c)
    expect(display.locator("#recent li .number")).to_have_text([b, a, first])
    wait(display, lambda: len(spoken()) >= 3, "the missed calls were not announced")
    display.wait_for_timeout(500)
    assert spoken() == [say(first, 1), say(b, 1), say(c, 2)]
    assert "since=" in link.urls[-1]  # it said where it was
    expect(display.locator('#windows [data-window="1"] .win-current')).to_have_text(b)
    expect(display.locator('#windows [data-window="2"] .win-current')).to_have_text(c)

    # Away longer than the calls are worth announcing (the server's clock says 3 minutes later):
    # shown, not spoken.
    link.cut()
    hall.serve(1)
    hall.serve(2)
    d = hall.issue()
    assert hall.call(1) == d
    link.shift = timedelta(minutes=3)
    link.restore()
    expect(display.locator("#latest .number")).to_have_text(d, timeout=20000)
    display.wait_for_timeout(1000)
    assert spoken() == [say(first, 1), say(b, 1), say(c, 2)]

    # Live again: announced as ever.
    link.shift = timedelta(0)
    e = hall.issue()
    hall.serve(1)
    assert hall.call(1) == e
    wait(display, lambda: spoken()[-1:] == [say(e, 1)], "the live call after the resume was not announced")
    assert display.js_errors == []
