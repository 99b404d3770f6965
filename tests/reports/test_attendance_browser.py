"""The 考勤 page in a real Chromium against a real server: a published roster of a fixed past
week and the windows opened and closed through the service with a test clock, written before
the server starts; the page shows each clerk's days with the exact minutes late and left early,
the absence and the leave, the totals per clerk, a CSV of the rows and a print layout. The 现在
panel reads ``GET …/rosters/now`` (from the server, then stubbed with a 缺岗 to see it in red).
Lays out at 1280×800, 1366×768, 1920×1080 and 1080×1920 without sideways scrolling or console
errors, and in English.

The week is fixed (2026-11-23, a plain working week), long past whatever clock the server runs
on; the page's own default week comes from the server's business day.
Writes test-artifacts/attendance-<width>x<height>.png and attendance-print.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from queue_server.auth.service import AuthService
from queue_server.config import demo_config
from queue_server.principal import Role
from queue_server.service import QueueService
from queue_server.staffing import Assignment
from queue_server.storage import open_store
from tests.browser_support import NEEDS_CHROMIUM, layout_problems, new_page, settle, shot, sign_in
from tests.conftest import FakeClock
from tests.server_support import MANAGER_PASSWORD, Server, serve

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

SCREENS = [(1280, 800), (1366, 768), (1920, 1080), (1080, 1920)]
HALL = "demo"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)
TUESDAY = MONDAY + timedelta(days=1)
SUNDAY = MONDAY + timedelta(days=6)
CLERKS = ("zhangwei", "lina", "wangfang")


def at(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=SHANGHAI)


def seed(service: QueueService, clock: FakeClock) -> None:
    """Monday and Tuesday, a full day (09:00–17:00, lunch 12:00–13:00) each for three clerks:
    Monday zhangwei opens 7½ minutes late, lina leaves 30 minutes early, wangfang never comes;
    Tuesday zhangwei is on time, lina 20 minutes late and 15 early, wangfang on leave."""
    clock.now = at(MONDAY, 7, 0)
    duties = [
        Assignment(HALL, d, login, "full", None, at(d, 9, 0), at(d, 17, 0), at(d, 12, 0), at(d, 13, 0))
        for d in (MONDAY, TUESDAY)
        for login in CLERKS
    ]
    draft = service.save_roster(HALL, MONDAY, SUNDAY, duties, by="wangju").value
    assert draft.id is not None
    service.publish_roster(HALL, draft.id, by="wangju")
    service.add_leave(HALL, "wangfang", "leave", at(TUESDAY, 0, 0), at(TUESDAY + timedelta(days=1), 0, 0), by="wangju")
    moves = [
        (at(MONDAY, 8, 55), "open", 2, "lina"),
        (at(MONDAY, 9, 7, 30), "open", 1, "zhangwei"),
        (at(MONDAY, 16, 30), "close", 2, "lina"),
        (at(MONDAY, 17, 0), "close", 1, "zhangwei"),
        (at(TUESDAY, 8, 58), "open", 1, "zhangwei"),
        (at(TUESDAY, 9, 20), "open", 2, "lina"),
        (at(TUESDAY, 16, 45), "close", 2, "lina"),
        (at(TUESDAY, 17, 10), "close", 1, "zhangwei"),
    ]
    for when, what, window, login in moves:
        clock.now = when
        if what == "open":
            service.open_window(HALL, window, login)
        else:
            service.close_window(HALL, window, login)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo hall with the manager wangju and the seeded week, one server for the module."""
    tmp: Path = tmp_path_factory.mktemp("attendance")
    db = f"sqlite:///{tmp}/hallq.db"
    store = open_store(db)
    try:
        config = demo_config()
        store.sync_halls(config)
        AuthService(store.accounts).create_user("wangju", MANAGER_PASSWORD, Role.MANAGER, HALL, "王局")
        clock = FakeClock(datetime(2026, 11, 22, tzinfo=UTC))
        seed(QueueService(store, config, clock=clock), clock)
    finally:
        store.close()
    with serve(db, tmp) as base:
        yield Server(base, "", "")


@pytest.fixture(scope="module")
def page(browser: Any, server: Server) -> Any:
    """One signed-in manager's 考勤 page showing the seeded week, shared by the tests in order."""
    p = new_page(browser, server, {"width": 1366, "height": 768})
    p.goto(f"{server.base}/dashboard/demo/attendance")
    sign_in(p, "wangju", MANAGER_PASSWORD)
    p.wait_for_selector("body[data-ready='1']")
    yield p
    p.context.close()


def no_errors(page: Any) -> None:
    assert page.js_errors == [] and page.console_errors == [], (page.js_errors, page.console_errors)


def show_week(page: Any) -> None:
    page.fill("#att-from", MONDAY.isoformat())
    page.fill("#att-to", SUNDAY.isoformat())
    page.click("#show")
    page.wait_for_function("() => hallqAttendance.first === '2026-11-23' && hallqAttendance.rows.length === 6")


