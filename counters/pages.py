"""The console's routes: one page (template + ES module) and a small read of the window's desk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from queue_server import (
    ApiContext,
    DutyPlaces,
    QueueService,
    duty_places,
    language,
    path_int,
    strings,
    switch_url,
    templates,
    window_desk,
)

from .i18n import STRINGS

HERE = Path(__file__).resolve().parent
STATIC_URL = "/static/counters"


# The desk the console shows is the core's window desk query.
desk = window_desk


def places_view(places: DutyPlaces, now: str) -> dict[str, Any]:
    return {
        "now": now,
        "on_staff": places.on_staff,
        "timezone": places.timezone,
        "windows": places.windows,
        "shifts": {code: {"name_zh": zh, "name_en": en} for code, (zh, en) in places.shifts.items()},
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

    async def places(self, request: Request) -> Response:
        """What the duties panel needs beside ``/my/duties``: each post's window, each shift's
        name, the hall's time zone, whether the caller is on the staff at all, and the service's
        clock (the lunch banner counts down by it, not by the PC's)."""
        slug: str = request.path_params["hall"]
        self.service.hall(slug)
        caller = await self.api.require(request, slug, lambda p: p.is_staff and p.in_hall(slug), "counter.places")
        found = await run_in_threadpool(duty_places, self.service, slug, caller.name)
        return JSONResponse(places_view(found, self.service.clock().isoformat()))

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/counter", self.page, methods=["GET"]),
            Route("/counter/api/halls/{hall}/windows/{window:int}/desk", self.desk, methods=["GET"]),
            Route("/counter/api/halls/{hall}/duty-places", self.places, methods=["GET"]),
            Mount(STATIC_URL, StaticFiles(directory=HERE / "static"), name="counters-static"),
        ]


__all__ = ["Console", "desk"]
