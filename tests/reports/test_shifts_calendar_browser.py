"""The 班次 and 日历 pages in a real Chromium against a real server (the demo hall): a shift
template added, changed and deleted from the page, a refused one showing the server's message
next to the field it names; a day of the calendar set to a holiday and cleared again, seen in
the month view and in the 排班 grid's day header; the warning for days beyond the holiday data;
both pages at 1280×800, 1366×768, 1920×1080 and 1080×1920 without sideways scrolling or console
errors, and in English.

Dates come from the page (the server's business day), never from this machine's calendar.
Writes test-artifacts/shifts-<width>x<height>.png and calendar-<width>x<height>.png.
"""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import pytest

from tests.browser_support import NEEDS_CHROMIUM, layout_problems, new_page, settle, shot, sign_in
from tests.server_support import MANAGER_PASSWORD, Server, bearer

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

SCREENS = [(1280, 800), (1366, 768), (1920, 1080), (1080, 1920)]


@pytest.fixture(scope="module")
def page(browser: Any, server: Server) -> Any:
    """One signed-in manager's page, shared by the module's tests in order (it starts on 班次)."""
    p = new_page(browser, server, {"width": 1366, "height": 768})
    p.on("dialog", lambda d: d.accept())  # the delete confirm
    p.goto(f"{server.base}/dashboard/demo/shifts")
    sign_in(p, "wangju", MANAGER_PASSWORD)
    p.wait_for_selector("body[data-ready='1']")
    yield p
    p.context.close()


def manager(server: Server) -> dict[str, str]:
    return bearer(server.base, "wangju", MANAGER_PASSWORD)


def no_errors(page: Any) -> None:
    assert page.js_errors == [] and page.console_errors == [], (page.js_errors, page.console_errors)


def one_refusal(page: Any) -> None:
    """The console's note of the 400 the page shows (as it should be), then forgotten."""
    assert len(page.console_errors) == 1 and "400" in page.console_errors[0], page.console_errors
    page.console_errors.clear()


def shift_of(server: Server, code: str) -> dict[str, Any] | None:
    shifts = httpx.get(f"{server.base}/api/halls/demo/shifts", headers=manager(server)).json()["shifts"]
    return next((s for s in shifts if s["code"] == code), None)


def open_page(page: Any, server: Server, path: str) -> None:
    page.goto(f"{server.base}/dashboard/demo/{path}")
    page.wait_for_selector("body[data-ready='1']")


# -- 班次 ---------------------------------------------------------------------------------------


def test_the_hall_s_shifts_are_listed(page: Any) -> None:
    codes = page.locator("#shifts tbody tr").evaluate_all("(rows) => rows.map((r) => r.dataset.code)")
    assert {"early", "full", "noon", "sat"} <= set(codes)
    full = page.inner_text('#shifts tr[data-code="full"]')
    assert "全天" in full and "09:00–17:00" in full and "7 小时" in full and "60 分钟，11:30–13:30" in full
    assert "是" in page.inner_text('#shifts tr[data-code="noon"] td.noon')
    no_errors(page)


def test_a_shift_is_added_from_the_page(page: Any, server: Server) -> None:
    page.click("#add-shift")
    page.fill("#f-code", "eve")
    page.fill("#f-name_zh", "晚班")
    page.fill("#f-name_en", "Evening")
    page.fill("#f-start", "13:00")
    page.fill("#f-end", "18:00")
    page.click("#f-save")
    page.wait_for_selector('#shifts tr[data-code="eve"]')
    assert page.inner_text("#shifts-status") == "已保存班次 eve"
    row = page.inner_text('#shifts tr[data-code="eve"]')
    assert "晚班" in row and "13:00–18:00" in row and "5 小时" in row and "无午休" in row
    assert shift_of(server, "eve") == {
        "code": "eve", "name_zh": "晚班", "name_en": "Evening", "start": "13:00", "end": "18:00",
        "lunch_minutes": 0, "lunch_earliest": None, "lunch_latest": None, "noon_duty": False, "minutes": 300,
    }  # fmt: skip
    no_errors(page)


