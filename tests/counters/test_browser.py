"""The clerk console in a real Chromium against a real server process (``python run.py``):
sign in, open window 1, see a new ticket in the queue, call it with F1, start, finish,
pause with a reason, resume — all from the keyboard.

Reuses the real-server fixtures of tests/browser_support.py (a clerk, zhangwei, is created with
AuthService before the server starts). Needs /usr/bin/chromium; skips without it.
"""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import pytest

from tests.browser_support import COUNTER_LOGIN, FULL_HD, NEEDS_CHROMIUM, new_page, shots, sign_in, sync_api
from tests.server_support import CLERK_PASSWORD, Server

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def issue(server: Server, service: str) -> dict[str, Any]:
    # As the kiosk (a phone's address may take only a few tickets).
    headers = {"Authorization": f"Bearer {server.kiosk_token}"}
    r = httpx.post(f"{server.base}/api/halls/demo/tickets", json={"service": service}, headers=headers)
    assert r.status_code == 201, r.text
    ticket: dict[str, Any] = r.json()
    return ticket


def test_a_clerk_works_window_1_from_the_keyboard(browser: Any, server: Server) -> None:
    expect = sync_api.expect
    page = new_page(browser, server, FULL_HD)
    page.goto(f"{server.base}/counter")

    # A wrong password: the API's message in the banner.
    sign_in(page, "zhangwei", "wrong", COUNTER_LOGIN)
    expect(page.locator("#error")).to_be_visible()
    assert "出错了" in page.locator("#error-text").inner_text()

    sign_in(page, "zhangwei", CLERK_PASSWORD, COUNTER_LOGIN)
    expect(page.locator("#error")).to_be_hidden()
    expect(page.locator("#who")).to_have_text("zhangwei")
    page.locator('#windows [data-window="1"]').click()
    expect(page.locator("#console")).to_be_visible()
    expect(page.locator("#window-name")).to_have_text("1 号窗口")
    expect(page.locator("#win-state")).to_have_text("服务中")

    # Tickets issued through the API show up in the waiting count and list.
    before = int(page.locator("#waiting-total").inner_text())
    first = issue(server, "A")
    expect(page.locator("#waiting-total")).to_have_text(str(before + 1))
    second = issue(server, "B")
    expect(page.locator("#waiting-total")).to_have_text(str(before + 2))
    expect(page.locator(f'#waiting-list [data-ticket="{second["id"]}"]')).to_be_visible()

    page.keyboard.press("F1")  # call next
    expect(page.locator("#current-number")).to_have_text(first["number"])
    expect(page.locator("#current-state")).to_have_text("已叫号")
    page.keyboard.press("s")  # start
    expect(page.locator("#current-state")).to_have_text("办理中")
    expect(page.locator("#current-service")).not_to_be_empty()
    expect(page.locator(f'#waiting-list [data-ticket="{first["id"]}"]')).to_have_count(0)
    shots(page, "counter")

    page.keyboard.press("f")  # finish
    expect(page.locator("#current-number")).to_have_text("—")
    expect(page.locator("#served")).to_have_text("1")

    # Hold the next one (the reason is optional), then call it back from the held list.
    page.keyboard.press("F1")
    expect(page.locator("#current-number")).to_have_text(second["number"])
    page.keyboard.press("h")
    expect(page.locator("#modal")).to_be_visible()
    page.keyboard.type("回去取材料")
    page.keyboard.press("Enter")
    expect(page.locator("#current-number")).to_have_text("—")
    held = page.locator(f'#held-list [data-ticket="{second["id"]}"]')
    expect(held).to_be_visible()
    held.locator("button").click()
    expect(page.locator("#current-number")).to_have_text(second["number"])
    expect(held).to_have_count(0)
    page.keyboard.press("s")
    expect(page.locator("#current-state")).to_have_text("办理中")
    page.keyboard.press("f")
    expect(page.locator("#served")).to_have_text("2")

    page.keyboard.press("p")  # pause: asks for the reason
    expect(page.locator("#modal")).to_be_visible()
    page.keyboard.type("午休")
    page.keyboard.press("Enter")
    expect(page.locator("#win-state")).to_have_text("暂停服务 · 午休")
    r = httpx.get(f"{server.base}/api/halls/demo/snapshot", headers=server.clerk_headers())
    w1 = next(w for w in r.json()["windows"] if w["number"] == 1)
    assert (w1["state"], w1["pause_reason"]) == ("paused", "午休")

    page.keyboard.press("p")  # resume
    expect(page.locator("#win-state")).to_have_text("服务中")

    assert set(server.hosts) == {"127.0.0.1"}, server.hosts
    assert page.js_errors == []


def test_in_english_call_a_ticket_with_a_reason_transfer_it_and_close(browser: Any, server: Server) -> None:
    expect = sync_api.expect
    page = new_page(browser, server, FULL_HD)
    page.on("dialog", lambda dialog: dialog.accept())  # "Close the window?"
    page.goto(f"{server.base}/counter?lang=en")
    page.fill("#username", "zhangwei")
    page.fill("#password", CLERK_PASSWORD)
    page.keyboard.press("Enter")
    # Window 1 is still open in this clerk's name: straight back to it.
    expect(page.locator("#window-name")).to_have_text("Window 1")
    expect(page.locator("#win-state")).to_have_text("Open")

    first = issue(server, "A")
    other = issue(server, "B")
    expect(page.locator(f'#waiting-list [data-ticket="{other["id"]}"]')).to_be_visible()
    expect(page.locator(f'#waiting-list [data-ticket="{first["id"]}"]')).to_be_visible()

    page.keyboard.press("g")  # call a specific ticket: the reason is required
    page.select_option("#modal-fields select[name=ticket]", str(other["id"]))
    page.fill("#modal-fields input[name=reason]", "elderly visitor")
    page.click("#modal-form button[type=submit]")
    expect(page.locator("#current-number")).to_have_text(other["number"])
    expect(page.locator("#current-state")).to_have_text("Called")

    page.keyboard.press("t")  # transfer to window 2
    page.select_option("#modal-fields select[name=window]", "2")
    page.fill("#modal-fields input[name=reason]", "needs window 2")
    page.click("#modal-form button[type=submit]")
    expect(page.locator("#current-number")).to_have_text("—")
    expect(page.locator(f'#waiting-list [data-ticket="{other["id"]}"]')).to_have_count(0)

    page.keyboard.press("c")  # close, confirmed
    expect(page.locator("#picker")).to_be_visible()
    expect(page.locator('#windows [data-window="1"]')).to_contain_text("Closed")

    assert set(server.hosts) == {"127.0.0.1"}, server.hosts
    assert page.js_errors == []
