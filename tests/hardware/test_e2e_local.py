"""End to end over real ptys, the server driving the ports itself: caller-pad keys act on
the window's queue like the clerk console, screens and pads show the call, the
evaluation pad's score lands on the right service, and an unplugged line recovers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hardware.padbus import PadKey
from hardware.sim.demo import EVALUATION_BASE, HALL_SCREEN
from tests.hardware.conftest import Hall, prepared
from tests.server_support import serve

pytestmark = pytest.mark.slow


def ready(hall: Hall) -> dict[str, str]:
    """Window 1 opened by its clerk; every screen has shown the hall once."""
    li = hall.login("li")
    assert hall.post("/api/halls/t/windows/1/open", li).status_code == 200
    hall.sims.screens.wait_for_text(1, "1号窗口")
    return li


def test_a_pad_key_calls_and_the_screens_show_it(local_hall: Hall) -> None:
    li = ready(local_hall)
    issued = local_hall.post("/api/halls/t/tickets", service="A").json()
    screens, pads = local_hall.sims.screens, local_hall.sims.pads
    pads.press(1, PadKey.CALL_NEXT)
    assert screens.wait_for_text(1, issued["number"]) == [f"请 {issued['number']} 号", "到1号窗口办理"]
    assert screens.wait_for_text(HALL_SCREEN, f"{issued['number']} → 1号窗口")[0] == f"{issued['number']} → 1号窗口"
    pads.wait_until(lambda: pads.pad(1).display == "     1", what="pad 1 to show ticket 1")
    assert pads.pad(1).acks  # the key frame was echoed back as the acknowledgement
    window = local_hall.get("/api/halls/t/snapshot", li).json()["windows"][0]
    assert window["current"]["number"] == issued["number"]
    # Same rules as the console: nothing else waits, so a second press is refused with a beep.
    beeps = pads.pad(1).beeps
    frames = screens.screens[1].frames
    pads.press(1, PadKey.RECALL)  # the same text, drawn again: the screen re-shows the call
    screens.wait_until(lambda: screens.screens[1].frames > frames, what="the recall redrawn on the window screen")
    pads.press(1, PadKey.CONFIRM, (6,))  # 6 + confirm: no-show
    pads.wait_until(lambda: screens.lines(1) == ["1号窗口", "欢迎光临"], what="window screen back to idle")
    pads.press(1, PadKey.CALL_NEXT)
    pads.wait_until(lambda: pads.pad(1).beeps > beeps, what="a beep for 'nobody waits'")
    # Every pad action is in the audit log, as the device acting for the window's clerk.
    audit = local_hall.get("/api/halls/t/audit?action=window.", local_hall.login("boss")).json()["records"]
    actions = [(r["actor"], r["action"], r["outcome"]) for r in audit]
    assert ("device:t-serial", "window.call-next", "ok") in actions
    assert ("device:t-serial", "window.recall", "ok") in actions
    assert ("device:t-serial", "window.no-show", "ok") in actions


def test_the_evaluation_pad_rates_the_service_just_finished(local_hall: Hall) -> None:
    ready(local_hall)
    first = local_hall.post("/api/halls/t/tickets", service="A").json()
    second = local_hall.post("/api/halls/t/tickets", service="B").json()
    pads = local_hall.sims.pads
    rater = EVALUATION_BASE + 1
    pads.rate(rater, 1)  # nobody was asked: dropped, never stored against a ticket
    pads.press(1, PadKey.CALL_NEXT)
    local_hall.sims.screens.wait_for_text(1, first["number"])
    pads.press(1, PadKey.EVALUATE)  # finish (a pad has no start key: called -> served -> done)
    pads.wait_until(lambda: pads.pad(rater).asked == 1, what="the evaluation pad to be asked")
    pads.rate(rater, 5)
    boss = local_hall.login("boss")

    def ratings() -> list[tuple[int, int, str]]:
        found = local_hall.get("/api/halls/t/evaluations", boss).json()["evaluations"]
        return [(e["ticket_id"], e["score"], e["channel"]) for e in found]

    deadline = time.monotonic() + 5
    while ratings() != [(first["id"], 5, "pad")]:
        assert time.monotonic() < deadline, ratings()
        time.sleep(0.05)
    # The next service goes unrated: after the hall's timeout (5 s here) it is recorded so.
    pads.press(1, PadKey.CALL_NEXT)
    local_hall.sims.screens.wait_for_text(1, second["number"])
    pads.press(1, PadKey.EVALUATE)
    pads.wait_until(lambda: pads.pad(rater).asked == 2, what="the second question")
    audit_url = "/api/halls/t/audit?action=evaluation.not_rated"
    deadline = time.monotonic() + 10
    while not local_hall.get(audit_url, boss).json()["records"]:
        assert time.monotonic() < deadline, "no not-rated record"
        time.sleep(0.1)
    pads.rate(rater, 3)  # too late: the question expired, so this is dropped
    time.sleep(0.5)
    assert ratings() == [(first["id"], 5, "pad")]


def test_an_unplugged_screen_line_recovers_without_losing_a_call(local_hall: Hall) -> None:
    li = ready(local_hall)
    boss = local_hall.login("boss")
    screens = local_hall.sims.screens
    screens.unplug()

    def led_state() -> str:
        devices = local_hall.get("/api/halls/t/devices", boss).json()["devices"]
        return next(d["state"] for d in devices if d["id"] == "led-1")

    deadline = time.monotonic() + 5
    while led_state() != "offline":
        assert time.monotonic() < deadline, "the unplugged screen never showed as offline"
        time.sleep(0.05)
    issued = local_hall.post("/api/halls/t/tickets", service="A").json()
    assert local_hall.post("/api/halls/t/windows/1/call-next", li).status_code == 200  # called while unplugged
    screens.replug()
    # The line comes back: the screen gets the current text, the call made while it was away.
    assert screens.wait_for_text(1, issued["number"], timeout=10)[0] == f"请 {issued['number']} 号"
    deadline = time.monotonic() + 5
    while led_state() != "online":
        assert time.monotonic() < deadline, "the screen never came back online"
        time.sleep(0.05)
    # The server's own links audit health changes as the agent's reports are audited.
    audit = local_hall.get("/api/halls/t/audit?action=device.report", boss).json()["records"]
    assert {(r["actor"], r["target"]) for r in audit} >= {("device:t-serial", "device led-1")}


def test_a_kiosk_ticket_is_printed_and_a_printer_without_paper_shows_up(local_hall: Hall) -> None:
    ready(local_hall)
    boss = local_hall.login("boss")
    kiosk = local_hall.post("/api/halls/t/tokens", boss, kind="kiosk").json()["token"]
    kiosk_headers = {"Authorization": f"Bearer {kiosk}"}
    printer = local_hall.sims.printer

    def printer_state() -> tuple[str, str]:
        devices = local_hall.get("/api/halls/t/devices", boss).json()["devices"]
        found = next((d for d in devices if d["id"] == "printer-1"), None)
        return (found["state"], found["error"]) if found else ("missing", "")

    deadline = time.monotonic() + 5
    while printer_state()[0] != "online":
        assert time.monotonic() < deadline, printer_state()
        time.sleep(0.05)
    issued = local_hall.post("/api/halls/t/tickets", kiosk_headers, service="A", print="printer-1").json()
    printer.wait_until(lambda: printer.slips == 1, what="one slip printed")
    text = printer.text()
    assert "测试大厅" in text and issued["number"] in text and "前面还有 0 人" in text
    assert printer.parser.qr_payloads == [f"http://127.0.0.1:{local_hall.base.rsplit(':', 1)[1]}{issued['track_url']}"]
    printer.paper = "out"
    local_hall.post("/api/halls/t/tickets", kiosk_headers, service="A", print="printer-1")
    deadline = time.monotonic() + 5
    while printer_state()[0] != "offline":
        assert time.monotonic() < deadline, printer_state()
        time.sleep(0.05)
    assert "缺纸" in printer_state()[1] and printer.slips == 1


def test_each_evaluation_pad_stores_the_score_its_scores_give_the_key(tmp_path: Path) -> None:
    # Window 1: a five-key pad whose keys send 1..5 with 非常满意 first; window 2: keys send the score.
    db, config, sims, agent = prepared(tmp_path, "local", rating_timeout_s=30, scores={1: [5, 4, 3, 2, 1]})
    try:
        with serve(db, tmp_path, "--config", str(config)) as base:
            hall = Hall(base, sims, agent, tmp_path)
            boss = hall.login("boss")
            assert hall.post("/api/halls/t/windows/1/open", hall.login("li")).status_code == 200
            assert hall.post("/api/halls/t/windows/2/open", boss).status_code == 200
            first = hall.post("/api/halls/t/tickets", service="A").json()  # window 1 serves A
            second = hall.post("/api/halls/t/tickets", service="C").json()  # window 2 serves C
            for window, ticket, key in ((1, first, 1), (2, second, 2)):
                sims.screens.wait_for_text(window, f"{window}号窗口")
                sims.pads.press(window, PadKey.CALL_NEXT)
                sims.screens.wait_for_text(window, ticket["number"])
                sims.pads.press(window, PadKey.EVALUATE)
                rater = EVALUATION_BASE + window
                sims.pads.wait_until(lambda: sims.pads.pad(rater).asked == 1, what=f"the question at {window}")  # noqa: B023 (used at once)
                sims.pads.rate(rater, key)

            def stored() -> set[tuple[int, int, str]]:
                found = hall.get("/api/halls/t/evaluations", boss).json()["evaluations"]
                return {(e["ticket_id"], e["score"], e["channel"]) for e in found}

            want = {(first["id"], 5, "pad"), (second["id"], 2, "pad")}  # key 1 stores 5; key 2 stores 2
            deadline = time.monotonic() + 5
            while stored() != want:
                assert time.monotonic() < deadline, stored()
                time.sleep(0.05)
    finally:
        sims.close()
