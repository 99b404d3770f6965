"""The 排班 page in a real Chromium against a real server (the demo hall, its eight clerks, its
shift templates and a post per window): it lays out at 1280×800, 1366×768, 1920×1080 and
1080×1920 without sideways scrolling, the grid clear of the side panel and no console error;
a cell edited is saved into the week's draft; leave entered shows in the grid; 自动排班 shows its
progress and the solver's explanation (the solver's endpoints stubbed when the server has none);
the draft is published after a confirm; the week downloads as XLSX and reads back; the print
stylesheet keeps the grid alone; the dashboard's 缺岗 alert names the B backup.

Dates come from the page (the server's business day), never from this machine's calendar.
Writes test-artifacts/roster-<width>x<height>.png, roster-print.png and roster-print-month.png.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

import httpx2 as httpx
import openpyxl  # type: ignore[import-untyped]
import pytest

from tests.browser_support import NEEDS_CHROMIUM, accepting, layout_problems, new_page, settle, shot, sign_in
from tests.server_support import MANAGER_PASSWORD, Server, bearer

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

SCREENS = [(1280, 800), (1366, 768), (1920, 1080), (1080, 1920)]


@pytest.fixture(scope="module")
def page(browser: Any, server: Server) -> Any:
    """One signed-in page of the roster, shared by the module's tests in order."""
    p = new_page(browser, server, {"width": 1366, "height": 768})
    p.goto(f"{server.base}/dashboard/demo/roster")
    sign_in(p, "wangju", MANAGER_PASSWORD)
    p.wait_for_selector("body[data-ready='1']")
    p.wait_for_selector("#week tbody tr")
    yield p
    p.context.close()


def manager(server: Server) -> dict[str, str]:
    return bearer(server.base, "wangju", MANAGER_PASSWORD)


def state(page: Any) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate("() => ({monday: hallqRoster.monday, draft: hallqRoster.draft})")
    return found


def day_after(day: str, n: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=n)).isoformat()


def cell(page: Any, login: str, day: str) -> Any:
    return page.locator(f'#week td[data-login="{login}"][data-day="{day}"]')


def no_errors(page: Any) -> None:
    assert page.js_errors == [] and page.console_errors == [], (page.js_errors, page.console_errors)


def test_a_cell_edited_is_saved_in_the_draft(page: Any, server: Server) -> None:
    monday = state(page)["monday"]
    cell(page, "zhangwei", monday).click()
    page.select_option("#cell-shift", "full")
    assert page.input_value("#cell-lunch-start") == "11:30"  # where the template places it first
    page.select_option("#cell-post", index=1)
    post = page.input_value("#cell-post")
    page.check("#cell-pin")
    page.click("#cell-save")
    page.wait_for_function("() => document.getElementById('cell-status').textContent.length > 0")
    assert page.text_content("#cell-status") == "已保存到草稿"
    assert state(page)["draft"] is True
    shown = cell(page, "zhangwei", monday)
    assert "full" in shown.inner_text() and post in shown.inner_text() and "午休 11:30–12:30" in shown.inner_text()
    assert shown.locator(".pin").count() == 1
    r = httpx.get(f"{server.base}/api/halls/demo/rosters?from={monday}&to={monday}", headers=manager(server))
    drafts = r.json()["drafts"]
    assert len(drafts) == 1 and drafts[0]["first"] == monday
    duty = httpx.get(f"{server.base}/api/halls/demo/rosters/{drafts[0]['id']}", headers=manager(server)).json()
    assert [(a["login"], a["shift"], a["post"], a["pinned"]) for a in duty["assignments"]] == [
        ("zhangwei", "full", post, True)
    ]
    no_errors(page)


