"""The 报表 page in a real Chromium against a real server, on three weeks of the demo hall's
traffic played through the commands (a fake clock set to each past day) with a published roster
for them: every screen size shows it without overflow, overlap or console error; picking another
period and grouping reads them again; the Excel button downloads the workbook; the printed 月度通报
reads as a bulletin. Screenshots go to test-artifacts/ for the README.

The server runs on the machine's clock, so the traffic is written relative to its business day
(the three weeks before it), whatever the date; the page's figures are checked against what the
API answers for the same period, not against fixed numbers."""

from __future__ import annotations

import io
import json
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from queue_server.auth.service import AuthService
from queue_server.clock import SYSTEM_CLOCK
from queue_server.config import demo_config
from queue_server.principal import Role
from queue_server.queries.history import hall_calendar
from queue_server.queries.staffing import posts
from queue_server.service import QueueService
from queue_server.staffing import Assignment
from queue_server.storage import open_store
from tests.browser_support import ARTIFACTS, NEEDS_CHROMIUM, layout_problems, new_page, settle, shot, sign_in
from tests.conftest import FakeClock
from tests.reports.report_traffic import play_days
from tests.server_support import MANAGER_PASSWORD, Server, bearer, serve

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

SIZES = [
    {"width": 1280, "height": 800},
    {"width": 1366, "height": 768},
    {"width": 1920, "height": 1080},
    {"width": 1080, "height": 1920},
]
CLERKS = {1: "zhangwei", 2: "wangfang", 3: "lina", 4: "liuyang"}
HALL = demo_config().halls[0]


def roster(service: QueueService, days: list[date]) -> None:
    """Each clerk a full day at the post of their window on every played day, published."""
    where = {p.window: p.code for p in posts(service, "demo")}
    duties = []
    for day in days:
        at = [datetime.combine(day, time(h), tzinfo=HALL.tz) for h in (9, 12, 13, 17)]
        for w, login in CLERKS.items():
            duties.append(Assignment("demo", day, login, "full", where.get(w), at[0], at[3], at[1], at[2]))
    saved = service.save_roster("demo", days[0], days[-1], duties, by="wangju")
    assert saved.value.id is not None
    service.publish_roster("demo", saved.value.id, by="wangju")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp: Path = tmp_path_factory.mktemp("report-page")
    db = f"sqlite:///{tmp}/hallq.db"
    store = open_store(db)
    try:
        config = demo_config()
        store.sync_halls(config)
        AuthService(store.accounts).create_user("wangju", MANAGER_PASSWORD, Role.MANAGER, "demo", "王局")
        clock = FakeClock(SYSTEM_CLOCK())
        service = QueueService(store, config, clock=clock)
        today = service.business_day("demo")
        first = today - timedelta(days=21)
        calendar = hall_calendar(service, "demo", first, today)
        days = [first + timedelta(days=i) for i in range(21) if calendar.opening(first + timedelta(days=i))]
        clock.now = datetime.combine(first - timedelta(days=1), time(8), tzinfo=HALL.tz)
        roster(service, days)
        play_days(service, clock, "demo", days, CLERKS, "ABCD", per_day=110, follow_ups=True)
        clock.now = SYSTEM_CLOCK()
    finally:
        store.close()
    with serve(db, tmp) as base:
        yield Server(base, "", "")


def api(server: Server, path: str) -> Any:
    request = urllib.request.Request(f"{server.base}{path}", headers=bearer(server.base, "wangju", MANAGER_PASSWORD))
    with urllib.request.urlopen(request, timeout=60) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def page(browser: Any, server: Server) -> Any:
    page = new_page(browser, server, SIZES[2], accept_downloads=True)
    page.goto(f"{server.base}/dashboard/demo/reports")
    sign_in(page, "wangju", MANAGER_PASSWORD)
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("body[data-period]")
    return page


def period(page: Any) -> list[str]:
    return str(page.get_attribute("body", "data-period")).split(":")


def wait_period(page: Any, before: str) -> list[str]:
    page.wait_for_function(f"document.body.dataset.period && document.body.dataset.period !== {json.dumps(before)}")
    return period(page)


def test_page_shows_the_period_as_the_api_answers_it(page: Any, server: Server) -> None:
    before = str(page.get_attribute("body", "data-period"))
    page.click("#prev")  # the month before: the played weeks fill most of it
    kind, first, last, by = wait_period(page, before)
    assert (kind, by) == ("month", "service")
    totals = api(server, f"/api/halls/demo/reports/summary?from={first}&to={last}")["totals"]
    assert totals["issued"] > 0
    assert page.text_content('[data-tile="issued"] .value') == str(totals["issued"])
    assert page.text_content('[data-tile="served"] .value') == str(totals["served"])
    assert page.locator("#groups tbody tr").count() == len(
        api(server, f"/api/halls/demo/reports/summary?from={first}&to={last}&by=service")["rows"]
    )
    assert page.locator("#rankings tbody tr").count() >= 1
    assert page.locator("#attendance tbody tr td.name").count() == len(CLERKS)
    assert page.js_errors == [] and page.console_errors == []


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_fits_every_screen(page: Any, size: dict[str, int]) -> None:
    page.set_viewport_size(size)
    settle(page)
    page.wait_for_timeout(150)  # ECharts redraws on its resize observer
    assert layout_problems(page) == []
    shot(page, f"reports-{size['width']}x{size['height']}.png")
    assert page.js_errors == [] and page.console_errors == []


