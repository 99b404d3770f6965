"""A window paused for lunch on the screens, in a real Chromium: the window's own screen says
午休中 and where to go instead, large; the hall display marks the window's tile 午休→N号. Both
languages, the hall's sizes (1280×800, 1366×768, 1920×1080, portrait 1080×1920): nothing
overflows or is cut off, no console errors.

The pauses are the roster runner's texts, made here through the service (as the runner does)
on the in-process demo hall of tests/counters/clock_server.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser_support import NEEDS_CHROMIUM, launch, layout_problems, settle, shot, sync_api
from tests.browser_support import new_page as _new_page
from tests.counters.clock_server import ClockServer, clock_server
from tests.server_support import Server

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

HALL_SIZES = [
    {"width": 1280, "height": 800},
    {"width": 1366, "height": 768},
    {"width": 1920, "height": 1080},
    {"width": 1080, "height": 1920},
]
TO_5 = "午休，请到 5 号窗口办理 / Lunch break, please go to window 5"
TO_15 = "午休，请到 15 号窗口办理 / Lunch break, please go to window 15"
ELSEWHERE = "午休，请到其他窗口办理 / Lunch break, please go to another window"


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClockServer]:
    with clock_server(tmp_path_factory.mktemp("lunch")) as s:
        s.set_time("12:05")
        service = s.service
        for number, clerk in [(3, "zhangwei"), (12, "wangfang"), (7, "lina"), (5, "liuyang"), (15, "chenjing")]:
            service.open_window("demo", number, clerk)
        service.pause_window("demo", 3, TO_5)
        service.pause_window("demo", 12, TO_15)
        service.pause_window("demo", 7, ELSEWHERE)
        service.pause_window("demo", 5, "设备维护 / Maintenance")
        yield s


@pytest.fixture(scope="module")
def browser(hall: ClockServer) -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = launch(pw)
        try:
            yield b
        finally:
            b.close()


def new_page(browser: Any, hall: ClockServer, viewport: dict[str, int]) -> Any:
    return _new_page(browser, Server(hall.base, hall.display_token, hall.kiosk_token), viewport)


# Tiles whose words do not fit whole: an ellipsis would hide the window to go to.
CUT_TILES = """[...document.querySelectorAll('#windows .win-current')]
  .filter((e) => e.scrollWidth > e.clientWidth).map((e) => `cut off: ${e.textContent}`)"""


def fits_every_size(page: Any, name: str) -> list[str]:
    problems = []
    for size in HALL_SIZES:
        page.set_viewport_size(size)
        settle(page)
        at = f"{size['width']}×{size['height']}"
        problems += [f"{at}: {p}" for p in layout_problems(page, vertical=True) + page.evaluate(CUT_TILES)]
        shot(page, f"{name}-{size['width']}x{size['height']}.png")
    return problems + [f"console: {e}" for e in page.console_errors] + [f"page error: {e}" for e in page.js_errors]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", {3: ("午休中", "请到 5 号窗口"), 7: ("午休中", "请到其他窗口办理"), 5: ("暂停", "设备维护")}),
        ("en", {3: ("Lunch break", "Please go to window 5"), 7: ("Lunch break", "Please go to another window"),
                5: ("Paused", "Maintenance")}),
    ],
)  # fmt: skip
def test_the_window_screen_of_a_window_at_lunch(
    browser: Any, hall: ClockServer, lang: str, words: dict[int, tuple[str, str]]
) -> None:
    expect = sync_api.expect
    page = new_page(browser, hall, HALL_SIZES[0])
    problems = []
    try:
        for number, (current, status) in words.items():
            suffix = "&lang=en" if lang == "en" else ""
            page.goto(f"{hall.base}/display/demo/windows/{number}?token={hall.display_token}{suffix}")
            expect(page.locator("#current")).to_have_text(current)
            expect(page.locator("#status")).to_have_text(status)
            if number != 5:
                expect(page.locator("#current")).to_have_class("current word paused lunch")
                expect(page.locator("#status")).to_have_class("status go")
            problems += [f"window {number}: {p}" for p in fits_every_size(page, f"window-lunch-{number}-{lang}")]
    finally:
        page.context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("lang", "tiles"),
    [
        ("zh", {3: "午休→5号", 12: "午休→15号", 7: "午休", 5: "暂停", 15: "空闲"}),
        ("en", {3: "Lunch → 5", 12: "Lunch → 15", 7: "Lunch", 5: "Paused", 15: "Idle"}),
    ],
)
def test_the_hall_display_marks_windows_at_lunch(
    browser: Any, hall: ClockServer, lang: str, tiles: dict[int, str]
) -> None:
    expect = sync_api.expect
    page = new_page(browser, hall, HALL_SIZES[0])
    try:
        page.goto(f"{hall.base}/display/demo?token={hall.display_token}{'&lang=en' if lang == 'en' else ''}")
        for number, text in tiles.items():
            tile = page.locator(f'#windows [data-window="{number}"]')
            expect(tile.locator(".win-current")).to_have_text(text)
            if text.startswith(("午休", "Lunch")):
                expect(tile).to_have_class("win paused lunch")
        problems = fits_every_size(page, f"hall-display-lunch-{lang}")
    finally:
        page.context.close()
    assert problems == [], "\n".join(problems)
