"""The device endpoints the hardware agent uses: health, slips, not-rated, kiosk printing; and
what a server with the hardware room says of devices nothing drives."""

from __future__ import annotations

import time
from typing import Any

from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

import hardware
from hardware.config import DeviceConfig, HardwareConfig, Kind, LineConfig, Mode, Protocol
from queue_server.auth.service import AuthService
from queue_server.principal import DeviceKind
from queue_server.realtime import Hub, LocalBus, realtime_plugin
from queue_server.service import QueueService
from tests.api.conftest import login, room_client
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
    # "unknown" is what the server says of a device nothing reports; no link reports it.
    bad = client.put("/api/halls/t/devices/led-1", json={**body, "state": "unknown"}, headers=bearer(agent))
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
    assert s["no_open_window"] is False  # window 1 (A, B) is open
    b_ticket = client.post("/api/halls/t/tickets", json={"service": "C"}, headers=bearer(kiosk)).json()
    assert b_ticket["no_open_window"] is True and b_ticket["estimated_wait_s"] is None  # windows 2 and 3 closed
    assert client.get(f"/api/tickets/{b_ticket['id']}/slip", headers=bearer(agent)).json()["no_open_window"] is True
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


# The hall file of the server below: window 1's screen and pad, driven by an agent on the hall PC.
AGENT_HALL = HardwareConfig(
    hall="t",
    mode=Mode.AGENT,
    lines=(
        LineConfig(id="leds", url="/dev/ttyUSB0", protocol=Protocol.ONBON),
        LineConfig(id="pads", url="/dev/ttyUSB1", protocol=Protocol.PADBUS),
    ),
    devices=(
        DeviceConfig(id="led-1", kind=Kind.WINDOW_LED, line="leds", address=1, window=1),
        DeviceConfig(id="pad-1", kind=Kind.CALLER_PAD, line="pads", address=1, window=1),
    ),
)


def with_hardware(service: QueueService, auth: AuthService) -> Any:
    """A client of a server with the realtime channels and the hardware room (AGENT_HALL)."""
    hub = Hub(service, LocalBus())
    return room_client(
        service,
        auth,
        lambda s, api: realtime_plugin(hub, api.authenticate),
        lambda s, api: hardware.plugin(api, hub, {"t": AGENT_HALL}, "http://hall.local"),
    )


def states(client: TestClient, token: str) -> dict[str, tuple[str, str]]:
    devices = client.get("/api/halls/t/devices", headers=bearer(token)).json()["devices"]
    return {d["id"]: (d["state"], d["error"]) for d in devices}


NOBODY = "硬件代理未连接 / the hardware agent is not connected"


def test_a_server_that_drives_nothing_shows_the_declared_devices_unknown(
    service: QueueService, auth: AuthService
) -> None:
    # An earlier run with simulated devices left them online, and a printer this file lacks.
    service.report_device("t", "led-1", kind="window_led", state="online", window=1)
    service.report_device("t", "printer-1", kind="printer", state="online")
    _, display = auth.create_device_token(DeviceKind.DISPLAY, "t")
    with with_hardware(service, auth) as client:
        assert states(client, display) == {"led-1": ("unknown", NOBODY), "pad-1": ("unknown", NOBODY)}
        with client.websocket_connect(f"/ws/halls/t?access_token={display}") as ws:  # a dashboard's snapshot
            snapshot = ws.receive_json()
        assert {d["id"]: d["state"] for d in snapshot["devices"]} == {"led-1": "unknown", "pad-1": "unknown"}


def test_the_agents_devices_become_unknown_when_its_channel_closes(service: QueueService, auth: AuthService) -> None:
    _, agent = auth.create_device_token(DeviceKind.AGENT, "t")
    _, display = auth.create_device_token(DeviceKind.DISPLAY, "t")
    led = {"kind": "window_led", "state": "online", "window": 1}
    with with_hardware(service, auth) as client:
        with client.websocket_connect(f"/ws/halls/t/agent?access_token={agent}") as ws:
            first = ws.receive_json()
            assert first["type"] == "snapshot" and {d["state"] for d in first["devices"]} == {"unknown"}
            assert client.put("/api/halls/t/devices/led-1", json=led, headers=bearer(agent)).status_code == 200
            assert states(client, display)["led-1"] == ("online", "")
            ws.close()  # the agent's end (the test client would cancel the server's side on leaving the block)
            deadline = time.monotonic() + 5
            while states(client, display)["led-1"] != ("unknown", NOBODY):
                assert time.monotonic() < deadline, states(client, display)
                time.sleep(0.02)
        # Back: it reports again, and the device is online again.
        with client.websocket_connect(f"/ws/halls/t/agent?access_token={agent}") as ws:
            ws.receive_json()
            client.put("/api/halls/t/devices/led-1", json=led, headers=bearer(agent))
            assert states(client, display)["led-1"] == ("online", "")


def test_only_the_halls_agent_may_use_the_agent_channel(service: QueueService, auth: AuthService) -> None:
    _, display = auth.create_device_token(DeviceKind.DISPLAY, "t")
    with with_hardware(service, auth) as client:
        for query, code in ((f"?access_token={display}", 4403), ("", 4401)):
            with client.websocket_connect(f"/ws/halls/t/agent{query}") as ws:
                try:
                    ws.receive_json()
                except WebSocketDisconnect as closed:
                    assert closed.code == code
                else:
                    raise AssertionError("the channel stayed open")