def test_a_split_shift_keeps_both_duties(page: Any) -> None:
    """A clerk with two duties a day: one added beside the other, then one of them edited alone."""
    wednesday = day_after(state(page)["monday"], 2)
    cell(page, "wangfang", wednesday).click()
    page.select_option("#cell-shift", "early")
    page.click("#cell-save")
    page.wait_for_function("() => document.getElementById('cell-status').textContent === '已保存到草稿'")
    assert page.locator("#cell-add").is_visible()
    page.click("#cell-add")
    page.select_option("#cell-shift", "late")
    page.click("#cell-save")
    page.wait_for_function(
        "(d) => document.querySelectorAll(`#week td[data-login='wangfang'][data-day='${d}'] .duty`).length === 2",
        arg=wednesday,
    )
    codes = cell(page, "wangfang", wednesday).locator(".duty .code").all_inner_texts()
    assert codes == ["early", "late"]
    # a click on the afternoon duty edits that one: the morning stays
    cell(page, "wangfang", wednesday).locator(".duty", has_text="late").click()
    assert page.input_value("#cell-shift") == "late"
    page.select_option("#cell-post", "W02")
    page.click("#cell-save")
    page.wait_for_function(
        "(d) => document.querySelector(`#week td[data-login='wangfang'][data-day='${d}']`).innerText.includes('W02')",
        arg=wednesday,
    )
    texts = cell(page, "wangfang", wednesday).locator(".duty").all_inner_texts()
    assert len(texts) == 2 and texts[0].startswith("early") and "W02" in texts[1]
    no_errors(page)


def test_leave_entered_shows_in_the_grid_and_the_list(page: Any) -> None:
    monday = state(page)["monday"]
    tuesday = page.evaluate(
        "(m) => new Date(Date.parse(m + 'T00:00:00Z') + 86400000).toISOString().slice(0, 10)", monday
    )
    page.click(".side-tab[data-tab='leave']")
    page.select_option("#leave-login", "lina")
    page.select_option("#leave-kind", "training")
    page.fill("#leave-start", f"{tuesday}T09:00")
    page.fill("#leave-end", f"{tuesday}T17:00")
    page.fill("#leave-note", "业务培训")
    page.click("#leave-add")
    page.wait_for_selector("#leave-list li[data-leave]")
    assert "培训" in cell(page, "lina", tuesday).inner_text()
    assert "李娜" in page.inner_text("#leave-list") and "业务培训" in page.inner_text("#leave-list")
    # a second leave of someone else, then deleted again
    page.select_option("#leave-login", "liuyang")
    page.select_option("#leave-kind", "leave")
    page.click("#leave-add")
    page.wait_for_function("() => document.querySelectorAll('#leave-list li[data-leave]').length === 2")
    assert "请假" in cell(page, "liuyang", tuesday).inner_text()
    page.locator("#leave-list li", has_text="刘洋").locator(".delete-leave").click()
    page.wait_for_function("() => document.querySelectorAll('#leave-list li[data-leave]').length === 1")
    assert "请假" not in cell(page, "liuyang", tuesday).inner_text()
    no_errors(page)


VIOLATION = {
    "rule": "noon_coverage",
    "day": None,
    "slot_start": "12:00",
    "slot_end": "12:15",
    "service": "A",
    "post": None,
    "login": None,
    "zh": "12:00–12:15 业务 A 无人在岗",
    "en": "12:00–12:15: nobody on duty serves A",
    "amount": 1,
}


def test_the_solver_shows_its_progress_then_its_explanation(page: Any) -> None:
    """The solver's job endpoints stubbed: a job that runs for two polls, then is done with a
    violation the page must explain."""
    asked: list[dict[str, Any]] = []
    polls = {"n": 0}

    def start(route: Any) -> None:
        asked.append(json.loads(route.request.post_data))
        route.fulfill(status=202, content_type="application/json", body=json.dumps({"job": "j1"}))

    def poll(route: Any) -> None:
        polls["n"] += 1
        if polls["n"] <= 2:
            body = {"state": "running", "elapsed_s": 3.0, "time_limit_s": 20, "stage": "shifts", "progress": 0.4}
        else:
            answer = {
                "status": "FEASIBLE",
                "hard_ok": False,
                "violations": [VIOLATION],
                "penalties": {},
                "stages": [],
                "wall_s": 6.2,
            }
            body = {
                "state": "done",
                "elapsed_s": 6.2,
                "time_limit_s": 20,
                "stage": "done",
                "progress": 1,
                "answer": answer,
                "roster_id": None,
            }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/api/halls/demo/rosters/solve", start)
    page.route("**/api/halls/demo/rosters/solve/j1", poll)
    try:
        page.click(".side-tab[data-tab='solve']")
        page.fill("#solve-limit", "20")
        page.click("#solve")
        page.wait_for_selector("#solve-progress:not([hidden])")
        page.wait_for_function("() => document.getElementById('solve-bar').style.width === '40%'")
        assert "正在排班" in page.inner_text("#solve-status")
        page.wait_for_selector("#violations li.violation")
        assert page.inner_text("#violations li.violation") == VIOLATION["zh"]
        assert "以下规则未能满足" in page.inner_text("#violations")
        assert "FEASIBLE" in page.inner_text("#solve-status")
        assert page.locator("#solve-progress").is_hidden()
    finally:
        page.unroute("**/api/halls/demo/rosters/solve")
        page.unroute("**/api/halls/demo/rosters/solve/j1")
    monday = state(page)["monday"]
    sunday = page.evaluate(
        "(m) => new Date(Date.parse(m + 'T00:00:00Z') + 6 * 86400000).toISOString().slice(0, 10)", monday
    )
    assert asked == [{"first": monday, "last": sunday, "time_limit_s": 20}]
    assert state(page)["draft"] is True  # the solver's draft shows
    no_errors(page)


