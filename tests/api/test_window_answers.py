"""Every window action answers with the window as the hall snapshot shows it at the answer's seq."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from queue_server.service import QueueService
from queue_server.storage import Store
from tests.api.conftest import login
from tests.conftest import FakeClock, with_config

# li may handle A only, at window 1 which serves A and B: routing narrows what li calls,
# never what the window is said to serve.
STAFF = """
[[hall.staff]]
login = "li"
name = "李"
skills = ["A"]
"""


@pytest.fixture
def service(store: Store, clock: FakeClock) -> QueueService:
    return with_config(store, clock, STAFF)


def snapshot_window(client: TestClient, headers: dict[str, str], number: int) -> tuple[int, dict[str, Any]]:
    snap = client.get("/api/halls/t/snapshot", headers=headers)
    assert snap.status_code == 200, snap.text
    body = snap.json()
    return body["seq"], next(w for w in body["windows"] if w["number"] == number)


def act(client: TestClient, headers: dict[str, str], path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST a window action; its answer's window is the snapshot's window at the answer's seq."""
    r = client.post(f"/api/halls/t/windows/{path}", json=body, headers=headers)
    assert r.status_code == 200, (path, r.text)
    answer: dict[str, Any] = r.json()
    seq, window = snapshot_window(client, headers, int(path.split("/")[0]))
    assert answer["seq"] == seq, path
    assert answer["window"] == window, path
    return answer


def test_each_window_action_answers_with_the_window_the_snapshot_shows(
    client: TestClient, service: QueueService
) -> None:
    ids = {n: service.issue("t", s).ticket.id for n, s in (("A001", "A"), ("A002", "A"), ("A003", "A"), ("B001", "B"))}
    clerk = login(client, "li")

    opened = act(client, clerk, "1/open")["window"]
    assert (opened["state"], opened["staff"], opened["current"]) == ("open", "li", None)
    assert opened["services"] == {"A": 1.0, "B": 1.0}

    called = act(client, clerk, "1/call-next")
    assert called["ticket"]["number"] == "A001"
    assert called["window"]["current"] == called["ticket"]
    assert called["window"]["services"] == opened["services"]

    recalled = act(client, clerk, "1/recall")["window"]["current"]
    assert (recalled["number"], recalled["recall_count"]) == ("A001", 1)
    assert act(client, clerk, "1/start")["window"]["current"]["state"] == "serving"

    held = act(client, clerk, "1/hold", {"reason": "取材料"})
    assert held["ticket"]["state"] == "held" and held["window"]["current"] is None
    back = act(client, clerk, f"1/call-back/{ids['A001']}")
    assert back["window"]["current"]["number"] == "A001" and back["window"]["current"]["state"] == "called"
    act(client, clerk, "1/start")

    # Pausing with a visitor at the window keeps them there.
    paused = act(client, clerk, "1/pause", {"reason": "系统维护"})["window"]
    assert (paused["state"], paused["pause_reason"], paused["current"]["number"]) == ("paused", "系统维护", "A001")
    assert act(client, clerk, "1/resume")["window"]["current"]["number"] == "A001"
    finished = act(client, clerk, "1/finish")
    assert finished["ticket"]["state"] == "done" and finished["window"]["current"] is None

    assert act(client, clerk, "1/call-next")["window"]["current"]["number"] == "A002"
    assert act(client, clerk, "1/no-show")["window"]["current"] is None

    assert act(client, clerk, "1/call-next")["window"]["current"]["number"] == "A003"
    moved = act(client, clerk, "1/transfer", {"service": "B"})
    assert moved["ticket"]["state"] == "waiting" and moved["window"]["current"] is None

    out_of_order = act(client, clerk, f"1/call/{ids['B001']}", {"reason": "老人优先"})
    assert out_of_order["window"]["current"]["number"] == "B001"
    act(client, clerk, "1/start")
    act(client, clerk, "1/finish")

    closed = act(client, clerk, "1/close")["window"]
    assert (closed["state"], closed["staff"], closed["current"]) == ("closed", None, None)


def test_a_managers_service_change_answers_with_the_window_and_its_ticket(
    client: TestClient, service: QueueService
) -> None:
    service.issue("t", "A")
    boss = login(client, "boss")
    act(client, boss, "1/open", {"staff": "li"})
    act(client, boss, "1/call-next")
    r = client.put("/api/halls/t/windows/1/services", json={"services": {"A": 2.0}}, headers=boss)
    assert r.status_code == 200, r.text
    seq, window = snapshot_window(client, boss, 1)
    assert r.json()["seq"] == seq and r.json()["window"] == window
    assert window["services"] == {"A": 2.0} and window["current"]["number"] == "A001"
