"""The 规划 page on a hall with a recorded past, in a real Chromium against a real server: the
forecast's accuracy for past days comes from the server (no stub), each day's actual arrivals as
recorded and its MAPE as the API computes it; and the roster choice: a draft that differs from
the published roster changes the windows counted as rostered, and the twin simulates the draft.

The server runs on the machine's clock, so the history is written relative to the server's own
business day (the three weeks before it), whatever the date: the figures the page shows are
compared with what the API answers for the same days, not with fixed numbers.
"""

from __future__ import annotations

import json
import math
import random
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from queue_server import staff_list
from queue_server.auth.service import AuthService
from queue_server.clock import SYSTEM_CLOCK
from queue_server.config import demo_config
from queue_server.principal import Role
from queue_server.queries.history import hall_calendar
from queue_server.queries.staffing import posts
from queue_server.rules.forecast import default_shape, open_slots
from queue_server.service import QueueService
from queue_server.staffing import Assignment
from queue_server.storage import open_store
from tests.browser_support import ARTIFACTS, NEEDS_CHROMIUM, new_page, settle, sign_in
from tests.conftest import FakeClock
from tests.server_support import MANAGER_PASSWORD, Server, bearer, serve

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

Fixture = tuple[Server, date, date]
HALL = demo_config().halls[0]
SERVICES = [s.code for s in HALL.services]
SCALE = 0.4  # of the hall file's expected_daily: enough of a day to read, quick to write
MONDAY = 1.3  # Mondays are busier
RECORDED: dict[date, int] = {}  # the fixture's tickets per day


def poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def arrivals(day: date, opening: tuple[time, time], rng: random.Random) -> list[tuple[datetime, str]]:
    """A day's visitors: per service and quarter hour, Poisson around the service's share of the
    hall file's daily volume by the planner's default intraday shape."""
    slots = open_slots(opening)
    weights = [default_shape(k) for k in slots]
    out = []
    for svc in HALL.services:
        daily = (svc.expected_daily or 0) * SCALE * (MONDAY if day.weekday() == 0 else 1.0)
        for k, w in zip(slots, weights, strict=True):
            for _ in range(poisson(rng, daily * w / sum(weights))):
                minute = k * 15 + rng.uniform(0, 15)
                out.append((at(day, 0) + timedelta(minutes=minute), svc.code))
    return sorted(out)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=HALL.tz)


def open_days(service: QueueService, first: date, last: date) -> list[date]:
    calendar = hall_calendar(service, "demo", first, last)
    return [
        first + timedelta(days=i) for i in range((last - first).days + 1) if calendar.opening(first + timedelta(days=i))
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, date, date]]:
    """The demo hall with three weeks of recorded arrivals before today, and for the next open
    day a published roster of one clerk and a draft of two; yields the server, the last recorded
    open day and the day the rosters cover."""
    tmp: Path = tmp_path_factory.mktemp("planning-history")
    db = f"sqlite:///{tmp}/hallq.db"
    store = open_store(db)
    try:
        config = demo_config()
        store.sync_halls(config)
        AuthService(store.accounts).create_user("wangju", MANAGER_PASSWORD, Role.MANAGER, "demo", "王局")
        clock = FakeClock(SYSTEM_CLOCK())
        service = QueueService(store, config, clock=clock)
        today = service.business_day("demo")
        past = open_days(service, today - timedelta(days=21), today - timedelta(days=1))
        calendar = hall_calendar(service, "demo", past[0], past[-1])
        rng = random.Random(7)
        for day in past:
            opening = calendar.opening(day)
            assert opening is not None
            visitors = arrivals(day, opening, rng)
            RECORDED[day] = len(visitors)
            for when, svc in visitors:
                clock.now = when
                service.issue("demo", svc)
        ahead = open_days(service, today + timedelta(days=1), today + timedelta(days=14))[0]
        clock.now = SYSTEM_CLOCK()
        monday = ahead - timedelta(days=ahead.weekday())

        skills = {m.login: {k.service for k in m.skills} for m in staff_list(service, "demo")}

        def duty(login: str) -> Assignment:
            """A full day at the post the clerk has most skills for (a floater staffs no window)."""
            post = max(posts(service, "demo"), key=lambda p: len(set(p.services) & skills[login])).code
            lunch = (at(ahead, 12), at(ahead, 13))
            return Assignment("demo", ahead, login, "full", post, at(ahead, 9), at(ahead, 17), *lunch)

        published = service.save_roster("demo", monday, monday + timedelta(days=6), [duty("zhangwei")], by="wangju")
        assert published.value.id is not None
        service.publish_roster("demo", published.value.id, by="wangju")
        service.save_roster("demo", monday, monday + timedelta(days=6), [duty("zhangwei"), duty("lina")], by="wangju")
    finally:
        store.close()
    with serve(db, tmp) as base:
        yield Server(base, "", ""), past[-1], ahead


