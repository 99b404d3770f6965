"""The 设备, 账号 and 事项 pages in a real Chromium against a real server (the demo hall), a
manager signed in:

- 设备: a display token is made for window 1's screen; its secret and the pairing QR code (an
  SVG) are shown once, gone after a reload; the token works until revoked after a confirm; a
  device's health changes are listed with their history;
- 账号: a clerk's account is made (its one-time password signs in), disabled after a confirm (it
  then fails to sign in), enabled again and its failed sign-in unlocked;
- 事项: a service is paused with a reason (the kiosk's ticket is refused, saying why) and resumed;
  a notice is published and withdrawn.

Each page lays out at 1280×800, 1366×768, 1920×1080 and portrait 1080×1920 without sideways
scrolling or overlap and with no console error. Writes test-artifacts/<page>-<w>x<h>.png, and
devices-admin.png (a token just made, its QR code shown: the README's screenshot).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest

from tests.browser_support import (
    NEEDS_CHROMIUM,
    accepting,
    layout_problems,
    new_page,
    open_dashboard_page,
    settle,
    shot,
    sign_in,
)
from tests.server_support import MANAGER_PASSWORD, Server, bearer

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

SIZES = [(1280, 800), (1366, 768), (1920, 1080), (1080, 1920)]
PATHS = ("devices-admin", "accounts", "services")


@pytest.fixture(scope="module")
def manager(server: Server) -> dict[str, str]:
    """wangju's bearer headers, signed in once (every sign-in from this address counts against its limit)."""
    return bearer(server.base, "wangju", MANAGER_PASSWORD)


@pytest.fixture(scope="module")
def page(browser: Any, server: Server) -> Iterator[Any]:
    p = new_page(browser, server, {"width": 1280, "height": 800})
    p.goto(f"{server.base}/dashboard/demo/devices-admin")
    sign_in(p, "wangju", MANAGER_PASSWORD)
    p.wait_for_selector("body[data-ready='1']")
    yield p
    p.context.close()


def clean(page: Any) -> None:
    assert page.js_errors == [] and page.console_errors == []


def test_a_token_is_made_with_its_qr_code_shown_once(page: Any, server: Server) -> None:
    open_dashboard_page(page, server, "devices-admin")
    page.select_option("#f-kind", "display")
    page.select_option("#f-screen", "1")
    page.fill("#f-label", "1号窗口屏（测试）")
    page.click("#f-create")
    page.wait_for_selector("#secret-box:not([hidden])")
    assert page.locator("#qr svg").count() == 1 and page.locator("#qr svg path").count() >= 1
    pairing = page.inner_text("#pairing")
    assert pairing.startswith(f"{server.base}/display/demo/windows/1?token=hqd_")
    token = pairing.split("token=", 1)[1]
    assert page.locator("#localhost").is_visible()  # 127.0.0.1: the page says screens cannot reach it
    settle(page)
    assert layout_problems(page) == []  # the secret and its QR code fit beside the form
    shot(page, "devices-admin.png")  # the README's screenshot: a token just made, with its QR code
    row = page.locator("#tokens tbody tr", has_text="1号窗口屏（测试）")
    assert "有效" in row.inner_text()
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{server.base}/api/halls/demo/snapshot", headers=headers).status_code == 200
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#secret-box").is_hidden() and page.locator("#qr svg").count() == 0
    assert token not in page.content()  # shown once: the server answers it no more
    assert page.locator("#tokens tbody tr", has_text="1号窗口屏（测试）").count() == 1
    clean(page)


def test_a_token_is_revoked_after_a_confirm(page: Any, server: Server, manager: dict[str, str]) -> None:
    made = httpx.post(
        f"{server.base}/api/halls/demo/tokens", headers=manager, json={"kind": "kiosk", "label": "东门取号机"}
    )
    token = made.json()["token"]
    open_dashboard_page(page, server, "devices-admin")
    row = page.locator("#tokens tbody tr", has_text="东门取号机")
    with accepting(page) as said:
        row.locator("button.revoke").click()
        page.wait_for_function("() => document.getElementById('tokens-status').textContent.includes('东门取号机')")
    assert len(said) == 1 and "东门取号机" in said[0]
    assert "已吊销" in row.inner_text() and row.locator("button").count() == 0
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{server.base}/api/halls/demo/snapshot", headers=headers).status_code == 401
    clean(page)


def test_the_devices_health_and_its_history(page: Any, server: Server, manager: dict[str, str]) -> None:
    url = f"{server.base}/api/halls/demo/devices/p9"
    assert httpx.put(url, headers=manager, json={"kind": "printer", "state": "online"}).status_code == 200
    assert (
        httpx.put(url, headers=manager, json={"kind": "printer", "state": "offline", "error": "缺纸"}).status_code
        == 200
    )
    open_dashboard_page(page, server, "devices-admin")
    now = page.locator('#devices tr[data-device="p9"]').inner_text()
    assert "取号打印机" in now and "离线" in now and "缺纸" in now
    history = page.locator("#history tbody tr")
    assert "在线 → 离线" in history.nth(0).inner_text() and "— → 在线" in history.nth(1).inner_text()
    page.select_option("#history-device", "p9")
    page.wait_for_function("() => document.querySelectorAll('#history tbody tr').length === 2")
    clean(page)


