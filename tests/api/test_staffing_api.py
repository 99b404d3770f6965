"""Staffing over HTTP, on every backend: the staff registry, posts, shift templates, leave, the
hall's calendar and rosters (drafts, publishing, pins, the week grid, noon coverage), and a
clerk's own duties. Every change goes through the gate (an audit row "ok" or "rejected"),
every refusal is a 4xx naming the field and stores nothing, and only a manager of the hall
(or an administrator) may manage its staffing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from queue_server.auth.service import AuthService
from queue_server.principal import Role
from queue_server.service import QueueService
from queue_server.storage import Store
from tests.api.conftest import PASSWORD, login
from tests.conftest import FakeClock
from tests.staffing_support import MONDAY, snapshot, staffed

H = "/api/halls/t"
DAY = MONDAY.isoformat()


@pytest.fixture
def service(store: Store, clock: FakeClock) -> QueueService:
    """Hall "t" with li (A, B), wang (anything) and zhang (C) on its staff."""
    return staffed(store, clock)


@pytest.fixture
def boss(client: TestClient) -> dict[str, str]:
    return login(client, "boss")


def actions(auth: AuthService, outcome: str) -> list[tuple[str, str, str]]:
    """(actor, action, target) of the hall's audit rows with ``outcome``, oldest first (sign-ins left out)."""
    rows = reversed(auth.accounts.audit_log("t", outcome=outcome))
    return [(r.actor, r.action, r.target) for r in rows if not r.action.startswith("auth.")]


def refused(
    client: TestClient,
    store: Store,
    method: str,
    url: str,
    headers: dict[str, str],
    body: Any,
    status: int,
    says: str,
) -> None:
    """The request is answered ``status`` with a "中文 / English" message holding ``says``, and
    no staffing row (nor event) changes."""
    snap: Callable[[], object] = snapshot(store)
    before = snap()
    r = client.request(method, url, headers=headers, json=body)
    assert r.status_code == status, r.text
    message = r.json()["error"]["message"]
    zh, sep, en = message.partition(" / ")
    assert sep and zh and en and says in en, message
    assert snap() == before


# -- who may -----------------------------------------------------------------------------

MANAGER_ONLY: list[tuple[str, str, Any]] = [
    ("GET", f"{H}/staff", None),
    ("POST", f"{H}/staff", {"login": "chen", "name": "陈"}),
    ("PATCH", f"{H}/staff/li", {"name": "李"}),
    ("POST", f"{H}/staff/li/deactivate", None),
    ("GET", f"{H}/posts", None),
    ("PUT", f"{H}/posts/W01", {"a": "li"}),
    ("GET", f"{H}/shifts", None),
    ("POST", f"{H}/shifts", {"code": "x", "name_zh": "班", "start": "09:00", "end": "12:00"}),
    ("PUT", f"{H}/shifts/early", {"name_zh": "早", "start": "08:00", "end": "12:00"}),
    ("DELETE", f"{H}/shifts/early", None),
    ("GET", f"{H}/leave", None),
    ("POST", f"{H}/leave", {"login": "li", "kind": "leave", "start": f"{DAY}T09:00", "end": f"{DAY}T12:00"}),
    ("DELETE", f"{H}/leave/1", None),
    ("GET", f"{H}/calendar", None),
    ("PUT", f"{H}/calendar/{DAY}", {"kind": "holiday"}),
    ("DELETE", f"{H}/calendar/{DAY}", None),
    ("GET", f"{H}/rosters", None),
    ("POST", f"{H}/rosters", {"first": DAY, "last": DAY, "assignments": []}),
    ("GET", f"{H}/rosters/1", None),
    ("POST", f"{H}/rosters/1/publish", None),
    ("POST", f"{H}/rosters/1/pin", {"login": "li", "day": DAY}),
    ("GET", f"{H}/rosters/week", None),
    ("GET", f"{H}/rosters/noon", None),
]