def api(server: Server, path: str, body: dict[str, Any] | None = None) -> Any:
    headers = {**bearer(server.base, "wangju", MANAGER_PASSWORD), "Content-Type": "application/json"}
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{server.base}{path}", data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def page(browser: Any, server: tuple[Server, date, date]) -> Any:
    s, _, _ = server
    p = new_page(browser, s, {"width": 1366, "height": 768})
    p.goto(f"{s.base}/dashboard/demo/planning")
    sign_in(p, "wangju", MANAGER_PASSWORD)
    p.wait_for_selector("body[data-ready='1']")
    yield p
    p.context.close()


def pick(page: Any, day: date) -> None:
    page.fill("#day", day.isoformat())
    page.dispatch_event("#day", "change")
    page.wait_for_function(f"() => hallqPlanning.forecast && hallqPlanning.forecast.date === '{day}'")
    settle(page)


def test_past_days_show_the_recorded_arrivals_and_the_servers_mape(
    page: Any, server: tuple[Server, date, date]
) -> None:
    s, recorded, _ = server
    pick(page, recorded)
    shown = page.evaluate("() => hallqPlanning.accuracy.days")
    assert shown, "the week of a recorded day has past days to show"
    truth = api(s, f"/api/halls/demo/planning/accuracy?from={shown[0]['date']}&to={shown[-1]['date']}")
    assert [d["date"] for d in shown] == [d["date"] for d in truth["days"]]
    day = next(d for d in truth["days"] if d["date"] == recorded.isoformat())
    assert day["actual_total"] == RECORDED[recorded] and day["mape"] is not None
    item = page.inner_text(f'#accuracy li[data-day="{recorded}"]')
    assert f"{day['actual_total']} / {round(day['forecast_total'])}" in item
    mape = f"MAPE {round(day['mape'] * 100, 1):g}%"  # as the page rounds it
    assert mape in item and page.inner_text("#day-mape") == mape
    chart = "echarts.getInstanceByDom(document.getElementById('forecast-chart'))"
    names = page.evaluate(f"() => {chart}.getOption().series.map((s) => s.name)")
    assert "实际到达" in names
    assert page.js_errors == [] and page.console_errors == []


def test_the_forecast_follows_the_recorded_pattern(page: Any, server: Fixture) -> None:
    _, _, ahead = server
    pick(page, ahead)
    forecast = page.evaluate("() => hallqPlanning.forecast")
    assert forecast["source"] in ("history", "blended")
    assert forecast["source"] in ("history", "blended")  # three weeks: three of its weekday
    # Each service about its recorded daily volume (Monday's more), the morning busier than noon.
    factor = MONDAY if ahead.weekday() == 0 else 1.0
    for svc in HALL.services:
        got = sum(s["services"].get(svc.code, 0) for s in forecast["slots"])
        expected = (svc.expected_daily or 0) * SCALE * factor
        assert got == pytest.approx(expected, rel=0.35, abs=3), svc.code
    totals = {s["at"]: s["total"] for s in forecast["slots"]}
    assert totals["10:00"] > 1.5 * totals["12:30"]


def test_the_draft_roster_is_counted_and_simulated(page: Any, server: Fixture) -> None:
    _, _, ahead = server
    pick(page, ahead)
    nine = page.evaluate("() => hallqPlanning.required.days[0].slots.findIndex((s) => s.at === '09:00')")
    assert page.evaluate(f"() => hallqPlanning.rostered[{nine}]") == 1  # the published roster: one clerk
    page.select_option("#roster-kind", "draft")
    page.wait_for_function(f"() => hallqPlanning.roster === 'draft' && hallqPlanning.rostered[{nine}] === 2")
    page.click("#simulate")
    page.wait_for_function("() => hallqPlanning.sim && hallqPlanning.sim.roster === 'draft'", timeout=60_000)
    sim = page.evaluate("() => hallqPlanning.sim")
    assert sim["windows_from"] == "draft" and sim["staff_hours"] == 14  # two clerks, 8 h less an hour's lunch
    # Another roster (or day) picked: the figures of this one go.
    page.select_option("#roster-kind", "published")
    page.wait_for_function("() => hallqPlanning.sim === null")
    assert page.inner_text("#sim-summary") == "" and page.locator("#sim-chart").is_hidden()
    assert page.js_errors == [] and page.console_errors == []


def test_a_recorded_week_compared_departmental_against_comprehensive(page: Any, server: Fixture) -> None:
    """The page as a manager reads it after a comparison (the README's screenshot)."""
    _, recorded, _ = server
    pick(page, recorded)
    page.select_option("#roster-kind", "required")
    page.select_option("#variation-kind", "departmental")
    page.click("#add-variation")
    page.fill("#replications", "5")
    page.click("#compare")
    page.wait_for_selector("#compare-table thead th[data-col='1']", timeout=120_000)
    heads = page.locator("#compare-table thead th").all_inner_texts()
    assert len(heads) == 3 and heads[0] == "指标"
    hours = page.locator("#compare-table tr[data-key='staff_hours'] td").all_inner_texts()
    assert hours[0] == hours[1]  # the same staff-hours, split by department
    page.set_viewport_size({"width": 1920, "height": 1080})
    settle(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "planning-history.png"), full_page=True)
    assert page.js_errors == [] and page.console_errors == []
