"""What the visitor-facing screens say in the states that used to read as errors, in a real
Chromium against a real server process (a fresh demo hall, every window closed at first):

- a window without a ticket says 空闲 / 暂停 / 未开放 (Idle / Paused / Closed) on the hall display
  and on its own screen, never a bare dash or bar;
- the phone page asks for one tap (开启叫号提醒) and vibrates and rings at a call only after it:
  before, Chromium on a phone blocks navigator.vibrate and logs an error;
- a hall or window display without a valid display token says what it needs and how a manager
  makes one, instead of "出错了 (4401)" and empty columns;
- while no open window serves a ticket's service, the kiosk's slip and the phone page say so
  instead of a made-up time, and the phone shows a time again once a window opens.

Needs Debian's Chromium at /usr/bin/chromium; skips without it.
"""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import pytest

from tests.browser_support import FULL_HD, NEEDS_CHROMIUM, PHONE, new_page, sync_api
from tests.server_support import Server

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

COMMAND = ".venv/bin/hallq token add --kind display --hall demo"


@pytest.fixture(scope="module")
def clerk(server: Server) -> dict[str, str]:
    """The clerk zhangwei's bearer headers (one sign-in: they are rate-limited)."""
    return server.clerk_headers()


def window(server: Server, clerk: dict[str, str], number: int, action: str, **body: Any) -> dict[str, Any]:
    """The clerk acts on window ``number``; the answer."""
    r = httpx.post(f"{server.base}/api/halls/demo/windows/{number}/{action}", headers=clerk, json=body or None)
    assert r.status_code == 200, (action, r.text)
    return dict(r.json())