def test_a_refused_shift_shows_the_message_beside_the_field(page: Any, server: Server) -> None:
    # off the 15-minute grid: the start is named
    page.click("#add-shift")
    page.fill("#f-code", "odd")
    page.fill("#f-name_zh", "怪班")
    page.fill("#f-start", "09:07")
    page.fill("#f-end", "12:00")
    page.click("#f-save")
    page.wait_for_selector('.field-error[data-field="start"]:not([hidden])')
    assert "15 分钟" in page.inner_text('.field-error[data-field="start"]')
    assert page.locator('.field-error[data-field="end"]').is_hidden()
    assert page.inner_text("#form-status") == "未保存，请按提示修改"
    assert "refused" in (page.get_attribute("#f-start", "class") or "")
    assert shift_of(server, "odd") is None
    one_refusal(page)
    # a code already taken: the code is named
    page.fill("#f-code", "full")
    page.fill("#f-start", "09:00")
    page.click("#f-save")
    page.wait_for_selector('.field-error[data-field="code"]:not([hidden])')
    assert "已存在" in page.inner_text('.field-error[data-field="code"]')
    assert page.locator('.field-error[data-field="start"]').is_hidden()
    page.console_errors.clear()  # a 409 this time
    page.click("#f-cancel")
    assert page.locator(".field-error:not([hidden])").count() == 0
    no_errors(page)


def test_a_shift_is_changed_and_a_refused_change_names_the_end(page: Any, server: Server) -> None:
    page.locator('#shifts tr[data-code="eve"] .edit').click()
    assert page.input_value("#f-code") == "eve" and page.get_attribute("#f-code", "readonly") is not None
    assert page.input_value("#f-name_zh") == "晚班"
    page.fill("#f-end", "12:00")  # before the start
    page.click("#f-save")
    page.wait_for_selector('.field-error[data-field="end"]:not([hidden])')
    message = page.inner_text('.field-error[data-field="end"]')
    assert "班次须在开始后结束" in message and "end" in message
    assert shift_of(server, "eve")["end"] == "18:00"  # type: ignore[index]
    one_refusal(page)
    # a lunch not a multiple of 15: the minutes are named
    page.fill("#f-end", "19:30")
    page.fill("#f-lunch_minutes", "20")
    page.click("#f-save")
    page.wait_for_selector('.field-error[data-field="lunch_minutes"]:not([hidden])')
    assert page.locator('.field-error[data-field="end"]').is_hidden()
    one_refusal(page)
    page.fill("#f-lunch_minutes", "30")
    page.fill("#f-lunch_earliest", "16:00")
    page.fill("#f-lunch_latest", "17:00")
    page.check("#f-noon_duty")  # an afternoon shift cannot be the noon duty
    page.click("#f-save")
    page.wait_for_selector('.field-error[data-field="noon_duty"]:not([hidden])')
    assert "12:00-14:00" in page.inner_text('.field-error[data-field="noon_duty"]')
    one_refusal(page)
    page.uncheck("#f-noon_duty")
    page.click("#f-save")
    page.wait_for_function("() => document.getElementById('shifts-status').textContent === '已保存班次 eve'")
    row = page.inner_text('#shifts tr[data-code="eve"]')
    assert "13:00–19:30" in row and "30 分钟，16:00–17:00" in row and "6 小时" in row  # working time, less the lunch
    saved = shift_of(server, "eve")
    assert saved is not None
    assert (saved["end"], saved["lunch_minutes"], saved["lunch_earliest"], saved["noon_duty"]) == (
        "19:30",
        30,
        "16:00",
        False,
    )
    assert page.locator(".field-error:not([hidden])").count() == 0
    no_errors(page)


def test_a_shift_is_deleted_after_a_confirm(page: Any, server: Server) -> None:
    page.locator('#shifts tr[data-code="eve"] .delete').click()
    page.wait_for_function("() => !document.querySelector('#shifts tr[data-code=\"eve\"]')")
    assert page.inner_text("#shifts-status") == "已删除班次 eve"
    assert shift_of(server, "eve") is None
    no_errors(page)


# -- 日历 ---------------------------------------------------------------------------------------


def a_plain_workday(page: Any) -> str:
    """A workday of the shown month that the national calendar (or the pattern) makes one."""
    day: str = page.evaluate(
        "() => hallqCalendar.days.find((c) => c.kind === 'workday' && !['dashboard', 'hall'].includes(c.source)).day"
    )
    return day


def roster_head(page: Any, server: Server, day: str) -> Any:
    open_page(page, server, "roster")
    page.fill("#pick-date", day)
    page.dispatch_event("#pick-date", "change")
    page.wait_for_function("(d) => hallqRoster.grid && hallqRoster.calendar.some((c) => c.day === d)", arg=day)
    return page.locator(f'#week thead th[data-day="{day}"]')


