"""The city over HTTP, on SQLite and PostgreSQL: who reaches which hall (a city manager the
halls below theirs, a hall manager their own only), the live and report views equal to the
per-hall queries, and the refusals naming their fields."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

import run
from queue_server.auth.service import AuthService
from queue_server.config import demo_city_path, load_config
from queue_server.principal import Principal, Role
from queue_server.queries.cases import case_counts
from queue_server.queries.hall import hall_view
from queue_server.queries.reports import summary
from queue_server.queries.roster_now import roster_now
from queue_server.realtime import Hub, LocalBus, realtime_plugin
from queue_server.realtime.ws import FORBIDDEN
from queue_server.service import QueueService
from queue_server.storage import Store
from tests.api.conftest import FAST, PASSWORD, login, room_client
from tests.conftest import FakeClock

# Who signs in: the city's manager, a county's (a city manager too, of a smaller tree), a
# township hall's manager, and an administrator.
USERS = {
    "city": (Role.CITY, "qingshan"),
    "county": (Role.CITY, "baihe"),
    "town": (Role.MANAGER, "baihe-dongguan"),
    "root": (Role.ADMIN, None),
}


@pytest.fixture
def city(store: Store, clock: FakeClock) -> QueueService:
    config = load_config(demo_city_path())
    store.sync_halls(config)
    return QueueService(store, config, clock=clock)


@pytest.fixture
def auth(city: QueueService, clock: FakeClock) -> AuthService:
    auth = AuthService(city.store.accounts, FAST, clock=clock)
    for name, (role, hall) in USERS.items():
        auth.create_user(name, PASSWORD, role, hall)
    return auth


@pytest.fixture
def client(city: QueueService, auth: AuthService) -> Iterator[TestClient]:
    with room_client(city, auth) as c:
        yield c


def traffic(service: QueueService, slug: str, served: int, waiting: int, clock: FakeClock) -> None:
    """``served`` tickets served at window 1 of ``slug``, then ``waiting`` left waiting."""
    staff = service.config.hall(slug).staff[0].login  # type: ignore[union-attr]
    if hall_view(service, slug)["windows"][0]["state"] == "closed":
        service.open_window(slug, 1, staff)
    for _ in range(served):
        service.issue(slug, service.config.hall(slug).services[0].code)  # type: ignore[union-attr]
        clock.advance(60)
        service.call_next(slug, 1, staff)
        service.start(slug, 1, staff)
        clock.advance(120)
        service.finish(slug, 1, staff)
    for _ in range(waiting):
        service.issue(slug, service.config.hall(slug).services[0].code)  # type: ignore[union-attr]
        clock.advance(30)


def test_a_city_manager_reaches_the_halls_below_theirs_and_no_other(client: TestClient) -> None:
    summary_of = "/api/halls/{}/reports/summary"
    county = login(client, "county")
    for slug in ("baihe", "baihe-dongguan", "baihe-xiping"):
        assert client.get(summary_of.format(slug), headers=county).status_code == 200, slug
        assert client.get(f"/api/cities/{slug}/live", headers=county).status_code == 200, slug
    for slug in ("qingshan", "lushui", "lushui-hekou"):
        assert client.get(summary_of.format(slug), headers=county).status_code == 403, slug
        assert client.get(f"/api/cities/{slug}/live", headers=county).status_code == 403, slug
    whole = login(client, "city")
    for slug in ("qingshan", "lushui", "lushui-hekou", "baihe-xiping"):
        assert client.get(summary_of.format(slug), headers=whole).status_code == 200, slug


def test_a_hall_manager_reads_their_own_hall_only_and_no_city_view(client: TestClient, auth: AuthService) -> None:
    town = login(client, "town")
    assert client.get("/api/halls/baihe-dongguan/reports/summary", headers=town).status_code == 200
    for slug in ("baihe-xiping", "baihe", "qingshan"):
        assert client.get(f"/api/halls/{slug}/reports/summary", headers=town).status_code == 403, slug
    # The city view is the city's, even of their own hall.
    assert client.get("/api/cities/baihe-dongguan/live", headers=town).status_code == 403
    assert client.get("/api/cities/baihe-dongguan/reports", headers=town).status_code == 403
    denied = auth.accounts.audit_log("baihe-dongguan", actor="town", outcome="denied")
    assert {r.action for r in denied} == {"city.live", "city.reports"}
    assert client.get("/api/cities/baihe/live").status_code == 401


def test_principal_reach_is_what_the_hall_file_says() -> None:
    p = Principal(name="c", role=Role.CITY, hall="baihe", reach=frozenset({"baihe-dongguan"}))
    assert p.can_manage("baihe") and p.can_manage("baihe-dongguan") and not p.can_manage("lushui")
    assert p.can_oversee("baihe-dongguan") and not p.can_oversee("qingshan")
    m = Principal(name="m", role=Role.MANAGER, hall="baihe")
    assert m.can_manage("baihe") and not m.can_manage("baihe-dongguan") and not m.can_oversee("baihe")
    assert Principal(name="r", role=Role.ADMIN).can_oversee("anything")


def test_an_administrator_makes_a_city_manager_and_a_city_manager_cannot(client: TestClient) -> None:
    body = {"username": "wang", "role": "city", "password": PASSWORD}
    assert client.post("/api/halls/lushui/accounts", json=body, headers=login(client, "city")).status_code == 403
    made = client.post("/api/halls/lushui/accounts", json=body, headers=login(client, "root"))
    assert made.status_code == 201, made.text
    assert (made.json()["role"], made.json()["hall"]) == ("city", "lushui")
    wang = login(client, "wang")
    assert client.get("/api/cities/lushui-hekou/live", headers=wang).status_code == 200
    assert client.get("/api/cities/baihe/live", headers=wang).status_code == 403
    bad = client.post("/api/halls/lushui/accounts", json={**body, "role": "mayor"}, headers=login(client, "root"))
    assert bad.status_code == 400 and "body.role" in bad.json()["error"]["message"]


def test_live_equals_the_per_hall_queries(client: TestClient, city: QueueService, clock: FakeClock) -> None:
    traffic(city, "baihe", served=2, waiting=3, clock=clock)
    traffic(city, "lushui-hekou", served=1, waiting=1, clock=clock)
    clock.advance(90)
    found = client.get("/api/cities/qingshan/live", headers=login(client, "city"))
    assert found.status_code == 200, found.text
    rows = found.json()["halls"]
    assert [r["slug"] for r in rows] == [
        "qingshan", "baihe", "baihe-dongguan", "baihe-xiping", "lushui", "lushui-hekou",
    ]  # fmt: skip
    assert [(r["level"], r["parent"], r["depth"]) for r in rows[:3]] == [
        ("city", None, 0), ("county", "qingshan", 1), ("township", "baihe", 2),
    ]  # fmt: skip
    for row in rows:
        view = hall_view(city, row["slug"])
        assert row["waiting"] == sum(s["waiting"] for s in view["services"])
        assert row["open_windows"] == sum(w["state"] == "open" for w in view["windows"])
        assert row["alerts"]["absent"] == len(roster_now(city, row["slug"]).absences)
        assert row["alerts"]["overdue_cases"] == case_counts(city, row["slug"])["overdue"]
    by = {r["slug"]: r for r in rows}
    assert (by["baihe"]["waiting"], by["baihe"]["open_windows"]) == (3, 1)
    # baihe's first waiting ticket has waited through its own three 30 s steps, lushui-hekou's
    # traffic (3 min served, 30 s issuing) and the 90 s above.
    assert by["baihe"]["longest_wait_s"] == 3 * 30 + 210 + 90
    assert by["lushui-hekou"]["longest_wait_s"] == 30 + 90
    assert by["qingshan"]["waiting"] == 0 and by["qingshan"]["longest_wait_s"] == 0


def test_reports_rank_the_halls_with_the_previous_period(
    client: TestClient, city: QueueService, clock: FakeClock
) -> None:
    # Yesterday baihe served most; today lushui does (clock: Monday 09:00, Shanghai).
    clock.now -= timedelta(days=1)
    traffic(city, "baihe", served=3, waiting=0, clock=clock)
    traffic(city, "lushui", served=1, waiting=0, clock=clock)
    clock.now += timedelta(days=1)
    traffic(city, "lushui", served=4, waiting=0, clock=clock)
    traffic(city, "baihe", served=2, waiting=0, clock=clock)
    today = city.business_day("qingshan")
    yesterday = today - timedelta(days=1)
    city_headers = login(client, "city")
    found = client.get(
        f"/api/cities/qingshan/reports?from={today}&to={today}&measure=served", headers=city_headers
    ).json()
    assert found["previous"] == {"from": yesterday.isoformat(), "to": yesterday.isoformat()}
    rows = {r["slug"]: r for r in found["halls"]}
    for slug, row in rows.items():
        totals = summary(city, slug, today, today, None)["totals"]
        assert row["totals"] == totals
        assert row["value"] == totals["served"]
    assert [r["slug"] for r in found["halls"][:2]] == ["lushui", "baihe"]
    assert (rows["lushui"]["rank"], rows["lushui"]["previous_rank"], rows["lushui"]["change"]) == (1, 2, 1)
    assert (rows["baihe"]["rank"], rows["baihe"]["previous_rank"], rows["baihe"]["change"]) == (2, 1, -1)
    assert rows["qingshan"]["rank"] == 3 and rows["qingshan"]["value"] == 0  # ties share the rank
    assert rows["lushui-hekou"]["rank"] == 3
    # A mean wait ranks the shortest first; a hall nobody was called in has none and no rank.
    waits = client.get(f"/api/cities/baihe/reports?from={today}&measure=wait_mean", headers=city_headers).json()
    assert waits["halls"][0]["slug"] == "baihe" and waits["higher_is_better"] is False
    assert {r["slug"]: r["rank"] for r in waits["halls"]} == {"baihe": 1, "baihe-dongguan": None, "baihe-xiping": None}


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("measure=height", "query.measure"),
        ("from=2026-13-01", "query.from"),
        ("to=yesterday", "query.to"),
        ("from=2026-11-20&to=2026-11-10", "to:"),
        ("from=2024-01-01&to=2026-01-01", "to:"),
    ],
)
def test_a_bad_report_query_is_a_400_naming_the_field(client: TestClient, query: str, named: str) -> None:
    r = client.get(f"/api/cities/qingshan/reports?{query}", headers=login(client, "city"))
    assert r.status_code == 400, r.text
    assert named in r.json()["error"]["message"]


def test_an_unknown_hall_is_a_404(client: TestClient) -> None:
    root = login(client, "root")
    assert client.get("/api/cities/atlantis/live", headers=root).status_code == 404
    assert client.get("/api/cities/atlantis/reports", headers=root).status_code == 404


def close_code(client: TestClient, path: str, headers: dict[str, str]) -> int:
    """The code the server closes the channel at ``path`` with (0: it sent a snapshot instead)."""
    with client.websocket_connect(path, headers=headers) as ws:
        try:
            first = ws.receive_json()
        except WebSocketDisconnect as closed:
            return closed.code
        assert first["type"] == "snapshot"
        return 0


def test_a_city_manager_watches_a_hall_below_live_and_no_other(city: QueueService, auth: AuthService) -> None:
    hub = Hub(city, LocalBus())
    with room_client(city, auth, lambda s, api: realtime_plugin(hub, api.authenticate)) as live:
        county = login(live, "county")
        assert close_code(live, "/ws/halls/baihe-xiping", county) == 0
        assert close_code(live, "/ws/halls/lushui", county) == FORBIDDEN[0]
        assert close_code(live, "/ws/halls/baihe-xiping", login(live, "town")) == FORBIDDEN[0]


def test_demo_city_and_config_are_one_or_the_other(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--demo-city", "--config", str(tmp_path / "x.toml"), "token", "list"]) == 2
    assert "--demo-city" in capsys.readouterr().err
