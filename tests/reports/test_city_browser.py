"""The city page in a real Chromium against a real server (``run.py --demo-city``): a city
manager sees the city's six halls live, by level, with a hall's overdue 差评 follow-up red, ranks
them over a period on a measure (table and bar chart), and drills into a township's dashboard,
which a city manager may open. A township's own manager is refused the city view. The page lays
out at 1280×800, 1366×768, 1920×1080 and portrait 1080×1920 with no console error, in Chinese
and in English.

Writes test-artifacts/city-<width>x<height>.png (and city.png, the README's screenshot).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from queue_server.auth.service import AuthService
from queue_server.clock import SYSTEM_CLOCK
from queue_server.config import demo_city_path, load_config
from queue_server.domain import CaseState, FollowUpCase
from queue_server.principal import Role
from queue_server.service import QueueService
from queue_server.storage import open_store
from tests.browser_support import NEEDS_CHROMIUM, layout_problems, new_page, settle, shot, sign_in, sync_api
from tests.server_support import MANAGER_PASSWORD, Server, serve

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]
SIZES = [
    {"width": 1280, "height": 800},
    {"width": 1366, "height": 768},
    {"width": 1920, "height": 1080},
    {"width": 1080, "height": 1920},
]
# A 差评 of long ago in a township hall, still open: overdue whatever day the test runs on.
OLD = datetime(2000, 1, 3, 2, 0, tzinfo=UTC)
OVERDUE = FollowUpCase(
    ticket_id=900001, hall="baihe-xiping", number="E009", service="E", window=1, clerk="xp01", score=1,
    comment="等太久", rated_at=OLD, due=date(2000, 1, 10), state=CaseState.OPEN, opened_at=OLD, updated_at=OLD,
)  # fmt: skip
# Tickets served and left waiting in each hall before the server starts (the system clock: the
# demo's days are today's) and, eight days before, served in the previous week: the last 7 days'
# ranking on 办结量 moves baihe from 4th to 1st and lushui from 1st to 4th.
TRAFFIC = {"qingshan": (5, 4), "baihe": (7, 2), "lushui": (3, 6), "baihe-dongguan": (2, 1), "lushui-hekou": (4, 0)}
BEFORE = {"lushui": 8, "baihe-xiping": 5, "qingshan": 2}


def serve_tickets(service: QueueService, slug: str, served: int, waiting: int = 0) -> None:
    hall = service.config.hall(slug)
    assert hall is not None
    staff, code = hall.staff[0].login, hall.services[0].code
    service.open_window(slug, 1, staff)
    for _ in range(served):
        service.issue(slug, code)
        service.call_next(slug, 1, staff)
        service.start(slug, 1, staff)
        service.finish(slug, 1, staff)
    for _ in range(waiting):
        service.issue(slug, code)


def seed(db: str) -> None:
    store = open_store(db)
    try:
        config = load_config(demo_city_path())
        store.sync_halls(config)
        auth = AuthService(store.accounts)
        auth.create_user("shizhang", MANAGER_PASSWORD, Role.CITY, "qingshan", "城市管理员")
        auth.create_user("zhenzhang", MANAGER_PASSWORD, Role.MANAGER, "baihe-dongguan", "东关镇管理员")
        week_before = QueueService(store, config, clock=lambda: SYSTEM_CLOCK() - timedelta(days=8))
        for slug, served in BEFORE.items():
            serve_tickets(week_before, slug, served)
            week_before.close_window(slug, 1)
        service = QueueService(store, config, clock=SYSTEM_CLOCK)
        for slug, (served, waiting) in TRAFFIC.items():
            serve_tickets(service, slug, served, waiting)
        with store.transaction("baihe-xiping") as tx:
            tx.insert_case(OVERDUE)
    finally:
        store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("city")
    db = f"sqlite:///{tmp}/hallq.db"
    seed(db)
    with serve(db, tmp, "--demo-city") as base:
        yield Server(base, "", "")


@pytest.fixture(scope="module")
def city_manager(browser: Any, server: Server) -> Any:
    """The city manager's signed-in browser state, signed in once and reused by each page."""
    page = new_page(browser, server, SIZES[0])
    page.goto(f"{server.base}/city/qingshan")
    sign_in(page, "shizhang", MANAGER_PASSWORD)
    page.wait_for_selector("body[data-ready='1']")
    state = page.context.storage_state()
    page.context.close()
    return state


def city_page(browser: Any, server: Server, signed_in: Any, size: dict[str, int], lang: str = "") -> Any:
    page = new_page(browser, server, size, storage_state=signed_in)
    page.goto(f"{server.base}/city/qingshan{lang}")
    page.wait_for_selector("body[data-ready='1']")
    return page