def test_a_failed_solve_says_why(page: Any) -> None:
    failed = {
        "state": "failed",
        "elapsed_s": 0.2,
        "time_limit_s": 20,
        "stage": None,
        "progress": 1,
        "answer": None,
        "roster_id": None,
        "error": "no shift templates",
    }
    page.route("**/api/halls/demo/rosters/solve", lambda route: route.fulfill(status=202, json={"job": "j2"}))
    page.route("**/api/halls/demo/rosters/solve/j2", lambda route: route.fulfill(json=failed))
    try:
        page.click(".side-tab[data-tab='solve']")
        page.click("#solve")
        page.wait_for_selector("#solve-status.error")
        assert page.inner_text("#solve-status") == "自动排班失败：no shift templates"
        assert page.locator("#violations li").count() == 0 and page.locator("#solve").is_enabled()
    finally:
        page.unroute("**/api/halls/demo/rosters/solve")
        page.unroute("**/api/halls/demo/rosters/solve/j2")
    no_errors(page)


def test_the_draft_is_published_after_a_confirm(page: Any, server: Server) -> None:
    monday = state(page)["monday"]
    with accepting(page) as said:
        page.click("#publish")
        page.wait_for_function("() => hallqRoster.draft === false && hallqRoster.range.drafts.length === 0")
    assert len(said) == 1 and "发布" in said[0] and monday in said[0]
    r = httpx.get(f"{server.base}/api/halls/demo/rosters?from={monday}&to={monday}", headers=manager(server)).json()
    assert r["drafts"] == [] and monday in r["in_force"]
    assert "full" in cell(page, "zhangwei", monday).inner_text()  # now in the published view
    assert page.get_attribute(".view[data-view='published']", "aria-pressed") == "true"
    no_errors(page)


def test_the_week_downloads_as_xlsx(page: Any) -> None:
    monday = state(page)["monday"]
    with page.expect_download() as info:
        page.click("#export")
    download = info.value
    assert download.suggested_filename.startswith(f"roster-demo-{monday.replace('-', '')}")
    with open(download.path(), "rb") as f:
        sheet = openpyxl.load_workbook(io.BytesIO(f.read())).active
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0].endswith("排班表") and monday in rows[1][0]
    zhang = next(row for row in rows[4:] if row[1] == "zhangwei")
    assert zhang[2].startswith("full ") and "午休 11:30-12:30" in zhang[2]
    lina = next(row for row in rows[4:] if row[1] == "lina")
    assert lina[3] == "培训"


def test_the_print_keeps_the_grid_alone(page: Any) -> None:
    page.evaluate("() => { window.print = () => {}; }")  # no dialog in a test
    page.click("#print-week")
    page.emulate_media(media="print")
    try:
        assert page.locator(".side").is_hidden() and page.locator(".toolbar").is_hidden()
        assert page.locator(".noon-panel").is_hidden()
        assert page.locator(".print-head").is_visible() and "排班表" in page.inner_text("#print-title")
        assert page.locator("#week").is_visible()
        page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
        shot(page, "roster-print.png")
        page.set_viewport_size({"width": 1366, "height": 768})
        page.emulate_media(media="screen")
        page.click("#print-month")
        page.wait_for_selector("#month tbody tr", state="attached")
        page.emulate_media(media="print")
        assert page.locator("#month").is_visible() and page.locator(".grid-wrap").is_hidden()
        assert "full" in page.inner_text("#month")
        page.set_viewport_size({"width": 1123, "height": 794})
        shot(page, "roster-print-month.png")
        page.set_viewport_size({"width": 1366, "height": 768})
    finally:
        page.emulate_media(media="screen")
        page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("#month").is_hidden() and page.locator(".side").is_visible()
    no_errors(page)


