"""The 回访 page in a real Chromium against a real server (the demo hall): two real 差评 from a
visitor's phone open their cases; the manager assigns one, records a call-back, resolves and
closes it; the clerk concerned signs in and appeals the other; the manager upholds the appeal.
The page lays out at 1280×800, 1366×768, 1920×1080 and portrait 1080×1920 with no console error,
and the dashboard shows the overdue count.

Writes test-artifacts/follow-ups-<width>x<height>.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest

from queue_server.domain import CaseState, FollowUpCase
from queue_server.storage import open_store
from tests.browser_support import (
    NEEDS_CHROMIUM,
    demo_server,
    layout_problems,
    new_page,
    settle,
    shot,
    sign_in,
    sync_api,
)
from tests.server_support import CLERK_PASSWORD, MANAGER_PASSWORD, Server, bearer

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]
SIZES = [
    {"width": 1280, "height": 800},
    {"width": 1366, "height": 768},
    {"width": 1920, "height": 1080},
    {"width": 1080, "height": 1920},
]


# A 差评 of long ago, still open: overdue whatever day the test runs on.
OLD = datetime(2000, 1, 3, 2, 0, tzinfo=UTC)
OVERDUE = FollowUpCase(
    ticket_id=900001, hall="demo", number="A099", service="A", window=1, clerk="zhangwei", score=2, comment="旧差评",
    rated_at=OLD, due=date(2000, 1, 10), state=CaseState.OPEN, opened_at=OLD, updated_at=OLD,
)  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo hall served, with one overdue case stored before the server starts."""
    tmp = tmp_path_factory.mktemp("follow-ups")
    with demo_server(tmp) as served:
        store = open_store(f"sqlite:///{tmp}/hallq.db", migrate=False)
        try:
            with store.transaction("demo") as tx:
                tx.insert_case(OVERDUE)
        finally:
            store.close()
        yield served


def bad_rating(server: Server, clerk: dict[str, str], comment: str) -> int:
    """A visitor served at window 20 by 张伟 rates it 1 on their phone: the ticket's id."""
    issued = httpx.post(f"{server.base}/api/halls/demo/tickets", json={"service": "G"}).json()
    for action in ("call-next", "start", "finish"):
        r = httpx.post(f"{server.base}/api/halls/demo/windows/20/{action}", headers=clerk)
        assert r.status_code == 200, r.text
    token = parse_qs(urlsplit(issued["track_url"]).query)["token"][0]
    r = httpx.post(f"{server.base}/api/tickets/{issued['id']}/evaluation",
                   json={"score": 1, "token": token, "comment": comment})  # fmt: skip
    assert r.status_code == 201, r.text
    return int(issued["id"])


@pytest.fixture(scope="module")
def boss(server: Server) -> dict[str, str]:
    """The manager's bearer headers, signed in once: the server limits sign-ins from one address."""
    return bearer(server.base, "wangju", MANAGER_PASSWORD)


@pytest.fixture(scope="module")
def cases(server: Server, boss: dict[str, str]) -> tuple[int, int]:
    r = httpx.post(f"{server.base}/api/halls/demo/windows/20/open", headers=boss, json={"staff": "zhangwei"})
    assert r.status_code == 200, r.text
    clerk = bearer(server.base, "zhangwei", CLERK_PASSWORD)
    first, second = bad_rating(server, clerk, "等太久"), bad_rating(server, clerk, "态度不好")
    assert httpx.post(f"{server.base}/api/halls/demo/windows/20/close", headers=boss).status_code == 200
    return first, second


@pytest.fixture(scope="module")
def manager(browser: Any, server: Server) -> Any:
    """The manager's signed-in browser state (cookies), signed in once and reused by each page."""
    page = new_page(browser, server, SIZES[0])
    page.goto(f"{server.base}/dashboard/demo/follow-ups")
    sign_in(page, "wangju", MANAGER_PASSWORD)
    page.wait_for_selector("body[data-ready='1']")
    state = page.context.storage_state()
    page.context.close()
    return state