def test_the_city_live_and_ranked_then_a_township_drilled_into(browser: Any, server: Server, city_manager: Any) -> None:
    expect = sync_api.expect
    page = city_page(browser, server, city_manager, SIZES[2])
    rows = page.locator("#live tbody tr")
    expect(rows).to_have_count(6)
    slugs = [rows.nth(i).get_attribute("data-slug") for i in range(6)]
    assert slugs == ["qingshan", "baihe", "baihe-dongguan", "baihe-xiping", "lushui", "lushui-hekou"]
    lushui = page.locator('#live tr[data-slug="lushui"]')
    expect(lushui.locator(".waiting")).to_have_text("6")
    expect(lushui.locator(".open")).to_have_text("1 / 4")
    expect(lushui.locator(".level")).to_have_text("县")
    xiping = page.locator('#live tr[data-slug="baihe-xiping"]')
    expect(xiping).to_have_class("alerting")
    expect(xiping.locator(".alert")).to_have_text("回访逾期 1")
    red = xiping.locator(".alert").evaluate("e => getComputedStyle(e).backgroundColor")
    assert red == "rgb(214, 69, 61)"
    # Ranked on 办结量 over the last 7 days: baihe served most, then qingshan …
    ranking = page.locator("#ranking tbody tr")
    expect(ranking).to_have_count(6)
    expect(ranking.first).to_have_attribute("data-slug", "baihe")
    expect(ranking.first.locator(".value")).to_have_text("7")
    expect(ranking.first.locator(".change")).to_have_text("▲3")
    expect(ranking.nth(1)).to_have_attribute("data-slug", "qingshan")
    expect(page.locator('#ranking tr[data-slug="lushui"] .change')).to_have_text("▼3")
    assert page.locator("#rank-chart canvas").count() == 1
    settle(page)
    shot(page, "city.png")
    # … and on 取号量: lushui issued 9, as many as qingshan.
    page.select_option("#measure", "issued")
    expect(page.locator("#ranking")).to_have_attribute("data-measure", "issued")
    expect(page.locator('#ranking tr[data-slug="lushui"] .rank')).to_have_text("1")
    expect(page.locator('#ranking tr[data-slug="qingshan"] .rank')).to_have_text("1")
    assert page.js_errors == [] and page.console_errors == []
    # Drill into a township's dashboard: the city manager may open it.
    page.click('#live tr[data-slug="baihe-dongguan"] a')
    page.wait_for_url("**/dashboard/baihe-dongguan")
    expect(page.locator("#board")).to_be_visible()
    expect(page.locator("#kpis")).not_to_be_empty()
    expect(page.locator("#login")).to_be_hidden()
    # There they watch and manage, but open or close no window (the server would refuse it) …
    expect(page.locator("#windows .win").first).to_be_visible()
    expect(page.locator("#windows .toggle:visible")).to_have_count(0)
    expect(page.locator("#windows .save-services:visible").first).to_be_visible()
    # … and the nav leads back to the city they oversee, from this page and from the others.
    expect(page.locator("#nav-city")).to_be_visible()
    expect(page.locator("#nav-city")).to_have_attribute("href", "/city/qingshan")
    page.goto(f"{server.base}/dashboard/baihe-dongguan/reports")
    expect(page.locator("#nav-city")).to_be_visible()
    page.click("#nav-city")
    page.wait_for_url("**/city/qingshan")
    expect(page.locator("#live tbody tr")).to_have_count(6)
    page.wait_for_load_state("networkidle")
    assert page.js_errors == [] and page.console_errors == []


def test_a_township_manager_is_refused_the_city(browser: Any, server: Server) -> None:
    page = new_page(browser, server, SIZES[0])
    # Their own dashboard has no 城市 link, and its windows open and close.
    page.goto(f"{server.base}/dashboard/baihe-dongguan")
    sign_in(page, "zhenzhang", MANAGER_PASSWORD)
    sync_api.expect(page.locator("#windows .toggle").first).to_be_visible()
    sync_api.expect(page.locator("#nav-city")).to_be_hidden()
    page.goto(f"{server.base}/city/qingshan")
    sync_api.expect(page.locator("#live-error")).to_be_visible()
    sync_api.expect(page.locator("#live tbody tr")).to_have_count(0)
    page.context.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_the_city_page_fits_each_screen(browser: Any, server: Server, city_manager: Any, size: dict[str, int]) -> None:
    for lang in ("", "?lang=en"):
        page = city_page(browser, server, city_manager, size, lang)
        sync_api.expect(page.locator("#ranking tbody tr")).to_have_count(6)
        settle(page)
        assert layout_problems(page) == [], lang
        assert page.js_errors == [] and page.console_errors == [], lang
        if not lang:
            shot(page, f"city-{size['width']}x{size['height']}.png")
        else:
            sync_api.expect(page.locator("#live .level").first).to_have_text("City")
        page.context.close()
