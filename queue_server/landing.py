"""The landing page at "/": each hall, every screen the rooms serve for it, and what
opening each one takes (a token, a sign-in) with the command that makes it.

The rooms declare their screens (``Plugin.screens``); the core lists them without
knowing the rooms. The halls' state as JSON is ``GET /api/halls``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from . import __version__
from .config import HallConfig
from .plugins import Access, Screen
from .web import EN, language, switch_url, templates

TEMPLATES = templates(Path(__file__).resolve().parent / "templates")

# What each kind of access needs, and the command (run with the server's own options) that gives it.
NEEDS: dict[Access, tuple[str, str]] = {
    Access.ANYONE: ("无需登录", "open to anyone"),
    Access.KIOSK: (
        "无需令牌即可取普通号；优先号需取号机令牌",
        "normal tickets need no token; a kiosk token adds priority",
    ),
    Access.DISPLAY: ("需要显示屏令牌", "needs a display token"),
    Access.CLERK: ("窗口人员在页面上登录", "a clerk signs in on the page"),
    Access.MANAGER: ("大厅管理员在页面上登录", "a hall manager signs in on the page"),
}


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class ScreenRow:
    name: str
    links: tuple[Link, ...]
    needs: str
    how: str  # a shell command that gives the access ("" when none is needed)
    then: str  # where the token goes, when it is a token


def _how(access: Access, cli: str, hall: HallConfig, path: str) -> tuple[str, str]:
    if access in (Access.KIOSK, Access.DISPLAY):
        return f"{cli} token add --kind {access.value} --hall {hall.slug}", f"{path}?token=…"
    if access is Access.CLERK:
        login = hall.staff[0].login if hall.staff else "LOGIN"
        return f"{cli} user add {login} --role clerk --hall {hall.slug}", ""
    if access is Access.MANAGER:
        return f"{cli} user add manager --role manager --hall {hall.slug}", ""
    return "", ""


def screen_rows(hall: HallConfig, screens: Sequence[Screen], cli: str, lang: str) -> list[ScreenRow]:
    en = language(lang) == EN
    suffix = "?lang=en" if en else ""
    rows = []
    for screen in screens:
        path = screen.path.replace("{hall}", hall.slug)
        if screen.per_window:
            links = tuple(Link(str(w.number), path.replace("{window}", str(w.number)) + suffix) for w in hall.windows)
        else:
            links = (Link(path, path + suffix),)
        zh, english = NEEDS[screen.access]
        how, then = _how(screen.access, cli, hall, path.replace("{window}", "1"))
        rows.append(ScreenRow(screen.name_en if en else screen.name_zh, links, english if en else zh, how, then))
    return rows


class Landing:
    def __init__(self, halls: Sequence[HallConfig], screens: Sequence[Screen], cli: str) -> None:
        self.halls = halls
        self.screens = screens
        self.cli = cli

    async def page(self, request: Request) -> Response:
        lang = language(request.query_params.get("lang"))
        context: dict[str, Any] = {
            "lang": lang,
            "en": lang == EN,
            "switch_url": switch_url(request, lang),
            "version": __version__,
            "cli": self.cli,
            "halls": [(h, screen_rows(h, self.screens, self.cli, lang)) for h in self.halls],
        }
        return TEMPLATES.TemplateResponse(request, "landing.html", context)


__all__ = ["Landing", "screen_rows"]
