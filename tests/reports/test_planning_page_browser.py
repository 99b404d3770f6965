"""The 规划 page in a real Chromium against a real server (the demo hall, no history: the forecast
starts from the hall file's expected_daily): the forecast and the windows-needed charts render
(canvas, no console error), gaps against the roster in red, a past day's arrivals with its MAPE
(accuracy stubbed: a fresh hall has no past), the simulation with its spinner and figures, the
what-if comparison with the baseline and a column per variation, a refused variation's message
beside it, English, and the layout at 1280×800, 1366×768, 1920×1080 and 1080×1920. A roster
of three clerks is published for the day, written before the server starts, so the windows
rostered per quarter hour (less each lunch) are known.

``POST …/planning/simulate`` and ``…/compare`` are used as the server answers them when it has
them; a server without them (404/405) gets Playwright stubs with the same shapes.
The day is fixed (2026-12-09, a Wednesday); the page's own default is the server's business day.
Writes test-artifacts/planning-<width>x<height>.png.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
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
DAY = "2026-12-09"
SLOTS = [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 15, 30, 45)]
TARGET = {"called_within_minutes": 15, "share": 0.8, "p90_wait_minutes": 30}


def summary(p90: float, within: float) -> dict[str, Any]:
    return {"arrivals": 294, "wait_mean_s": p90 * 0.4, "wait_p90_s": p90, "within_share": within,
            "within_share_ci": [within - 0.03, within + 0.02], "waiting_at_close": 1.5,
            "utilisation": 0.82}  # fmt: skip


def slots(p90: float) -> list[dict[str, Any]]:
    return [{"slot": s, "arrivals": 9, "open_windows": 10, "required_windows": 11, "wait_mean_s": p90 * 0.4,
             "wait_p90_s": p90 + 60 * i, "within_share": 0.9 - 0.01 * i, "queue_mean": 2.0, "utilisation": 0.8}
            for i, s in enumerate(SLOTS)]  # fmt: skip


SIMULATE = {"day": DAY, "roster": "published", "target": TARGET, "staff_hours": 84.0, "summary": summary(1500, 0.74),
            "slots": slots(300), "services": [], "wall_s": 2.4}  # fmt: skip
COMPARE = {
    "day": DAY,
    "baseline": {"staff_hours": 84.0, "summary": summary(1500, 0.74), "slots": slots(300)},
    "variations": [
        {"kind": "departmental", "label_zh": "按部门设窗", "label_en": "By department", "params": {},
         "staff_hours": 84.0, "summary": summary(2100, 0.61), "slots": slots(500)},
        {"kind": "service_time", "label_zh": "社保办理时间缩短20%", "label_en": "Social security 20% faster",
         "params": {"service": "A", "cut": 0.2}, "staff_hours": 84.0, "summary": summary(900, 0.86),
         "slots": slots(120)},
    ],
}  # fmt: skip
REFUSED = {"error": {"code": "bad_request", "message": "body.variations[1].cut: 须在 0 到 0.9 之间 / in 0..0.9"}}


SHANGHAI = ZoneInfo("Asia/Shanghai")
# who works the day 09:00–17:00, and their lunch
LUNCHES = {"zhangwei": (12, 13), "lina": (12, 13), "wangfang": (13, 14)}
ROSTERED = {"09:00": 3, "11:45": 3, "12:00": 1, "12:45": 1, "13:00": 2, "13:45": 2, "14:00": 3, "16:45": 3}


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo hall with the manager wangju and the day's published roster, one server for the module."""
    tmp: Path = tmp_path_factory.mktemp("planning")
    db = f"sqlite:///{tmp}/hallq.db"
    store = open_store(db)
    try:
        config = demo_config()
        store.sync_halls(config)
        AuthService(store.accounts).create_user("wangju", MANAGER_PASSWORD, Role.MANAGER, "demo", "王局")
        service = QueueService(store, config, clock=FakeClock(datetime(2026, 12, 1, tzinfo=UTC)))
        day = date.fromisoformat(DAY)
        monday = day - timedelta(days=day.weekday())
        duties = [
            Assignment("demo", day, login, "full", None, at(day, 9), at(day, 17), at(day, a), at(day, b))
            for login, (a, b) in LUNCHES.items()
        ]
        draft = service.save_roster("demo", monday, monday + timedelta(days=6), duties, by="wangju").value
        assert draft.id is not None
        service.publish_roster("demo", draft.id, by="wangju")
    finally:
        store.close()
    with serve(db, tmp) as base:
        yield Server(base, "", "")