def board(browser: Any, server: Server, signed_in: Any, size: dict[str, int], lang: str = "") -> Any:
    """The 回访 page at ``size`` in a context with the ``signed_in`` browser state."""
    page = new_page(browser, server, size, storage_state=signed_in)
    page.goto(f"{server.base}/dashboard/demo/follow-ups{lang}")
    page.wait_for_selector("body[data-ready='1']")
    return page


def clerk_board(browser: Any, server: Server) -> Any:
    page = new_page(browser, server, SIZES[0])
    page.goto(f"{server.base}/dashboard/demo/follow-ups")
    sign_in(page, "zhangwei", CLERK_PASSWORD)
    page.wait_for_selector("body[data-ready='1']")
    return page


def case(server: Server, boss: dict[str, str], ticket_id: int) -> dict[str, Any]:
    found: dict[str, Any] = httpx.get(f"{server.base}/api/halls/demo/cases/{ticket_id}", headers=boss).json()
    return found


def act(page: Any, form: str, fields: dict[str, str] | None = None, button: str = "button[type=submit]") -> None:
    for name, value in (fields or {}).items():
        page.fill(f"#{form} [name={name}]", value)
    page.click(f"#{form} {button}")


def test_a_manager_works_a_case_from_a_real_bad_rating_to_closed(
    browser: Any, server: Server, manager: Any, boss: dict[str, str], cases: tuple[int, int]
) -> None:
    expect = sync_api.expect
    first, _ = cases
    page = board(browser, server, manager, SIZES[0])
    row = page.locator(f'#cases tr[data-ticket="{first}"]')
    expect(row).to_contain_text("1 非常不满意")
    expect(row).to_contain_text("zhangwei")
    expect(row.locator(".state")).to_have_text("待处理")
    row.click()
    expect(page.locator("#case-comment")).to_have_text("等太久")
    expect(page.locator("#f-resolve")).to_be_hidden()  # nothing to resolve before a call-back
    act(page, "f-assign", {"owner": "wangju"})
    expect(page.locator("#case-title")).to_contain_text("处理中")
    page.select_option("#f-call-back [name=method]", "visit")
    act(page, "f-call-back", {"response": "接受道歉"})
    expect(page.locator("#case-history li")).to_have_count(3)  # open, assign, call-back
    expect(page.locator("#f-resolve")).to_be_visible()
    page.check("#f-resolve [name=satisfied]")
    act(page, "f-resolve", {"text": "已上门致歉并说明流程"})
    expect(page.locator("#case-title")).to_contain_text("已解决")
    expect(page.locator("#case-outcome")).to_have_text("解决情况: 已上门致歉并说明流程 (回访后满意)")
    expect(page.locator("#case-history li").nth(2)).to_contain_text("wangju · 回访 → 处理中 · 上门, 已联系上: 接受道歉")
    act(page, "f-close")
    expect(page.locator("#case-title")).to_contain_text("已关闭")
    expect(page.locator("#case-history li")).to_have_count(5)  # open, assign, call-back, resolve, close
    stored = case(server, boss, first)
    assert stored["state"] == "closed" and stored["satisfied"] is True
    assert stored["callbacks"][0]["method"] == "visit" and stored["owner"] == "wangju"
    assert page.js_errors == [] and page.console_errors == []
    page.context.close()


