"""Follow-up cases over HTTP, on both backends: a 差评 opens its case, a manager works it to the
end, a clerk appeals only their own case, the old follow-up endpoint resolves the case, and
every refusal is a 4xx naming the field or the state, with nothing changed."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from queue_server.service import QueueService
from tests.api.conftest import login
from tests.conftest import FakeClock

CASES = "/api/halls/t/cases"


def rated(service: QueueService, clock: FakeClock, score: int, clerk: str = "li", window: int = 1) -> int:
    ticket = service.issue("t", "A").ticket
    service.call_next("t", window, clerk)
    service.start("t", window, clerk)
    clock.advance(120)
    service.finish("t", window, clerk)
    service.evaluate("t", ticket.id, score, "phone", "等太久")
    return ticket.id


def post(client: TestClient, who: dict[str, str], path: str, body: Any) -> Any:
    return client.post(f"{CASES}/{path}", headers=who, json=body)


def refused(
    client: TestClient, boss: dict[str, str], who: dict[str, str], path: str, body: Any, status: int, says: str
) -> None:
    """A refused write by ``who``: ``status``, a message saying ``says``, and the case as it was
    (read by the manager ``boss``)."""
    case_id = int(path.split("/")[0])
    before = client.get(f"{CASES}/{case_id}", headers=boss).json()
    r = post(client, who, path, body)
    assert r.status_code == status, r.text
    assert says in r.json()["error"]["message"], r.json()
    assert client.get(f"{CASES}/{case_id}", headers=boss).json() == before


def test_a_bad_rating_opens_a_case_worked_to_closed(
    client: TestClient, service: QueueService, clock: FakeClock
) -> None:
    service.open_window("t", 1, "li")
    good = rated(service, clock, 5)
    bad = rated(service, clock, 1)
    boss = login(client, "boss")
    listed = client.get(CASES, headers=boss).json()
    assert [c["ticket_id"] for c in listed["cases"]] == [bad] and good != bad
    case = listed["cases"][0]
    assert (case["state"], case["clerk"], case["score"], case["comment"], case["due"]) == (
        "open", "li", 1, "等太久", "2026-11-30",
    )  # fmt: skip
    assert listed["counts"] == {"open": 1, "due_soon": 0, "overdue": 0}
    assert post(client, boss, f"{bad}/assign", {"owner": "boss"}).json()["state"] == "in_progress"
    assert post(client, boss, f"{bad}/notes", {"text": "查看录像"}).json()["notes"][0]["text"] == "查看录像"
    called = post(client, boss, f"{bad}/call-back", {"method": "phone", "reached": True, "response": "接受"}).json()
    assert called["callbacks"][0]["method"] == "phone"
    resolved = post(client, boss, f"{bad}/resolve", {"text": "已致歉", "satisfied": True}).json()
    assert (resolved["state"], resolved["satisfied"]) == ("resolved", True)
    # The rating is followed up with it, so the 好差评 panel drops it.
    assert client.get("/api/halls/t/evaluations", headers=boss, params={"open_follow_up": "1"}).json() == {
        "evaluations": []
    }
    closed = client.post(f"{CASES}/{bad}/close", headers=boss).json()
    assert closed["state"] == "closed"
    assert [h["action"] for h in closed["history"]] == ["open", "assign", "note", "call_back", "resolve", "close"]
    audit = client.get("/api/halls/t/audit", headers=boss, params={"action": "case."}).json()
    assert {"case.assign", "case.note", "case.call_back", "case.resolve", "case.close"} <= {
        row["action"] for row in audit.get("records", audit.get("rows", []))
    }


def test_due_filters_and_overdue(client: TestClient, service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1, "li")
    first = rated(service, clock, 2)  # Monday 2026-11-23: due Monday 2026-11-30
    clock.advance(4 * 24 * 3600)  # Friday: one working day left
    second = rated(service, clock, 1)
    boss = login(client, "boss")
    due = {d: [c["ticket_id"] for c in client.get(CASES, headers=boss, params={"due": d}).json()["cases"]]
           for d in ("open", "due_soon", "overdue", "all")}  # fmt: skip
    assert due == {"open": [first, second], "due_soon": [first], "overdue": [], "all": [first, second]}
    clock.advance(4 * 24 * 3600)  # Tuesday 2026-12-01
    boss = login(client, "boss")
    overdue = client.get(CASES, headers=boss, params={"due": "overdue"}).json()
    assert [c["ticket_id"] for c in overdue["cases"]] == [first] and overdue["cases"][0]["overdue"] is True
    assert client.get(f"{CASES}/counts", headers=boss).json() == {"open": 2, "due_soon": 0, "overdue": 1}
    assert client.get(CASES, headers=boss, params={"clerk": "zhao"}).json()["cases"] == []
    assert len(client.get(CASES, headers=boss, params={"from": "2026-11-27", "to": "2026-11-27"}).json()["cases"]) == 1


def test_a_clerk_appeals_their_own_case_only(client: TestClient, service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1, "li")
    mine = rated(service, clock, 1, "li")
    service.close_window("t", 1, "li")
    service.open_window("t", 1, "zhao")
    theirs = rated(service, clock, 2, "zhao")
    li, boss = login(client, "li"), login(client, "boss")
    assert [c["ticket_id"] for c in client.get(CASES, headers=li).json()["cases"]] == [mine]
    assert client.get(f"{CASES}/{theirs}", headers=li).status_code == 404
    refused(client, boss, li, f"{theirs}/appeal", {"reason": "不是我"}, 403, "only the clerk concerned")
    refused(client, boss, boss, f"{mine}/appeal", {"reason": "x"}, 403, "may not")
    refused(client, boss, li, f"{mine}/appeal", {}, 400, "body.reason")
    appealed = post(client, li, f"{mine}/appeal", {"reason": "访客取错号"}).json()
    assert appealed["state"] == "appealed" and appealed["appeal"]["decision"] == "pending"
    refused(client, boss, li, f"{mine}/decide", {"decision": "upheld", "note": "x"}, 403, "may not")
    refused(
        client, boss, boss, f"{mine}/call-back", {"method": "phone", "reached": True, "response": "x"}, 409, "appealed"
    )
    refused(client, boss, boss, f"{mine}/decide", {"decision": "maybe", "note": "x"}, 400, "body.decision")
    decided = post(client, boss, f"{mine}/decide", {"decision": "upheld", "note": "核实属实"}).json()
    assert (decided["state"], decided["appeal"]["decision"]) == ("appeal_upheld", "upheld")
    refused(client, boss, li, f"{mine}/appeal", {"reason": "again"}, 409, "already been appealed")


def test_refusals_name_the_field_or_the_state(client: TestClient, service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1, "li")
    case = rated(service, clock, 1)
    boss = login(client, "boss")
    refused(client, boss, boss, f"{case}/assign", {}, 400, "body.owner")
    refused(client, boss, boss, f"{case}/assign", {"owner": "x", "extra": 1}, 400, "body.extra")
    refused(client, boss, boss, f"{case}/notes", {"text": "x" * 501}, 400, "body.text")
    refused(client, boss, boss, f"{case}/call-back", {"method": "fax", "reached": True}, 400, "body.method")
    refused(client, boss, boss, f"{case}/call-back", {"method": "sms", "reached": "yes"}, 400, "body.reached")
    refused(client, boss, boss, f"{case}/call-back", {"method": "sms", "reached": True}, 400, "body.response")
    refused(client, boss, boss, f"{case}/resolve", {"text": "x", "satisfied": True}, 409, "open")
    refused(client, boss, boss, f"{case}/close", {}, 409, "open")
    post(client, boss, f"{case}/call-back", {"method": "sms", "reached": False})
    refused(client, boss, boss, f"{case}/resolve", {"text": "x"}, 400, "body.satisfied")
    refused(client, boss, boss, f"{case}/decide", {"decision": "upheld", "note": "x"}, 409, "in_progress")
    assert client.get(f"{CASES}/999999", headers=boss).status_code == 404
    assert client.get(CASES, headers=boss, params={"due": "soon"}).status_code == 400
    assert "query.state" in client.get(CASES, headers=boss, params={"state": "x"}).json()["error"]["message"]
    backwards = client.get(CASES, headers=boss, params={"from": "2026-11-27", "to": "2026-11-20"})
    assert backwards.status_code == 400 and "to" in backwards.json()["error"]["message"]
    assert client.get(CASES).status_code == 401


def test_the_old_follow_up_endpoint_resolves_the_case(
    client: TestClient, service: QueueService, clock: FakeClock
) -> None:
    service.open_window("t", 1, "li")
    case = rated(service, clock, 2)
    boss = login(client, "boss")
    r = client.post(f"/api/halls/t/evaluations/{case}/follow-up", headers=boss, json={"note": "已电话回访"})
    assert r.status_code == 200, r.text
    found = client.get(f"{CASES}/{case}", headers=boss).json()
    assert (found["state"], found["resolution"], found["satisfied"]) == ("resolved", "已电话回访", None)
    assert found["callbacks"][0]["response"] == "已电话回访"