def cells(page: Any, selector: str) -> list[list[str]]:
    found: list[list[str]] = page.locator(selector).evaluate_all(
        "(rows) => rows.map((r) => [...r.cells].map((c) => c.innerText.trim()))"
    )
    return found


def test_the_page_opens_on_this_week(page: Any) -> None:
    business_day = page.evaluate("() => JSON.parse(document.getElementById('hallq-page').textContent).business_day")
    monday = date.fromisoformat(business_day) - timedelta(days=date.fromisoformat(business_day).weekday())
    assert page.input_value("#att-from") == monday.isoformat()
    assert page.input_value("#att-to") == (monday + timedelta(days=6)).isoformat()
    no_errors(page)


def test_each_clerk_s_days_with_the_exact_figures(page: Any) -> None:
    show_week(page)
    rows = cells(page, "#attendance tbody tr")
    # by clerk (their names in pinyin order: 李娜, 王芳, 张伟), then by day
    assert rows == [
        ["李娜", "11-23 周一", "09:00–17:00", "08:55", "16:30", "", "30", "早退"],
        ["李娜", "11-24 周二", "09:00–17:00", "09:20", "16:45", "20", "15", "迟到，早退"],
        ["王芳", "11-23 周一", "09:00–17:00", "", "", "", "", "缺勤"],
        ["王芳", "11-24 周二", "09:00–17:00", "", "", "", "", "请假"],
        ["张伟", "11-23 周一", "09:00–17:00", "09:07", "17:00", "7", "", "迟到"],
        ["张伟", "11-24 周二", "09:00–17:00", "08:58", "17:10", "", "", "正常"],
    ]
    absent = page.locator("#attendance tr.absent")
    assert absent.count() == 1 and absent.get_attribute("data-login") == "wangfang"
    assert page.locator("#attendance tr.on-leave").get_attribute("data-day") == "2026-11-24"
    late = page.locator('#attendance tr[data-login="zhangwei"][data-day="2026-11-23"] td.late')
    assert "bad" in (late.get_attribute("class") or "")
    colour = late.evaluate("(el) => getComputedStyle(el).color")
    assert colour != page.locator('#attendance tr[data-login="zhangwei"] td.day').first.evaluate(
        "(el) => getComputedStyle(el).color"
    )
    no_errors(page)


def test_the_totals_per_clerk(page: Any) -> None:
    # name, days on duty, late count and minutes, early count and minutes, absences, leave days
    assert cells(page, "#totals tbody tr") == [
        ["李娜", "2", "1", "20", "2", "45", "0", "0"],
        ["王芳", "0", "0", "0", "0", "0", "1", "1"],
        ["张伟", "2", "1", "7", "0", "0", "0", "0"],
    ]
    assert "absent-n" in (page.get_attribute('#totals tr[data-login="wangfang"] td.absent', "class") or "")
    no_errors(page)


