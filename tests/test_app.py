from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from starlette.testclient import TestClient

from queue_server.app import create_app
from queue_server.plugins import Access, Plugin, Screen
from queue_server.scheduler import build_scheduler, purge_sessions
from queue_server.service import QueueService
from tests.conftest import FakeClock

ROOT = Path(__file__).resolve().parent.parent


def test_status_json_at_api_halls_shows_halls_windows_and_queues(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1, "clerk1")
    service.issue("t", "A")
    service.issue("t", "A")
    service.call_next("t", 1)
    with TestClient(create_app(service, scheduler=False)) as client:
        body = client.get("/api/halls").json()
        assert client.get("/healthz").json() == {"ok": True}
    (hall,) = body["halls"]
    assert hall["slug"] == "t"
    assert hall["business_day"] == "2026-11-23"
    waiting = {s["code"]: s["waiting"] for s in hall["services"]}
    assert waiting == {"A": 1, "B": 0, "C": 0, "D": 0}
    w1 = next(w for w in hall["windows"] if w["number"] == 1)
    assert (w1["state"], w1["staff"], w1["current"]) == ("open", "clerk1", "A001")
    assert hall["seq"] == 4


def test_startup_rolls_over_earlier_days(service: QueueService, clock: FakeClock) -> None:
    left = service.issue("t", "B").ticket
    clock.advance(24 * 3600)
    with TestClient(create_app(service, scheduler=False)):
        pass
    with service.store.reader("t") as r:
        stale = r.ticket(left.id)
    assert stale is not None and stale.state.value == "not_served"


def test_bad_config_is_refused_with_key_and_reason(tmp_path: Path) -> None:
    bad = tmp_path / "hall.toml"
    bad.write_text('[[hall]]\nslug = "x"\nname_zh = "大厅"\n[[hall.services]]\ncode = "AB"\nname_zh = "错"\n', "utf-8")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "serve", "--config", str(bad), "--db", f"sqlite:///{tmp_path}/x.db"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "hall[0].services[0].code" in proc.stderr
    assert "one capital letter" in proc.stderr
    assert str(bad) in proc.stderr


def test_the_scheduler_purges_expired_sessions_hourly(service: QueueService) -> None:
    job = build_scheduler(service).get_job("sessions:purge")
    assert job is not None and job.func is purge_sessions
    assert purge_sessions(service) == 0  # nothing expired in a fresh store


def test_the_landing_page_lists_each_halls_screens_and_what_they_take(service: QueueService) -> None:
    screens = (
        Screen("/kiosk/{hall}", "取号机", "Ticket kiosk", Access.KIOSK),
        Screen("/display/{hall}/windows/{window}", "窗口屏", "Window displays", Access.DISPLAY),
        Screen("/counter", "窗口人员工作台", "Clerk console", Access.CLERK),
    )
    app = create_app(
        service, [Plugin("room", screens=screens)], scheduler=False, cli=".venv/bin/hallq --db sqlite:///h.db"
    )
    with TestClient(app) as client:
        zh = client.get("/")
        en = client.get("/?lang=en")
    assert zh.status_code == 200 and zh.headers["content-type"].startswith("text/html")
    page = zh.text
    assert "测试大厅" in page and "取号机" in page and "窗口屏" in page
    assert 'href="/kiosk/t"' in page and 'href="/counter"' in page
    # One link per window of the hall for a per-window screen.
    assert all(f'href="/display/t/windows/{n}"' in page for n in (1, 2, 3))
    # How to get each token or sign-in, with the deployment's own command line.
    assert ".venv/bin/hallq --db sqlite:///h.db token add --kind display --hall t" in page
    assert ".venv/bin/hallq --db sqlite:///h.db token add --kind kiosk --hall t" in page
    assert "/display/t/windows/1?token=" in page
    assert 'href="/api/halls"' in page
    assert "Ticket kiosk" in en.text and "needs a display token" in en.text and 'lang="en"' in en.text
    assert 'href="/kiosk/t?lang=en"' in en.text


def test_one_icon_for_every_page(service: QueueService) -> None:
    with TestClient(create_app(service, scheduler=False)) as client:
        icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg")
