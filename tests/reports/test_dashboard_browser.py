"""The dashboard's server-held state in a real Chromium against a real server process: the idle
alert counts from the server's time, the 好差评 panel lists today's ratings and every open 差评
follow-up with its due date (overdue in red) and records a follow-up, the device panel groups a
hall's 62 devices by serial line with problems first, and the board lays out on every screen.

The hall is the demo hall with the devices ``run.py --simulate-devices`` wires (one LED line,
one pad line, a printer) in agent mode: the test speaks for the agent. Its history is written
before the server starts, with a clock set back: a 差评 of six weeks ago still open, two ratings
of today, and window 2 open and idle for three minutes while someone waits for its services.

Needs Debian's Chromium at /usr/bin/chromium; skips without it. Writes test-artifacts/
dashboard-ratings.png, dashboard-devices-lines.png and dashboard-<width>x<height>.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest

from hardware.sim.demo import EVALUATION_BASE, HALL_SCREEN, hardware_toml
from queue_server.auth.service import AuthService
from queue_server.config import parse_config
from queue_server.domain import DeviceState
from queue_server.principal import DeviceKind, Role
from queue_server.service import QueueService
from queue_server.storage import open_store
from tests.browser_support import NEEDS_CHROMIUM, launch, layout_problems, settle, shot, sign_in, sync_api
from tests.server_support import MANAGER_PASSWORD, bearer, serve

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

DEMO_HALL = Path(__file__).resolve().parents[2] / "queue_server" / "demo_hall.toml"
SCREENS = [(1280, 720), (1280, 800), (1366, 768), (1920, 1080), (3840, 2160), (1080, 1920)]
LINE_DOWN = "串口无响应 / no answer on /dev/ttyUSB1"


def hall_hardware() -> dict[str, Any]:
    """The demo hall's 62 devices as ``--simulate-devices`` wires them, driven by an agent."""
    devices: list[dict[str, Any]] = [
        {"id": "hall-led", "kind": "hall_led", "line": "led", "address": HALL_SCREEN, "width": 192, "height": 64},
        {"id": "printer-1", "kind": "printer", "line": "printer"},
    ]
    for n in range(1, 21):
        devices += [
            {"id": f"led-{n}", "kind": "window_led", "line": "led", "address": n, "window": n},
            {"id": f"pad-{n}", "kind": "caller_pad", "line": "pads", "address": n, "window": n},
            {"id": f"rate-{n}", "kind": "evaluation_pad", "line": "pads", "address": EVALUATION_BASE + n, "window": n},
        ]
    return {
        "mode": "agent",
        "lines": [
            {"id": "led", "url": "/dev/ttyUSB0", "protocol": "onbon"},
            {"id": "pads", "url": "/dev/ttyUSB1", "protocol": "padbus"},
            {"id": "printer", "url": "/dev/ttyUSB2", "protocol": "escpos"},
        ],
        "devices": devices,
    }


@dataclass
class Hall:
    base: str
    agent: dict[str, str]
    manager: dict[str, str]
    old_bad: int  # the ticket id of the six-week-old 差评
    today_bad: int


def served_and_rated(service: QueueService, window: int, code: str, score: int, comment: str = "") -> int:
    ticket = service.issue("demo", code).ticket
    service.call_next("demo", window, "zhangwei")
    service.start("demo", window, "zhangwei")
    service.finish("demo", window, "zhangwei")
    service.evaluate("demo", ticket.id, score, "phone", comment)
    return ticket.id


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    tmp = tmp_path_factory.mktemp("dashboard-state")
    hall_file = tmp / "hall.toml"
    hall_file.write_text(DEMO_HALL.read_text(encoding="utf-8") + hardware_toml(hall_hardware()), encoding="utf-8")
    config = parse_config(hall_file.read_text(encoding="utf-8"), str(hall_file))
    tz = config.halls[0].tz
    db = f"sqlite:///{tmp}/hallq.db"
    now = datetime.now(UTC)
    # Today's history starts no earlier than the hall's midnight, whenever the test runs.
    midnight = datetime.combine(now.astimezone(tz).date(), time(), tzinfo=tz).astimezone(UTC)
    clock = [now - timedelta(days=42)]
    store = open_store(db)
    try:
        store.sync_halls(config)
        service = QueueService(store, config, clock=lambda: clock[0])
        service.open_window("demo", 1, "zhangwei")
        old_bad = served_and_rated(service, 1, "A", 1, "等了两个小时")
        clock[0] = max(now - timedelta(minutes=5), midnight + timedelta(seconds=1))
        served_and_rated(service, 1, "B", 5)
        today_bad = served_and_rated(service, 1, "A", 2)
        service.close_window("demo", 1, "zhangwei")
        clock[0] = now - timedelta(minutes=3)
        service.open_window("demo", 2, "wangfang")
        clock[0] = now
        service.issue("demo", "D")  # waits for window 2, which has been idle for three minutes
        auth = AuthService(store.accounts)
        auth.create_user("wangju", MANAGER_PASSWORD, Role.MANAGER, "demo", "王局")
        _, agent = auth.create_device_token(DeviceKind.AGENT, "demo", "agent")
    finally:
        store.close()
    with serve(db, tmp, "--config", str(hall_file)) as base:
        manager = bearer(base, "wangju", MANAGER_PASSWORD)
        yield Hall(base, {"Authorization": f"Bearer {agent}"}, manager, old_bad, today_bad)


