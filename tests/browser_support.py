"""What the browser tests share: a real server process (``python run.py``, from
tests/server_support.py) on 127.0.0.1, Debian's Chromium through Playwright, pages that record
every request's host, JS error and console error and capture speech synthesis, screenshots into
test-artifacts/, and ``layout_problems(page)``: what on a page overflows the viewport, is cut off
or overlaps something else.

The ``server`` and ``browser`` fixtures are module-scoped: a test module imports them
(``from tests.browser_support import browser, server``) and gets its own server and database.

This module imports without Playwright (other tests import it through the room conftests):
``sync_api`` is then None and every test marked ``NEEDS_CHROMIUM`` skips.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from queue_server.auth.service import AuthService
from queue_server.config import demo_config
from queue_server.principal import DeviceKind, Role
from queue_server.storage import open_store
from tests.server_support import CLERK_PASSWORD, MANAGER_PASSWORD, ROOT, Server, serve

sync_api: Any
try:
    from playwright import sync_api
except ImportError:
    sync_api = None

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts"
FULL_HD = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
# The small TV or monitor many halls have (the README's screenshots show it beside 1920×1080).
SMALL_TV = {"width": 1280, "height": 800}
# The screens a hall hangs on its walls and stands in its hall: TVs, monitors and a portrait kiosk.
WALL_SIZES = [
    {"width": 1280, "height": 720},
    {"width": 1280, "height": 800},
    {"width": 1366, "height": 768},
    {"width": 1920, "height": 1080},
    {"width": 3840, "height": 2160},
    {"width": 1080, "height": 1920},
]
# The sign-in forms' submit buttons: the manager dashboard's, the clerk console's.
DASHBOARD_LOGIN = "#login-button"
COUNTER_LOGIN = "#login-form button[type=submit]"

NEEDS_CHROMIUM = pytest.mark.skipif(
    sync_api is None or not os.path.exists(CHROMIUM),
    reason="browser tests need playwright (pip install '.[test]')"
    if sync_api is None
    else f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium fonts-wqy-microhei)",
)

# Replaces speechSynthesis.speak before any page script runs: records what would be said,
# and ends each utterance at once so the queue moves on.
CAPTURE_SPEECH = """
window.__spoken = [];
if (window.speechSynthesis) {
  window.speechSynthesis.speak = (u) => {
    window.__spoken.push({ text: u.text, lang: u.lang });
    setTimeout(() => u.onend && u.onend(new Event("end")), 20);
  };
}
"""


def launch(pw: Any, *args: str) -> Any:
    """Debian's Chromium, headless, with nothing of its own going out to the network."""
    return pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *args])


@contextmanager
def demo_server(tmp: Path, *extra: str) -> Iterator[Server]:
    """``python run.py`` (with ``extra`` options) on the demo hall in a SQLite file under ``tmp``,
    with the clerk zhangwei (张伟), the manager wangju (王局), a display token and a kiosk token, all
    created before the server starts."""
    db = f"sqlite:///{tmp}/hallq.db"
    store = open_store(db)
    try:
        store.sync_halls(demo_config())
        auth = AuthService(store.accounts)
        auth.create_user("zhangwei", CLERK_PASSWORD, Role.CLERK, "demo", "张伟")
        auth.create_user("wangju", MANAGER_PASSWORD, Role.MANAGER, "demo", "王局")
        _, display = auth.create_device_token(DeviceKind.DISPLAY, "demo", "综合屏")
        _, kiosk = auth.create_device_token(DeviceKind.KIOSK, "demo", "取号机")
    finally:
        store.close()
    with serve(db, tmp, *extra) as base:
        yield Server(base, display, kiosk)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo hall of ``demo_server``, one server process per test module."""
    with demo_server(tmp_path_factory.mktemp("browser")) as s:
        yield s


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = launch(pw, "--autoplay-policy=no-user-gesture-required")
        try:
            yield b
        finally:
            b.close()


def watch(page: Any, hosts: list[str]) -> list[str]:
    """Records every request's host in ``hosts`` and refuses anything not for 127.0.0.1 (so an
    outside fetch fails the test instead of hanging); returns the list the page's JS errors go to."""
    page.on("request", lambda req: hosts.append(urlsplit(req.url).hostname or req.url))
    page.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname == "127.0.0.1"
               else route.abort())  # fmt: skip
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def watch_console(page: Any) -> list[str]:
    """The list the page's console errors go to (a blocked API, a failed request, …), each with
    where it came from."""
    errors: list[str] = []

    def seen(msg: Any) -> None:
        if msg.type == "error":
            where = msg.location or {}
            errors.append(f"{msg.text} ({where.get('url', '?')}:{where.get('lineNumber', '?')})")

    page.on("console", seen)
    return errors