def test_an_account_is_made_disabled_enabled_and_unlocked(page: Any, server: Server) -> None:
    open_dashboard_page(page, server, "accounts")
    assert page.locator('#f-role option[value="manager"]').is_disabled()  # a manager makes clerks only
    page.fill("#f-username", "zhaoliu")
    page.fill("#f-display-name", "赵六")
    page.click("#f-create")
    page.wait_for_selector('#accounts tr[data-username="zhaoliu"]')
    row = page.locator('#accounts tr[data-username="zhaoliu"]')
    assert "赵六" in row.inner_text() and "窗口人员" in row.inner_text() and "正常" in row.inner_text()
    assert row.locator("td.staff a").get_attribute("href") == "/dashboard/demo/staff"  # the clerk's staff record
    password = page.inner_text("#password")
    assert "赵六" in page.inner_text("#password-for") and len(password) >= 16
    assert bearer(server.base, "zhaoliu", password)["Authorization"].startswith("Bearer ")

    with accepting(page) as said:
        row.locator("button.disable").click()
        page.wait_for_function("() => document.getElementById('accounts-status').textContent.includes('已停用')")
    assert len(said) == 1 and "赵六" in said[0]
    assert "已停用" in row.inner_text() and row.locator("button.enable").is_visible()
    login = {"username": "zhaoliu", "password": password}
    assert httpx.post(f"{server.base}/api/auth/login", json=login).status_code == 401

    row.locator("button.enable").click()
    page.wait_for_function("() => document.getElementById('accounts-status').textContent.includes('已启用')")
    assert "正常" in row.inner_text() and "1 次登录失败" in row.inner_text()
    row.locator("button.unlock").click()
    page.wait_for_function("() => document.getElementById('accounts-status').textContent.includes('已解除')")
    assert "登录失败" not in row.inner_text() and row.locator("button.unlock").count() == 0
    assert bearer(server.base, "zhaoliu", password)["Authorization"].startswith("Bearer ")
    mine = page.locator('#accounts tr[data-username="wangju"]')
    assert "（本人）" in mine.inner_text() and mine.locator("button").count() == 0  # nobody disables themselves
    clean(page)


def test_a_service_is_paused_with_a_reason_and_resumed(page: Any, server: Server) -> None:
    open_dashboard_page(page, server, "services")
    kiosk = {"Authorization": f"Bearer {server.kiosk_token}"}
    issue = f"{server.base}/api/halls/demo/tickets"
    row = page.locator('#services tr[data-code="A"]')
    assert "正常取号" in row.inner_text()
    row.locator("button.pause").click()
    assert page.input_value("#p-service") == "A"
    page.click("#p-pause")  # no reason: the form does not send it
    assert page.evaluate("() => document.getElementById('p-reason').validity.valueMissing")
    page.fill("#p-reason", "系统维护，请稍候")
    page.click("#p-pause")
    page.wait_for_function(
        "() => document.querySelector('#services tr[data-code=\"A\"] td.state').textContent.includes('系统维护')"
    )
    assert "暂停取号：系统维护，请稍候" in row.inner_text()
    refused = httpx.post(issue, headers=kiosk, json={"service": "A"})
    assert refused.status_code == 409 and "系统维护，请稍候" in refused.json()["error"]["message"]
    row.locator("button.resume").click()
    page.wait_for_function(
        "() => document.querySelector('#services tr[data-code=\"A\"] td.state').textContent.includes('正常取号')"
    )
    assert httpx.post(issue, headers=kiosk, json={"service": "A"}).status_code == 201
    clean(page)


def test_a_notice_is_published_and_withdrawn(page: Any, server: Server) -> None:
    open_dashboard_page(page, server, "services")
    page.fill("#n-text-zh", "今天下午三点起系统升级")
    page.fill("#n-text-en", "System upgrade from 15:00 today")
    page.click("#n-publish")
    item = page.locator("#notices li", has_text="今天下午三点起系统升级")
    item.wait_for()
    assert "System upgrade" in item.inner_text() and "wangju" in item.inner_text()
    notices = httpx.get(f"{server.base}/api/halls/demo/notices").json()["notices"]
    assert [n["text_zh"] for n in notices].count("今天下午三点起系统升级") == 1
    with accepting(page) as said:
        item.locator("button.withdraw").click()
        item.wait_for(state="detached")
    assert len(said) == 1
    notices = httpx.get(f"{server.base}/api/halls/demo/notices").json()["notices"]
    assert "今天下午三点起系统升级" not in [n["text_zh"] for n in notices]
    clean(page)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_pages_lay_out(page: Any, server: Server, path: str, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    open_dashboard_page(page, server, path)
    settle(page)
    assert layout_problems(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    shot(page, f"{path}-{width}x{height}.png")
    clean(page)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_the_pages_in_english(page: Any, server: Server) -> None:
    """English words are longer: the narrowest screen (portrait) still fits the nav and tables."""
    words = {"devices-admin": "Device tokens", "accounts": "New account", "services": "Pause issuing"}
    page.set_viewport_size({"width": 1080, "height": 1920})
    for path, word in words.items():
        page.goto(f"{server.base}/dashboard/demo/{path}?lang=en")
        page.wait_for_selector("body[data-ready='1']")
        assert word in page.inner_text("#board")
        assert page.get_attribute(".nav a[aria-current='page']", "href") == f"/dashboard/demo/{path}?lang=en"
        assert layout_problems(page) == []
    page.set_viewport_size({"width": 1280, "height": 800})
    assert "Issuing" in page.inner_text('#services tr[data-code="A"]')  # the last page: 事项
    clean(page)
