"""Every screen of a hall fits the screens halls really use, in a real Chromium against one real
server process (with simulated serial devices, so the simulator page and the dashboard's device
panel have something to show):

TVs and monitors at 1280×720, 1280×800, 1366×768, 1920×1080 and 3840×2160, a portrait 1080×1920
(and a phone for the phone page), in Chinese and in English, on the demo hall mid-morning: as many
of its 20 windows open as its staff list allows (tickets called and in service, one idle, one paused
with a long reason), people waiting, a long notice.

At each size a screen must show nothing overflowing the viewport (sideways; and up or down on the
wall screens nobody scrolls: the kiosk, the hall and window displays), nothing cut off, nothing
over something else, no word wrapped one character a line (``layout_problems`` of
tests/browser_support.py), and log no console or page error. One page per screen and language is
resized through every size.

Needs Debian's Chromium at /usr/bin/chromium; skips without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
import pytest

from queue_server.config import demo_config
from tests.browser_support import (  # noqa: F401  (browser: this module's fixture)
    COUNTER_LOGIN,
    NEEDS_CHROMIUM,
    PHONE,
    WALL_SIZES,
    browser,
    demo_server,
    layout_problems,
    new_page,
    settle,
    sign_in,
)
from tests.server_support import CLERK_PASSWORD, MANAGER_PASSWORD, Server, bearer

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

PAUSE_REASON = (
    "临时外出：协助三楼不动产登记专窗处理群众集中咨询，预计一小时后回到本窗口继续办理，"
    "请到其他窗口办理业务，给您带来不便敬请谅解"
)
NOTICE_ZH = (
    "温馨提示：请提前准备好身份证原件及相关材料，按叫号顺序到指定窗口办理；"
    "过号请到服务台重新激活。本中心中午不停歇，欢迎错峰办理。"
)
NOTICE_EN = "Please have your ID card and documents ready and go to the window shown when your number is called."


@dataclass
class Hall:
    """What the screens' URLs need from the busy hall."""

    server: Server
    phone: str = ""  # a waiting ticket's page (its service has an open window)
    phone_no_window: str = ""  # a waiting ticket whose service no open window serves
    windows: dict[str, int] = field(default_factory=dict)  # called, idle, paused, closed -> a window number


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """This module's server: the demo hall, with its serial devices simulated."""
    with demo_server(tmp_path_factory.mktemp("screens"), "--simulate-devices") as s:
        yield s


def clerks_for_windows(skills: dict[str, set[str]], windows: dict[int, set[str]]) -> dict[int, str]:
    """As many windows as possible each with a clerk who has a skill for one of its services
    (a clerk opens one window at most): a maximum bipartite matching, window → clerk."""
    holder: dict[str, int] = {}

    def place(number: int, seen: set[str]) -> bool:
        for clerk in sorted(skills):
            if clerk in seen or not skills[clerk] & windows[number]:
                continue
            seen.add(clerk)
            if clerk not in holder or place(holder[clerk], seen):
                holder[clerk] = number
                return True
        return False

    for number in sorted(windows):
        place(number, set())
    return {number: clerk for clerk, number in holder.items()}


@pytest.fixture(scope="module")
def hall(server: Server) -> Hall:
    """The demo hall mid-morning: as many windows open as its staff list allows (zhangwei, who
    signs in at the console, stays free), each for a clerk with the skills: tickets called at most
    and two in service, one idle, the last paused with a long reason; people waiting, a long notice."""
    base = server.base
    manager = bearer(base, "wangju", MANAGER_PASSWORD)
    kiosk = {"Authorization": f"Bearer {server.kiosk_token}"}
    demo = demo_config().hall("demo")
    assert demo is not None
    skills = {s.login: set(s.skills) for s in demo.staff if s.login != "zhangwei"}
    plan = clerks_for_windows(skills, {w.number: set(w.services) for w in demo.windows if w.number != 1})
    opened = sorted(plan)
    assert len(opened) >= 10, plan
    for number in opened:
        r = httpx.post(f"{base}/api/halls/demo/windows/{number}/open", headers=manager, json={"staff": plan[number]})
        assert r.status_code == 200, r.text
    public = httpx.get(f"{base}/api/halls/demo").json()
    served = sorted({code for w in public["windows"] if w["number"] in opened for code in w["services"]})
    lonely = [s["code"] for s in public["services"] if s["available"] and s["code"] not in served]

    def issue(code: str) -> dict[str, Any]:
        r = httpx.post(f"{base}/api/halls/demo/tickets", json={"service": code}, headers=kiosk)
        assert r.status_code == 201, r.text
        return dict(r.json())

    for i in range(20):
        issue(served[i % len(served)])
    *calling, idle, paused = opened
    for number in calling:
        r = httpx.post(f"{base}/api/halls/demo/windows/{number}/call-next", headers=manager)
        assert r.status_code in (200, 204), r.text
    for number in calling[:2]:
        assert httpx.post(f"{base}/api/halls/demo/windows/{number}/start", headers=manager).status_code == 200
    r = httpx.post(f"{base}/api/halls/demo/windows/{paused}/pause", headers=manager, json={"reason": PAUSE_REASON})
    assert r.status_code == 200, r.text
    r = httpx.post(f"{base}/api/halls/demo/notices", headers=manager, json={"text_zh": NOTICE_ZH, "text_en": NOTICE_EN})
    assert r.status_code == 201, r.text

    closed = max(w.number for w in demo.windows if w.number not in opened)
    found = Hall(server, windows={"called": calling[2], "idle": idle, "paused": paused, "closed": closed})
    found.phone = issue(served[0])["track_url"]
    found.phone_no_window = issue(lonely[0])["track_url"] if lonely else found.phone
    snapshot = httpx.get(f"{base}/api/halls/demo/snapshot", headers=manager).json()
    assert next(w for w in snapshot["windows"] if w["number"] == calling[2])["current"], "nobody called there"
    return found


