"""我的排班 and the lunch handover on the clerk console, in a real Chromium, on the service's clock
(tests/counters/clock_server.py: the test sets the time of day): where and when the clerk is
due before the shift, the banner ten minutes before lunch, 开始午休 refused while a ticket is at
the window and pausing with the lunch reason once it is done, 午休结束，恢复叫号 after lunch, the
runner's pause shown the same way, and no panel for an account without a staff record. At the
clerks' monitor sizes, 1280×800 and 1366×768: nothing overflows, no console errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx2 as httpx
import pytest

from tests.browser_support import (
    COUNTER_LOGIN,
    NEEDS_CHROMIUM,
    SMALL_TV,
    launch,
    layout_problems,
    settle,
    shot,
    sign_in,
    sync_api,
)
from tests.browser_support import new_page as _new_page
from tests.counters.clock_server import MONDAY, ClockServer, clock_server
from tests.server_support import CLERK_PASSWORD, Server

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

MONITOR = {"width": 1366, "height": 768}
# The console's lunch pause, as the runner's: the covering window when the roster names one.
LUNCH_REASON = re.compile(
    r"午休，请到(其他窗口|\d+ 号窗口)办理 / Lunch break, please go to (another window|window \d+)"
)
RUNNER_LUNCH = "午休，请到 5 号窗口办理 / Lunch break, please go to window 5"


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClockServer]:
    with clock_server(tmp_path_factory.mktemp("duties")) as s:
        publish_week(s)
        yield s


@pytest.fixture(scope="module")
def browser(hall: ClockServer) -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = launch(pw)
        try:
            yield b
        finally:
            b.close()


def at(day: Any, hhmm: str) -> str:
    return f"{day.isoformat()}T{hhmm}:00+08:00"


def publish_week(hall: ClockServer) -> None:
    """zhangwei: the full day at post W03 on Monday and Tuesday (lunch 12:00–13:00), leave on
    Wednesday; published by the manager through the API."""
    manager = hall.manager_headers()
    duties = [
        {"day": d.isoformat(), "login": "zhangwei", "shift": "full", "post": "W03", "start": at(d, "09:00"),
         "end": at(d, "17:00"), "lunch_start": at(d, "12:00"), "lunch_end": at(d, "13:00")}
        for d in (MONDAY, MONDAY + timedelta(days=1))
    ]  # fmt: skip
    last = MONDAY + timedelta(days=6)
    body = {"first": MONDAY.isoformat(), "last": last.isoformat(), "assignments": duties}
    r = httpx.post(f"{hall.base}/api/halls/demo/rosters", json=body, headers=manager)
    assert r.status_code == 201, r.text
    r = httpx.post(f"{hall.base}/api/halls/demo/rosters/{r.json()['id']}/publish", headers=manager)
    assert r.status_code == 200, r.text
    wednesday = MONDAY + timedelta(days=2)
    leave = {"login": "zhangwei", "kind": "leave", "start": at(wednesday, "00:00"), "end": at(wednesday, "23:59")}
    r = httpx.post(f"{hall.base}/api/halls/demo/leave", json=leave, headers=manager)
    assert r.status_code == 201, r.text


def new_page(browser: Any, hall: ClockServer, viewport: dict[str, int]) -> Any:
    as_server = Server(hall.base, hall.display_token, hall.kiosk_token)
    return _new_page(browser, as_server, viewport)


def issue(hall: ClockServer, service: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {hall.kiosk_token}"}
    r = httpx.post(f"{hall.base}/api/halls/demo/tickets", json={"service": service}, headers=headers)
    assert r.status_code == 201, r.text
    ticket: dict[str, Any] = r.json()
    return ticket


def window_3(hall: ClockServer) -> dict[str, Any]:
    r = httpx.get(f"{hall.base}/api/halls/demo/snapshot", headers=hall.clerk_headers())
    found: dict[str, Any] = next(w for w in r.json()["windows"] if w["number"] == 3)
    return found


def fits(page: Any, name: str) -> None:
    """No layout problem at either clerk monitor size; a screenshot of each."""
    size = page.viewport_size
    for viewport in (SMALL_TV, MONITOR):
        page.set_viewport_size(viewport)
        settle(page)
        assert layout_problems(page) == [], viewport
        shot(page, f"{name}-{viewport['width']}x{viewport['height']}.png")
    page.set_viewport_size(size)
    settle(page)


def test_duties_before_the_shift_and_the_lunch_handover(browser: Any, hall: ClockServer) -> None:
    expect = sync_api.expect
    hall.set_time("08:00")
    page = new_page(browser, hall, SMALL_TV)
    page.goto(f"{hall.base}/counter")
    sign_in(page, "zhangwei", CLERK_PASSWORD, COUNTER_LOGIN)

    # Before the shift: where and when, on the window picker already.
    expect(page.locator("#picker")).to_be_visible()
    today = page.locator("#duty-today li")
    expect(today).to_have_count(1)
    expect(today.locator(".duty-text")).to_have_text("今天 09:00–17:00，3 号窗口（岗位 W03），午休 12:00–13:00")
    expect(today.locator(".tag.shift")).to_have_text("全天")
    expect(today.locator(".tag.state")).to_have_text("待上岗")
    week = page.locator("#duty-week li")
    expect(week).to_have_count(7)
    expect(week.nth(0)).to_have_attribute("data-today", "1")
    expect(week.nth(0)).to_contain_text("周一 11/23")
    expect(week.nth(1)).to_contain_text("全天 09:00–17:00")
    expect(week.nth(2)).to_contain_text("请假")
    expect(week.nth(3)).to_contain_text("休息")
    expect(page.locator("#lunch")).to_be_hidden()
    fits(page, "counter-duties")

    page.locator('#windows [data-window="3"]').click()
    expect(page.locator("#console")).to_be_visible()
    expect(page.locator("#duties")).to_be_visible()
    expect(page.locator("#lunch")).to_be_hidden()

    # 11:52: the banner, and a ticket at the window keeps the window open.
    hall.set_time("11:52")
    page.reload()
    expect(page.locator("#window-name")).to_have_text("3 号窗口")
    banner = page.locator("#lunch")
    expect(banner).to_be_visible()
    # The covering window when the roster names one, else "another window".
    expect(page.locator("#lunch-text")).to_have_text(
        re.compile(r"^12:00 午休：当前业务办完后窗口将暂停，请引导群众到(其他窗口|\d+ 号窗口)$")
    )
    expect(today.locator(".tag.state")).to_have_text("在岗")
    ticket = issue(hall, "A")
    page.keyboard.press("F1")
    expect(page.locator("#current-number")).to_have_text(ticket["number"])
    page.keyboard.press("s")
    expect(page.locator("#current-state")).to_have_text("办理中")
    busy = page.locator("#lunch-busy")
    expect(busy).to_have_text(f"正在办理 {ticket['number']}，请先办结再开始午休")
    page.locator("#lunch-start").click()
    expect(busy).to_have_class(re.compile(r"\brefused\b"))
    assert window_3(hall)["state"] == "open"
    fits(page, "counter-lunch-soon")

    # Done: 开始午休 pauses the window with the lunch reason.
    page.keyboard.press("f")
    expect(page.locator("#current-number")).to_have_text("—")
    expect(busy).to_be_hidden()
    page.locator("#lunch-start").click()
    expect(page.locator("#win-state")).to_have_text(re.compile(r"^暂停服务 · 午休，请到(其他窗口|\d+ 号窗口)办理$"))
    w3 = window_3(hall)
    assert w3["state"] == "paused" and LUNCH_REASON.fullmatch(w3["pause_reason"]), w3
    expect(page.locator("#lunch-text")).to_have_text(re.compile(r"^午休中（12:00–13:00）· 窗口已暂停：午休，请到"))
    expect(page.locator("#lunch-end")).to_be_visible()
    expect(page.locator("#lunch-start")).to_be_hidden()
    fits(page, "counter-on-lunch")

    # 13:01: lunch is over; 午休结束，恢复叫号 resumes.
    hall.set_time("13:01")
    page.reload()
    expect(page.locator("#lunch-text")).to_have_text("午休已于 13:00 结束")
    page.locator("#lunch-end").click()
    expect(page.locator("#win-state")).to_have_text("服务中")
    expect(banner).to_be_hidden()
    assert window_3(hall)["state"] == "open"

    # The roster's runner pauses the window itself (here: the service, as the runner does): the
    # console shows it the same way, live.
    hall.set_time("12:30")
    page.reload()
    expect(page.locator("#win-state")).to_have_text("服务中")
    expect(banner).to_be_visible()  # lunch time, the window still open
    hall.service.pause_window("demo", 3, RUNNER_LUNCH)
    expect(page.locator("#win-state")).to_have_text("暂停服务 · 午休，请到 5 号窗口办理")
    expect(page.locator("#lunch-text")).to_have_text("午休中（12:00–13:00）· 窗口已暂停：午休，请到 5 号窗口办理")
    page.locator("#lunch-end").click()
    expect(page.locator("#win-state")).to_have_text("服务中")

    assert page.js_errors == [] and page.console_errors == []
    page.context.close()


def test_in_english(browser: Any, hall: ClockServer) -> None:
    expect = sync_api.expect
    hall.set_time("11:55")
    page = new_page(browser, hall, MONITOR)
    page.goto(f"{hall.base}/counter?lang=en")
    sign_in(page, "zhangwei", CLERK_PASSWORD, COUNTER_LOGIN)
    expect(page.locator("#window-name")).to_have_text("Window 3")
    today = "Today 09:00–17:00, window 3 (post W03), lunch 12:00–13:00"
    expect(page.locator("#duty-today .duty-text")).to_have_text(today)
    expect(page.locator("#duty-week li").nth(2)).to_contain_text("Leave")
    expect(page.locator("#lunch-text")).to_contain_text("Lunch at 12:00: the window pauses once the current service")
    expect(page.locator("#lunch-start")).to_have_text("Start lunch")
    fits(page, "counter-lunch-soon-en")
    assert page.js_errors == [] and page.console_errors == []
    page.context.close()


def test_the_covering_window_when_the_duties_name_one(browser: Any, hall: ClockServer) -> None:
    expect = sync_api.expect
    hall.set_time("11:58")
    page = new_page(browser, hall, SMALL_TV)

    def with_cover(route: Any) -> None:
        answer = route.fetch()
        body = answer.json()
        for duty in body["today"]:
            duty["cover_window"] = 5
        route.fulfill(response=answer, json=body)

    page.route("**/api/halls/demo/my/duties*", with_cover)
    page.goto(f"{hall.base}/counter")
    sign_in(page, "zhangwei", CLERK_PASSWORD, COUNTER_LOGIN)
    expect(page.locator("#window-name")).to_have_text("3 号窗口")
    expect(page.locator("#lunch-text")).to_have_text("12:00 午休：当前业务办完后窗口将暂停，请引导群众到 5 号窗口")
    page.locator("#lunch-start").click()
    expect(page.locator("#win-state")).to_have_text("暂停服务 · 午休，请到 5 号窗口办理")
    assert window_3(hall)["pause_reason"] == RUNNER_LUNCH  # the console's words are the runner's
    page.locator("#lunch-end").click()
    expect(page.locator("#win-state")).to_have_text("服务中")
    assert page.js_errors == [] and page.console_errors == []
    page.context.close()


def test_a_day_without_a_duty(browser: Any, hall: ClockServer) -> None:
    expect = sync_api.expect
    thursday = MONDAY + timedelta(days=3)
    hall.set_time("10:00", thursday)
    try:
        page = new_page(browser, hall, SMALL_TV)
        page.goto(f"{hall.base}/counter")
        sign_in(page, "zhangwei", CLERK_PASSWORD, COUNTER_LOGIN)
        expect(page.locator("#duty-today li")).to_have_text("今天没有排班")
        expect(page.locator("#duty-week li").nth(3)).to_have_attribute("data-today", "1")
        expect(page.locator("#duty-week li").nth(3)).to_contain_text("休息")
        expect(page.locator("#lunch")).to_be_hidden()
        expect(page.locator("#error")).to_be_hidden()
        assert page.js_errors == [] and page.console_errors == []
        page.context.close()
    finally:
        hall.set_time("10:00")


def test_a_clerk_without_a_staff_record_works_without_a_duties_panel(browser: Any, hall: ClockServer) -> None:
    expect = sync_api.expect
    hall.set_time("11:55")
    page = new_page(browser, hall, SMALL_TV)
    page.goto(f"{hall.base}/counter")
    sign_in(page, "zhaolin", CLERK_PASSWORD, COUNTER_LOGIN)
    expect(page.locator("#who")).to_have_text("zhaolin")
    expect(page.locator("#picker")).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#duties")).to_be_hidden()
    expect(page.locator("#lunch")).to_be_hidden()
    expect(page.locator("#error")).to_be_hidden()
    assert page.js_errors == [] and page.console_errors == []
    page.context.close()


def test_the_clock_server_keeps_to_its_day(hall: ClockServer) -> None:
    hall.set_time("09:30")
    r = httpx.get(f"{hall.base}/api/halls/demo/my/duties", headers=hall.clerk_headers())
    assert r.status_code == 200, r.text
    assert r.json()["day"] == MONDAY.isoformat()
