"""The dashboard's 设备状态 panel in a real Chromium against a real server process: the hall's
hardware agent reports a window LED's health (PUT …/devices/{id} with an agent token) and the
panel and the alerts follow it live, without a reload.

Needs Debian's Chromium at /usr/bin/chromium; skips without it. Writes test-artifacts/dashboard-devices.png.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser_support import FULL_HD, NEEDS_CHROMIUM, new_page, shot, sign_in, sync_api
from tests.server_support import MANAGER_PASSWORD, Server, agent_headers, report_device

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

OUT_OF_SYNC = "串口无响应 / no answer on /dev/ttyUSB3"


def inside(inner: Any, outer: Any) -> bool:
    a, b = inner.bounding_box(), outer.bounding_box()
    assert a is not None and b is not None
    return bool(
        b["x"] <= a["x"] and a["x"] + a["width"] <= b["x"] + b["width"]
        and b["y"] <= a["y"] and a["y"] + a["height"] <= b["y"] + b["height"]
    )  # fmt: skip


def open_board(page: Any, url: str) -> None:
    """The dashboard at ``url``, signed in as the manager."""
    page.goto(url)
    sign_in(page, "wangju", MANAGER_PASSWORD)
    sync_api.expect(page.locator("#board")).to_be_visible()


def test_device_health_is_live_on_the_dashboard(browser: Any, server: Server) -> None:
    expect = sync_api.expect
    agent = agent_headers(server)
    page = new_page(browser, server, FULL_HD)
    open_board(page, f"{server.base}/dashboard/demo")
    panel = page.locator("#devices tbody")
    expect(panel).to_have_text("未配置串口设备")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    # The window 3 LED comes online: a row with a green dot, no alert.
    report_device(server, agent, "led-3", kind="window_led", window=3, state="online")
    row = page.locator('#devices tr[data-device="led-3"]')
    expect(row.locator(".state")).to_have_text("在线")
    expect(row.locator(".dot")).to_have_class("dot dev-online")
    expect(row.locator(".kind")).to_have_text("窗口屏")
    expect(row.locator(".window")).to_have_text("3号窗口")
    expect(row.locator(".since")).to_have_text(re.compile(r"^\d{2}:\d{2}:\d{2}$"))  # today, hall time
    expect(page.locator("#alerts li[data-device]")).to_have_count(0)

    # A printer that keeps retrying is yellow, still no alert.
    report_device(server, agent, "p1", kind="printer", state="retrying", error="正在重连 / reconnecting")
    printer = page.locator('#devices tr[data-device="p1"]')
    expect(printer.locator(".dot")).to_have_class("dot dev-retrying")
    expect(printer.locator(".state")).to_have_text("重试中")
    expect(printer.locator(".kind")).to_have_text("取号打印机")
    expect(page.locator("#devices tbody tr")).to_have_count(2)

    # The LED goes offline: a red dot, its error, and an alert.
    report_device(server, agent, "led-3", kind="window_led", window=3, state="offline", error=OUT_OF_SYNC)
    expect(row.locator(".dot")).to_have_class("dot dev-offline")
    expect(row.locator(".state")).to_have_text("离线")
    expect(row.locator(".err")).to_have_text(OUT_OF_SYNC)
    expect(row).to_have_attribute("data-state", "offline")
    assert inside(row.locator(".dot"), page.locator("#devices"))  # laid out in the table, nowhere else
    alert = page.locator('#alerts li[data-device="led-3"]')
    expect(alert).to_have_text(f"3号窗口屏离线：{OUT_OF_SYNC}")
    expect(alert).to_have_class("red device")

    # The same alert in English, on a board opened now (from the snapshot).
    english = new_page(browser, server, FULL_HD)
    open_board(english, f"{server.base}/dashboard/demo?lang=en")
    expect(english.locator('#alerts li[data-device="led-3"]')).to_have_text(f"Window 3 LED offline: {OUT_OF_SYNC}")
    expect(english.locator('#devices tr[data-device="led-3"] .state')).to_have_text("Offline")
    expect(english.locator('#devices tr[data-device="p1"] .kind')).to_have_text("Ticket printer")
    shot(page, "dashboard-devices.png")

    # Back online: the alert goes, on both boards.
    report_device(server, agent, "led-3", kind="window_led", window=3, state="online")
    expect(row.locator(".dot")).to_have_class("dot dev-online")
    expect(row.locator(".err")).to_have_text("")
    expect(alert).to_have_count(0)
    expect(english.locator("#alerts li[data-device]")).to_have_count(0)

    assert page.evaluate("window.__sameDocument") is True
    assert page.js_errors == [] and english.js_errors == []
    assert set(server.hosts) == {"127.0.0.1"}, set(server.hosts)
