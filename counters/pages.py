"""The console's routes: one page (template + ES module) and a small read of the window's desk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from queue_server.api.body import path_int
from queue_server.api.context import ApiContext
from queue_server.domain import TicketState
from queue_server.errors import NotFound
from queue_server.service import QueueService
from queue_server.views import ticket_view

from .i18n import EN, language, strings

HERE = Path(__file__).resolve().parent
STATIC_URL = "/static/counters"
LIVE_URL = "/static/displays/hallq-live.js"
MAX_WAITING = 50  # waiting tickets listed on the desk (the counts cover everyone)


def templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    return Jinja2Templates(env=env)


def desk(service: QueueService, slug: str, number: int) -> dict[str, Any]:
    """The held tickets of window ``number`` and the first waiting tickets it may call."""
    day = service.business_day(slug)
    with service.store.reader(slug) as r:
        window = r.window(number)
        if window is None:
            raise NotFound(f"没有 {number} 号窗口 / window {number} does not exist in {slug}")
        held = r.held_tickets(number)
        active = r.active_tickets(day)
        done = r.window_counts(number, day)
    served = set(window.services)
    waiting = [
        t
        for t in active
        if t.state is TicketState.WAITING
        and (t.target_window == number or (t.target_window is None and t.service in served))
    ]
    waiting.sort(key=lambda t: (int(t.tier), t.order_key, t.id))  # roughly the calling order
    return {
        "hall": slug,
        "window": number,
        "business_day": day.isoformat(),
        "held": [ticket_view(t) for t in held],
        "waiting": [ticket_view(t) for t in waiting[:MAX_WAITING]],
        "waiting_total": len(waiting),
        "today": {"served": done.get("done", 0), "no_show": done.get("no_show", 0)},
    }


class Console:
    def __init__(self, service: QueueService, api: ApiContext) -> None:
        self.service = service
        self.api = api
        self.templates = templates()

    async def page(self, request: Request) -> Response:
        lang = language(request.query_params.get("lang"))
        other = dict(request.query_params)
        if lang == EN:
            other.pop("lang", None)
        else:
            other["lang"] = "en"
        switch = request.url.path + ("?" + "&".join(f"{k}={v}" for k, v in other.items()) if other else "")
        context = {
            "t": strings(lang),
            "lang": lang,
            "switch_url": switch,
            "static": STATIC_URL,
            "live": LIVE_URL,
            "page": {"hall": request.query_params.get("hall")},
        }
        return self.templates.TemplateResponse(request, "counter.html", context)

    async def desk(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        number = path_int(request, "window", 9999)
        self.service.hall(slug)
        await self.api.require(request, slug, lambda p: p.is_staff and p.in_hall(slug), "counter.desk")
        return JSONResponse(await run_in_threadpool(desk, self.service, slug, number))

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/counter", self.page, methods=["GET"]),
            Route("/counter/api/halls/{hall}/windows/{window:int}/desk", self.desk, methods=["GET"]),
            Mount(STATIC_URL, StaticFiles(directory=HERE / "static"), name="counters-static"),
        ]


__all__ = ["Console", "desk"]