@pytest.fixture(scope="module")
def browser(hall: Hall) -> Iterator[Any]:
    """One browser context for the module: the manager signs in once (the server limits sign-ins
    per address) and every board shares the session cookie."""
    with sync_api.sync_playwright() as pw:
        b = launch(pw)
        try:
            context = b.new_context(locale="zh-CN")
            page = context.new_page()
            page.goto(f"{hall.base}/dashboard/demo")
            sign_in(page, "wangju", MANAGER_PASSWORD)
            sync_api.expect(page.locator("#board")).to_be_visible()
            page.close()
            yield context
        finally:
            b.close()


def board(browser: Any, hall: Hall, width: int = 1280, height: int = 800, lang: str = "") -> Any:
    """A signed-in dashboard; ``page.problems`` collects its JS and console errors and any request
    that is not for the server."""
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(f"js: {e}"))
    page.on("console", lambda m: page.problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("request", lambda r: page.problems.append(f"request: {r.url}") if not r.url.startswith(hall.base) else None)
    page.goto(f"{hall.base}/dashboard/demo{lang}")
    sync_api.expect(page.locator("#board")).to_be_visible()
    return page


def tab(page: Any, name: str) -> None:
    """Show a pane: a click on its tab where the panes share one place, nothing where all show."""
    button = page.locator(f'.tab[data-tab="{name}"]')
    if button.is_visible():
        button.click()
    sync_api.expect(page.locator(f'.pane[data-pane="{name}"]')).to_be_visible()


def report(hall: Hall, device: str, kind: str, state: str, window: int | None = None, error: str = "") -> None:
    body = {"kind": kind, "state": state, "error": error, **({"window": window} if window else {})}
    r = httpx.put(f"{hall.base}/api/halls/demo/devices/{device}", headers=hall.agent, json=body)
    assert r.status_code == 200, r.text


def all_online(hall: Hall) -> None:
    for d in hall_hardware()["devices"]:
        report(hall, d["id"], d["kind"], "online", d.get("window"))


def in_view(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return bool(box and box["y"] >= 0 and box["x"] >= 0 and box["y"] + box["height"] <= size["height"]
                and box["x"] + box["width"] <= size["width"])  # fmt: skip


def test_an_idle_window_alerts_at_once_after_a_reload(browser: Any, hall: Hall) -> None:
    expect = sync_api.expect
    page = board(browser, hall)
    idle = page.locator('#alerts li.idle[data-window="2"]')
    # Window 2 has been free for three minutes by the server's log: no minute to wait for.
    expect(idle).to_have_text("2号窗口空闲，但其业务有 1 人等候", timeout=5000)
    expect(page.locator('#windows [data-window="2"] .win-current')).to_have_text(re.compile(r"^空闲 [3-9] 分钟$"))
    page.reload()  # the session cookie keeps the manager signed in
    expect(idle).to_have_text("2号窗口空闲，但其业务有 1 人等候", timeout=5000)
    assert page.problems == []

    # A hall PC whose clock runs ten minutes slow still counts in the server's time.
    slow = browser.browser.new_context(storage_state=browser.storage_state(), locale="zh-CN")
    try:
        slow.clock.install(time=datetime.now(UTC) - timedelta(minutes=10))
        behind = slow.new_page()
        behind.goto(f"{hall.base}/dashboard/demo")
        expect(behind.locator('#alerts li.idle[data-window="2"]')).to_be_visible(timeout=5000)
        expect(behind.locator('#windows [data-window="2"] .win-current')).to_have_text(re.compile(r"^空闲 [3-9] 分钟$"))
    finally:
        slow.close()


def test_ratings_and_follow_ups_come_from_the_server(browser: Any, hall: Hall) -> None:
    expect = sync_api.expect
    page = board(browser, hall)
    english = board(browser, hall, 1920, 1080, "?lang=en")
    boss = hall.manager
    due = {
        e["ticket_id"]: e["follow_up_due"]
        for e in httpx.get(
            f"{hall.base}/api/halls/demo/evaluations",
            headers=boss,
            params={"from": "2000-01-01", "to": "2999-12-31", "bad_only": "1"},
        ).json()["evaluations"]
    }
    tab(page, "ratings")
    old = page.locator(f'#follow-ups li[data-ticket="{hall.old_bad}"]')
    today = page.locator(f'#follow-ups li[data-ticket="{hall.today_bad}"]')
    expect(page.locator("#follow-ups li[data-ticket]")).to_have_count(2)
    expect(old).to_have_class("follow-up overdue")
    expect(old.locator(".due")).to_have_text(f"回访期限 {due[hall.old_bad]} 已逾期")
    expect(old.locator(".fu-head")).to_contain_text("1 非常不满意 A001 · 1号窗口 · A 企业开办")
    expect(old.locator(".fu-comment")).to_have_text("等了两个小时")
    expect(today).to_have_class("follow-up")
    expect(today.locator(".due")).to_have_text(f"回访期限 {due[hall.today_bad]}")
    # The overdue one is red in the alerts too, and today's 差评 is an alert until followed up.
    expect(page.locator("#alerts li.overdue")).to_have_text(f"A001 差评回访已逾期（期限 {due[hall.old_bad]}）")
    expect(page.locator("#alerts li.bad")).to_have_text("1号窗口收到差评（2分）")
    expect(page.locator("#ratings tbody tr[data-ticket]")).to_have_count(2)  # today's two, not the old one
    expect(page.locator("#badge-ratings")).to_have_text("2")
    expect(page.locator("#badge-ratings")).to_have_class("badge red")
    expect(english.locator(f'#follow-ups li[data-ticket="{hall.old_bad}"] .late')).to_have_text("Overdue")
    shot(page, "dashboard-ratings.png")

    # A reload shows the same, read from the server.
    page.reload()
    tab(page, "ratings")
    expect(page.locator("#follow-ups li[data-ticket]")).to_have_count(2)
    expect(old).to_have_class("follow-up overdue")

    # The manager records the follow-up of the overdue one here; both boards drop it at once.
    old.locator(".fu-open").click()
    old.locator("textarea").fill("   ")
    old.locator(".fu-save").click()
    expect(old.locator(".fu-error")).to_have_text("回访情况（必填）")  # a note is needed
    old.locator("textarea").fill("已电话联系，致歉并说明改进措施")
    old.locator(".fu-save").click()
    expect(old).to_have_count(0)
    expect(page.locator("#alerts li.overdue")).to_have_count(0)
    expect(english.locator(f'#follow-ups li[data-ticket="{hall.old_bad}"]')).to_have_count(0)
    still_open = httpx.get(
        f"{hall.base}/api/halls/demo/evaluations",
        headers=boss,
        params={"from": "2000-01-01", "to": "2999-12-31", "bad_only": "1", "open_follow_up": "1"},
    ).json()["evaluations"]
    assert [e["ticket_id"] for e in still_open] == [hall.today_bad]

    # A new 差评 from a visitor's phone joins the lists live, without a reload.
    clerk = hall.manager
    opened = httpx.post(f"{hall.base}/api/halls/demo/windows/20/open", headers=clerk, json={"staff": "zhangwei"})
    assert opened.status_code == 200, opened.text
    issued = httpx.post(f"{hall.base}/api/halls/demo/tickets", json={"service": "G"}).json()
    for action in ("call-next", "start", "finish"):
        r = httpx.post(f"{hall.base}/api/halls/demo/windows/20/{action}", headers=clerk)
        assert r.status_code == 200, r.text
    token = parse_qs(urlsplit(issued["track_url"]).query)["token"][0]
    r = httpx.post(
        f"{hall.base}/api/tickets/{issued['id']}/evaluation", json={"score": 1, "token": token, "comment": "窗口无人"}
    )
    assert r.status_code == 201, r.text
    fresh = page.locator(f'#follow-ups li[data-ticket="{issued["id"]}"]')
    expect(fresh.locator(".fu-head")).to_contain_text(f"{issued['number']} · 20号窗口")
    expect(fresh.locator(".fu-comment")).to_have_text("窗口无人")
    expect(page.locator("#ratings tbody tr[data-ticket]")).to_have_count(3)
    expect(page.locator("#badge-ratings")).to_have_text("2")
    expect(page.locator("#alerts li.bad")).to_have_count(2)
    expect(english.locator(f'#follow-ups li[data-ticket="{issued["id"]}"]')).to_be_visible()
    assert httpx.post(f"{hall.base}/api/halls/demo/windows/20/close", headers=clerk).status_code == 200
    assert page.problems == [] and english.problems == []


def test_devices_are_grouped_by_line_with_problems_first(browser: Any, hall: Hall) -> None:
    expect = sync_api.expect
    page = board(browser, hall)
    tab(page, "devices")
    lines = page.locator("#devices details.line")
    expect(lines).to_have_count(3)
    if "unknown" in {s.value for s in DeviceState}:
        # Nothing has reported yet: the hall file's devices are not connected (grey), not online.
        expect(lines.locator(".line-summary")).to_have_text(
            ["21 台设备：21 台未连接", "40 台设备：40 台未连接", "1 台设备：1 台未连接"]
        )
        led7 = page.locator('#devices tr[data-device="led-7"]')
        expect(led7.locator(".dot")).to_have_class("dot dev-unknown")
        expect(led7.locator(".state")).to_have_text("未连接")
        expect(page.locator("#alerts li.device")).to_have_count(0)  # grey, not an alarm
    all_online(hall)
    # All online: each line one collapsed row, in the hall file's order.
    expect(lines.locator(".line-summary")).to_have_text(
        ["21 台设备 全部在线", "40 台设备 全部在线", "1 台设备 全部在线"]
    )
    assert [lines.nth(i).get_attribute("data-line") for i in range(3)] == ["led", "pads", "printer"]
    assert all(lines.nth(i).get_attribute("open") is None for i in range(3))
    expect(page.locator("#badge-devices")).to_have_text("")

    # Trouble on the pad line: it comes first and opens, its worst devices on top.
    report(hall, "pad-5", "caller_pad", "retrying", 5, "重试中 / retrying")
    report(hall, "rate-3", "evaluation_pad", "offline", 3, LINE_DOWN)
    pads = page.locator('#devices details.line[data-line="pads"]')
    expect(lines.first).to_have_attribute("data-line", "pads")
    expect(pads).to_have_attribute("open", "")
    expect(pads.locator(".line-summary")).to_have_text("40 台设备：1 台离线，1 台重试中，38 台在线")
    expect(pads.locator("tbody tr").nth(0)).to_have_attribute("data-device", "rate-3")
    expect(pads.locator("tbody tr").nth(1)).to_have_attribute("data-device", "pad-5")
    expect(pads.locator('tr[data-device="rate-3"] .dot')).to_have_class("dot dev-offline")
    expect(page.locator('#alerts li[data-device="rate-3"]')).to_have_text(f"3号窗口评价器离线：{LINE_DOWN}")
    expect(page.locator("#badge-devices")).to_have_text("2")
    expect(page.locator('#devices details.line[data-line="led"]')).not_to_have_attribute("open", "")

    # The whole pad line down: one alert for the line, its error said once.
    for n in range(1, 21):
        report(hall, f"pad-{n}", "caller_pad", "offline", n, LINE_DOWN)
        report(hall, f"rate-{n}", "evaluation_pad", "offline", n, LINE_DOWN)
    expect(page.locator('#alerts li[data-line="pads"]')).to_have_text(f"线路 pads：40 台设备离线：{LINE_DOWN}")
    expect(page.locator("#alerts li.device")).to_have_count(1)
    expect(pads.locator(".line-error")).to_have_text(LINE_DOWN)
    expect(pads.locator("tbody tr")).to_have_count(40)
    # With 40 rows open, the KPIs and the notice form stay in view.
    for width, height in ((1280, 800), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
        tab(page, "devices")
        assert in_view(page, "#kpis") and in_view(page, "#notice-form"), (width, height)
    shot(page, "dashboard-devices-lines.png")

    # A line closed by hand stays closed while its devices change; back online it closes anyway.
    pads.locator("summary").click()
    expect(pads).not_to_have_attribute("open", "")
    report(hall, "pad-1", "caller_pad", "online", 1)
    expect(pads.locator(".line-summary")).to_have_text("40 台设备：39 台离线，1 台在线")
    expect(pads).not_to_have_attribute("open", "")
    all_online(hall)
    expect(pads.locator(".line-summary")).to_have_text("40 台设备 全部在线")
    expect(page.locator("#alerts li.device")).to_have_count(0)
    assert page.problems == []


@pytest.mark.parametrize("lang", ["", "?lang=en"])
def test_the_board_lays_out_on_every_screen(browser: Any, hall: Hall, lang: str) -> None:
    """No overflow or overlap at any screen size, with each pane shown in turn where they share
    a place, a pad line with a problem open, and no console error."""
    report(hall, "rate-3", "evaluation_pad", "offline", 3, LINE_DOWN)
    page = board(browser, hall, lang=lang)
    sync_api.expect(page.locator("#kpis .kpi")).to_have_count(10)
    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
        panes = ["queues", "ratings", "devices", "chart"] if page.locator(".tabs").is_visible() else [None]
        for name in panes:
            if name:
                tab(page, name)
                settle(page)
            assert layout_problems(page) == [], (width, height, name)
        assert in_view(page, "#kpis") and in_view(page, "#notice-form"), (width, height)
        if not lang and (width, height) in ((1280, 800), (1920, 1080)):
            tab(page, "ratings")
            shot(page, f"dashboard-{width}x{height}.png")
    assert page.problems == []
    report(hall, "rate-3", "evaluation_pad", "online", 3)