def test_the_rows_download_as_csv(page: Any) -> None:
    with page.expect_download() as info:
        page.click("#csv")
    download = info.value
    assert download.suggested_filename == "attendance-demo-2026-11-23-2026-11-29.csv"
    text = Path(download.path()).read_text("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "工号（登录名）,姓名,日期,排班,首次开窗,最后关窗,迟到（分钟）,早退（分钟）,状态"
    assert lines[1:] == [
        "lina,李娜,2026-11-23,09:00–17:00,08:55,16:30,0,30,早退",
        "lina,李娜,2026-11-24,09:00–17:00,09:20,16:45,20,15,迟到，早退",
        "wangfang,王芳,2026-11-23,09:00–17:00,,,0,0,缺勤",
        "wangfang,王芳,2026-11-24,09:00–17:00,,,0,0,请假",
        "zhangwei,张伟,2026-11-23,09:00–17:00,09:07,17:00,7,0,迟到",
        "zhangwei,张伟,2026-11-24,09:00–17:00,08:58,17:10,0,0,正常",
    ]
    no_errors(page)


def test_the_print_layout_keeps_the_tables(page: Any) -> None:
    try:
        page.emulate_media(media="print")
        assert page.locator(".now-panel").is_hidden() and page.locator(".toolbar").is_hidden()
        assert page.locator(".top").is_hidden()
        assert page.inner_text("#print-title") == "示范区政务服务中心 考勤表"
        assert page.inner_text("#print-period") == "2026-11-23 至 2026-11-29"
        assert page.locator("#attendance").is_visible() and page.locator("#totals").is_visible()
        page.set_viewport_size({"width": 1123, "height": 794})
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1123
        shot(page, "attendance-print.png")
    finally:
        page.set_viewport_size({"width": 1366, "height": 768})
        page.emulate_media(media="screen")
    no_errors(page)


def test_a_range_the_wrong_way_round_is_said_so(page: Any) -> None:
    page.fill("#att-from", TUESDAY.isoformat())
    page.fill("#att-to", MONDAY.isoformat())
    page.click("#show")
    assert page.inner_text("#att-status") == "结束日期早于开始日期"
    assert page.evaluate("() => hallqAttendance.first") == MONDAY.isoformat()  # the week shown stays
    page.click("#prev-week")
    page.wait_for_function("() => hallqAttendance.first === '2026-11-16' && hallqAttendance.rows.length === 0")
    assert page.inner_text("#attendance tbody") == "所选日期没有已发布的排班"
    page.click("#next-week")
    page.wait_for_function("() => hallqAttendance.first === '2026-11-23' && hallqAttendance.rows.length === 6")
    no_errors(page)


def test_the_now_panel_from_the_server(page: Any) -> None:
    """No roster is in force on the server's day: every window is shown, nobody rostered."""
    rows = page.locator("#now tbody tr")
    assert rows.count() == 20 and page.locator("#now tbody tr.now-off").count() == 20
    assert page.inner_text("#now-absences") == "无人缺岗"
    assert page.inner_text("#now-at").startswith("截至 ")
    no_errors(page)


NOW = {
    "at": "2026-11-23T12:10:00+08:00",
    "windows": [
        {"window": 1, "login": "zhangwei", "name": "张伟", "post": "W01", "state": "lunch",
         "lunch_start": "2026-11-23T12:00:00+08:00", "lunch_end": "2026-11-23T13:00:00+08:00",
         "cover_window": 2, "window_state": "paused", "unrostered": False},
        {"window": 2, "login": "lina", "name": "李娜", "post": "W02", "state": "on_duty", "lunch_start": None,
         "lunch_end": None, "cover_window": None, "window_state": "open", "unrostered": False},
        {"window": 3, "login": "wangfang", "name": "王芳", "post": "W03", "state": "on_duty", "lunch_start": None,
         "lunch_end": None, "cover_window": None, "window_state": "closed", "unrostered": False},
        {"window": 4, "login": "liuyang", "name": "刘洋", "post": "W06", "state": "on_duty", "lunch_start": None,
         "lunch_end": None, "cover_window": None, "window_state": "open", "unrostered": True},
    ],
    "absences": [
        {"login": "wangfang", "name": "王芳", "window": 3, "post": "W03", "since": "2026-11-23T09:00:00+08:00",
         "backup": {"login": "lina", "name": "李娜"}},
    ],
}  # fmt: skip


def test_the_now_panel_shows_lunch_cover_and_absences_in_red(page: Any) -> None:
    page.route("**/api/halls/demo/rosters/now", lambda route: route.fulfill(json=NOW))
    try:
        page.click("#now-refresh")
        page.wait_for_selector("#now-absences li.absence")
        assert page.inner_text("#now-at") == "截至 12:10"
        absence = page.inner_text("#now-absences li.absence")
        assert "王芳" in absence and "3号窗口（W03）09:00 起未到岗" in absence and "请通知B岗 李娜" in absence
        lunch = page.inner_text('#now tr[data-window="1"]')
        assert "午休" in lunch and "12:00–13:00" in lunch and "午休期间请到 2 号窗口" in lunch and "暂停" in lunch
        red = page.locator('#now tr[data-window="3"]')
        assert "absent" in (red.get_attribute("class") or "") and "缺岗" in red.inner_text()
        background = red.locator("td").first.evaluate("(el) => getComputedStyle(el).backgroundColor")
        assert background == "rgb(214, 69, 61)"  # --red
        assert "非本人岗位" in page.inner_text('#now tr[data-window="4"]')
        no_errors(page)
    finally:
        page.unroute("**/api/halls/demo/rosters/now")


def test_the_page_lays_out_on_every_screen(page: Any) -> None:
    """With the seeded week and the stubbed 缺岗 shown."""
    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
        assert layout_problems(page) == [], (width, height)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        shot(page, f"attendance-{width}x{height}.png")
    page.set_viewport_size({"width": 1366, "height": 768})
    no_errors(page)


def test_the_page_in_english(browser: Any, server: Server) -> None:
    p = new_page(browser, server, {"width": 1280, "height": 800})
    try:
        p.goto(f"{server.base}/dashboard/demo/attendance?lang=en")
        sign_in(p, "wangju", MANAGER_PASSWORD)
        p.wait_for_selector("body[data-ready='1']")
        show_week(p)
        assert cells(p, '#attendance tr[data-login="lina"][data-day="2026-11-24"]') == [
            ["李娜", "11-24 Tue", "09:00–17:00", "09:20", "16:45", "20", "15", "late, left early"]
        ]
        assert "Absent" in p.inner_text('#attendance tr[data-login="wangfang"][data-day="2026-11-23"]')
        assert "Times late" in p.inner_text("#totals thead") and p.inner_text("#csv") == "Download CSV"
        assert p.inner_text(".nav a[aria-current='page']") == "Attendance"
        for size in ({"width": 1280, "height": 800}, {"width": 1080, "height": 1920}):
            p.set_viewport_size(size)
            settle(p)
            assert layout_problems(p) == [], size
        assert p.js_errors == [] and p.console_errors == []
    finally:
        p.context.close()
