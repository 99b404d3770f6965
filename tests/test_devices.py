"""Device health, print jobs and "not rated", on every backend; devices nothing reports are unknown."""

from __future__ import annotations

import pytest

from queue_server.domain import DeviceState
from queue_server.errors import BadRequest, Conflict, InvalidTransition, NotFound
from queue_server.queries.snapshot import load_snapshot
from queue_server.realtime.view import HallView
from queue_server.rules.devices import DeclaredDevice
from queue_server.service import QueueService
from tests.conftest import FakeClock
from tests.test_evaluations import served


def test_only_changes_of_health_become_events(service: QueueService, clock: FakeClock) -> None:
    first = service.report_device("t", "led-1", kind="window_led", state="online", window=1)
    [event] = first.events
    assert (event.kind, event.window, event.from_state, event.to_state) == ("device.health", 1, None, "online")
    assert event.detail["device"] == {
        "id": "led-1", "kind": "window_led", "window": 1, "state": "online", "error": "",
        "since": clock.now.isoformat(),
    }  # fmt: skip
    assert service.report_device("t", "led-1", kind="window_led", state="online", window=1).events == []
    clock.advance(5)
    down = service.report_device("t", "led-1", kind="window_led", state="offline", window=1, error="串口已断开")
    [event] = down.events
    assert (event.from_state, event.to_state, event.detail["device"]["error"]) == ("online", "offline", "串口已断开")
    [stored] = service.devices("t")
    assert (stored.state.value, stored.error, stored.since) == ("offline", "串口已断开", clock.now)
    clock.advance(5)
    # Same state, new error: news for the manager, but the state's "since" stays.
    again = service.report_device("t", "led-1", kind="window_led", state="offline", window=1, error="无应答")
    assert len(again.events) == 1 and service.devices("t")[0].since == stored.since


@pytest.mark.parametrize(
    ("device", "kind", "state", "window", "error"),
    [
        ("", "window_led", "online", 1, BadRequest),
        ("led 1", "window_led", "online", 1, BadRequest),
        ("led-1", "toaster", "online", 1, BadRequest),
        ("led-1", "window_led", "sleepy", 1, BadRequest),
        ("led-1", "window_led", "unknown", 1, BadRequest),  # the server's word, not a link's
        ("led-1", "window_led", "online", 99, NotFound),
    ],
)
def test_bad_reports_are_refused_and_change_nothing(
    service: QueueService, device: str, kind: str, state: str, window: int, error: type[Exception]
) -> None:
    with service.store.reader("t") as r:
        before = r.last_seq()
    with pytest.raises(error):
        service.report_device("t", device, kind=kind, state=state, window=window)
    with service.store.reader("t") as r:
        assert r.last_seq() == before
    assert service.devices("t") == []


def test_a_view_follows_device_health_and_snapshots_carry_it(service: QueueService) -> None:
    service.report_device("t", "printer-1", kind="printer", state="online")
    snap, tail = load_snapshot(service, "t")
    view = HallView.from_snapshot(snap)
    assert tail == []
    assert [d["id"] for d in view.snapshot_message()["devices"]] == ["printer-1"]
    out = service.report_device("t", "printer-1", kind="printer", state="offline", error="缺纸")
    view.apply(out.events[0])
    assert view.devices()[0]["state"] == "offline" and view.devices()[0]["error"] == "缺纸"
    fresh = HallView.from_snapshot(load_snapshot(service, "t")[0])
    assert fresh.state() == view.state()


def test_a_kiosk_ticket_can_ask_a_known_printer_for_a_slip(service: QueueService) -> None:
    service.open_window("t", 1, "wang")
    with pytest.raises(NotFound):
        service.issue("t", "A", print_on="printer-1")  # never reported: the kiosk shows the QR code instead
    with service.store.reader("t") as r:
        assert r.active_tickets(service.business_day("t")) == []  # the refused issue spent no number
    service.report_device("t", "printer-1", kind="printer", state="online")
    issued = service.issue("t", "A", print_on="printer-1")
    issue, job = issued.events
    assert issue.kind == "ticket.issue"
    assert (job.kind, job.ticket_id, job.detail["device"]) == ("device.print", issued.ticket.id, "printer-1")
    assert "token" not in job.detail["ticket"]  # the hall channel is public to displays


