"""The manager dashboard in a real Chromium against a real server process (``run.py --demo-traffic``):
the manager signs in, sees the live grid, reassigns a window's services, watches a ticket issued
and called through the API appear, sees a 差评 alert, publishes a notice and closes a window.

Needs Debian's Chromium at /usr/bin/chromium; skips without it. Writes test-artifacts/dashboard.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest

from queue_server.auth.service import AuthService
from queue_server.config import demo_config
from queue_server.principal import Role
from queue_server.service import QueueService
from queue_server.storage import open_store
from reports.demo import DemoRunner, params_for
from tests.browser_support import FULL_HD, NEEDS_CHROMIUM, launch, shot, sign_in, sync_api, watch
from tests.server_support import MANAGER_PASSWORD, bearer, serve

PASSWORD = MANAGER_PASSWORD

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def seed_history(db: str) -> None:
    """Two simulated hours of today (or since local midnight) so the KPIs and chart have data."""
    config = demo_config()
    hall = config.halls[0]
    now = datetime.now(UTC)
    midnight = datetime.combine(now.astimezone(hall.tz).date(), datetime.min.time(), tzinfo=hall.tz)
    start = max(now - timedelta(hours=2), midnight.astimezone(UTC) + timedelta(minutes=1))
    clock = [start]
    store = open_store(db)
    try:
        store.sync_halls(config)
        service = QueueService(store, config, clock=lambda: clock[0])
        runner = DemoRunner(service, "demo", params_for(hall, 1.0), seed=5, windows=4, clock=lambda: clock[0])
        while clock[0] < now - timedelta(seconds=5):
            runner.run_once()
            clock[0] += timedelta(seconds=5)
        auth = AuthService(store.accounts)
        auth.create_user("wangju", PASSWORD, Role.MANAGER, "demo", "王局")
        auth.create_user("sunhao", PASSWORD, Role.CLERK, "demo", "孙浩")
    finally:
        store.close()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("dashboard")
    db = f"sqlite:///{tmp}/hallq.db"
    seed_history(db)
    with serve(db, tmp, "--demo-traffic", "5") as url:
        yield url


def test_the_manager_watches_and_runs_the_hall(base: str) -> None:
    expect = sync_api.expect
    hosts: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            context = browser.new_context(viewport=FULL_HD, locale="zh-CN")
            page = context.new_page()
            errors = watch(page, hosts)
            page.on("dialog", lambda d: (errors.append(d.message), d.dismiss()))

            # Not signed in: the login form, then the board.
            page.goto(f"{base}/dashboard/demo")
            expect(page.locator("#login")).to_be_visible()
            sign_in(page, "wangju", PASSWORD)
            expect(page.locator("#board")).to_be_visible()
            expect(page.locator("#windows .win")).to_have_count(20)
            expect(page.locator("#who")).to_have_text("wangju")
            # The demo traffic and the seeded morning are live: windows at work, KPIs, the chart.
            expect(page.locator("#windows .win.open").first).to_be_visible()
            # The seed opened windows 1-4; the server's demo traffic opens the next closed ones.
            expect(page.locator('#windows [data-window="5"]')).to_have_class("win open")
            expect(page.locator('#kpis [data-kpi="issued"] b')).not_to_have_text("0")
            expect(page.locator("#chart svg rect.bar-arrivals").first).to_be_attached()

            # The manager makes window 20 serve only G (PUT …/services).
            card = page.locator('#windows [data-window="20"]')
            card.locator(".services-input").fill("G")
            card.locator(".save-services").click()
            expect(card.locator(".win-services")).to_have_text("业务: G")

            # A clerk opens window 20; a visitor takes G001 on the phone; the clerk calls it.
            clerk = bearer(base, "sunhao", PASSWORD)
            assert httpx.post(f"{base}/api/halls/demo/windows/20/open", headers=clerk).status_code == 200
            expect(card).to_have_class("win open")
            r = httpx.post(f"{base}/api/halls/demo/tickets", json={"service": "G"})
            assert r.status_code == 201, r.text
            issued = r.json()
            expect(page.locator('#queues tr[data-service="G"] .waiting')).to_have_text("1人")
            r = httpx.post(f"{base}/api/halls/demo/windows/20/call-next", headers=clerk)
            assert r.status_code == 200 and r.json()["ticket"]["number"] == issued["number"], r.text
            expect(card.locator(".win-current")).to_have_text(issued["number"])
            expect(card.locator(".win-staff")).to_have_text("孙浩")

            # Served, finished and rated 1 on the phone: a 差评 alert.
            for action in ("start", "finish"):
                assert httpx.post(f"{base}/api/halls/demo/windows/20/{action}", headers=clerk).status_code == 200
            token = parse_qs(urlsplit(issued["track_url"]).query)["token"][0]
            r = httpx.post(f"{base}/api/tickets/{issued['id']}/evaluation", json={"score": 1, "token": token})
            assert r.status_code == 201, r.text
            expect(page.locator("#alerts li.bad")).to_contain_text("20号窗口收到差评（1分）")
            expect(page.locator('#kpis [data-kpi="bad"] b')).to_have_text("1", timeout=10_000)

            # A notice, published from the dashboard, is what the screens now show.
            page.fill("#notice-zh", "今日下午三点起系统维护，请提前办理。")
            page.fill("#notice-en", "System maintenance from 15:00 today.")
            page.click("#notice-publish")
            expect(page.locator("#notice-status")).to_have_text("已发布")
            notices = httpx.get(f"{base}/api/halls/demo/notices").json()["notices"]
            assert notices[0]["text_zh"] == "今日下午三点起系统维护，请提前办理。"

            page.wait_for_timeout(1500)
            shot(page, "dashboard.png")

            # The manager closes window 20.
            card.locator(".toggle").click()
            expect(card).to_have_class("win closed")

            assert errors == []
            assert set(hosts) == {"127.0.0.1"}, set(hosts)
        finally:
            browser.close()
