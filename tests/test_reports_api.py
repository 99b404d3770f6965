"""GET /api/halls/{hall}/reports/summary and POST …/reports/rebuild, on both backends: today's
open tickets live, earlier days from the cells (folded or not yet), who may ask, and every bad
input refused naming its field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from queue_server.auth.service import AuthService
from queue_server.commands.report_fold import ReportFolder
from queue_server.queries.reports import split
from queue_server.service import QueueService
from tests.api.conftest import login, make_auth, room_client
from tests.conftest import FakeClock

URL = "/api/halls/t/reports/summary"


@pytest.fixture
def auth(service: QueueService, clock: FakeClock) -> AuthService:
    return make_auth(service, clock, "li", "boss", "root")


@pytest.fixture
def client(service: QueueService, auth: AuthService) -> Iterator[TestClient]:
    with room_client(service, auth) as c:
        yield c


def a_day(service: QueueService, clock: FakeClock) -> None:
    """09:00 A001 and B001; A001 waits 5 min, is served 10 min and rated 4; B001 waits 14 min and
    does not come (过号); C001 is still waiting."""
    a = service.issue("t", "A").ticket
    clock.advance(60)
    service.issue("t", "B")
    service.open_window("t", 1, "li")
    clock.advance(240)
    service.call_next("t", 1, "li")
    service.start("t", 1, "li")
    clock.advance(600)
    service.finish("t", 1, "li")
    service.evaluate("t", a.id, 4, "pad")
    service.call_next("t", 1, "li")
    service.no_show("t", 1, "li")
    service.issue("t", "C")


def get(client: TestClient, query: str, who: str = "boss") -> Any:
    r = client.get(f"{URL}?{query}", headers=login(client, who))
    assert r.status_code == 200, r.text
    return r.json()


def test_today_live_then_folded_then_as_an_earlier_day(
    client: TestClient, service: QueueService, clock: FakeClock
) -> None:
    a_day(service, clock)
    today = get(client, "by=service")
    assert (today["from"], today["to"], today["today"]) == ("2026-11-23", "2026-11-23", "2026-11-23")
    t = today["totals"]
    assert (t["issued"], t["served"], t["no_show"], t["cancelled"]) == (3, 1, 1, 0)
    assert t["wait"]["count"] == 2 and t["wait"]["mean_s"] == (300 + 840) / 2 and t["wait"]["max_s"] == 840
    assert t["service_time"]["mean_s"] == 600
    assert t["within_target"] == {"minutes": 10.0, "count": 1, "share": 0.5}
    assert t["ratings"]["by_score"]["4"] == 1 and t["ratings"]["satisfied_share"] == 1.0
    assert [(r["group"], r["issued"]) for r in today["rows"]] == [("A", 1), ("B", 1), ("C", 1)]
    assert today["folded_seq"] == 0 and today["complete"]

    folder = ReportFolder(service)
    assert folder.fold("t") > 0
    folded = get(client, "by=service")
    assert folded["folded_seq"] == folded["through_seq"] > 0
    assert folded["totals"] == t and folded["rows"] == today["rows"]

    clock.advance(24 * 3600)  # the next day: yesterday's waiting ticket is rolled over
    service.rollover("t")
    yesterday = get(client, "from=2026-11-23&to=2026-11-23&by=clerk")
    y = yesterday["totals"]
    assert (y["issued"], y["served"], y["no_show"], y["not_served"]) == (3, 1, 1, 1)
    assert [(r["group"], r["issued"]) for r in yesterday["rows"]] == [("", 1), ("li", 2)]
    assert folder.fold("t") > 0
    assert get(client, "from=2026-11-23&to=2026-11-23&by=clerk")["rows"] == yesterday["rows"]
    week = get(client, "from=2026-11-17&to=2026-11-24&by=day")
    assert [r["group"] for r in week["rows"]] == ["2026-11-23"]
    hours = get(client, "from=2026-11-23&to=2026-11-24&by=hour")
    assert [r["group"] for r in hours["rows"]] == ["09:00"]
    assert get(client, "from=2026-11-24")["totals"]["issued"] == 0  # to defaults to today
    assert get(client, "to=2026-11-23", "root")["rows"] == []  # no by: totals only


def test_who_may_ask_and_bad_input(client: TestClient, service: QueueService) -> None:
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=login(client, "li")).status_code == 403
    boss = login(client, "boss")
    for query, field in [
        ("by=week", "query.by"),
        ("from=2026-11-24&to=2026-11-23", "to"),
        ("from=2025-01-01&to=2026-11-23", "to"),
        ("from=23-11-2026", "query.from"),
        ("to=2026-02-30", "query.to"),
    ]:
        r = client.get(f"{URL}?{query}", headers=boss)
        assert r.status_code == 400, (query, r.text)
        assert field in r.json()["error"]["message"], (query, r.text)
    assert client.get(f"{URL}?from=2025-11-23&to=2026-11-23", headers=boss).status_code == 200  # 366 days
    assert client.get("/api/halls/nowhere/reports/summary", headers=boss).status_code == 404


def test_rebuild(client: TestClient, service: QueueService, clock: FakeClock) -> None:
    a_day(service, clock)
    clock.advance(24 * 3600)
    service.rollover("t")
    before = get(client, "from=2026-11-23&to=2026-11-23&by=window")
    url = "/api/halls/t/reports/rebuild"
    assert client.post(url, json={}, headers=login(client, "li")).status_code == 403
    boss = login(client, "boss")
    r = client.post(url, json={"from": "2026-11-23"}, headers=boss)
    assert r.status_code == 400 and "body.to" in r.json()["error"]["message"]
    r = client.post(url, json={"from": "2026-11-23", "to": "2026-11-23", "days": 1}, headers=boss)
    assert r.status_code == 400 and "days" in r.json()["error"]["message"]
    r = client.post(url, json={"from": "2026-11-23", "to": "2026-11-23"}, headers=boss)
    assert r.status_code == 200, r.text
    assert r.json()["mark"] == 0  # nothing folded yet: the day from the log up to the mark (none)
    r = client.post(url, headers=boss)  # no body: every day, up to the log's end
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["from"] is None and done["cells"] > 0 and done["mark"] > 0
    after = get(client, "from=2026-11-23&to=2026-11-23&by=window")
    assert after["folded_seq"] == done["mark"] == after["through_seq"]
    assert after["rows"] == before["rows"] and after["totals"] == before["totals"]
    assert before["totals"]["issued"] == 3
    assert [r["group"] for r in after["rows"]] == ["", "1"]
    audit = service.store.accounts.audit_log("t", action="reports.rebuild")
    assert [(a.outcome, a.target) for a in audit] == [("ok", "all"), ("ok", "2026-11-23..2026-11-23"), ("denied", "")]


def test_the_month_before_today_is_one_request(client: TestClient, service: QueueService, clock: FakeClock) -> None:
    """A range ending yesterday leaves today's open tickets out."""
    a_day(service, clock)
    yesterday = (clock() - timedelta(days=1)).date().isoformat()
    assert get(client, f"from=2026-10-24&to={yesterday}")["totals"]["issued"] == 0


def test_a_range_reads_whole_months_and_the_days_either_side() -> None:
    d = date.fromisoformat
    assert split(d("2026-10-01"), d("2026-10-31")) == ([], (d("2026-10-01"), d("2026-10-01")))
    assert split(d("2026-10-02"), d("2026-10-31")) == ([(d("2026-10-02"), d("2026-10-31"))], None)
    assert split(d("2025-11-23"), d("2026-11-23")) == (
        [(d("2025-11-23"), d("2025-11-30")), (d("2026-11-01"), d("2026-11-23"))],
        (d("2025-12-01"), d("2026-10-01")),
    )
    assert split(d("2026-02-01"), d("2026-03-01")) == (
        [(d("2026-03-01"), d("2026-03-01"))],
        (d("2026-02-01"), d("2026-02-01")),
    )