def has_route(base: str, path: str) -> bool:
    """Whether the server has ``POST path`` (a refusal for want of a sign-in says it does)."""
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(f"{base}{path}", data=b"{}", method="POST", headers=headers)
    try:
        urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as e:
        return e.code not in (404, 405)
    return True


@pytest.fixture(scope="module")
def real(server: Server) -> bool:
    return has_route(server.base, "/api/halls/demo/planning/simulate") and has_route(
        server.base, "/api/halls/demo/planning/compare"
    )


def stub(page: Any) -> None:
    def compare(route: Any) -> None:
        body = json.loads(route.request.post_data or "{}")
        cuts = [v.get("cut", 0) for v in body["variations"]]
        if any(c > 0.9 for c in cuts):
            route.fulfill(status=400, json=REFUSED)
        else:
            route.fulfill(json=COMPARE)

    page.route("**/api/halls/demo/planning/simulate", lambda route: route.fulfill(json=SIMULATE))
    page.route("**/api/halls/demo/planning/compare", compare)


@pytest.fixture(scope="module")
def page(browser: Any, server: Server, real: bool) -> Any:
    """One signed-in manager's 规划 page on the fixed day, shared by the tests in order."""
    p = new_page(browser, server, {"width": 1366, "height": 768})
    if not real:
        stub(p)
    p.goto(f"{server.base}/dashboard/demo/planning")
    sign_in(p, "wangju", MANAGER_PASSWORD)
    p.wait_for_selector("body[data-ready='1']")
    pick(p, DAY)
    yield p
    p.context.close()


def pick(page: Any, day: str) -> None:
    page.fill("#day", day)
    page.dispatch_event("#day", "change")
    page.wait_for_function(f"() => hallqPlanning.forecast && hallqPlanning.forecast.date === '{day}'")
    settle(page)


def no_errors(page: Any) -> None:
    assert page.js_errors == [] and page.console_errors == [], (page.js_errors, page.console_errors)


def canvas(page: Any, chart: str) -> bool:
    found: bool = page.evaluate(
        f"() => {{ const c = document.querySelector('#{chart} canvas');"
        " return !!c && c.width > 100 && c.height > 100; }"
    )
    return found


def test_the_page_opens_on_the_business_day(browser: Any, server: Server) -> None:
    p = new_page(browser, server, {"width": 1280, "height": 800})
    try:
        p.goto(f"{server.base}/dashboard/demo/planning")
        sign_in(p, "wangju", MANAGER_PASSWORD)
        p.wait_for_selector("body[data-ready='1']")
        business_day = p.evaluate("() => JSON.parse(document.getElementById('hallq-page').textContent).business_day")
        assert p.input_value("#day") == business_day
        assert p.locator(f'#days button[data-day="{business_day}"][aria-pressed="true"]').count() == 1
        assert p.inner_text(".nav a[aria-current='page']") == "规划"
        assert p.js_errors == [] and p.console_errors == []
    finally:
        p.context.close()


