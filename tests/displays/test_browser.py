"""The screens in a real Chromium against a real server process: a visitor takes a ticket at the
kiosk, a clerk calls it, the hall display shows and announces it, the phone follows it and rates it.

Needs Debian's Chromium at /usr/bin/chromium (CI installs it); skips without it.
Screenshots go to test-artifacts/ (docs/screenshots/ holds reviewed copies).
"""

from __future__ import annotations

import time
from typing import Any

import httpx2 as httpx
import pytest

from tests.browser_support import FULL_HD, NEEDS_CHROMIUM, PHONE, new_page, shot, shots, sync_api
from tests.server_support import Server

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def test_a_ticket_from_kiosk_to_rating(browser: Any, server: Server) -> None:
    expect = sync_api.expect
    display = new_page(browser, server, FULL_HD)
    display.goto(f"{server.base}/display/demo?token={server.display_token}")
    expect(display.locator("#windows .win").first).to_be_visible()

    window_screen = new_page(browser, server, FULL_HD)
    window_screen.goto(f"{server.base}/display/demo/windows/1?token={server.display_token}")
    # The clerk opens window 1 (it serves A): the slip can say how long the wait is.
    headers = server.clerk_headers()
    r = httpx.post(f"{server.base}/api/halls/demo/windows/1/open", headers=headers)
    assert r.status_code == 200, r.text
    expect(window_screen.locator("#current")).to_have_text("空闲")

    # The kiosk: a visitor picks 企业开办 (A) and gets A001 with a QR code.
    kiosk = new_page(browser, server, FULL_HD)
    kiosk.goto(f"{server.base}/kiosk/demo")
    shots(kiosk, "kiosk")
    kiosk.locator('[data-service="A"]').click()
    expect(kiosk.locator("#slip-number")).to_have_text("A001")
    expect(kiosk.locator("#slip-ahead")).to_have_text("0")
    expect(kiosk.locator("#slip-wait")).to_have_text("0")
    kiosk.wait_for_function("document.getElementById('slip-qr').naturalWidth > 0")
    track = kiosk.locator("#issued").get_attribute("data-track-url")
    assert track and track.startswith("/t/")
    shots(kiosk, "kiosk-ticket")

    # The phone follows the ticket.
    phone = new_page(browser, server, PHONE, is_mobile=True, has_touch=True)
    phone.goto(server.base + track)
    expect(phone.locator("#number")).to_have_text("A001")
    expect(phone.locator("#state")).to_have_text("排队中")
    shot(phone, "phone-waiting.png")

    # The clerk calls the next ticket through the API.
    r = httpx.post(f"{server.base}/api/halls/demo/windows/1/call-next", headers=headers)
    assert r.status_code == 200, r.text
    called = time.monotonic()

    expect(display.locator("#latest .number")).to_have_text("A001", timeout=1000)
    assert time.monotonic() - called < 1.5
    expect(display.locator('#windows [data-window="1"] .win-current')).to_have_text("A001")
    display.wait_for_function("window.__spoken.length >= 2", timeout=5000)
    assert display.evaluate("window.hallqVoice.history") == ["请A001号到1号窗口办理"]
    spoken = display.evaluate("window.__spoken")
    assert spoken == [{"text": "请A001号到1号窗口办理", "lang": "zh-CN"}] * 2  # repeated twice by default
    shots(display, "display")

    expect(window_screen.locator("#current")).to_have_text("A001")
    shots(window_screen, "window")

    expect(phone.locator("#go")).to_have_text("请到 1 号窗口")
    shot(phone, "phone-called.png")

    # A recall is announced again.
    assert httpx.post(f"{server.base}/api/halls/demo/windows/1/recall", headers=headers).status_code == 200
    display.wait_for_function("window.hallqVoice.history.length === 2", timeout=2000)

    # Served and finished: the phone asks for a rating and takes one.
    for action in ("start", "finish"):
        r = httpx.post(f"{server.base}/api/halls/demo/windows/1/{action}", headers=headers)
        assert r.status_code == 200, (action, r.text)
    expect(phone.locator("#rate")).to_be_visible()
    shot(phone, "phone-rate.png")
    phone.locator("#rate button.s5").click()
    expect(phone.locator("#thanks")).to_be_visible()

    for page in (display, window_screen, kiosk, phone):
        assert page.js_errors == []
    assert set(server.hosts) == {"127.0.0.1"}, set(server.hosts)


def test_kiosk_token_unlocks_priority_classes_and_english(browser: Any, server: Server) -> None:
    expect = sync_api.expect
    kiosk = new_page(browser, server, FULL_HD)
    kiosk.goto(f"{server.base}/kiosk/demo?token={server.kiosk_token}&lang=en")
    kiosk.locator('[data-service="B"]').click()
    expect(kiosk.locator("#priority")).to_be_visible()
    kiosk.locator('[data-priority="green"]').click()
    expect(kiosk.locator("#slip-number")).to_have_text("B001")
    expect(kiosk.locator("#issued")).to_contain_text("People ahead")
    assert kiosk.js_errors == []
    assert set(server.hosts) == {"127.0.0.1"}


def test_live_client_resyncs_on_a_gap_and_ignores_old_events(browser: Any, server: Server) -> None:
    display = new_page(browser, server, FULL_HD)
    display.goto(f"{server.base}/display/demo?token={server.display_token}")
    display.wait_for_function("window.hallqLive && window.hallqLive.seq !== null")
    sent = display.evaluate(
        """() => {
        const live = window.hallqLive, seq = live.seq, sent = [];
        const send = live.ws.send.bind(live.ws);
        live.ws.send = (data) => { sent.push(data); send(data); };
        live.receive({ type: "event", seq: seq, prev: seq - 1 });        // old news: ignored
        live.receive({ type: "event", seq: seq + 5, prev: seq + 4 });    // a gap: ask again
        window.__sent = sent;
        return sent;
    }"""
    )
    assert sent == ['{"type":"resync"}']
    # The server answers with a snapshot, and the client is back in step.
    display.wait_for_function("!window.hallqLive.waitingForSnapshot", timeout=3000)
    assert display.js_errors == []


def test_window_screen_shows_a_paused_window(browser: Any, server: Server) -> None:
    expect = sync_api.expect
    headers = server.clerk_headers()
    screen = new_page(browser, server, FULL_HD)
    screen.goto(f"{server.base}/display/demo/windows/1?token={server.display_token}&lang=en")
    expect(screen.locator(".window-no")).to_have_text("Window 1")
    opened = httpx.post(f"{server.base}/api/halls/demo/windows/1/open", headers=headers)
    assert opened.status_code in (200, 409), opened.text  # 409: the first test left it open
    reason = {"reason": "设备维护 / Maintenance"}
    r = httpx.post(f"{server.base}/api/halls/demo/windows/1/pause", headers=headers, json=reason)
    assert r.status_code == 200, r.text
    # The state in words where the number goes, the reason under it (in the screen's language).
    expect(screen.locator("#current")).to_have_text("Paused")
    expect(screen.locator("#status")).to_have_text("Maintenance")
    assert screen.js_errors == []