def test_staffing_is_for_managers_of_the_hall(
    client: TestClient, auth: AuthService, store: Store, boss: dict[str, str]
) -> None:
    auth.create_user("uboss", PASSWORD, Role.MANAGER, "u")
    li, uboss = login(client, "li"), login(client, "uboss")
    for method, url, body in MANAGER_ONLY:
        refused(client, store, method, url, {}, body, 401, "sign in")
        refused(client, store, method, url, li, body, 403, "may not")
        refused(client, store, method, url, uboss, body, 403, "may not")
    denied = actions(auth, "denied")
    assert len(denied) == 2 * len(MANAGER_ONLY)
    assert {a for _, a, _ in denied} == {
        "staff.list", "staff.create", "staff.update", "staff.deactivate", "post.list", "post.set", "shift.list",
        "shift.create", "shift.update", "shift.delete", "leave.list", "leave.create", "leave.delete",
        "calendar.list", "calendar.set", "calendar.clear", "roster.list", "roster.save", "roster.read",
        "roster.publish", "roster.pin", "roster.week", "roster.noon",
    }  # fmt: skip
    assert {who for who, _, _ in denied} == {"li", "uboss"}
    # An administrator manages every hall.
    assert client.get(f"{H}/staff", headers=login(client, "root")).status_code == 200


def test_every_staffing_operation_is_in_the_api_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for method, url, _ in MANAGER_ONLY:
        path = url.replace("/t/", "/{hall}/").replace("/li", "/{login}").replace(f"/{DAY}", "/{day}")
        path = path.replace("/W01", "/{code}").replace("/early", "/{code}").replace("/leave/1", "/leave/{leave_id}")
        path = path.replace("/rosters/1", "/rosters/{roster_id}")
        assert method.lower() in paths[path], path
    assert "get" in paths["/api/halls/{hall}/my/duties"]


# -- the staff registry ------------------------------------------------------------------


