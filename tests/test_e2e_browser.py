"""One visitor through every screen, in a real Chromium against a real server process:
the kiosk issues A001, the clerk console calls it with F1, the hall display shows and announces
it, the phone (the slip's link) sends the visitor to window 1, the clerk starts and finishes,
the visitor rates it on the phone, and the manager's dashboard (its own browser context)
follows every step. Also: the manager opens a closed window for a clerk picked on the dashboard.

Uses the shared real-server fixtures of tests/browser_support.py (the clerk zhangwei and the
manager wangju exist before the server starts). Needs /usr/bin/chromium; skips without it.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx2 as httpx
import pytest

from tests.browser_support import (  # noqa: F401  (this module's fixtures)
    COUNTER_LOGIN,
    FULL_HD,
    NEEDS_CHROMIUM,
    PHONE,
    browser,
    new_page,
    server,
    sign_in,
    sync_api,
)
from tests.server_support import CLERK_PASSWORD, MANAGER_PASSWORD, Server, bearer

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

CALL = "请A001号到1号窗口办理"


def test_one_ticket_through_every_screen(browser: Any, server: Server) -> None:  # noqa: F811
    expect = sync_api.expect

    # The manager's dashboard, signed in in its own browser context; a fresh hall: nothing issued yet.
    board = new_page(browser, server, FULL_HD)
    board.on("dialog", lambda d: (board.js_errors.append(d.message), d.dismiss()))
    board.goto(f"{server.base}/dashboard/demo")
    sign_in(board, "wangju", MANAGER_PASSWORD)
    expect(board.locator("#who")).to_have_text("wangju")
    expect(board.locator("#windows .win")).to_have_count(20)
    kpi = lambda name: board.locator(f'#kpis [data-kpi="{name}"] b')  # noqa: E731
    expect(kpi("issued")).to_have_text("0")
    expect(kpi("served")).to_have_text("0")
    expect(kpi("bad")).to_have_text("0")
    card1 = board.locator('#windows [data-window="1"]')
    expect(card1).to_have_class("win closed")

    display = new_page(browser, server, FULL_HD)
    display.goto(f"{server.base}/display/demo?token={server.display_token}")
    expect(display.locator("#windows .win").first).to_be_visible()

    # The kiosk: 企业开办 (A) gives A001; the slip links to the phone page.
    kiosk = new_page(browser, server, FULL_HD)
    kiosk.goto(f"{server.base}/kiosk/demo")
    kiosk.locator('[data-service="A"]').click()
    expect(kiosk.locator("#slip-number")).to_have_text("A001")
    track = kiosk.locator("#issued").get_attribute("data-track-url")
    assert track and track.startswith("/t/") and "token=" in track
    expect(board.locator('#queues tr[data-service="A"] .waiting')).to_have_text("1人")
    expect(kpi("issued")).to_have_text("1")

    phone = new_page(browser, server, PHONE, is_mobile=True, has_touch=True)
    phone.goto(server.base + track)
    expect(phone.locator("#number")).to_have_text("A001")
    expect(phone.locator("#state")).to_have_text("排队中")

    # The clerk console: sign in, open window 1 (the dashboard sees it open, in 张伟's name).
    console = new_page(browser, server, FULL_HD)
    console.goto(f"{server.base}/counter")
    sign_in(console, "zhangwei", CLERK_PASSWORD, COUNTER_LOGIN)
    expect(console.locator("#who")).to_have_text("zhangwei")
    console.locator('#windows [data-window="1"]').click()
    expect(console.locator("#win-state")).to_have_text("服务中")
    expect(card1).to_have_class("win open")
    expect(card1.locator(".win-staff")).to_have_text("张伟")

    # F1 calls the next ticket: the hall display has it within a second and announces it.
    console.keyboard.press("F1")
    called = time.monotonic()
    expect(display.locator("#latest .number")).to_have_text("A001", timeout=1000)
    assert time.monotonic() - called < 1.0
    expect(console.locator("#current-number")).to_have_text("A001")
    expect(display.locator('#windows [data-window="1"] .win-current')).to_have_text("A001")
    display.wait_for_function("window.__spoken.length >= 2", timeout=5000)
    assert display.evaluate("window.hallqVoice.history") == [CALL]
    assert {s["text"] for s in display.evaluate("window.__spoken")} == {CALL}
    expect(phone.locator("#go")).to_have_text("请到 1 号窗口")
    expect(card1.locator(".win-current")).to_have_text("A001")
    expect(board.locator('#queues tr[data-service="A"]')).to_have_count(0)

    # Start and finish at the console: the phone asks for a rating, the dashboard counts one served.
    console.keyboard.press("s")
    expect(console.locator("#current-state")).to_have_text("办理中")
    console.keyboard.press("f")
    expect(console.locator("#current-number")).to_have_text("—")
    expect(console.locator("#served")).to_have_text("1")
    expect(card1.locator(".win-current")).to_have_text(re.compile(r"^空闲( \d+ 分钟)?$"))  # idle, since when
    expect(kpi("served")).to_have_text("1")

    # Rated 1 (差评) on the phone: the dashboard's alert and KPIs show it.
    expect(phone.locator("#rate")).to_be_visible()
    phone.locator("#rate button.s1").click()
    expect(phone.locator("#thanks")).to_be_visible()
    expect(board.locator("#alerts li.bad")).to_have_text("1号窗口收到差评（1分）")
    expect(kpi("bad")).to_have_text("1")
    expect(kpi("satisfaction")).to_have_text("0%")

    # The manager opens closed window 2 for a clerk picked on the dashboard (the snapshot's staff list).
    card2 = board.locator('#windows [data-window="2"]')
    expect(card2).to_have_class("win closed")
    picker = card2.locator(".staff-select")
    expect(picker.locator('option[value="wangfang"]')).to_have_text("王芳 (A,B,P,Q)")
    picker.select_option("wangfang")
    card2.locator(".toggle").click()
    expect(card2).to_have_class("win open")
    expect(card2.locator(".win-staff")).to_have_text("王芳")
    expect(picker).to_be_hidden()
    headers = bearer(server.base, "wangju", MANAGER_PASSWORD)
    snap = httpx.get(f"{server.base}/api/halls/demo/snapshot", headers=headers).json()
    w2 = next(w for w in snap["windows"] if w["number"] == 2)
    assert (w2["state"], w2["staff"]) == ("open", "wangfang")

    for page in (board, display, kiosk, phone, console):
        assert page.js_errors == [], page.url
    assert set(server.hosts) == {"127.0.0.1"}, set(server.hosts)
