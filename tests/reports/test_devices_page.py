"""The dashboard page's 设备状态 panel as plain HTTP: present in both languages, with the words
the script needs for every kind and state of device."""

from __future__ import annotations

from starlette.testclient import TestClient

from queue_server.domain import DEVICE_KINDS, DeviceState
from reports.i18n import STRINGS
from reports.pages import serial_lines


def test_the_dashboard_has_a_device_panel(client: TestClient) -> None:
    zh = client.get("/dashboard/t").text
    assert "设备状态" in zh and 'id="devices"' in zh
    assert "未配置串口设备" in zh  # until the snapshot says otherwise
    en = client.get("/dashboard/t?lang=en").text
    assert "Devices" in en and "No serial devices" in en
    js = client.get("/static/reports/dashboard.js").text
    assert '"device.health"' in js and "renderDevices" in js
    assert ".dot.dev-offline" in client.get("/static/reports/dashboard.css").text


def test_every_device_kind_and_state_has_words() -> None:
    zh, en = STRINGS["zh-CN"], STRINGS["en"]
    assert zh.keys() == en.keys()
    for kind in DEVICE_KINDS:
        assert f"device_kind_{kind}" in zh
    for state in DeviceState:
        assert f"device_{state.value}" in zh
    assert [zh[f"device_kind_{k}"] for k in ("window_led", "hall_led", "caller_pad", "evaluation_pad", "printer")] == [
        "窗口屏",
        "综合屏",
        "呼叫器",
        "评价器",
        "取号打印机",
    ]
    name = zh["device_at_window_led"].format(n=3)
    assert zh["alert_device_error"].format(name=name, error="…") == "3号窗口屏离线：…"
    name = en["device_at_window_led"].format(n=3)
    assert en["alert_device_error"].format(name=name, error="…") == "Window 3 LED offline: …"


def test_the_page_knows_the_line_of_each_device() -> None:
    """The dashboard groups device health by serial line: the page carries the hall file's lines
    and each declared device's line; rows that are not what the hardware table holds are left out."""
    hardware = {
        "mode": "agent",
        "lines": [
            {"id": "led", "protocol": "onbon", "url": "COM3"},
            {"id": "pads", "protocol": "padbus"},
            {"url": "x"},
        ],
        "devices": [
            {"id": "led-1", "kind": "window_led", "line": "led", "window": 1},
            {"id": "pad-1", "kind": "caller_pad", "line": "pads", "window": 1},
            {"id": "odd"},
            "not a table",
        ],
    }
    assert serial_lines(hardware) == {
        "lines": [{"id": "led", "protocol": "onbon"}, {"id": "pads", "protocol": "padbus"}],
        "device_lines": {"led-1": "led", "pad-1": "pads"},
    }
    assert serial_lines({}) == {"lines": [], "device_lines": {}}


def test_a_device_no_line_reports_is_not_connected_in_grey() -> None:
    zh, en = STRINGS["zh-CN"], STRINGS["en"]
    assert (zh["device_unknown"], en["device_unknown"]) == ("未连接", "Not connected")
    assert zh["line_all_online"].format(count=3) == "3 台设备 全部在线"
    assert en["line_all_online"].format(count=3) == "3 devices, all online"


def test_the_device_panel_script_groups_by_line(client: TestClient) -> None:
    page = client.get("/dashboard/t").text
    assert '"lines": []' in page and '"device_lines": {}' in page  # the test hall has no hardware
    js = client.get("/static/reports/dashboard-devices.js").text
    assert "groupByLine" in js and '"unknown"' in js
    assert ".dot.dev-unknown" in client.get("/static/reports/dashboard.css").text
