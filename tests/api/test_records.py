"""Ratings, appointments, notices and the snapshot over HTTP."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from queue_server.auth.service import AuthService
from queue_server.principal import DeviceKind
from tests.api.conftest import login
from tests.conftest import FakeClock


def served_ticket(client: TestClient, clerk: dict[str, str]) -> dict[str, object]:
    ticket = client.post("/api/halls/t/tickets", json={"service": "A"}).json()
    client.post("/api/halls/t/windows/1/open", headers=clerk)
    client.post("/api/halls/t/windows/1/call-next", headers=clerk)
    client.post("/api/halls/t/windows/1/start", headers=clerk)
    assert client.post("/api/halls/t/windows/1/finish", headers=clerk).status_code == 200
    return ticket  # type: ignore[no-any-return]


def test_phone_rates_once_and_manager_follows_up_a_bad_rating(client: TestClient) -> None:
    li = login(client, "li")
    boss = login(client, "boss")
    t = served_ticket(client, li)
    url = f"/api/tickets/{t['id']}/evaluation"
    assert client.post(url, json={"score": 2}).status_code == 403  # no token, no pad
    assert client.post(url, json={"score": 2, "token": "guess"}).status_code == 404
    assert client.post(url, json={"score": 9, "token": t["token"]}).status_code == 400
    r = client.post(url, json={"score": 2, "token": t["token"], "comment": "等太久"})
    assert r.status_code == 201 and r.json()["score"] == 2
    assert client.post(url, json={"score": 5, "token": t["token"]}).status_code == 409
    bad = client.get("/api/halls/t/evaluations", headers=boss, params={"bad_only": "1"}).json()["evaluations"]
    assert [e["ticket_id"] for e in bad] == [t["id"]]
    assert client.get("/api/halls/t/evaluations", headers=li).status_code == 403
    done = client.post(f"/api/halls/t/evaluations/{t['id']}/follow-up", headers=boss, json={"note": "已电话回访"})
    assert done.status_code == 200
    still_open = client.get("/api/halls/t/evaluations", headers=boss, params={"open_follow_up": "true"})
    assert still_open.json()["evaluations"] == []


def test_evaluation_pad_rates_through_the_agent(client: TestClient, auth: AuthService) -> None:
    li = login(client, "li")
    t = served_ticket(client, li)
    _, agent = auth.create_device_token(DeviceKind.AGENT, "t")
    r = client.post(
        f"/api/tickets/{t['id']}/evaluation", json={"score": 5}, headers={"Authorization": f"Bearer {agent}"}
    )
    assert r.status_code == 201 and r.json()["channel"] == "pad"


def test_appointments_book_import_check_in_and_cancel(client: TestClient, clock: FakeClock) -> None:
    boss = login(client, "boss")
    start = (clock.now + timedelta(minutes=20)).isoformat()
    end = (clock.now + timedelta(minutes=40)).isoformat()
    r = client.post(
        "/api/halls/t/appointments",
        headers=boss,
        json={"code": "YY001", "service": "A", "slot_start": start, "slot_end": end, "name": "张三"},
    )
    assert r.status_code == 201, r.text
    dup = client.post(
        "/api/halls/t/appointments",
        headers=boss,
        json={"code": "YY001", "service": "A", "slot_start": start, "slot_end": end},
    )
    assert dup.status_code == 409
    csv_text = f"code,service,slot_start,slot_end,name\nYY002,B,{start},{end},李四\nYY003,C,{start},{end},王五\n"
    imported = client.post(
        "/api/halls/t/appointments/import", headers={**boss, "content-type": "text/csv"}, content=csv_text.encode()
    )
    assert imported.status_code == 201 and imported.json() == {"imported": 2}
    broken = "code,service,slot_start,slot_end,name\nYY004,A,not-a-time,x,赵六\n"
    bad = client.post("/api/halls/t/appointments/import", headers=boss, content=broken.encode())
    assert bad.status_code == 400 and "2" in bad.json()["error"]["message"]
    checked = client.post("/api/halls/t/appointments/check-in", json={"code": "YY001"})
    assert checked.status_code == 201, checked.text
    assert checked.json()["number"] == "A001" and checked.json()["priority"] == "appointment"
    assert client.post("/api/halls/t/appointments/check-in", json={"code": "YY001"}).status_code == 409
    assert client.post("/api/halls/t/appointments/check-in", json={"code": "NOPE"}).status_code == 404
    assert client.delete("/api/halls/t/appointments/YY002", headers=boss).json()["cancelled"] is True


def test_notices_and_snapshot(client: TestClient, auth: AuthService) -> None:
    boss = login(client, "boss")
    n = client.post("/api/halls/t/notices", headers=boss, json={"text_zh": "今天中午不停歇", "text_en": "Open at noon"})
    assert n.status_code == 201
    assert [x["text_zh"] for x in client.get("/api/halls/t/notices").json()["notices"]] == ["今天中午不停歇"]
    assert client.post("/api/halls/t/notices", headers=boss, json={"text_zh": ""}).status_code == 400
    _, display = auth.create_device_token(DeviceKind.DISPLAY, "t")
    snap = client.get("/api/halls/t/snapshot", headers={"Authorization": f"Bearer {display}"})
    assert snap.status_code == 200
    body = snap.json()
    assert body["seq"] >= 1 and len(body["windows"]) == 3 and body["notices"][0]["text_en"] == "Open at noon"
    assert client.get("/api/halls/t/snapshot").status_code == 401
    gone = client.delete(f"/api/halls/t/notices/{n.json()['id']}", headers=boss)
    assert gone.status_code == 200
    assert client.get("/api/halls/t/notices").json()["notices"] == []