def test_noon_coverage_shows_the_gaps_of_a_day(page: Any) -> None:
    monday = state(page)["monday"]
    page.select_option("#noon-day", monday)
    page.wait_for_selector("#noon tr.windows td")
    slots = page.locator("#noon thead th").all_inner_texts()[1:]
    assert slots[0] == "12:00" and len(slots) == 8  # the demo hall's 12:00–14:00 in quarter hours
    windows = page.locator("#noon tr.windows td")
    # zhangwei alone is on duty (lunch 11:30–12:30): one window of the two the hall keeps open
    assert windows.nth(0).inner_text() == "0/2" and "gap" in (windows.nth(0).get_attribute("class") or "")
    assert windows.nth(2).inner_text() == "1/2"
    a_row = page.locator('#noon tr[data-service="A"] td')
    assert a_row.nth(2).inner_text() == "1" and "ok" in (a_row.nth(2).get_attribute("class") or "")
    assert "gap" in (page.locator('#noon tr[data-service="E"] td').nth(2).get_attribute("class") or "")
    assert "缺人" in page.inner_text("#noon-summary")
    no_errors(page)


def test_a_post_gets_its_a_and_b_holders(page: Any, server: Server) -> None:
    page.click(".side-tab[data-tab='posts']")
    post = page.locator('#posts tr[data-post="W01"]')
    post.locator(".post-a").select_option("zhangwei")
    post.locator(".post-b").select_option("wangfang")  # between them no C, which W01 serves
    post.locator(".save-post").click()
    page.wait_for_selector("#posts-status.error")
    assert "C" in page.inner_text("#posts-status")
    assert len(page.console_errors) == 1 and "400" in page.console_errors[0]  # the refusal, as it should be
    page.console_errors.clear()
    post.locator(".post-b").select_option("liuyang")
    post.locator(".save-post").click()
    page.wait_for_function("() => document.getElementById('posts-status').textContent === '已保存: W01'")
    posts = httpx.get(f"{server.base}/api/halls/demo/posts", headers=manager(server)).json()["posts"]
    w01 = next(p for p in posts if p["code"] == "W01")
    assert (w01["a"], w01["b"]) == ("zhangwei", "liuyang")
    no_errors(page)


def test_days_beyond_the_holiday_data_are_flagged(page: Any) -> None:
    """A week far past any published holiday list: the weekly pattern guesses it, and the page
    says so. (A fixed date: the package's data ends decades before it, whatever today is.)"""
    page.fill("#pick-date", "2090-06-05")
    page.dispatch_event("#pick-date", "change")
    page.wait_for_function("() => hallqRoster.monday === '2090-06-05'")
    page.wait_for_selector("#beyond:not([hidden])")
    assert "2090-06-05" in page.inner_text("#beyond") and "推算" in page.inner_text("#beyond")
    assert page.locator("#week thead th.guessed").count() == 7
    page.click("#this-week")
    # Back to the business day's week (which may itself lie beyond the data, with a clock far ahead).
    back = "() => hallqRoster.monday !== '2090-06-05' && hallqRoster.grid.monday === hallqRoster.monday"
    page.wait_for_function(back)
    assert "2090" not in page.inner_text("#beyond")
    no_errors(page)


def test_the_page_in_english(browser: Any, server: Server) -> None:
    p = new_page(browser, server, {"width": 1280, "height": 800})
    try:
        p.goto(f"{server.base}/dashboard/demo/roster?lang=en")
        sign_in(p, "wangju", MANAGER_PASSWORD)
        p.wait_for_selector("body[data-ready='1']")
        assert p.inner_text("#publish") == "Publish" and "Mon" in p.inner_text("#week thead")
        assert p.get_attribute("#export", "href").endswith("&lang=en")
        for size in ({"width": 1280, "height": 800}, {"width": 1080, "height": 1920}):
            p.set_viewport_size(size)
            settle(p)
            assert layout_problems(p) == [], size
        assert p.js_errors == [] and p.console_errors == []
    finally:
        p.context.close()


