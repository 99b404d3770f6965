"""A kiosk with a ticket printer (``/kiosk/demo?token=…&printer=p1``) in a real Chromium against a
real server process: while p1 reports online the kiosk issues with ``"print": "p1"`` and tells the
visitor to take the slip; while p1 is offline (or unknown to the server) it issues without printing
and makes the QR code the slip.

Needs Debian's Chromium at /usr/bin/chromium; skips without it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser_support import FULL_HD, NEEDS_CHROMIUM, new_page, shot, sync_api
from tests.server_support import Server, agent_headers, report_device

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

OUT_OF_PAPER = "打印机缺纸 / printer p1 is out of paper"


def kiosk_page(browser: Any, server: Server, printer: str) -> tuple[Any, list[dict[str, Any]]]:
    """The kiosk page and the bodies of the ticket requests it sends."""
    page = new_page(browser, server, FULL_HD)
    issued: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda req: (
            issued.append(req.post_data_json)
            if req.method == "POST" and req.url.endswith("/api/halls/demo/tickets")
            else None
        ),
    )
    page.goto(f"{server.base}/kiosk/demo?token={server.kiosk_token}&printer={printer}")
    return page, issued


def take_ticket(page: Any, service: str) -> None:
    page.locator(f'[data-service="{service}"]').click()
    page.locator('[data-priority="normal"]').click()


def qr_width(page: Any) -> float:
    page.wait_for_function("document.getElementById('slip-qr').naturalWidth > 0")
    box = page.locator("#slip-qr").bounding_box()
    assert box is not None
    return float(box["width"])


def test_kiosk_prints_while_its_printer_is_online_and_falls_back_to_the_qr_code(browser: Any, server: Server) -> None:
    expect = sync_api.expect
    agent = agent_headers(server)
    report_device(server, agent, "p1", kind="printer", state="online")
    kiosk, issued = kiosk_page(browser, server, "p1")
    kiosk.wait_for_function("window.hallqKiosk.device && window.hallqKiosk.device.state === 'online'")

    # Online: the ticket is issued with print, and the visitor takes the slip (the QR code small).
    take_ticket(kiosk, "A")
    expect(kiosk.locator("#slip-take")).to_have_text("请取走小票")
    expect(kiosk.locator("#slip-no-printer")).to_be_hidden()
    expect(kiosk.locator("#issued")).to_have_attribute("data-printed", "p1")
    expect(kiosk.locator("#print")).to_be_hidden()
    first = kiosk.locator("#slip-number").text_content()
    assert issued == [{"service": "A", "priority": "normal", "print": "p1"}]
    assert qr_width(kiosk) < 150
    shot(kiosk, "kiosk-printed.png")

    # Out of paper: the kiosk hears it live, issues without print and makes the QR code the slip.
    report_device(server, agent, "p1", kind="printer", state="offline", error=OUT_OF_PAPER)
    kiosk.wait_for_function("window.hallqKiosk.device.state === 'offline'")
    kiosk.locator("#issued [data-back]").click()
    take_ticket(kiosk, "A")
    expect(kiosk.locator("#slip-number")).not_to_have_text(first or "")
    expect(kiosk.locator("#slip-no-printer")).to_have_text("打印机暂不可用，请扫码跟踪排队进度")
    expect(kiosk.locator("#slip-take")).to_be_hidden()
    expect(kiosk.locator("#issued")).to_have_attribute("data-printed", "")
    assert issued[1:] == [{"service": "A", "priority": "normal"}]
    assert qr_width(kiosk) > 300
    shot(kiosk, "kiosk-no-printer.png")

    # Back online: printing again.
    report_device(server, agent, "p1", kind="printer", state="online")
    kiosk.wait_for_function("window.hallqKiosk.device.state === 'online'")
    kiosk.locator("#issued [data-back]").click()
    take_ticket(kiosk, "A")
    expect(kiosk.locator("#slip-take")).to_be_visible()
    assert issued[2:] == [{"service": "A", "priority": "normal", "print": "p1"}]

    assert kiosk.js_errors == []
    assert set(server.hosts) == {"127.0.0.1"}, set(server.hosts)


def test_a_printer_the_server_does_not_know_means_one_retry_without_print(browser: Any, server: Server) -> None:
    expect = sync_api.expect
    # p9 never reported: the kiosk shows the QR fallback without even trying to print.
    kiosk, issued = kiosk_page(browser, server, "p9")
    kiosk.wait_for_function("window.hallqKiosk.live")
    take_ticket(kiosk, "B")
    expect(kiosk.locator("#slip-no-printer")).to_be_visible()
    assert issued == [{"service": "B", "priority": "normal"}]

    # The kiosk believes p9 is online, the server has never heard of it: 404, then the same
    # ticket without print, once, and the QR fallback.
    kiosk.evaluate("window.hallqKiosk.device = { id: 'p9', kind: 'printer', state: 'online', error: '' }")
    kiosk.locator("#issued [data-back]").click()
    take_ticket(kiosk, "B")
    expect(kiosk.locator("#slip-no-printer")).to_be_visible()
    expect(kiosk.locator("#error")).to_be_hidden()
    assert issued[1:] == [{"service": "B", "priority": "normal", "print": "p9"}, {"service": "B", "priority": "normal"}]
    assert kiosk.js_errors == []


def test_a_kiosk_without_a_printer_is_as_before(browser: Any, server: Server) -> None:
    expect = sync_api.expect
    kiosk = new_page(browser, server, FULL_HD)
    kiosk.goto(f"{server.base}/kiosk/demo?token={server.kiosk_token}&lang=en")
    take_ticket(kiosk, "C")
    expect(kiosk.locator("#slip-number")).to_have_text("C001")
    expect(kiosk.locator("#slip-take")).to_be_hidden()
    expect(kiosk.locator("#slip-no-printer")).to_be_hidden()
    expect(kiosk.locator("#print")).to_be_visible()
    assert kiosk.evaluate("window.hallqKiosk.live") is False
    assert kiosk.js_errors == []
