"""The agent path end to end: ``run.py agent`` owns the ptys and talks to a real server
process over a real WebSocket and the HTTP API; it reconnects and resyncs, and when it is
gone the server shows its devices as not connected."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest

from hardware.padbus import PadKey
from hardware.sim.demo import EVALUATION_BASE, HALL_SCREEN
from tests.hardware.conftest import AgentHall, Hall, agent_process, prepared
from tests.server_support import free_port, serve

pytestmark = pytest.mark.slow


def test_the_agent_drives_the_devices_and_a_restarted_agent_shows_the_current_state(agent_hall: AgentHall) -> None:
    h = agent_hall
    screens, pads = h.sims.screens, h.sims.pads
    li = h.login("li")
    assert h.post("/api/halls/t/windows/1/open", li).status_code == 200
    first = h.post("/api/halls/t/tickets", service="A").json()
    # The server itself never touches the ports in agent mode: nothing shows yet, and the
    # devices of the hall file are listed as not connected.
    time.sleep(0.5)
    assert screens.lines(1) == []
    boss = h.login("boss")
    assert {d["state"] for d in h.get("/api/halls/t/devices", boss).json()["devices"]} == {"unknown"}
    with agent_process(h.base, h.agent_token, h.config, h.directory) as agent:
        screens.wait_for_text(1, "1号窗口", timeout=15)  # the snapshot brought every screen up to date
        pads.press(1, PadKey.CALL_NEXT)
        assert screens.wait_for_text(1, first["number"])[0] == f"请 {first['number']} 号"
        screens.wait_for_text(HALL_SCREEN, f"{first['number']} → 1号窗口")
        pads.press(1, PadKey.EVALUATE)
        rater = EVALUATION_BASE + 1
        pads.wait_until(lambda: pads.pad(rater).asked == 1, what="the rating question")
        pads.rate(rater, 4)
        deadline = time.monotonic() + 5
        while not h.get("/api/halls/t/evaluations", boss).json()["evaluations"]:
            assert time.monotonic() < deadline and agent.poll() is None, "the rating never arrived"
            time.sleep(0.05)
        [rating] = h.get("/api/halls/t/evaluations", boss).json()["evaluations"]
        assert (rating["ticket_id"], rating["score"], rating["channel"]) == (first["id"], 4, "pad")
        audit = h.get("/api/halls/t/audit?action=window.call-next", boss).json()["records"]
        assert audit[0]["actor"].startswith("device:") and audit[0]["outcome"] == "ok"
        devices = {d["id"]: d["state"] for d in h.get("/api/halls/t/devices", boss).json()["devices"]}
        assert devices["led-1"] == devices["pad-1"] == devices["printer-1"] == "online"
        # The LED line is unplugged at the hall PC; a call made meanwhile shows once it is back.
        screens.unplug()
        deadline = time.monotonic() + 5
        while {d["id"]: d["state"] for d in h.get("/api/halls/t/devices", boss).json()["devices"]}[
            "led-1"
        ] != "offline":
            assert time.monotonic() < deadline, "the agent never reported the unplugged screen"
            time.sleep(0.05)
        meanwhile = h.post("/api/halls/t/tickets", service="A").json()
        assert h.post("/api/halls/t/windows/1/call-next", li).status_code == 200
        screens.replug()
        assert screens.wait_for_text(1, meanwhile["number"], timeout=10)[0] == f"请 {meanwhile['number']} 号"
        assert h.post("/api/halls/t/windows/1/no-show", li).status_code == 200
    # The agent is gone: nothing drives its devices, so none shows online.
    deadline = time.monotonic() + 5
    while {d["state"] for d in h.get("/api/halls/t/devices", boss).json()["devices"]} != {"unknown"}:
        assert time.monotonic() < deadline, h.get("/api/halls/t/devices", boss).json()
        time.sleep(0.05)
    # A call happens meanwhile; a new agent shows the current state at once.
    second = h.post("/api/halls/t/tickets", service="A").json()
    assert h.post("/api/halls/t/windows/1/call-next", li).status_code == 200
    with agent_process(h.base, h.agent_token, h.config, h.directory):
        screens.wait_for_text(1, second["number"], timeout=15)


def test_the_agent_reconnects_when_the_server_restarts(tmp_path: Path) -> None:
    db, config, sims, token = prepared(tmp_path, "agent")
    port = free_port()  # fixed: the second server must come back where the agent keeps knocking
    try:
        with contextlib.ExitStack() as stack:
            first_server = contextlib.ExitStack()
            base = first_server.enter_context(serve(db, tmp_path, "--config", str(config), port=port))
            hall = Hall(base, sims, token, tmp_path)
            li = hall.login("li")
            assert hall.post("/api/halls/t/windows/1/open", li).status_code == 200
            agent = stack.enter_context(agent_process(base, token, config, tmp_path))
            sims.screens.wait_for_text(1, "1号窗口", timeout=15)
            first_server.close()  # the server goes away; the agent keeps retrying with backoff
            time.sleep(1.0)
            with serve(db, tmp_path, "--config", str(config), port=port):
                issued = hall.post("/api/halls/t/tickets", service="A").json()
                assert hall.post("/api/halls/t/windows/1/call-next", hall.login("li")).status_code == 200
                assert sims.screens.wait_for_text(1, issued["number"], timeout=20)[0] == f"请 {issued['number']} 号"
                assert agent.poll() is None
    finally:
        sims.close()