def test_the_clerk_appeals_and_the_manager_upholds_it(
    browser: Any, server: Server, manager: Any, boss: dict[str, str], cases: tuple[int, int]
) -> None:
    expect = sync_api.expect
    _, second = cases
    page = board(browser, server, manager, SIZES[0])
    page.locator(f'#cases tr[data-ticket="{second}"]').click()
    expect(page.locator("#case-title")).to_contain_text("待处理")

    clerk = clerk_board(browser, server)
    clerk.locator(f'#cases tr[data-ticket="{second}"]').click()
    expect(clerk.locator("#f-appeal")).to_be_visible()
    expect(clerk.locator("#f-assign")).to_be_hidden()  # a clerk works no case, only appeals their own
    act(clerk, "f-appeal", {"reason": "访客取错了号"})
    expect(clerk.locator("#case-title")).to_contain_text("申诉中")
    assert clerk.js_errors == [] and clerk.console_errors == []
    clerk.context.close()

    # The manager's open page hears it on the hall channel, without a reload.
    expect(page.locator("#case-title")).to_contain_text("申诉中")
    expect(page.locator("#case-history li").last).to_contain_text("zhangwei · 申诉 → 申诉中 · 访客取错了号")
    expect(page.locator("#f-call-back")).to_be_hidden()  # the appeal is decided first
    page.fill("#f-decide [name=note]", "核实属实")
    page.click("#f-decide button[value=upheld]")
    expect(page.locator("#case-title")).to_contain_text("申诉成立")
    expect(page.locator("#case-outcome")).to_have_text("申诉理由: 访客取错了号 · 裁决: 申诉成立 (核实属实)")
    stored = case(server, boss, second)
    assert stored["state"] == "appeal_upheld" and stored["appeal"]["decision"] == "upheld"
    assert page.js_errors == [] and page.console_errors == []
    page.context.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_the_page_lays_out_at_each_screen_size(
    browser: Any, server: Server, manager: Any, cases: tuple[int, int], size: dict[str, int]
) -> None:
    page = board(browser, server, manager, size)
    page.click('.fu-tabs button[data-due="all"]')
    page.wait_for_selector(f'#cases tr[data-ticket="{cases[1]}"]')
    page.locator(f'#cases tr[data-ticket="{cases[1]}"]').click()
    page.wait_for_selector("#case-detail:not([hidden])")
    settle(page)
    assert layout_problems(page) == []
    shot(page, f"follow-ups-{size['width']}x{size['height']}.png")
    assert page.js_errors == [] and page.console_errors == []
    page.context.close()


def test_overdue_cases_are_red_on_the_page_and_counted_on_the_dashboard(
    browser: Any, server: Server, manager: Any, boss: dict[str, str]
) -> None:
    expect = sync_api.expect
    page = board(browser, server, manager, SIZES[0])
    page.click('.fu-tabs button[data-due="overdue"]')
    row = page.locator(f'#cases tr[data-ticket="{OVERDUE.ticket_id}"]')
    expect(row).to_have_class("overdue ")
    expect(row.locator("td.due")).to_have_css("color", "rgb(221, 51, 51)")
    expect(page.locator('.fu-tabs button[data-due="overdue"] .count')).to_have_text("(1)")

    page.goto(f"{server.base}/dashboard/demo")
    badge = page.locator("#case-overdue-count")
    expect(badge).to_have_text(" 逾期 1")
    expect(badge).to_have_css("color", "rgb(221, 51, 51)")
    clerk = bearer(server.base, "zhangwei", CLERK_PASSWORD)
    r = httpx.post(f"{server.base}/api/halls/demo/windows/20/open", headers=boss, json={"staff": "zhangwei"})
    assert r.status_code == 200, r.text
    fresh = bad_rating(server, clerk, "没人理")
    assert httpx.post(f"{server.base}/api/halls/demo/windows/20/close", headers=boss).status_code == 200
    listed = page.locator(f'#follow-ups li[data-ticket="{fresh}"]')
    expect(listed).to_have_count(1)
    # Both are called back and resolved elsewhere (the 回访 page, another manager): the board follows.
    for ticket_id in (fresh, OVERDUE.ticket_id):
        for path, body in (("call-back", {"method": "phone", "reached": True, "response": "已致歉"}),
                           ("resolve", {"text": "已解决", "satisfied": True})):  # fmt: skip
            r = httpx.post(f"{server.base}/api/halls/demo/cases/{ticket_id}/{path}", headers=boss, json=body)
            assert r.status_code == 200, r.text
    expect(listed).to_have_count(0)
    expect(badge).to_have_text("")
    assert page.js_errors == [] and page.console_errors == []
    page.context.close()


def test_english(browser: Any, server: Server, manager: Any) -> None:
    page = board(browser, server, manager, SIZES[2], "?lang=en")
    sync_api.expect(page.locator('.fu-tabs button[data-due="overdue"]')).to_contain_text("Overdue")
    assert page.js_errors == [] and page.console_errors == []
    page.context.close()
