"""The reports room's routes: the manager dashboard page and the report API."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from queue_server.api.body import query
from queue_server.api.context import ApiContext
from queue_server.api.tickets import hall_public
from queue_server.errors import NotFound
from queue_server.service import QueueService

from .i18n import EN, language, strings
from .kpis import read_day_kpis, waiting_tickets

HERE = Path(__file__).resolve().parent
STATIC_URL = "/static/reports"
LIVE_URL = "/static/displays/hallq-live.js"


def daily_report(service: QueueService, slug: str, day: date) -> dict[str, Any]:
    hall = service.hall(slug)
    with service.store.reader(slug) as r:
        report = read_day_kpis(r, day, hall.tz)
    return {"hall": slug, **report}


def live_extra(service: QueueService, slug: str) -> dict[str, Any]:
    day = service.business_day(slug)
    with service.store.reader(slug) as r:
        return {"business_day": day.isoformat(), "waiting_tickets": waiting_tickets(r, day)}


class Reports:
    def __init__(self, service: QueueService, ctx: ApiContext | None) -> None:
        self.service = service
        self.ctx = ctx
        env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
        self.templates = Jinja2Templates(env=env)

    async def _manager(self, request: Request, action: str) -> str:
        slug: str = request.path_params["hall"]
        self.service.hall(slug)  # 404 for an unknown hall
        if self.ctx is None:
            raise NotFound("reports need the API context")
        await self.ctx.require(request, slug, lambda p: p.can_manage(slug), action)
        return slug

    async def daily(self, request: Request) -> Response:
        slug = await self._manager(request, "report.daily")
        q = query(request)
        day = q.date_("date", required=False) or self.service.business_day(slug)
        q.done()
        return JSONResponse(await run_in_threadpool(daily_report, self.service, slug, day))

    async def live(self, request: Request) -> Response:
        slug = await self._manager(request, "report.live")
        return JSONResponse(await run_in_threadpool(live_extra, self.service, slug))

    async def dashboard(self, request: Request) -> Response:
        lang = language(request.query_params.get("lang"))
        slug: str = request.path_params["hall"]
        t = strings(lang)
        try:
            hall = await run_in_threadpool(hall_public, self.service, slug)
        except NotFound:
            return HTMLResponse(f"<h1>没有这个大厅 / no hall {slug}</h1>", status_code=404)
        config = self.service.hall(slug)
        page = {
            "hall": hall,
            "thresholds": {"yellow": config.thresholds.yellow_minutes, "red": config.thresholds.red_minutes},
            "staff": {m.login: m.name for m in config.staff},
            "lang": lang,
            "timezone": config.timezone,
        }
        switch = request.url.path + ("" if lang == EN else "?lang=en")
        context = {"t": t, "lang": lang, "switch_url": switch, "static": STATIC_URL, "live": LIVE_URL, "page": page}
        return self.templates.TemplateResponse(request, "dashboard.html", context)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/api/halls/{hall}/reports/daily", self.daily, methods=["GET"]),
            Route("/api/halls/{hall}/reports/live", self.live, methods=["GET"]),
            Route("/dashboard/{hall}", self.dashboard, methods=["GET"]),
            Mount(STATIC_URL, StaticFiles(directory=HERE / "static"), name="reports-static"),
        ]


__all__ = ["Reports", "daily_report"]
