"""The console's routes: one page (template + ES module) and a small read of the window's desk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from queue_server.api.body import path_int
from queue_server.api.context import ApiContext
from queue_server.domain import TicketState
from queue_server.errors import NotFound
from queue_server.rules import routing
from queue_server.service import QueueService
from queue_server.views import ticket_view
from queue_server.web import language, strings, switch_url, templates

from .i18n import STRINGS

HERE = Path(__file__).resolve().parent
STATIC_URL = "/static/counters"
MAX_WAITING = 50  # waiting tickets listed on the desk (the counts cover everyone)


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
    # The waiting tickets the window may call (the held ones, listed apart, are candidates only
    # once their visitor is back).
    waiting = [t for t in active if t.state is TicketState.WAITING and routing.is_candidate(t, window)]
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
        self.templates = templates(HERE / "templates")

    async def page(self, request: Request) -> Response:
        lang = language(request.query_params.get("lang"))
        context = {
            "t": strings(STRINGS, lang),
            "lang": lang,
            "switch_url": switch_url(request, lang),
            "static": STATIC_URL,
            # Without a session the page shows the sign-in form at once: asking /api/auth/me would
            # be a 401 in the browser's console.
            "page": {"hall": request.query_params.get("hall"), "signed_in": await self.api.caller(request) is not None},
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
