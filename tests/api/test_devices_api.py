"""The device endpoints the hardware agent uses: health, slips, not-rated, kiosk printing."""

from __future__ import annotations

from starlette.testclient import TestClient

from queue_server.auth.service import AuthService
from queue_server.principal import DeviceKind
from tests.api.conftest import login
from tests.api.test_records import served_ticket


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_agent_reports_health_and_the_hall_reads_it(client: TestClient, auth: AuthService) -> None:
    _, agent = auth.create_device_token(DeviceKind.AGENT, "t")
    _, display = auth.create_device_token(DeviceKind.DISPLAY, "t")
    body = {"kind": "window_led", "state": "offline", "error": "串口已断开", "window": 1}
    r = client.put("/api/halls/t/devices/led-1", json=body, headers=bearer(agent))
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "offline" and r.json()["error"] == "串口已断开"
    listed = client.get("/api/halls/t/devices", headers=bearer(display)).json()["devices"]
    assert [(d["id"], d["state"]) for d in listed] == [("led-1", "offline")]
    # A display may read but not report; a clerk neither reports nor is a device.
    assert client.put("/api/halls/t/devices/led-1", json=body, headers=bearer(display)).status_code == 403
    assert client.put("/api/halls/t/devices/led-1", json=body, headers=login(client, "li")).status_code == 403
    bad = client.put("/api/halls/t/devices/led-1", json={**body, "state": "asleep"}, headers=bearer(agent))
    assert bad.status_code == 400 and "state" in bad.json()["error"]["message"]


def test_a_kiosk_prints_on_a_printer_that_reported(client: TestClient, auth: AuthService) -> None:
    li = login(client, "li")
    assert client.post("/api/halls/t/windows/1/open", headers=li).status_code == 200
    _, agent = auth.create_device_token(DeviceKind.AGENT, "t")
    _, kiosk = auth.create_device_token(DeviceKind.KIOSK, "t")
    unknown = client.post("/api/halls/t/tickets", json={"service": "A", "print": "p1"}, headers=bearer(kiosk))
    assert unknown.status_code == 404
    phone = client.post("/api/halls/t/tickets", json={"service": "A", "print": "p1"})
    assert phone.status_code == 403  # only a kiosk has a printer
    client.put("/api/halls/t/devices/p1", json={"kind": "printer", "state": "online"}, headers=bearer(agent))
    issued = client.post("/api/halls/t/tickets", json={"service": "A", "print": "p1"}, headers=bearer(kiosk))
    assert issued.status_code == 201, issued.text
    ticket = issued.json()
    slip = client.get(f"/api/tickets/{ticket['id']}/slip", headers=bearer(agent))
    assert slip.status_code == 200
    s = slip.json()
    assert (s["number"], s["ahead"], s["hall_name_zh"]) == (ticket["number"], 0, "测试大厅")
    assert s["track_url"] == "http://hall.local" + ticket["track_url"]
    assert s["issued_at"].endswith("+08:00")  # printed as the hall's wall clock, wherever the agent runs
    # The slip holds the ticket's token: nobody but the agent reads it.
    assert client.get(f"/api/tickets/{ticket['id']}/slip", headers=bearer(kiosk)).status_code == 403
    assert client.get(f"/api/tickets/{ticket['id']}/slip").status_code == 401


def test_the_agent_records_not_rated(client: TestClient, auth: AuthService) -> None:
    li = login(client, "li")
    t = served_ticket(client, li)
    _, agent = auth.create_device_token(DeviceKind.AGENT, "t")
    url = f"/api/tickets/{t['id']}/evaluation/not-rated"
    assert client.post(url, headers=li).status_code == 403
    assert client.post(url, headers=bearer(agent)).status_code == 201
    assert client.post(url, headers=bearer(agent)).status_code == 409