def test_manager_adds_changes_pairs_and_deactivates_staff(
    client: TestClient, auth: AuthService, store: Store, boss: dict[str, str]
) -> None:
    staff = client.get(f"{H}/staff", headers=boss).json()["staff"]
    assert [m["login"] for m in staff] == ["li", "wang", "zhang"]
    assert staff[0]["skills"] == [{"service": "A", "weight": 1.0}, {"service": "B", "weight": 1.0}]
    r = client.post(
        f"{H}/staff",
        headers=boss,
        json={"login": "chen", "name": "陈静", "department": "市场监管局",
              "skills": [{"service": "A", "weight": 1.5}, {"service": "C"}], "partner": "li"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["partner"] == "li" and r.json()["skills"][0] == {"service": "A", "weight": 1.5}
    listed = {m["login"]: m for m in client.get(f"{H}/staff", headers=boss).json()["staff"]}
    assert listed["li"]["partner"] == "chen"  # the pair is mutual
    changed = client.patch(f"{H}/staff/chen", headers=boss, json={"name": "陈晶", "partner": None})
    assert changed.status_code == 200 and changed.json()["name"] == "陈晶" and changed.json()["partner"] is None
    kept = client.patch(f"{H}/staff/chen", headers=boss, json={"department": "税务局"})
    assert kept.json()["name"] == "陈晶" and kept.json()["department"] == "税务局"
    gone = client.post(f"{H}/staff/chen/deactivate", headers=boss)
    assert gone.status_code == 200 and gone.json()["active"] is False
    active = client.get(f"{H}/staff", headers=boss, params={"active_only": "1"}).json()["staff"]
    assert "chen" not in [m["login"] for m in active]
    # Refusals: before the gate (the body) and by the command (audited "rejected").
    refused(client, store, "POST", f"{H}/staff", boss, {"name": "无名"}, 400, "body.login is required")
    refused(client, store, "POST", f"{H}/staff", boss, {"login": "x", "name": "x", "age": 3}, 400, "body.age")
    refused(client, store, "POST", f"{H}/staff", boss, {"login": "x", "name": "x", "skills": "A"}, 400,
            "body.skills must be a list")  # fmt: skip
    refused(client, store, "POST", f"{H}/staff", boss, {"login": "x", "name": "x", "skills": [{"service": "A",
            "weight": "high"}]}, 400, "body.skills[0].weight must be a number")  # fmt: skip
    refused(client, store, "POST", f"{H}/staff", boss, {"login": "x", "name": "x", "skills": [{"service": "A",
            "level": 1}]}, 400, "body.skills[0].level")  # fmt: skip
    refused(client, store, "PATCH", f"{H}/staff/li", boss, {"name": " "}, 400, "body.name must not be empty")
    refused(client, store, "POST", f"{H}/staff", boss, {"login": "li", "name": "again"}, 409, "already")
    refused(client, store, "POST", f"{H}/staff", boss, {"login": "x y", "name": "x"}, 400, "login")
    refused(client, store, "POST", f"{H}/staff", boss, {"login": "x", "name": "x", "skills": [{"service": "Z"}]},
            400, "skills: 'Z' is not a service")  # fmt: skip
    refused(client, store, "PATCH", f"{H}/staff/nobody", boss, {"name": "x"}, 404, "nobody")
    refused(client, store, "POST", f"{H}/staff/chen/deactivate", boss, None, 409, "already inactive")
    assert [(a, t) for _, a, t in actions(auth, "ok")] == [
        ("staff.create", "staff chen"), ("account.create", "chen"), ("staff.update", "staff chen"),
        ("staff.update", "staff chen"), ("staff.deactivate", "staff chen"),
    ]  # fmt: skip
    assert [(a, t) for _, a, t in actions(auth, "rejected")] == [
        ("staff.create", "staff li"), ("staff.create", "staff x y"), ("staff.create", "staff x"),
        ("staff.update", "staff nobody"), ("staff.deactivate", "staff chen"),
    ]  # fmt: skip


def test_manager_sets_who_holds_a_post(
    client: TestClient, auth: AuthService, store: Store, boss: dict[str, str]
) -> None:
    posts = client.get(f"{H}/posts", headers=boss).json()["posts"]
    assert [(p["code"], p["window"], p["services"]) for p in posts] == [
        ("W01", 1, ["A", "B"]), ("W02", 2, ["B", "C"]), ("W03", 3, ["C"]),
    ]  # fmt: skip
    r = client.put(f"{H}/posts/W01", headers=boss, json={"a": "li", "b": "wang"})
    assert r.status_code == 200 and (r.json()["a"], r.json()["b"]) == ("li", "wang")
    cleared = client.put(f"{H}/posts/W01", headers=boss, json={"b": None})
    assert (cleared.json()["a"], cleared.json()["b"]) == (None, None)
    refused(client, store, "PUT", f"{H}/posts/W01", boss, {"a": "zhang"}, 400, "nobody of zhang can serve A, B")
    refused(client, store, "PUT", f"{H}/posts/W01", boss, {"a": 7}, 400, "body.a must be a string")
    refused(client, store, "PUT", f"{H}/posts/W99", boss, {"a": "li"}, 404, "W99")
    assert [a for _, a, _ in actions(auth, "ok")] == ["post.set", "post.set"]
    assert [t for _, a, t in actions(auth, "rejected")] == ["post W01", "post W99"]


# -- shift templates ---------------------------------------------------------------------


def test_manager_keeps_the_shift_templates(
    client: TestClient, auth: AuthService, store: Store, boss: dict[str, str]
) -> None:
    shifts = {s["code"]: s for s in client.get(f"{H}/shifts", headers=boss).json()["shifts"]}
    assert sorted(shifts) == ["early", "full", "late", "noon"]
    assert shifts["full"] == {
        "code": "full", "name_zh": "全天", "name_en": "Full day", "start": "09:00", "end": "17:00",
        "lunch_minutes": 60, "lunch_earliest": "11:30", "lunch_latest": "13:30", "noon_duty": False, "minutes": 420,
    }  # fmt: skip
    evening = {"code": "eve", "name_zh": "晚班", "name_en": "Evening", "start": "13:00", "end": "19:00",
               "lunch_minutes": 30, "lunch_earliest": "16:00", "lunch_latest": "17:00"}  # fmt: skip
    r = client.post(f"{H}/shifts", headers=boss, json=evening)
    assert r.status_code == 201 and r.json()["minutes"] == 330
    same = {k: v for k, v in evening.items() if k != "code"}
    changed = client.put(f"{H}/shifts/eve", headers=boss, json={**same, "end": "18:00"})
    assert changed.status_code == 200 and changed.json()["end"] == "18:00"
    assert client.delete(f"{H}/shifts/eve", headers=boss).json()["code"] == "eve"
    refused(client, store, "POST", f"{H}/shifts", boss, {**evening, "start": "9:00"}, 400,
            "body.start must be a time of day HH:MM")  # fmt: skip
    refused(client, store, "POST", f"{H}/shifts", boss, {**evening, "lunch_minutes": 1.5}, 400,
            "body.lunch_minutes must be a whole number")  # fmt: skip
    refused(client, store, "POST", f"{H}/shifts", boss, {**evening, "start": "13:05"}, 400, "15-minute grid")
    refused(client, store, "POST", f"{H}/shifts", boss, {**evening, "code": "full"}, 409, "already exists")
    refused(client, store, "PUT", f"{H}/shifts/eve", boss, same, 404, "eve")
    refused(client, store, "PUT", f"{H}/shifts/full", boss, evening, 400, "unknown field body.code")
    refused(client, store, "DELETE", f"{H}/shifts/eve", boss, None, 404, "eve")
    assert [a for _, a, _ in actions(auth, "ok")] == ["shift.create", "shift.update", "shift.delete"]
    assert [a for _, a, _ in actions(auth, "rejected")] == ["shift.create", "shift.create", "shift.update",
                                                            "shift.delete"]  # fmt: skip


# -- leave and the calendar --------------------------------------------------------------


def test_manager_records_and_deletes_leave(
    client: TestClient, auth: AuthService, store: Store, boss: dict[str, str]
) -> None:
    body = {"login": "li", "kind": "training", "start": f"{DAY}T13:00", "end": f"{DAY}T17:00+08:00", "note": "培训"}
    r = client.post(f"{H}/leave", headers=boss, json=body)
    assert r.status_code == 201, r.text
    leave = r.json()
    assert (leave["login"], leave["kind"], leave["note"]) == ("li", "training", "培训")
    assert leave["start"] == "2026-11-23T05:00:00+00:00"  # a local time without an offset is the hall's
    listed = client.get(f"{H}/leave", headers=boss, params={"from": DAY, "to": DAY}).json()["leave"]
    assert [lv["id"] for lv in listed] == [leave["id"]]
    assert client.get(f"{H}/leave", headers=boss, params={"from": "2026-11-24"}).json()["leave"] == []
    assert client.get(f"{H}/leave", headers=boss, params={"from": DAY, "login": "wang"}).json()["leave"] == []
    refused(client, store, "POST", f"{H}/leave", boss, {**body, "start": f"{DAY}T14:00"}, 409, "overlaps")
    refused(client, store, "POST", f"{H}/leave", boss, {**body, "kind": "holiday"}, 400, "kind: unknown kind")
    refused(client, store, "POST", f"{H}/leave", boss, {**body, "end": "tomorrow"}, 400, "body.end must be an ISO")
    refused(client, store, "POST", f"{H}/leave", boss, {**body, "login": "nobody"}, 400, "login: 'nobody'")
    refused(client, store, "GET", f"{H}/leave?from=2026-12-01&to={DAY}", boss, None, 400, "before first")
    assert client.delete(f"{H}/leave/{leave['id']}", headers=boss).status_code == 200
    refused(client, store, "DELETE", f"{H}/leave/{leave['id']}", boss, None, 404, "does not exist")
    assert [a for _, a, _ in actions(auth, "ok")] == ["leave.create", "leave.delete"]
    assert [a for _, a, _ in actions(auth, "rejected")] == ["leave.create"] * 3 + ["leave.delete"]


def test_manager_sets_and_clears_calendar_days(
    client: TestClient, auth: AuthService, store: Store, boss: dict[str, str]
) -> None:
    days = client.get(f"{H}/calendar", headers=boss, params={"from": DAY, "to": "2026-11-29"}).json()["days"]
    assert [d["kind"] for d in days] == ["workday"] * 5 + ["weekend"] * 2
    assert set(days[0]) == {"day", "kind", "name", "source", "beyond_data", "is_workday"}
    r = client.put(f"{H}/calendar/{DAY}", headers=boss, json={"kind": "holiday", "name": "闭厅检修"})
    assert r.status_code == 200 and r.json()["source"] == "dashboard" and r.json()["is_workday"] is False
    monday = client.get(f"{H}/calendar", headers=boss, params={"from": DAY}).json()["days"]
    assert [(d["kind"], d["name"]) for d in monday] == [("holiday", "闭厅检修")]
    cleared = client.delete(f"{H}/calendar/{DAY}", headers=boss)
    assert cleared.status_code == 200 and cleared.json()["kind"] == "workday"
    refused(client, store, "DELETE", f"{H}/calendar/{DAY}", boss, None, 404, "no date set from the dashboard")
    refused(client, store, "PUT", f"{H}/calendar/2026-13-01", boss, {"kind": "holiday"}, 400, "path.day must be a date")
    refused(client, store, "PUT", f"{H}/calendar/{DAY}", boss, {"kind": "party"}, 400, "kind: unknown kind")
    refused(client, store, "PUT", f"{H}/calendar/{DAY}", boss, {}, 400, "body.kind is required")
    refused(client, store, "GET", f"{H}/calendar?from=2026-11-31", boss, None, 400, "query.from must be a date")
    assert [a for _, a, _ in actions(auth, "ok")] == ["calendar.set", "calendar.clear"]
    assert [a for _, a, _ in actions(auth, "rejected")] == ["calendar.clear", "calendar.set"]


# -- rosters -----------------------------------------------------------------------------


def duty(login: str, shift: str, post: str | None, lunch: tuple[str, str], day: str = DAY) -> dict[str, Any]:
    return {"day": day, "login": login, "shift": shift, "post": post, "start": f"{day}T09:00",
            "end": f"{day}T17:00", "lunch_start": f"{day}T{lunch[0]}", "lunch_end": f"{day}T{lunch[1]}"}  # fmt: skip


DUTIES = [duty("li", "full", "W01", ("12:00", "13:00")), duty("wang", "noon", "W02", ("14:00", "15:00"))]


def test_manager_saves_pins_and_publishes_a_roster(
    client: TestClient, auth: AuthService, store: Store, boss: dict[str, str]
) -> None:
    r = client.post(f"{H}/rosters", headers=boss, json={"first": DAY, "last": "2026-11-29", "assignments": DUTIES})
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["state"] == "draft" and draft["made_by"] == "boss" and len(draft["assignments"]) == 2
    assert draft["assignments"][0]["start"] == "2026-11-23T01:00:00+00:00"
    rid = draft["id"]
    listed = client.get(f"{H}/rosters", headers=boss, params={"from": DAY, "to": "2026-11-29"}).json()
    assert [d["id"] for d in listed["drafts"]] == [rid] and listed["drafts"][0]["assignments"] == 2
    assert listed["published"] == [] and listed["in_force"] == {}
    assert client.get(f"{H}/rosters/{rid}", headers=boss).json() == draft
    # The week grid and the noon coverage preview the draft.
    grid = client.get(f"{H}/rosters/week", headers=boss, params={"day": "2026-11-25", "draft": "1"}).json()
    assert grid["monday"] == DAY and grid["draft"] is True
    rows = {row["login"]: row for row in grid["rows"]}
    assert rows["li"]["cells"][0]["shifts"] == ["full"] and rows["li"]["cells"][1]["shifts"] == []
    assert client.get(f"{H}/rosters/week", headers=boss).json()["rows"][0]["cells"][0]["shifts"] == []
    noon = client.get(f"{H}/rosters/noon", headers=boss, params={"day": DAY, "draft": "true"}).json()
    assert noon["covered"] is True and len(noon["slots"]) == 8
    assert noon["slots"][0]["on_duty"] == ["wang"] and noon["slots"][4]["on_duty"] == ["li", "wang"]
    assert client.get(f"{H}/rosters/noon", headers=boss, params={"day": DAY}).json()["covered"] is False
    pinned = client.post(f"{H}/rosters/{rid}/pin", headers=boss, json={"login": "li", "day": DAY})
    assert pinned.status_code == 200 and pinned.json()["pinned"] is True
    published = client.post(f"{H}/rosters/{rid}/publish", headers=boss)
    assert published.status_code == 200 and published.json()["version"] == 1
    assert client.get(f"{H}/rosters", headers=boss).json()["in_force"] == {DAY: rid}
    refused(client, store, "POST", f"{H}/rosters/{rid}/publish", boss, None, 409, "is published")
    refused(client, store, "POST", f"{H}/rosters/{rid}/pin", boss, {"login": "li", "day": DAY}, 409, "is published")
    refused(client, store, "POST", f"{H}/rosters/999/publish", boss, None, 404, "roster 999")
    refused(client, store, "GET", f"{H}/rosters/999", boss, None, 404, "roster 999")
    assert [a for _, a, _ in actions(auth, "ok")] == ["roster.save", "roster.pin", "roster.publish"]
    assert [a for _, a, _ in actions(auth, "rejected")] == ["roster.publish", "roster.pin", "roster.publish"]


def test_a_roster_body_is_checked_item_by_item(
    client: TestClient, auth: AuthService, store: Store, boss: dict[str, str]
) -> None:
    def body(*duties: Any, **kw: Any) -> dict[str, Any]:
        return {"first": DAY, "last": DAY, "assignments": list(duties), **kw}

    bad_lunch = {**DUTIES[1], "lunch_start": "2pm"}
    refused(client, store, "POST", f"{H}/rosters", boss, body(DUTIES[0], bad_lunch), 400,
            "body.assignments[1].lunch_start must be an ISO 8601 time")  # fmt: skip
    refused(client, store, "POST", f"{H}/rosters", boss, body({**DUTIES[0], "seat": 1}), 400,
            "unknown field body.assignments[0].seat")  # fmt: skip
    refused(client, store, "POST", f"{H}/rosters", boss, body({**DUTIES[0], "day": None}), 400,
            "body.assignments[0].day is required")  # fmt: skip
    refused(client, store, "POST", f"{H}/rosters", boss, body("li"), 400, "body.assignments[0] must be an object")
    refused(client, store, "POST", f"{H}/rosters", boss, {"first": DAY, "last": DAY}, 400,
            "body.assignments is required")  # fmt: skip
    refused(client, store, "POST", f"{H}/rosters", boss, body(first="soon"), 400, "body.first must be a date")
    # What only the hall knows is the command's to refuse (audited "rejected").
    refused(client, store, "POST", f"{H}/rosters", boss, body({**DUTIES[0], "shift": "night"}), 400,
            "assignments[0].shift: no shift template 'night'")  # fmt: skip
    refused(client, store, "POST", f"{H}/rosters", boss, body(DUTIES[0], {**DUTIES[0], "post": "W02"}), 400,
            "two duties of li overlap")  # fmt: skip
    assert [a for _, a, _ in actions(auth, "rejected")] == ["roster.save", "roster.save"]
    assert actions(auth, "ok") == []


def test_a_clerk_reads_their_own_duties(client: TestClient, auth: AuthService, boss: dict[str, str]) -> None:
    saved = client.post(f"{H}/rosters", headers=boss, json={"first": DAY, "last": DAY, "assignments": DUTIES})
    rid = saved.json()["id"]
    li = login(client, "li")
    assert client.get(f"{H}/my/duties", headers=li).json()["today"] == []  # drafts are no duties yet
    client.post(f"{H}/rosters/{rid}/publish", headers=boss)
    client.post(f"{H}/leave", headers=boss, json={"login": "li", "kind": "out", "start": "2026-11-25T09:00",
                                                  "end": "2026-11-25T12:00"})  # fmt: skip
    mine = client.get(f"{H}/my/duties", headers=li).json()
    assert mine["login"] == "li" and mine["day"] == DAY
    assert [(d["shift"], d["post"]) for d in mine["today"]] == [("full", "W01")]
    assert mine["week"][0]["day"] == DAY and len(mine["week"]) == 7
    assert [len(w["duties"]) for w in mine["week"]] == [1, 0, 0, 0, 0, 0, 0]
    assert [lv["kind"] for lv in mine["leave"]] == ["out"]
    later = client.get(f"{H}/my/duties", headers=li, params={"day": "2026-11-24"}).json()
    assert later["today"] == [] and later["week"][0]["duties"]
    assert client.get(f"{H}/my/duties", headers=li, params={"login": "li"}).status_code == 200
    # Only their own: another's duties are a manager's to read.
    assert client.get(f"{H}/my/duties", headers=li, params={"login": "wang"}).status_code == 403
    assert actions(auth, "denied") == [("li", "duties.read", "")]
    theirs = client.get(f"{H}/my/duties", headers=boss, params={"login": "wang"}).json()
    assert [d["shift"] for d in theirs["today"]] == ["noon"]
    assert client.get(f"{H}/my/duties").status_code == 401
    bad = client.get(f"{H}/my/duties", headers=li, params={"day": "monday"})
    assert bad.status_code == 400 and "query.day" in bad.json()["error"]["message"]


EDGES = ["1970-01-01", "1970-01-05", "2999-12-31", "2999-12-25"]


@pytest.mark.parametrize("day", EDGES)
def test_reads_and_changes_at_the_edges_of_the_dates_fail_nothing(
    client: TestClient, boss: dict[str, str], day: str
) -> None:
    """Weeks and day spans reach past the first and last dates a field takes: still no 5xx."""
    for url, params in [
        (f"{H}/my/duties", {"day": day}),
        (f"{H}/rosters/week", {"day": day, "draft": "1"}),
        (f"{H}/rosters/noon", {"day": day, "draft": "1"}),
        (f"{H}/calendar", {"from": day, "to": day}),
        (f"{H}/leave", {"from": day, "to": day}),
        (f"{H}/rosters", {"from": day, "to": day}),
    ]:
        r = client.get(url, headers=boss, params=params)
        assert r.status_code == 200, (url, r.text)
    at = [f"{day}T00:00:00+14:00", f"{day}T23:59:59-14:00", f"{day}T00:00"]
    for start in at:
        for end in at:
            leave = {"login": "li", "kind": "leave", "start": start, "end": end}
            assert client.post(f"{H}/leave", headers=boss, json=leave).status_code < 500
            shift = {**duty("li", "full", None, ("12:00", "13:00"), day), "start": start, "end": end}
            saved = client.post(f"{H}/rosters", headers=boss, json={"first": day, "last": day, "assignments": [shift]})
            assert saved.status_code < 500, saved.text
            pin = {"login": "li", "day": day, "start": start}
            assert client.post(f"{H}/rosters/1/pin", headers=boss, json=pin).status_code < 500
    assert client.put(f"{H}/calendar/{day}", headers=boss, json={"kind": "holiday"}).status_code == 200
    assert client.delete(f"{H}/calendar/{day}", headers=boss).status_code == 200
