"""GET /api/halls/{hall}/reports/daily and the dashboard page, on both backends."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from queue_server.api.context import ApiContext
from queue_server.auth.service import AuthService
from queue_server.service import QueueService
from tests.api.conftest import login
from tests.conftest import FakeClock


def a_morning(service: QueueService, clock: FakeClock) -> None:
    a = service.issue("t", "A").ticket
    clock.advance(60)
    service.issue("t", "B")
    service.open_window("t", 1, "li")
    clock.advance(240)  # A001 waited 5 minutes
    service.call_next("t", 1, "li")
    service.start("t", 1, "li")
    clock.advance(600)
    service.finish("t", 1, "li")
    service.evaluate("t", a.id, 2, "phone")
    service.call_next("t", 1, "li")  # B001 after 14 minutes
    service.no_show("t", 1, "li")


def test_the_days_kpis(client: TestClient, service: QueueService, clock: FakeClock) -> None:
    a_morning(service, clock)
    r = client.get("/api/halls/t/reports/daily?date=2026-11-23", headers=login(client, "boss"))
    assert r.status_code == 200, r.text
    k = r.json()
    assert k["hall"] == "t" and k["date"] == "2026-11-23"
    assert (k["issued"], k["served"], k["no_show"], k["cancelled"]) == (2, 1, 1, 0)
    assert k["wait_mean_s"] == (300 + 840) / 2
    assert k["wait_p90_s"] == 840
    assert k["service_mean_s"] == 600
    assert k["satisfaction"] == {"ratings": 1, "satisfied_share": 0.0, "bad": 1, "mean_score": 2.0, "not_rated": 0}
    assert k["quarters"] == [{"at": "09:00", "arrivals": 2, "served": 0}, {"at": "09:15", "arrivals": 0, "served": 1}]
    # without a date: today's business day
    assert client.get("/api/halls/t/reports/daily", headers=login(client, "boss")).json() == k
    # another day is empty
    other = client.get("/api/halls/t/reports/daily?date=2026-11-22", headers=login(client, "boss")).json()
    assert other["issued"] == 0 and other["quarters"] == []


def test_who_may_read_it(client: TestClient, service: QueueService) -> None:
    assert client.get("/api/halls/t/reports/daily").status_code == 401
    assert client.get("/api/halls/t/reports/daily", headers=login(client, "li")).status_code == 403
    boss = login(client, "boss")
    r = client.get("/api/halls/t/reports/daily?date=23-11-2026", headers=boss)
    assert r.status_code == 400 and r.json()["error"]["code"]
    assert client.get("/api/halls/t/reports/daily?date=2026-02-30", headers=boss).status_code == 400
    assert client.get("/api/halls/nowhere/reports/daily", headers=boss).status_code == 404


def test_live_waiting_tickets(client: TestClient, service: QueueService, clock: FakeClock) -> None:
    first = service.issue("t", "A").ticket
    clock.advance(30)
    second = service.issue("t", "C").ticket
    r = client.get("/api/halls/t/reports/live", headers=login(client, "boss"))
    assert r.status_code == 200
    assert [t["id"] for t in r.json()["waiting_tickets"]] == [first.id, second.id]
    assert r.json()["waiting_tickets"][0]["number"] == "A001"


def test_the_dashboard_page(client: TestClient) -> None:
    r = client.get("/dashboard/t")
    assert r.status_code == 200
    assert "大厅管理" in r.text and 'src="/static/reports/dashboard.js"' in r.text
    assert "https://" not in r.text and "http://" not in r.text
    en = client.get("/dashboard/t?lang=en")
    assert "Hall management" in en.text
    assert client.get("/dashboard/nowhere").status_code == 404
    js = client.get("/static/reports/dashboard.js")
    assert js.status_code == 200 and '"/static/displays/hallq-live.js"' in js.text


def test_the_daily_report_is_computed_again_only_when_the_log_grew(
    service: QueueService, auth: AuthService, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reports.pages

    computed: list[date] = []
    real = reports.pages.read_day_kpis

    def counting(reader: Any, day: date, tz: Any) -> dict[str, Any]:
        computed.append(day)
        return real(reader, day, tz)

    monkeypatch.setattr(reports.pages, "read_day_kpis", counting)
    pages = reports.pages.Reports(service, ApiContext(service, auth))
    today = service.business_day("t")
    service.issue("t", "A")
    first = pages.daily_report("t", today)
    assert pages.daily_report("t", today) == first and len(computed) == 1  # nothing new: the memo
    service.issue("t", "B")
    second = pages.daily_report("t", today)
    assert (first["issued"], second["issued"]) == (1, 2) and len(computed) == 2
    assert pages.daily_report("t", today) == second and len(computed) == 2
    # Another day: computed, and it takes the hall's one place in the memo.
    assert pages.daily_report("t", today - timedelta(days=1))["issued"] == 0 and len(computed) == 3
    assert list(pages._daily) == ["t"]
    assert pages.daily_report("t", today) == second and len(computed) == 4


def test_the_dashboards_language_switch_keeps_the_other_parameters(client: TestClient) -> None:
    assert 'href="/dashboard/t?x=a%26b&amp;lang=en"' in client.get("/dashboard/t?x=a%26b").text
    en = client.get("/dashboard/t?lang=EN&x=a%26b").text
    assert "Hall management" in en and 'href="/dashboard/t?x=a%26b"' in en