def test_english_fits_the_small_screen(browser: Any, server: Server) -> None:
    page = new_page(browser, server, SIZES[0])
    page.goto(f"{server.base}/dashboard/demo/reports?lang=en")
    sign_in(page, "wangju", MANAGER_PASSWORD)
    page.wait_for_selector("body[data-period]")
    assert page.text_content('[data-tile="satisfied"] .label') == "Satisfaction"
    assert page.get_attribute("#export-xlsx", "href").endswith("&lang=en")
    assert layout_problems(page) == []
    assert page.js_errors == [] and page.console_errors == []
    page.context.close()


def test_switching_period_and_grouping(page: Any, server: Server) -> None:
    page.set_viewport_size(SIZES[2])
    shown_page = page.evaluate("JSON.parse(document.getElementById('hallq-page').textContent)")
    today = date.fromisoformat(shown_page["business_day"])
    before = str(page.get_attribute("body", "data-period"))
    page.fill("#from", str(today - timedelta(days=14)))
    page.fill("#to", str(today - timedelta(days=1)))
    page.dispatch_event("#to", "change")
    assert wait_period(page, before)[:3] == ["range", str(today - timedelta(days=14)), str(today - timedelta(days=1))]
    before = str(page.get_attribute("body", "data-period"))
    page.click('#period-kind button[data-kind="week"]')  # the week of the range's last day
    kind, first, last, _ = wait_period(page, before)
    assert kind == "week" and date.fromisoformat(first).weekday() == 0
    assert date.fromisoformat(first) <= today - timedelta(days=1) <= date.fromisoformat(last)
    before = str(page.get_attribute("body", "data-period"))
    page.click("#prev")
    _, first2, last2, _ = wait_period(page, before)
    assert date.fromisoformat(first2) == date.fromisoformat(first) - timedelta(days=7)
    before = str(page.get_attribute("body", "data-period"))
    page.click('#group-by button[data-by="window"]')
    assert wait_period(page, before)[3] == "window"
    rows = api(server, f"/api/halls/demo/reports/summary?from={first2}&to={last2}&by=window")["rows"]
    shown = page.locator("#groups tbody td.name").all_text_contents()
    assert shown == [f"{r['group']} 号窗口" if r["group"] else "（未叫号）" for r in rows] and shown
    page.select_option("#rank-of", "clerk")
    page.wait_for_function("document.body.dataset.ranking && document.body.dataset.ranking.startsWith('clerk:')")
    names = page.locator("#rankings tbody td.name").all_text_contents()
    assert names and set(names) <= {"张伟", "王芳", "李娜", "刘洋"}
    # the week before had traffic too: each ranked clerk's change is marked ▲ or ▼, green or red
    assert page.locator("#rankings td.change.better, #rankings td.change.worse").count() >= 1
    assert page.js_errors == [] and page.console_errors == []


def test_excel_button_downloads_the_workbook(page: Any) -> None:
    with page.expect_download() as got:
        page.click("#export-xlsx")
    data = Path(got.value.path()).read_bytes()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "reports.xlsx").write_bytes(data)  # kept for a look (the README shows its first sheets)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["总览", "按事项", "按窗口", "按人员", "按时段", "排名", "回访", "考勤"]
    assert str(book["总览"]["A1"].value).startswith(HALL.name_zh)
    assert book["考勤"].max_row - 4 == len(CLERKS)


def test_print_page_reads_as_a_bulletin(browser: Any, page: Any, server: Server) -> None:
    first = period(page)[1]
    sheet = page.context.new_page()
    sheet.set_viewport_size({"width": 900, "height": 1270})
    sheet.goto(f"{server.base}/dashboard/demo/reports/print?period=month&from={first}")
    day = date.fromisoformat(first)
    assert sheet.text_content("#title") == f"{HALL.name_zh} {day.year}年{day.month}月 政务服务情况通报"
    assert "大厅共取号" in str(sheet.text_content("#overall"))
    assert sheet.locator("#boards table").count() >= 2
    ARTIFACTS.mkdir(exist_ok=True)
    sheet.screenshot(path=str(ARTIFACTS / "report-print.png"), full_page=False)
    sheet.close()
