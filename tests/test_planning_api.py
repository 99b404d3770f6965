"""规划 over HTTP on a hall with four weeks of recorded days: the forecast (by weekday, seeded in a
hall without history), forecast against actual with MAPE, the windows required per slot for the
hall's target, the roster solver fed by the planner, and every bad request a 4xx naming its field.

The days are fixed (the fake clock's Monday 2026-11-23 and the four weeks before it), so the
test does not depend on today's date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from queue_server.auth.service import AuthService
from queue_server.config import ConfigError, ServiceTarget, parse_config
from queue_server.errors import BadRequest
from queue_server.queries.roster_input import roster_problem
from queue_server.rules.roster_problem import slot_of
from queue_server.service import QueueService
from queue_server.storage import Store
from tests.api.conftest import login, make_auth, room_client
from tests.conftest import SMALL_HALL, FakeClock, with_config
from tests.staffing_support import MONDAY, STAFF, at

H = "/api/halls/t/planning"
FIRST_RECORDED = MONDAY - timedelta(days=28)  # 2026-10-26, a Monday
# A comes 6 times in the first quarter hour on Mondays, twice on other days; B once a day at 10:00.
HALL = SMALL_HALL.replace("expected_minutes = 10\n", "expected_minutes = 10\nexpected_daily = 40\n", 1)
TARGET = "\n[hall.target]\ncalled_within_minutes = 5\nshare = 0.9\np90_wait_minutes = 0\n"


def record(service: QueueService, clock: FakeClock) -> None:
    """Four weeks of workdays: the arrivals above, one A served in 10 minutes a day."""
    clock.now = at(FIRST_RECORDED, 8, 55).astimezone(UTC)
    service.open_window("t", 1, "li")
    for i in range(28):
        day = FIRST_RECORDED + timedelta(days=i)
        if day.weekday() >= 5:
            continue
        clock.now = at(day, 9, 1).astimezone(UTC)
        for _ in range(6 if day.weekday() == 0 else 2):
            service.issue("t", "A")
            clock.advance(60)
        clock.now = at(day, 10, 2).astimezone(UTC)
        service.issue("t", "B")
        service.call_next("t", 1, "li")
        service.start("t", 1, "li")
        clock.advance(600)
        service.finish("t", 1, "li")
    clock.now = at(MONDAY, 9).astimezone(UTC)


@pytest.fixture
def service(store: Store, clock: FakeClock) -> QueueService:
    svc = with_config(store, clock, STAFF + TARGET, halls=HALL)
    record(svc, clock)
    return svc


@pytest.fixture
def client(service: QueueService, clock: FakeClock) -> Iterator[TestClient]:
    auth: AuthService = make_auth(service, clock, "li", "boss", "root")
    with room_client(service, auth) as c:
        yield c


@pytest.fixture
def boss(client: TestClient) -> dict[str, str]:
    return login(client, "boss")


def get(client: TestClient, headers: dict[str, str], path: str, status: int = 200) -> dict[str, Any]:
    r = client.get(f"{H}/{path}", headers=headers)
    assert r.status_code == status, r.text
    return dict(r.json())


def slot(view: dict[str, Any], at_: str) -> dict[str, Any]:
    return next(s for s in view["slots"] if s["at"] == at_)


def test_the_forecast_follows_the_weekdays(client: TestClient, boss: dict[str, str]) -> None:
    f = get(client, boss, "forecast?from=2026-11-23&to=2026-11-29")
    assert (f["from"], f["to"], f["today"]) == ("2026-11-23", "2026-11-29", "2026-11-23")
    assert f["history_days"] == 20
    monday, tuesday = f["days"][0], f["days"][1]
    assert (monday["source"], monday["basis_days"]) == ("history", 4)
    assert slot(monday, "09:00")["services"]["A"] == 6
    assert slot(tuesday, "09:00")["services"]["A"] == 2
    assert slot(monday, "10:00")["services"]["B"] == 1
    assert monday["total"] == 7 and tuesday["total"] == 3
    assert monday["seeded_services"] == []  # C and D were never recorded, but have no expected_daily
    assert [d["source"] for d in f["days"][5:]] == ["closed", "closed"]  # the weekend
    assert f["service_times"]["A"] == {"mean_minutes": 10.0, "p90_minutes": 10.0, "observed": 20, "source": "history"}
    assert f["service_times"]["B"]["source"] == "default" and f["service_times"]["B"]["mean_minutes"] == 20
    assert f["no_show_share"]["A"] == pytest.approx(0.05 * 20 / (4 * 6 + 16 * 2 + 20), abs=1e-4)
    # Without a range: the week from today.
    default = get(client, boss, "forecast")
    assert (default["from"], default["to"]) == ("2026-11-23", "2026-11-29")


def test_a_hall_without_history_starts_from_expected_daily(store: Store, clock: FakeClock) -> None:
    fresh = with_config(store, clock, STAFF, halls=HALL)
    with room_client(fresh, make_auth(fresh, clock, "boss")) as c:
        f = get(c, login(c, "boss"), "forecast?from=2026-11-24&to=2026-11-24")
    (day,) = f["days"]
    assert day["source"] == "seed" and day["total"] == pytest.approx(40, abs=0.1)
    assert f["history_days"] == 0


def test_forecast_against_actual(client: TestClient, boss: dict[str, str]) -> None:
    a = get(client, boss, "accuracy?from=2026-11-16&to=2026-11-22")
    days = a["days"]
    assert [d["date"] for d in days] == [f"2026-11-{n}" for n in range(16, 21)]  # no weekend, no today
    monday = days[0]
    # Three earlier Mondays (6 + 1 each) shrunk a quarter toward every workday: under the 7 that came.
    assert monday["source"] == "blended" and monday["basis_days"] == 3
    assert monday["actual_total"] == 7 and 3 < monday["forecast_total"] < 7
    assert monday["mape"] is not None and monday["mape"] > 0 and monday["skipped_slots"] >= 0
    assert slot(monday, "09:00")["actual"] == 6
    # The default: the week before today.
    assert get(client, boss, "accuracy")["from"] == "2026-11-16"
    # Nothing recorded then: empty, with a note; days still ahead cannot have data: a 400 naming from.
    empty = get(client, boss, "accuracy?from=2025-01-06&to=2025-01-10")
    assert empty["days"] == [] and empty["note"]["en"]
    for path in ("accuracy?from=2026-12-01&to=2026-12-05", "accuracy?from=2026-11-23"):
        ahead = client.get(f"{H}/{path}", headers=boss)
        assert ahead.status_code == 400 and "query.from" in ahead.text, ahead.text


def test_windows_required_for_the_target(client: TestClient, boss: dict[str, str]) -> None:
    r = get(client, boss, "required?from=2026-11-23&to=2026-11-24")
    assert r["target"] == {"called_within_minutes": 5.0, "share": 0.9, "p90_wait_minutes": None}
    monday = r["days"][0]
    first = slot(monday, "09:00")
    assert first["windows"] >= 2 and first["met"] and first["within_share"] >= 0.9
    assert first["mean_service_minutes"] == 10
    quiet = slot(monday, "16:00")
    assert quiet["windows"] == 0 and quiet["arrivals"] == 0
    assert monday["peak_windows"] == first["windows"]
    assert r["days"][1]["peak_windows"] <= monday["peak_windows"]


def test_windows_required_as_the_twin_corrects_them(client: TestClient, boss: dict[str, str]) -> None:
    plain = get(client, boss, "required?from=2026-11-23&to=2026-11-24")
    r = get(client, boss, "required?from=2026-11-23&to=2026-11-24&check=1")
    assert r["checked"] is True and "twin" in r["method"] and plain["checked"] is False
    for day, erlang in zip(r["days"], plain["days"], strict=True):
        rows = day["slots"]
        assert [s["windows"] for s in rows] == [s["windows"] for s in erlang["slots"]]
        assert all(s["checked_windows"] >= s["windows"] for s in rows)
        assert day["peak_windows"] == max(s["checked_windows"] for s in rows)
    assert all("checked_windows" not in s for d in plain["days"] for s in d["slots"])
    # A month at most, a bad switch named.
    for path, field in (("required?from=2026-11-01&to=2026-12-15&check=1", "to"), ("required?check=maybe", "check")):
        bad = client.get(f"{H}/{path}", headers=boss)
        assert bad.status_code == 400 and field in bad.text, bad.text


def test_the_roster_solver_takes_the_planners_windows(service: QueueService) -> None:
    staffed = roster_problem(service, "t", MONDAY, MONDAY)
    planned = roster_problem(service, "t", MONDAY, MONDAY, demand="planner")
    assert planned.demand is not None and staffed.demand is not None
    assert set(planned.demand) == set(staffed.demand)
    nine, four = (MONDAY, slot_of(at(MONDAY, 9).timetz())), (MONDAY, slot_of(at(MONDAY, 16).timetz()))
    assert planned.demand[nine] >= 2 and planned.demand[four] == 0
    noon = (MONDAY, slot_of(at(MONDAY, 12, 30).timetz()))
    assert planned.demand[noon] == 1  # the noon policy's minimum, though nobody is expected
    with pytest.raises(BadRequest, match="demand"):
        roster_problem(service, "t", MONDAY, MONDAY, demand="guess")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("forecast?from=2026-11-30&to=2026-11-23", "to"),
        ("required?from=2026-11-01&to=2027-01-31", "to"),
        ("accuracy?from=yesterday", "from"),
        ("forecast?to=2026-13-01", "to"),
    ],
)
def test_bad_ranges_are_400_naming_the_field(client: TestClient, boss: dict[str, str], path: str, field: str) -> None:
    r = client.get(f"{H}/{path}", headers=boss)
    assert r.status_code == 400, r.text
    assert f"{field}:" in r.text or f"query.{field}" in r.text, r.text


def test_only_the_halls_managers_read_the_plan(client: TestClient) -> None:
    assert client.get(f"{H}/forecast").status_code == 401
    assert client.get(f"{H}/forecast", headers=login(client, "li")).status_code == 403
    assert client.get(f"{H}/required", headers=login(client, "root")).status_code == 200
    assert client.get("/api/halls/nope/planning/forecast", headers=login(client, "root")).status_code == 404


def test_solve_refuses_an_unknown_demand(client: TestClient, boss: dict[str, str]) -> None:
    day = date(2026, 11, 30).isoformat()
    r = client.post("/api/halls/t/rosters/solve", headers=boss, json={"first": day, "last": day, "demand": "x"})
    assert r.status_code == 400 and "demand" in r.text


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[hall.target]\nshare = 1.5\n", "hall[0].target.share"),
        ("[hall.target]\ncalled_within_minutes = -1\n", "hall[0].target.called_within_minutes"),
        ('[hall.target]\np90_wait_minutes = "soon"\n', "hall[0].target.p90_wait_minutes"),
        ("[hall.target]\nwithin = 3\n", "hall[0].target.within"),
    ],
)
def test_the_hall_files_target_is_checked(toml: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(SMALL_HALL + toml)
    assert info.value.key == key


def test_the_target_and_seed_defaults() -> None:
    hall = parse_config(SMALL_HALL).halls[0]
    assert hall.target == ServiceTarget(10, 0.8, 15)
    assert hall.services[0].expected_daily is None
    assert parse_config(HALL + TARGET).halls[0].services[0].expected_daily == 40
    with pytest.raises(ConfigError) as info:
        parse_config(SMALL_HALL.replace("expected_minutes = 10\n", "expected_minutes = 10\nexpected_daily = -5\n", 1))
    assert info.value.key == "hall[0].services[0].expected_daily"
