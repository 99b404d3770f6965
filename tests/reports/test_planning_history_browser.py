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
from queue_server.service import QueueService
from queue_server.staffing import Assignment
from queue_server.storage import open_store
from tests.browser_support import NEEDS_CHROMIUM, new_page, settle, sign_in
from tests.conftest import FakeClock
from tests.server_support import MANAGER_PASSWORD, Server, bearer, serve

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

Fixture = tuple[Server, date, date]
# (hour, minute, service) of each day's visitors: a known pattern, heavier on Mondays
PATTERN = [(h, m, svc) for h in (9, 10, 11, 14, 15) for m in (5, 20, 35, 50) for svc in ("A", "B")]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=demo_config().halls[0].tz)


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
        for day in past:
            for hour, minute, svc in PATTERN * (2 if day.weekday() == 0 else 1):
                clock.now = at(day, hour, minute)
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
    per_day = len(PATTERN) * (2 if recorded.weekday() == 0 else 1)
    assert day["actual_total"] == per_day and day["mape"] is not None
    item = page.inner_text(f'#accuracy li[data-day="{recorded}"]')
    assert f"{per_day} / {round(day['forecast_total'])}" in item
    mape = f"MAPE {day['mape'] * 100:.1f}%"
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
    busy = {f"{h:02d}:{m // 15 * 15:02d}" for h, m, _ in PATTERN}
    # The recorded services where the past had them, each quarter hour holding a recorded visitor;
    # the services never recorded come from the hall file's expected volumes instead.
    for svc in ("A", "B"):
        slots = {s["at"] for s in forecast["slots"] if s["services"].get(svc, 0) > 0}
        assert slots == busy, svc
    never = {svc for s in forecast["slots"] for svc in s["services"]} - {"A", "B"}
    assert never, "the demo hall's other services are forecast from their seeds"


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
    assert page.js_errors == [] and page.console_errors == []