def test_a_day_is_set_and_cleared_and_the_roster_shows_it(page: Any, server: Server) -> None:
    open_page(page, server, "calendar")
    page.wait_for_selector("#month td[data-day]")
    day = a_plain_workday(page)
    cell = page.locator(f'#month td[data-day="{day}"]')
    cell.click()
    assert page.inner_text("#day-is").startswith("工作日 · 来源：")
    assert page.is_disabled("#day-clear")  # nothing set here yet
    page.select_option("#day-kind", "holiday")
    page.fill("#day-name", "测试休")
    page.click("#day-set")
    page.wait_for_function("(d) => document.getElementById('day-status').textContent === `已设置 ${d}`", arg=day)
    classes = cell.get_attribute("class") or ""
    assert "holiday" in classes and "own" in classes and "off" in classes
    assert "测试休" in cell.inner_text() and "本页设置" in cell.inner_text()
    assert "测试休" in page.inner_text(f'#special li[data-day="{day}"]')
    assert page.inner_text("#day-is") == "节假日 · 来源：本页设置" and not page.is_disabled("#day-clear")
    r = httpx.get(f"{server.base}/api/halls/demo/calendar?from={day}&to={day}", headers=manager(server))
    assert {k: r.json()["days"][0][k] for k in ("kind", "name", "source")} == {
        "kind": "holiday", "name": "测试休", "source": "dashboard",
    }  # fmt: skip
    no_errors(page)

    head = roster_head(page, server, day)
    assert "测试休" in head.inner_text() and "off" in (head.get_attribute("class") or "")
    no_errors(page)

    open_page(page, server, "calendar")
    page.fill("#pick-month", day[:7])
    page.dispatch_event("#pick-month", "change")
    page.wait_for_selector(f'#month td[data-day="{day}"].own')
    page.click(f'#month td[data-day="{day}"]')
    page.click("#day-clear")
    page.wait_for_selector(f'#month td[data-day="{day}"]:not(.own)')
    assert "已清除" in page.inner_text("#day-status") and "工作日" in page.inner_text("#day-status")
    assert "测试休" not in page.inner_text("#month") and page.is_disabled("#day-clear")
    head = roster_head(page, server, day)
    assert "测试休" not in head.inner_text() and "off" not in (head.get_attribute("class") or "")
    no_errors(page)


def test_days_beyond_the_holiday_data_are_flagged(page: Any, server: Server) -> None:
    """A month far past any published holiday list (a fixed one: the package's data ends decades
    before it, whatever today is): the weekly pattern guesses it, and the page says so."""
    open_page(page, server, "calendar")
    page.fill("#pick-month", "2090-06")
    page.dispatch_event("#pick-month", "change")
    page.wait_for_selector("#beyond:not([hidden])")
    assert "推算" in page.inner_text("#beyond") and "2090-06-01" in page.inner_text("#beyond")
    assert page.locator("#month td.guessed").count() == 30
    assert "每周规律" in (page.get_attribute('#month td[data-day="2090-06-05"]', "title") or "")
    page.click("#this-month")
    page.wait_for_function("() => !hallqCalendar.days.some((c) => c.day.startsWith('2090'))")
    no_errors(page)


# -- layouts and English --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["shifts", "calendar"])
def test_the_pages_lay_out_on_every_screen(page: Any, server: Server, path: str) -> None:
    open_page(page, server, path)
    if path == "calendar":
        page.click(f'#month td[data-day="{page.evaluate("() => hallqCalendar.days[0].day")}"]')
    else:
        page.locator('#shifts tr[data-code="full"] .edit').click()
    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
        assert layout_problems(page) == [], (path, width, height)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        shot(page, f"{path}-{width}x{height}.png")
    page.set_viewport_size({"width": 1366, "height": 768})
    no_errors(page)


def test_the_pages_in_english(browser: Any, server: Server) -> None:
    p = new_page(browser, server, {"width": 1280, "height": 800})
    try:
        p.goto(f"{server.base}/dashboard/demo/shifts?lang=en")
        sign_in(p, "wangju", MANAGER_PASSWORD)
        p.wait_for_selector("body[data-ready='1']")
        full = p.inner_text('#shifts tr[data-code="full"]')
        assert "Shift templates" in p.inner_text("#board") and "Full day" in full and "60 min, 11:30–13:30" in full
        assert p.inner_text(".nav a[aria-current='page']") == "Shifts"
        assert p.get_attribute(".nav a[href^='/dashboard/demo/calendar']", "href") == "/dashboard/demo/calendar?lang=en"
        p.goto(f"{server.base}/dashboard/demo/calendar?lang=en")
        p.wait_for_selector("body[data-ready='1']")
        assert "Mon" in p.inner_text("#month thead") and p.inner_text("#this-month") == "This month"
        p.click("#month td[data-day]")
        assert " · from the " in p.inner_text("#day-is")
        for size in ({"width": 1280, "height": 800}, {"width": 1080, "height": 1920}):
            p.set_viewport_size(size)
            settle(p)
            assert layout_problems(p) == [], size
        assert p.js_errors == [] and p.console_errors == []
    finally:
        p.context.close()