def test_the_forecast_and_the_windows_needed_are_drawn(page: Any) -> None:
    assert canvas(page, "forecast-chart") and canvas(page, "required-chart")
    total = page.evaluate("() => hallqPlanning.forecast.total")
    assert total > 0 and page.inner_text("#forecast-total") == f"预测合计 {round(total)} 人"
    assert page.inner_text("#target").startswith("目标：")
    # three clerks (less their lunches) against the 7 to 15 windows the demo day needs: every
    # open quarter hour is short, and said so in red
    rostered = page.evaluate("() => Object.fromEntries(hallqPlanning.required.days[0].slots.map((s, i) =>"
                             " [s.at, hallqPlanning.rostered[i]]))")  # fmt: skip
    assert {k: rostered[k] for k in ROSTERED} == ROSTERED
    needed = page.evaluate("() => hallqPlanning.required.days[0].slots.length")
    assert needed > 20 and page.evaluate("() => hallqPlanning.gaps") == needed
    assert page.inner_text("#gaps") == f"{needed} 个时段排班窗口少于所需"
    assert page.locator("#gaps").evaluate("(el) => getComputedStyle(el).color") == "rgb(255, 138, 128)"
    no_errors(page)


def test_a_past_day_shows_its_arrivals_and_mape(page: Any) -> None:
    first = page.evaluate("() => hallqPlanning.required.days[0].slots.map((s) => s.at)")
    past = {"today": "2026-12-10", "method": "", "days": [
        {"date": DAY, "kind": "workday", "source": "history", "basis_days": 8, "total": 290.0,
         "forecast_total": 290.0, "actual_total": 301, "mape": 0.1234, "wape": 0.1, "skipped_slots": 0,
         "slots": [{"at": at, "forecast": 9.0, "actual": 10} for at in first]}]}  # fmt: skip
    page.route("**/api/halls/demo/planning/accuracy*", lambda route: route.fulfill(json=past))
    try:
        pick(page, "2026-12-08")
        pick(page, DAY)
        assert page.inner_text("#day-mape") == "MAPE 12.3%"
        assert "MAPE 12.3%" in page.inner_text(f'#accuracy li[data-day="{DAY}"]')
        names = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('forecast-chart'))"
                              ".getOption().series.map((s) => s.name)")  # fmt: skip
        assert "实际到达" in names and "预测" in names
        no_errors(page)
    finally:
        page.unroute("**/api/halls/demo/planning/accuracy*")
        pick(page, "2026-12-08")
        pick(page, DAY)


def test_a_day_off_says_so(page: Any) -> None:
    page.click("#days button[data-day='2026-12-13']")  # a Sunday: the demo hall is closed
    page.wait_for_function("() => hallqPlanning.forecast.date === '2026-12-13'")
    assert page.inner_text("#forecast-total") == "当日不办公" and page.inner_text("#gaps") == "当日不办公"
    assert "bad" not in (page.get_attribute("#gaps", "class") or "")
    pick(page, DAY)
    no_errors(page)


def test_simulating_the_roster_shows_a_spinner_then_the_figures(page: Any, real: bool) -> None:
    page.evaluate("""() => { window.__spun = false; const el = document.getElementById('sim-progress');
        new MutationObserver(() => { if (!el.hidden) window.__spun = true; }).observe(el, { attributes: true }); }""")
    page.select_option("#roster-kind", "required")
    page.fill("#replications", "3")
    page.click("#simulate")
    page.wait_for_selector("#sim-summary div[data-key='within']", timeout=120_000)
    assert page.evaluate("() => window.__spun") and page.locator("#sim-progress").is_hidden()
    assert canvas(page, "sim-chart")
    assert page.inner_text("#sim-status").startswith("模拟完成")
    within = page.inner_text("#sim-summary div[data-key='within'] dd")
    assert "95% 区间" in within
    if not real:
        assert within == "74%（95% 区间 71–76%）"
        assert page.inner_text("#sim-summary div[data-key='wait_p90'] dd") == "25 分钟"
        assert "bad" in (page.get_attribute("#sim-summary div[data-key='within'] dd", "class") or "")
    no_errors(page)  # the roster stays "required": picking another clears the figures