def new_page(browser: Any, server: Server, viewport: dict[str, int], **kw: Any) -> Any:
    """A page in its own browser context (its own cookies), zh-CN, with speech captured;
    ``page.js_errors`` collects its JS errors, ``page.console_errors`` its console errors and
    ``server.hosts`` its requests' hosts."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", **kw)
    context.add_init_script(CAPTURE_SPEECH)
    page = context.new_page()
    page.js_errors = watch(page, server.hosts)
    page.console_errors = watch_console(page)
    return page


def shot(page: Any, name: str) -> None:
    """A screenshot of ``page`` as test-artifacts/``name``."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def shots(page: Any, name: str, small: dict[str, int] = SMALL_TV) -> None:
    """``name``.png at the page's size and ``name``-1280x800.png (``small``) beside it, the page back
    at its size after (the README shows both)."""
    shot(page, f"{name}.png")
    size = page.viewport_size
    page.set_viewport_size(small)
    settle(page)
    shot(page, f"{name}-{small['width']}x{small['height']}.png")
    page.set_viewport_size(size)
    settle(page)


def settle(page: Any) -> None:
    """Wait until the page has laid itself out again (two animation frames: resize observers run
    between them), e.g. after ``page.set_viewport_size``."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def sign_in(page: Any, user: str, password: str, button: str = DASHBOARD_LOGIN) -> None:
    """Fill the page's sign-in form (#username, #password) and submit it with ``button``
    (the dashboard's by default)."""
    page.fill("#username", user)
    page.fill("#password", password)
    page.click(button)


# What layout_problems runs in the page. Boxes are the visible text (each line of each text node,
# as tall as its line box) and the visible controls (buttons, links, inputs, images). A problem is:
#   - a box outside the viewport (left/right; top/bottom too when ``vertical``), or the page scrolling;
#   - a box cut off by an ancestor that hides its overflow (unless that ancestor ends the text with an
#     ellipsis or a line clamp, or the box moves: a marquee), or, when ``vertical``, a box in a
#     scrolling container that overflows (nobody scrolls a wall screen);
#   - two boxes that intersect (not a control and what is inside it), or two in-flow block siblings
#     (tiles, cards, columns) that intersect;
#   - a text of two characters or more wrapped one character per line.
# Animations are seeked to their start while measuring (a pulsing button, a flashing tile), then resumed.
LAYOUT_CHECK = r"""
(vertical) => {
  const W = document.documentElement.clientWidth, H = document.documentElement.clientHeight;
  const SLACK = 1, MIN_OVERLAP = 2, MAX_PROBLEMS = 30;
  const problems = [];
  const report = (text) => { if (!problems.includes(text)) problems.push(text); };
  const animations = document.getAnimations().filter((a) => a.playState === "running");
  const times = animations.map((a) => a.currentTime);
  animations.forEach((a) => { a.pause(); a.currentTime = 0; });

  const isRoot = (el) => el === document.documentElement || el === document.body;
  const css = (el) => getComputedStyle(el);
  const round = Math.round;
  const fmt = (r) => `[x ${round(r.left)}..${round(r.right)}, y ${round(r.top)}..${round(r.bottom)}]`;
  const short = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) return `${s}#${el.id}`;
    if (el.classList.length) s += "." + [...el.classList].join(".");
    for (const [k, v] of Object.entries(el.dataset)) { s += `[data-${k}="${v}"]`; break; }
    return s;
  };
  const path = (el) => {
    const parts = [short(el)];
    for (let p = el.parentElement; p && !isRoot(p) && parts.length < 3; p = p.parentElement) parts.unshift(short(p));
    return parts.join(" > ");
  };
  const label = (el, text) => {
    const shown = text || el.innerText || el.value || el.getAttribute("alt") || "";
    return `${path(el)} "${shown.trim().replace(/\s+/g, " ").slice(0, 40)}"`;
  };
  const shown = (el) => el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  const rect = (l, t, r, b) => ({ left: l, top: t, right: r, bottom: b });
  const meet = (a, b) =>
    rect(Math.max(a.left, b.left), Math.max(a.top, b.top), Math.min(a.right, b.right), Math.min(a.bottom, b.bottom));
  const empty = (r) => r.right - r.left <= 0.5 || r.bottom - r.top <= 0.5;
  const inside = (a, b) => a.left >= b.left - SLACK && a.right <= b.right + SLACK
    && a.top >= b.top - SLACK && a.bottom <= b.bottom + SLACK;
  const padding = (el) => {
    const r = el.getBoundingClientRect();
    const left = r.left + el.clientLeft, top = r.top + el.clientTop;
    return rect(left, top, left + el.clientWidth, top + el.clientHeight);
  };
  const hides = (v) => v === "hidden" || v === "clip";
  const scrolls = (v) => v === "auto" || v === "scroll";
  // The ancestors (from ``start`` up) whose overflow clips what is in them, up to a fixed one.
  const clippers = (start) => {
    const list = [];
    for (let n = start; n && !isRoot(n); n = n.parentElement) {
      const s = css(n);
      if (s.overflowX !== "visible" || s.overflowY !== "visible") list.push(n);
      if (s.position === "fixed") break;
    }
    return list;
  };
  const truncates = (el) => {
    const s = css(el);
    return s.textOverflow === "ellipsis" || (s.webkitLineClamp && s.webkitLineClamp !== "none");
  };
  // What an animation slides (a marquee): where it starts says nothing of where it is seen.
  const slides = (a) => a.effect && a.effect.target
    && a.effect.getKeyframes().some((k) => /translate/.test(k.transform || ""));
  const sliding = new Set(animations.filter(slides).map((a) => a.effect.target));
  const moving = (el) => {
    for (let n = el; n && !isRoot(n); n = n.parentElement) if (sliding.has(n)) return true;
    return false;
  };

  const boxes = [];
  const add = (el, kind, rects, text) => {
    const fixed = kind === "control" && css(el).position === "fixed";
    const clips = fixed ? [] : clippers(kind === "text" ? el : el.parentElement);
    const visible = [];
    for (const r0 of rects) {
      let r = rect(r0.left, r0.top, r0.right, r0.bottom);
      if (empty(r)) continue;
      for (const c of clips) {
        const s = css(c), box = padding(c);
        if (!inside(r, box) && (hides(s.overflowX) || hides(s.overflowY)) && !truncates(c) && !moving(el)) {
          report(`${label(el, text)} ${fmt(r)} is cut off by ${path(c)} ${fmt(box)}`);
        }
        r = meet(r, box);
      }
      if (empty(r)) continue;
      if (!moving(el)) {
        const what = `${label(el, text)} ${fmt(r)} overflows the viewport's`;
        if (r.left < -SLACK || r.right > W + SLACK) report(`${what} width ${W}`);
        if (vertical && (r.top < -SLACK || r.bottom > H + SLACK)) report(`${what} height ${H}`);
      }
      visible.push(meet(r, rect(0, 0, W, H)));
    }
    if (visible.length) boxes.push({ el, kind, rects: visible.filter((r) => !empty(r)), text });
  };

  const CONTROLS = "button, a[href], input:not([type=hidden]), select, textarea, img, svg, canvas, video";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.data.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest("script, style, select, noscript, template") || !shown(el)) continue;
    range.selectNodeContents(node);
    const lh = parseFloat(css(el).lineHeight);
    const lines = [...range.getClientRects()].map((r) => {
      if (!(lh > 0) || r.height <= lh) return r;
      const mid = (r.top + r.bottom) / 2; // as tall as the line box (glyph boxes are taller than line-height: 1)
      return rect(r.left, mid - lh / 2, r.right, mid + lh / 2);
    });
    add(el, "text", lines, text);
    const chars = [...text.replace(/\s+/g, "")].length;
    const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => round(r.top)));
    if (chars >= 2 && tops.size >= chars) report(`${label(el, text)} wraps one character per line`);
  }
  for (const el of document.body.querySelectorAll(CONTROLS)) {
    if (el.parentElement && el.parentElement.closest("svg")) continue;
    if (shown(el)) add(el, "control", [el.getBoundingClientRect()], null);
  }

  // Boxes over boxes: one report per two elements.
  const hit = (a, b) => {
    const m = meet(a, b);
    return m.right - m.left > MIN_OVERLAP && m.bottom - m.top > MIN_OVERLAP;
  };
  const pairs = new Set();
  const ids = new Map();
  const idOf = (el) => { if (!ids.has(el)) ids.set(el, ids.size); return ids.get(el); };
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.el === b.el && a.kind === b.kind) continue;
      const nested = a.el.contains(b.el) || b.el.contains(a.el);
      if (nested && (a.kind === "control" || b.kind === "control")) continue;
      const key = [idOf(a.el), idOf(b.el)].sort().join(":");
      if (pairs.has(key)) continue;
      found: for (const ra of a.rects) for (const rb of b.rects) {
        if (hit(ra, rb)) {
          pairs.add(key);
          report(`${label(a.el, a.text)} ${fmt(ra)} overlaps ${label(b.el, b.text)} ${fmt(rb)}`);
          break found;
        }
      }
    }
  }
  // Block siblings over each other (tiles, cards, columns), as far as they are visible.
  const flows = (el) => {
    const s = css(el);
    return !["absolute", "fixed"].includes(s.position) && !["inline", "contents", "none"].includes(s.display);
  };
  for (const parent of document.body.querySelectorAll("*")) {
    const kids = [...parent.children].filter((k) => flows(k) && shown(k));
    if (kids.length < 2 || !shown(parent)) continue;
    const clip = clippers(parent).reduce((r, c) => meet(r, padding(c)), rect(0, 0, W, H));
    const rs = kids.map((k) => meet(k.getBoundingClientRect(), clip));
    for (let i = 0; i < kids.length; i++) {
      for (let j = i + 1; j < kids.length; j++) {
        if (empty(rs[i]) || empty(rs[j]) || !hit(rs[i], rs[j])) continue;
        report(`${label(kids[i], " ")} ${fmt(rs[i])} overlaps its sibling ${label(kids[j], " ")} ${fmt(rs[j])}`);
      }
    }
  }
  // Nobody scrolls a page sideways, nor a wall screen at all.
  const doc = document.scrollingElement || document.documentElement;
  const body = css(document.body);
  if (doc.scrollWidth > W + SLACK && !hides(body.overflowX)) report(`the page scrolls sideways (${doc.scrollWidth})`);
  if (vertical) {
    if (doc.scrollHeight > H + SLACK && !hides(body.overflowY)) report(`the page scrolls (${doc.scrollHeight} > ${H})`);
    for (const el of document.body.querySelectorAll("*")) {
      const s = css(el);
      const more = (scrolls(s.overflowY) && el.scrollHeight > el.clientHeight + SLACK)
        || (scrolls(s.overflowX) && el.scrollWidth > el.clientWidth + SLACK);
      if (more && shown(el)) {
        report(`${label(el, " ")} has more than it shows (${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×`
          + `${el.clientHeight}), and nobody scrolls a wall screen`);
      }
    }
  }
  animations.forEach((a, i) => { a.currentTime = times[i]; a.play(); });
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [...problems.slice(0, MAX_PROBLEMS), `… and ${problems.length - MAX_PROBLEMS} more`];
}
"""


def layout_problems(page: Any, *, vertical: bool = False) -> list[str]:
    """What is wrong with the layout of ``page`` as it is now, one line per problem naming the
    element (a short CSS path and its text) and the rects in CSS pixels; [] when nothing is.

    Checks the visible text and controls: nothing outside the viewport's width (and height, with
    ``vertical``: the fixed-size wall screens, which nobody scrolls), nothing cut off by a box that
    hides its overflow (an ellipsis or line clamp is fine, a marquee too), no text or control over
    another, no tile or card over its sibling, no word wrapped one character per line."""
    return list(page.evaluate(LAYOUT_CHECK, vertical))


@contextmanager
def accepting(page: Any) -> Iterator[list[str]]:
    """Accept every confirm while inside; yields the list their messages go to."""
    said: list[str] = []

    def answer(dialog: Any) -> None:
        said.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    try:
        yield said
    finally:
        page.remove_listener("dialog", answer)


def open_dashboard_page(page: Any, server: Server, path: str) -> None:
    """``path`` of the demo hall's dashboard, signed in already (the session cookie)."""
    page.goto(f"{server.base}/dashboard/demo/{path}")
    page.wait_for_selector("body[data-ready='1']")
