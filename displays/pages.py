"""The screens' routes: each page is a jinja2 template plus an ES module that talks to the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from queue_server import (
    NotFound,
    QueueService,
    hall_of_ticket,
    hall_view,
    language,
    path_int,
    strings,
    switch_url,
    templates,
)

from . import qr
from .i18n import STRINGS

HERE = Path(__file__).resolve().parent
STATIC_URL = "/static/displays"
MAX_REPEAT = 5


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value or default)))
    except ValueError:
        return default


def _screen(request: Request) -> dict[str, Any]:
    """What a wall screen's page needs to say it has no display token: whether its URL carries one,
    and its path (where the token goes)."""
    return {"has_token": bool(request.query_params.get("token")), "path": request.url.path}


class Pages:
    def __init__(self, service: QueueService) -> None:
        self.service = service
        self.templates = templates(HERE / "templates")

    def render(self, request: Request, name: str, page: dict[str, Any], status: int = 200) -> Response:
        lang = language(request.query_params.get("lang"))
        switch = switch_url(request, lang)
        context = {"t": strings(STRINGS, lang), "lang": lang, "switch_url": switch, "static": STATIC_URL, "page": page}
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    async def hall_or_404(self, request: Request) -> dict[str, Any] | Response:
        slug: str = request.path_params["hall"]
        try:
            return await run_in_threadpool(hall_view, self.service, slug)
        except NotFound:
            return self.render(request, "missing.html", {"slug": slug}, status=404)

    async def kiosk(self, request: Request) -> Response:
        hall = await self.hall_or_404(request)
        if isinstance(hall, Response):
            return hall
        return self.render(request, "kiosk.html", {"hall": hall})

    async def kiosk_qr(self, request: Request) -> Response:
        path = request.query_params.get("path", "")
        if not qr.same_origin_path(path):
            return PlainTextResponse("只接受本站路径 / only a path of this server", status_code=400)
        url = str(request.base_url).rstrip("/") + path
        body = await run_in_threadpool(qr.svg, url)
        return Response(body, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})

    async def ticket(self, request: Request) -> Response:
        ticket_id = path_int(request, "ticket_id")  # past any stored id: the page of no ticket
        slug = await run_in_threadpool(hall_of_ticket, self.service, ticket_id)
        hall = self.service.hall(slug) if slug else None
        names = {"hall_zh": hall.name_zh, "hall_en": hall.name_en} if hall else {"hall_zh": "", "hall_en": ""}
        return self.render(request, "ticket.html", {"ticket_id": ticket_id, **names})

    async def display(self, request: Request) -> Response:
        hall = await self.hall_or_404(request)
        if isinstance(hall, Response):
            return hall
        # The hall's setting, unless this screen's URL says otherwise (?repeat=N).
        settings = self.service.hall(hall["slug"]).display
        repeat = _int(request.query_params.get("repeat"), settings.announce_repeat, 1, MAX_REPEAT)
        return self.render(request, "display.html", {"hall": hall, "repeat": repeat, **_screen(request)})

    async def window(self, request: Request) -> Response:
        hall = await self.hall_or_404(request)
        if isinstance(hall, Response):
            return hall
        number = int(request.path_params["window"])
        if not any(w["number"] == number for w in hall["windows"]):
            return self.render(request, "missing.html", {"slug": hall["slug"], "window": number}, status=404)
        staff = {m.login: m.name for m in self.service.hall(hall["slug"]).staff}
        page = {"hall": hall, "window": number, "staff": staff, **_screen(request)}
        return self.render(request, "window.html", page)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/kiosk/{hall}", self.kiosk, methods=["GET"]),
            Route("/kiosk/{hall}/qr", self.kiosk_qr, methods=["GET"]),
            Route("/t/{ticket_id:int}", self.ticket, methods=["GET"]),
            Route("/display/{hall}", self.display, methods=["GET"]),
            Route("/display/{hall}/windows/{window:int}", self.window, methods=["GET"]),
            Mount(STATIC_URL, StaticFiles(directory=HERE / "static"), name="displays-static"),
        ]


__all__ = ["Pages"]