def test_what_ifs_side_by_side_with_the_baseline(page: Any, real: bool) -> None:
    page.select_option("#variation-kind", "departmental")
    page.click("#add-variation")
    page.select_option("#variation-kind", "service_time")
    page.click("#add-variation")
    assert page.locator("#variations li").count() == 2
    page.fill("#replications", "3")
    page.click("#compare")
    page.wait_for_selector("#compare-table thead th[data-col='2']", timeout=180_000)
    heads = page.locator("#compare-table thead th").all_inner_texts()
    assert heads[:2] == ["指标", "当前排班"] and len(heads) == 4
    if not real:
        assert heads[2:] == ["按部门设窗", "社保办理时间缩短20%"]
        row = page.locator("#compare-table tr[data-key='wait_p90'] td").all_inner_texts()
        assert row == ["25 分钟", "35 分钟", "15 分钟"]
        assert page.get_attribute("#compare-table tr[data-key='within'] td[data-col='2']", "class") == "better"
        assert page.get_attribute("#compare-table tr[data-key='within'] td[data-col='1']", "class") == "worse"
    assert page.locator("#compare-table tr[data-key='staff_hours'] td").count() == 3
    assert canvas(page, "compare-p90-chart") and canvas(page, "compare-within-chart")
    chart = "echarts.getInstanceByDom(document.getElementById('compare-p90-chart'))"
    lines = page.evaluate(f"() => {chart}.getOption().series.length")
    assert lines == 3
    no_errors(page)


def test_a_refused_variation_shows_the_server_s_message_beside_it(page: Any) -> None:
    page.fill("#variations li:nth-child(2) input[name='cut']", "150")
    page.click("#compare")
    page.wait_for_selector("#variations li:nth-child(2) .field-error:not([hidden])", timeout=60_000)
    message = page.inner_text("#variations li:nth-child(2) .field-error")
    assert "variations[1]" in message and "cut" in message
    assert "refused" in (page.get_attribute("#variations li:nth-child(2) input[name='cut']", "class") or "")
    assert page.locator("#variations li:nth-child(1) .field-error").is_hidden()
    assert page.inner_text("#compare-status").startswith("方案 2 未通过：")
    # the browser logs the refused request itself; nothing else may have gone wrong
    assert page.js_errors == []
    assert all("400" in e for e in page.console_errors), page.console_errors
    page.console_errors.clear()
    page.fill("#variations li:nth-child(2) input[name='cut']", "20")


def test_the_page_lays_out_on_every_screen(page: Any) -> None:
    """With the simulation and the comparison shown."""
    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
        assert layout_problems(page) == [], (width, height)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        assert canvas(page, "forecast-chart") and canvas(page, "sim-chart")
        shot(page, f"planning-{width}x{height}.png")
    page.set_viewport_size({"width": 1366, "height": 768})
    no_errors(page)


def test_the_page_in_english(browser: Any, server: Server, real: bool) -> None:
    p = new_page(browser, server, {"width": 1280, "height": 800})
    if not real:
        stub(p)
    try:
        p.goto(f"{server.base}/dashboard/demo/planning?lang=en")
        sign_in(p, "wangju", MANAGER_PASSWORD)
        p.wait_for_selector("body[data-ready='1']")
        pick(p, DAY)
        assert p.inner_text(".nav a[aria-current='page']") == "Planning"
        assert p.inner_text("#forecast-total").endswith("expected in all")
        assert p.inner_text("#gaps").endswith("have fewer windows rostered than needed")
        p.fill("#replications", "3")
        p.click("#simulate")
        p.wait_for_selector("#sim-summary div[data-key='within']", timeout=120_000)
        assert "95% interval" in p.inner_text("#sim-summary div[data-key='within'] dd")
        assert p.inner_text("#sim-summary div[data-key='staff_hours'] dt") == "Staff hours"
        for size in ({"width": 1280, "height": 800}, {"width": 1080, "height": 1920}):
            p.set_viewport_size(size)
            settle(p)
            assert layout_problems(p) == [], size
        assert p.js_errors == [] and p.console_errors == []
    finally:
        p.context.close()