def issue(server: Server, service: str) -> dict[str, Any]:
    r = httpx.post(
        f"{server.base}/api/halls/demo/tickets",
        json={"service": service},
        headers={"Authorization": f"Bearer {server.kiosk_token}"},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_no_open_window_means_no_made_up_wait_until_one_opens(
    browser: Any, server: Server, clerk: dict[str, str]
) -> None:
    expect = sync_api.expect
    # Every window is closed: the kiosk's slip says nobody serves 企业开办 right now.
    kiosk = new_page(browser, server, FULL_HD)
    kiosk.goto(f"{server.base}/kiosk/demo?token={server.kiosk_token}")
    kiosk.locator('[data-service="A"]').click()
    kiosk.locator('[data-priority="normal"]').click()
    expect(kiosk.locator("#slip-no-window")).to_be_visible()
    expect(kiosk.locator("#slip-no-window")).to_have_text("暂无窗口办理此业务")
    expect(kiosk.locator("#slip-wait-line")).to_be_hidden()
    track = kiosk.locator("#issued").get_attribute("data-track-url")
    assert track

    phone = new_page(browser, server, PHONE, is_mobile=True, has_touch=True)
    phone.clock.install()  # the page asks again every 10 s while no window serves it: run that clock
    phone.goto(f"{server.base}{track}&lang=en")
    expect(phone.locator("#no-window")).to_be_visible()
    expect(phone.locator("#no-window")).to_have_text("No window serves this right now")
    expect(phone.locator("#wait-line")).to_be_hidden()

    # Window 1 (企业开办 among its services) opens: the time comes back on the phone.
    window(server, clerk, 1, "open")
    phone.clock.run_for(11_000)
    expect(phone.locator("#wait-line")).to_be_visible()
    expect(phone.locator("#no-window")).to_be_hidden()
    expect(phone.locator("#wait")).to_have_text("0")  # nobody ahead
    # And a new slip carries a time again.
    kiosk.locator("#issued [data-back]").click()
    kiosk.locator('[data-service="A"]').click()
    kiosk.locator('[data-priority="normal"]').click()
    expect(kiosk.locator("#slip-wait-line")).to_be_visible()
    expect(kiosk.locator("#slip-no-window")).to_be_hidden()
    for page in (kiosk, phone):
        assert page.js_errors == [] and page.console_errors == [], (page.js_errors, page.console_errors)
    window(server, clerk, 1, "close")


def test_a_window_without_a_ticket_says_its_state_in_words(browser: Any, server: Server, clerk: dict[str, str]) -> None:
    expect = sync_api.expect
    hall = new_page(browser, server, FULL_HD)
    hall.goto(f"{server.base}/display/demo?token={server.display_token}")
    screen = new_page(browser, server, FULL_HD)
    screen.goto(f"{server.base}/display/demo/windows/1?token={server.display_token}")
    english = new_page(browser, server, FULL_HD)
    english.goto(f"{server.base}/display/demo/windows/1?token={server.display_token}&lang=en")
    tile = hall.locator('#windows [data-window="1"] .win-current')

    expect(tile).to_have_text("未开放")
    expect(screen.locator("#current")).to_have_text("未开放")
    expect(english.locator("#current")).to_have_text("Closed")

    window(server, clerk, 1, "open")
    expect(tile).to_have_text("空闲")
    expect(screen.locator("#current")).to_have_text("空闲")
    expect(english.locator("#current")).to_have_text("Idle")
    expect(hall.locator('#windows [data-window="2"] .win-current')).to_have_text("未开放")

    # (A pause for lunch, reason 午休…, says where to go instead: tests/displays/test_lunch_browser.py.)
    window(server, clerk, 1, "pause", reason="设备维护")
    expect(tile).to_have_text("暂停")
    expect(screen.locator("#current")).to_have_text("暂停")
    expect(screen.locator("#status")).to_have_text("设备维护")
    expect(english.locator("#current")).to_have_text("Paused")

    window(server, clerk, 1, "resume")
    issue(server, "B")
    number = window(server, clerk, 1, "call-next")["ticket"]["number"]
    expect(tile).to_have_text(number)
    expect(screen.locator("#current")).to_have_text(number)
    expect(screen.locator("#current")).to_have_class("current")
    for action in ("start", "finish"):
        window(server, clerk, 1, action)
    expect(screen.locator("#current")).to_have_text("空闲")
    window(server, clerk, 1, "close")
    expect(tile).to_have_text("未开放")
    for page in (hall, screen, english):
        assert page.js_errors == [] and page.console_errors == [], (page.js_errors, page.console_errors)


# Records, without touching the page (any Playwright query counts as a user's touch), each call to
# navigator.vibrate and each tone, with whether the visitor had touched the page by then, and says
# when the page shows "请到 N 号窗口".
SPY_ALERTS = """
const note = (what) => console.info(`hallq-alert ${what} touched=${navigator.userActivation.hasBeenActive}`);
const vibrate = navigator.vibrate && navigator.vibrate.bind(navigator);
navigator.vibrate = (pattern) => {
  note(`vibrate ${JSON.stringify(pattern)}`);
  return vibrate ? vibrate(pattern) : false;
};
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { note("tone"); return start.apply(this, args); };
let shown = false;
new MutationObserver(() => {
  const go = document.getElementById("go");
  if (go && !go.hidden && !shown) note("called");
  shown = Boolean(go && !go.hidden);
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["hidden"] });
"""


def test_the_phone_vibrates_and_rings_only_after_the_visitors_tap(
    browser: Any, server: Server, clerk: dict[str, str]
) -> None:
    expect = sync_api.expect
    window(server, clerk, 1, "open")
    ticket = issue(server, "A")
    phone = new_page(browser, server, PHONE, is_mobile=True, has_touch=True)
    phone.context.add_init_script(SPY_ALERTS)
    alerts: list[str] = []

    def heard(message: Any) -> None:
        if message.text.startswith("hallq-alert "):
            alerts.append(message.text.removeprefix("hallq-alert "))

    phone.on("console", heard)

    # An untouched phone: the call shows, and nothing tries to vibrate or ring (Chromium on a phone
    # would refuse and log an error).
    phone.goto(server.base + ticket["track_url"])
    phone.wait_for_timeout(1500)  # the page and its channel are up (no query: it would count as a touch)
    with phone.expect_console_message(lambda m: m.text.startswith("hallq-alert called"), timeout=5000):
        window(server, clerk, 1, f"call/{ticket['id']}", reason="测试")
    phone.wait_for_timeout(300)
    assert alerts == ["called touched=false"], alerts

    # The page asks for one tap; after it, a short buzz says it works, and a call vibrates and rings.
    button = phone.locator("#enable-alerts")
    expect(button).to_have_text("开启叫号提醒")
    button.tap()
    expect(phone.locator("#alerts-on")).to_have_text("叫号提醒已开启")
    expect(button).to_be_hidden()
    alerts.clear()
    with phone.expect_console_message(lambda m: "[400,200,400]" in m.text, timeout=5000):
        window(server, clerk, 1, "recall")
    phone.wait_for_timeout(300)
    assert "vibrate [400,200,400] touched=true" in alerts and "tone touched=true" in alerts, alerts
    assert all(a.endswith("touched=true") for a in alerts), alerts
    assert phone.js_errors == [] and phone.console_errors == [], (phone.js_errors, phone.console_errors)
    for action in ("start", "finish", "close"):
        window(server, clerk, 1, action)


def test_a_screen_without_a_valid_display_token_says_how_to_get_one(browser: Any, server: Server) -> None:
    expect = sync_api.expect
    sockets: list[str] = []
    display = new_page(browser, server, FULL_HD)
    display.on("websocket", lambda ws: sockets.append(ws.url))
    display.goto(f"{server.base}/display/demo")
    expect(display.locator("#need-token h2")).to_have_text("此屏幕需要显示令牌")
    expect(display.locator("#need-token")).to_contain_text(COMMAND)
    expect(display.locator("#need-token")).to_contain_text("/display/demo?token=…")
    expect(display.locator("#board")).to_be_hidden()
    expect(display.locator("#offline")).to_be_hidden()
    assert sockets == []  # no token, no connection to be refused

    # A token the server refuses (a typo, revoked): the same, saying the token is not valid.
    screen = new_page(browser, server, FULL_HD)
    screen.goto(f"{server.base}/display/demo/windows/3?token=hqd_not-a-token&lang=en")
    expect(screen.locator("#token-refused")).to_be_visible()
    expect(screen.locator("#need-token h2")).to_have_text("This screen needs a display token")
    expect(screen.locator("#need-token")).to_contain_text(COMMAND)
    expect(screen.locator("#need-token")).to_contain_text("/display/demo/windows/3?token=…")
    expect(screen.locator("#board")).to_be_hidden()
    expect(screen.locator("#offline")).to_be_hidden()
    for page in (display, screen):
        assert page.js_errors == [] and page.console_errors == [], (page.js_errors, page.console_errors)
