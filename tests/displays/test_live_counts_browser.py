"""The phone page and a printer kiosk take what changes from their realtime channel instead of
asking the HTTP API again (a real Chromium against a real server process, a fresh demo hall):

- the phone asks GET /api/tickets/{id} once on load, and again only when its own ticket changes;
  the people ahead and the estimate follow the channel (ahead × seconds_per_person);
- a kiosk with a printer (and its token) follows the hall channel and takes the waiting counts
  from it: no GET /api/halls/{hall} while the channel is up.

Needs Debian's Chromium at /usr/bin/chromium; skips without it.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest

from tests.browser_support import FULL_HD, NEEDS_CHROMIUM, PHONE, new_page, sync_api
from tests.server_support import Server

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def issue(server: Server, service: str) -> dict[str, Any]:
    """A ticket from a kiosk (the phone's rate limit would stop a test taking several)."""
    kiosk = {"Authorization": f"Bearer {server.kiosk_token}"}
    r = httpx.post(f"{server.base}/api/halls/demo/tickets", json={"service": service}, headers=kiosk)
    assert r.status_code == 201, r.text
    return dict(r.json())


def requests_to(page: Any, path: str, method: str = "GET") -> list[str]:
    """The URLs of the page's ``method`` requests whose path is ``path`` (from now on)."""
    seen: list[str] = []
    page.on(
        "request", lambda req: seen.append(req.url) if req.method == method and urlsplit(req.url).path == path else None
    )
    return seen


def window_1(server: Server, action: str) -> None:
    r = httpx.post(f"{server.base}/api/halls/demo/windows/1/{action}", headers=server.clerk_headers())
    assert r.status_code == 200, (action, r.text)


def test_the_phone_follows_its_line_on_the_channel(browser: Any, server: Server) -> None:
    expect = sync_api.expect
    window_1(server, "open")  # an open window serves A: there is a time to show
    first, second, mine = issue(server, "A"), issue(server, "A"), issue(server, "A")
    token = parse_qs(urlsplit(mine["track_url"]).query)["token"][0]
    path = f"/api/tickets/{mine['id']}"
    status = httpx.get(f"{server.base}{path}", params={"token": token}).json()
    assert status["ahead"] == 2

    phone = new_page(browser, server, PHONE, is_mobile=True, has_touch=True)
    asked = requests_to(phone, path)
    phone.goto(server.base + mine["track_url"])
    expect(phone.locator("#ahead")).to_have_text("2")
    expect(phone.locator("#wait")).to_have_text(str(math.ceil(status["estimated_wait_s"] / 60)))
    phone.wait_for_function("window.hallqTicket.ticket !== null")  # the channel's snapshot is in
    assert len(asked) == 1  # once on load, not again for the snapshot

    # Someone ahead is called: one fewer ahead and a shorter estimate, from the channel alone.
    per_person = status.get("seconds_per_person")
    one_ahead = per_person if per_person is not None else status["estimated_wait_s"] / 2
    window_1(server, "call-next")
    expect(phone.locator("#ahead")).to_have_text("1")
    expect(phone.locator("#wait")).to_have_text(str(math.ceil(one_ahead / 60)))
    window_1(server, "no-show")
    window_1(server, "call-next")
    expect(phone.locator("#ahead")).to_have_text("0")
    expect(phone.locator("#wait")).to_have_text("0")
    assert len(asked) == 1
    assert phone.locator("#state").text_content() == "排队中"

    # Its own ticket is called: the page asks the status again.
    window_1(server, "no-show")
    window_1(server, "call-next")
    expect(phone.locator("#go")).to_have_text("请到 1 号窗口")
    phone.wait_for_function("window.hallqTicket.status && window.hallqTicket.status.state === 'called'")
    assert len(asked) == 2
    assert {first["number"], second["number"]} == {"A001", "A002"} and mine["number"] == "A003"
    assert phone.js_errors == []


def test_a_printer_kiosk_takes_the_waiting_counts_from_the_hall_channel(browser: Any, server: Server) -> None:
    expect = sync_api.expect
    kiosk = new_page(browser, server, FULL_HD)
    polled = requests_to(kiosk, "/api/halls/demo")
    kiosk.goto(f"{server.base}/kiosk/demo?token={server.kiosk_token}&printer=p1")
    kiosk.wait_for_function("window.hallqKiosk.live")
    cell = kiosk.locator('[data-waiting="B"]')
    before = int(cell.text_content() or "0")

    issue(server, "B")  # somewhere else in the hall
    expect(cell).to_have_text(str(before + 1))

    # A ticket taken at this kiosk: its count comes over the channel too.
    kiosk.locator('[data-service="B"]').click()
    kiosk.locator('[data-priority="normal"]').click()
    expect(kiosk.locator("#issued")).to_be_visible()
    expect(cell).to_have_text(str(before + 2))
    assert polled == []
    assert kiosk.js_errors == []