# -- the screens ---------------------------------------------------------------------------------


def counter_at_window(page: Any, hall: Hall) -> None:
    """The clerk zhangwei signs in and works window 1 (opened on the first visit, straight back to
    it on the next)."""
    sign_in(page, "zhangwei", CLERK_PASSWORD, COUNTER_LOGIN)
    page.locator("#picker:not([hidden]), #console:not([hidden])").first.wait_for()
    if page.locator("#picker").is_visible():
        page.locator('#windows [data-window="1"]').click()


def kiosk_check_in(page: Any, hall: Hall) -> None:
    page.locator("#open-check-in").click()


def kiosk_priority(page: Any, hall: Hall) -> None:
    page.locator('[data-service="A"]').click()


def kiosk_slip(page: Any, hall: Hall) -> None:
    page.locator('[data-service="A"]').click()
    page.locator('[data-priority="normal"]').click()
    page.wait_for_function("document.getElementById('slip-qr').naturalWidth > 0")


def phone_alerts_on(page: Any, hall: Hall) -> None:
    page.locator("#enable-alerts").click()


def manager_signs_in(page: Any, hall: Hall) -> None:
    sign_in(page, "wangju", MANAGER_PASSWORD)


def sound_button_shown(page: Any, hall: Hall) -> None:
    # What a display PC started without --autoplay-policy=no-user-gesture-required shows (this
    # module's Chromium has it, so voice is on and the button hidden).
    page.wait_for_function("document.querySelectorAll('#windows .win').length === 20")
    page.evaluate("document.getElementById('sound-on').hidden = false")


@dataclass(frozen=True)
class Screen:
    """One screen (in one state) to fit: its path (``{display}``, ``{kiosk}``, ``{phone}``,
    ``{phone_no_window}``, ``{called}``, ``{idle}``, ``{paused}``, ``{closed}`` filled in), whether
    it hangs on a wall (nobody scrolls it: checked up and down too), what shows once it is ready,
    and what to do before (sign in, open a dialog)."""

    name: str
    path: str
    ready: str
    wall: bool = False
    then: Callable[[Any, Hall], None] | None = None
    sizes: tuple[dict[str, int], ...] = tuple(WALL_SIZES)

    def url(self, hall: Hall, lang: str) -> str:
        s = hall.server
        path = self.path.format(display=s.display_token, kiosk=s.kiosk_token, phone=hall.phone,
                                phone_no_window=hall.phone_no_window, **hall.windows)  # fmt: skip
        return f"{s.base}{path}{'&' if '?' in path else '?'}lang=en" if lang == "en" else s.base + path


# Every screen a hall opens, in the states worth seeing, and the landing page that lists them.
SCREENS = [
    Screen("landing", "/", "#hall-demo .links a"),
    Screen("kiosk", "/kiosk/demo", ".service", wall=True),
    Screen("kiosk-check-in", "/kiosk/demo", "#check-in .keypad", wall=True, then=kiosk_check_in),
    Screen("kiosk-priority", "/kiosk/demo?token={kiosk}", "#priority .choices", wall=True, then=kiosk_priority),
    Screen("kiosk-slip", "/kiosk/demo?token={kiosk}", "#issued #slip-number", wall=True, then=kiosk_slip),
    Screen("phone", "{phone}", "#enable-alerts", sizes=(*WALL_SIZES, PHONE)),
    Screen("phone-alerts-on", "{phone}", "#alerts-on", then=phone_alerts_on, sizes=(*WALL_SIZES, PHONE)),
    Screen("phone-no-window", "{phone_no_window}", "#no-window", sizes=(*WALL_SIZES, PHONE)),
    Screen("hall-display", "/display/demo?token={display}", "#windows .win", wall=True, then=sound_button_shown),
    Screen("hall-display-no-token", "/display/demo", "#need-token", wall=True),
    Screen("window-called", "/display/demo/windows/{called}?token={display}", "#current:not(.word)", wall=True),
    Screen("window-idle", "/display/demo/windows/{idle}?token={display}", "#current.idle", wall=True),
    Screen("window-paused", "/display/demo/windows/{paused}?token={display}", "#current.paused", wall=True),
    Screen("window-closed", "/display/demo/windows/{closed}?token={display}", "#current.closed", wall=True),
    Screen("window-no-token", "/display/demo/windows/{called}", "#need-token", wall=True),
    Screen("counter-signed-out", "/counter", "#login-form"),
    Screen("counter-at-window", "/counter", "#console", then=counter_at_window),
    Screen("dashboard", "/dashboard/demo", "#windows .win", then=manager_signs_in),
    Screen("simulator", "/simulator/demo", "#windows > *"),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
def test_the_screen_fits_every_size(browser: Any, hall: Hall, screen: Screen, lang: str) -> None:  # noqa: F811
    page = new_page(browser, hall.server, screen.sizes[0])
    try:
        page.goto(screen.url(hall, lang))
        if screen.then:
            screen.then(page, hall)
        page.locator(screen.ready).first.wait_for()
        problems = []
        for size in screen.sizes:
            page.set_viewport_size(size)
            settle(page)
            at = f"{size['width']}×{size['height']}"
            problems += [f"{at}: {p}" for p in layout_problems(page, vertical=screen.wall)]
        problems += [f"console: {e}" for e in page.console_errors] + [f"page error: {e}" for e in page.js_errors]
    finally:
        page.context.close()
    assert problems == [], f"{screen.name} ({lang}):\n" + "\n".join(problems)