def test_the_dashboard_names_the_b_backup_of_an_absent_clerk(browser: Any, server: Server) -> None:
    """``GET …/rosters/now`` stubbed: wangfang rostered at window 2 and missing, zhangwei at window
    3 without a duty on the roster."""
    r = httpx.post(f"{server.base}/api/halls/demo/windows/3/open", headers=manager(server), json={"staff": "zhangwei"})
    assert r.status_code == 200, r.text
    now = {
        "at": "2026-12-07T02:00:00+00:00",
        "windows": [
            {
                "window": 2,
                "login": "wangfang",
                "name": "王芳",
                "post": "W02",
                "state": "absent",
                "lunch_start": None,
                "lunch_end": None,
                "cover_window": None,
                "window_state": "closed",
                "unrostered": False,
            },
            {
                "window": 3,
                "login": "zhangwei",
                "name": "张伟",
                "post": None,
                "state": "at_window",
                "lunch_start": None,
                "lunch_end": None,
                "cover_window": None,
                "window_state": "open",
                "unrostered": True,
            },
        ],
        "absences": [
            {
                "login": "wangfang",
                "name": "王芳",
                "window": 2,
                "post": "W02",
                "since": "2026-12-07T01:00:00+00:00",
                "backup": {"login": "lina", "name": "李娜"},
            },
        ],
    }
    p = new_page(browser, server, {"width": 1366, "height": 768})
    try:
        p.route("**/api/halls/demo/rosters/now", lambda route: route.fulfill(json=now))
        p.goto(f"{server.base}/dashboard/demo")
        sign_in(p, "wangju", MANAGER_PASSWORD)
        p.wait_for_selector('#windows .win[data-window="3"]')
        p.evaluate("() => hallqDashboard.rosterNow.load()")
        p.wait_for_selector("#alerts li.absent")
        alert = p.inner_text("#alerts li.absent")
        assert "缺岗" in alert and "2号窗口" in alert and "王芳" in alert and "李娜" in alert
        assert p.get_attribute("#alerts li.absent", "data-window") == "2"
        card = p.locator('#windows .win[data-window="3"]')
        p.wait_for_function(
            "() => document.querySelector('#windows .win[data-window=\"3\"]').classList.contains('unrostered')"
        )
        assert "未排班" in card.locator(".win-staff").inner_text()
        assert p.locator('#windows .win[data-window="1"].unrostered').count() == 0
        assert p.get_attribute(".top .nav a[href='/dashboard/demo/roster']", "href")  # the way to the 排班 page
        assert p.js_errors == [] and p.console_errors == []
    finally:
        p.context.close()


def test_the_real_solver_fills_the_draft_and_explains_itself(page: Any, server: Server) -> None:
    """The server's own 自动排班 (skipped where the server has none): twelve clerks cannot man
    twenty windows, so the answer saves a draft and names what it could not meet."""
    if "/api/halls/{hall}/rosters/solve" not in httpx.get(f"{server.base}/openapi.json").json()["paths"]:
        pytest.skip("this server has no 自动排班 endpoint")
    page.click(".side-tab[data-tab='solve']")
    page.select_option("#solve-scope", "week")
    page.fill("#solve-limit", "15")
    page.click("#solve")
    page.wait_for_selector("#violations li.head", timeout=90_000)
    assert state(page)["draft"] is True
    monday = state(page)["monday"]
    # The grid shows the draft the solver saved, however much it found in its time on a busy machine.
    found = httpx.get(f"{server.base}/api/halls/demo/rosters?from={monday}&to={monday}", headers=manager(server))
    drafts = found.json()["drafts"]
    assert len(drafts) == 1, page.inner_text("#solve-status")
    draft = httpx.get(f"{server.base}/api/halls/demo/rosters/{drafts[0]['id']}", headers=manager(server)).json()
    assert page.locator("#week .duty").count() == len(draft["assignments"]) > 0, page.inner_text("#solve-status")
    explained = page.locator("#violations li:not(.head)").all_inner_texts()
    assert explained and all(text.strip() for text in explained)
    no_errors(page)


def test_the_page_lays_out_on_every_screen(page: Any) -> None:
    """Last: the grid then holds the duties, pins and leave of the tests above."""
    page.click(".side-tab[data-tab='posts']")
    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
        assert layout_problems(page) == [], (width, height)
        grid = page.locator(".roster-main").bounding_box()
        side = page.locator(".side").bounding_box()
        apart = grid["x"] + grid["width"] <= side["x"] + 1 or grid["y"] + grid["height"] <= side["y"] + 1
        assert apart, (width, height, grid, side)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        shot(page, f"roster-{width}x{height}.png")
    page.set_viewport_size({"width": 1366, "height": 768})
    no_errors(page)