def test_not_rated_is_recorded_once_and_a_later_rating_still_counts(service: QueueService) -> None:
    service.open_window("t", 1, "wang")
    ticket = served(service)
    [event] = service.mark_not_rated("t", ticket.id).events
    assert (event.kind, event.ticket_id, event.window, event.detail["channel"]) == (
        "evaluation.not_rated", ticket.id, 1, "pad",
    )  # fmt: skip
    with pytest.raises(Conflict):
        service.mark_not_rated("t", ticket.id)
    assert service.evaluate("t", ticket.id, 4, "phone").evaluation.score == 4
    with pytest.raises(Conflict):
        service.mark_not_rated("t", ticket.id)  # rated: it can no longer go unrated


def test_only_a_finished_service_goes_unrated(service: QueueService) -> None:
    service.open_window("t", 1, "wang")
    waiting = service.issue("t", "A").ticket
    with pytest.raises(InvalidTransition):
        service.mark_not_rated("t", waiting.id)


DECLARED = [DeclaredDevice("led-1", "window_led", 1), DeclaredDevice("pad-1", "caller_pad", 1)]
NOBODY = "硬件代理未连接 / the hardware agent is not connected"


def test_a_starting_server_lists_the_declared_devices_unknown_and_drops_the_rest(
    service: QueueService, clock: FakeClock
) -> None:
    # An earlier run (say, with --simulate-devices) left its devices online.
    service.report_device("t", "led-1", kind="window_led", state="online", window=1)
    service.report_device("t", "printer-1", kind="printer", state="online")
    clock.advance(60)
    started = service.declare_devices("t", DECLARED, error=NOBODY)
    listed = service.devices("t")
    assert [(d.device, d.kind, d.window, d.state, d.error) for d in listed] == [
        ("led-1", "window_led", 1, DeviceState.UNKNOWN, NOBODY),
        ("pad-1", "caller_pad", 1, DeviceState.UNKNOWN, NOBODY),
    ]
    assert all(d.since == clock.now for d in listed)
    assert [(e.kind, e.from_state, e.to_state, e.detail["device"]["id"]) for e in started.events] == [
        ("device.health", "online", "unknown", "led-1"),
        ("device.health", None, "unknown", "pad-1"),
    ]
    # The snapshot (every screen and the dashboard start from it) says the same.
    snap, _ = load_snapshot(service, "t")
    assert [(d["id"], d["state"]) for d in HallView.from_snapshot(snap).devices()] == [
        ("led-1", "unknown"),
        ("pad-1", "unknown"),
    ]
    # Declared again (another server process starting): nothing changes, nothing is published.
    assert service.declare_devices("t", DECLARED, error=NOBODY).events == []
    # Until a running line reports it.
    service.report_device("t", "led-1", kind="window_led", state="online", window=1)
    assert [(d.device, d.state) for d in service.devices("t")] == [
        ("led-1", DeviceState.ONLINE),
        ("pad-1", DeviceState.UNKNOWN),
    ]


def test_a_device_gone_from_the_hall_file_is_not_listed(service: QueueService) -> None:
    service.declare_devices("t", DECLARED)
    service.declare_devices("t", DECLARED[:1])
    assert [d.device for d in service.devices("t")] == ["led-1"]
    snap, _ = load_snapshot(service, "t")
    assert [d.device for d in snap.devices] == ["led-1"]
    service.declare_devices("t", [])
    assert service.devices("t") == []


def test_devices_become_unknown_when_nothing_drives_them(service: QueueService, clock: FakeClock) -> None:
    service.declare_devices("t", DECLARED, error=NOBODY)
    service.report_device("t", "led-1", kind="window_led", state="offline", window=1, error="无应答")
    service.report_device("t", "pad-1", kind="caller_pad", state="online", window=1)
    clock.advance(5)
    left = service.devices_unreported("t", error=NOBODY)
    assert [(e.detail["device"]["id"], e.from_state, e.to_state) for e in left.events] == [
        ("led-1", "offline", "unknown"),
        ("pad-1", "online", "unknown"),
    ]
    assert {(d.device, d.state, d.error, d.since) for d in service.devices("t")} == {
        ("led-1", DeviceState.UNKNOWN, NOBODY, clock.now),
        ("pad-1", DeviceState.UNKNOWN, NOBODY, clock.now),
    }
    assert service.devices_unreported("t", error=NOBODY).events == []  # already unknown: no news


def test_a_kiosk_cannot_print_on_a_printer_nothing_drives(service: QueueService) -> None:
    service.open_window("t", 1, "wang")
    service.declare_devices("t", [DeclaredDevice("printer-1", "printer")], error=NOBODY)
    with pytest.raises(NotFound):
        service.issue("t", "A", print_on="printer-1")  # nobody would print it: the kiosk shows the QR code
    service.report_device("t", "printer-1", kind="printer", state="online")
    assert service.issue("t", "A", print_on="printer-1").events[-1].kind == "device.print"
