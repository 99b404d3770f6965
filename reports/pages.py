"""The reports room's routes: the manager dashboard page and the report API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from queue_server import (
    ApiContext,
    QueueService,
    event_log,
    query,
    templates,
)

from .kpis import read_day_kpis, waiting_tickets
from .shell import STATIC_URL, manager_page

HERE = Path(__file__).resolve().parent
ROSTER_NOW = "/api/halls/{hall}/rosters/now"


def serial_lines(hardware: Mapping[str, Any]) -> dict[str, Any]:
    """The hall file's serial lines (``[[hall.hardware.lines]]``: id and protocol) and the line
    of each declared device, for the dashboard to group device health by bus. The hardware room
    has checked the table at start; anything odd is left out rather than trusted."""
    lines = [
        {"id": line["id"], "protocol": str(line.get("protocol", ""))}
        for line in hardware.get("lines", ())
        if isinstance(line, Mapping) and isinstance(line.get("id"), str)
    ]
    device_lines = {
        d["id"]: d["line"]
        for d in hardware.get("devices", ())
        if isinstance(d, Mapping) and isinstance(d.get("id"), str) and isinstance(d.get("line"), str)
    }
    return {"lines": lines, "device_lines": device_lines}


def live_extra(service: QueueService, slug: str) -> dict[str, Any]:
    day = service.business_day(slug)
    with event_log(service, slug) as log:
        return {"business_day": day.isoformat(), "waiting_tickets": waiting_tickets(log, day)}


class Reports:
    def __init__(self, service: QueueService, ctx: ApiContext) -> None:
        self.service = service
        self.ctx = ctx
        self.templates = templates(HERE / "templates")
        # The last daily report of each hall with the (day, last event seq) it was computed at:
        # open dashboards ask every few seconds, and the report changes only with a new event.
        self._daily: dict[str, tuple[date, int, dict[str, Any]]] = {}

    def daily_report(self, slug: str, day: date) -> dict[str, Any]:
        """The KPIs of ``day`` in hall ``slug``; computed again only when the hall's log has grown
        (or another day is asked for) since the last time."""
        hall = self.service.hall(slug)
        with event_log(self.service, slug) as r:
            seq = r.last_seq()
            memo = self._daily.get(slug)
            if memo is not None and memo[0] == day and memo[1] == seq:
                return memo[2]
            # Events appended after ``seq`` may count here too: the next request sees a larger
            # seq and computes again, so the memo is never older than its key.
            report = {"hall": slug, **read_day_kpis(r, day, hall.tz)}
        self._daily[slug] = (day, seq, report)
        return report

    async def _manager(self, request: Request, action: str) -> str:
        slug: str = request.path_params["hall"]
        self.service.hall(slug)  # 404 for an unknown hall
        await self.ctx.require(request, slug, lambda p: p.can_manage(slug), action)
        return slug

    async def daily(self, request: Request) -> Response:
        slug = await self._manager(request, "report.daily")
        q = query(request)
        day = q.date_("date", required=False) or self.service.business_day(slug)
        q.done()
        return JSONResponse(await run_in_threadpool(self.daily_report, slug, day))

    async def live(self, request: Request) -> Response:
        slug = await self._manager(request, "report.live")
        return JSONResponse(await run_in_threadpool(live_extra, self.service, slug))

    async def dashboard(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        config = self.service.config.hall(slug)
        extra = (
            {
                "thresholds": {"yellow": config.thresholds.yellow_minutes, "red": config.thresholds.red_minutes},
                "staff": {m.login: m.name for m in config.staff},
                **serial_lines(config.hardware),
                # Whether this server tells who the roster has at the windows now (缺岗 alerts).
                "roster_now": any(getattr(r, "path", None) == ROSTER_NOW for r in request.app.routes),
            }
            if config
            else {}
        )
        return await manager_page(
            self.service, self.ctx, self.templates, request, "dashboard.html", "nav_dashboard", extra
        )

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/api/halls/{hall}/reports/daily", self.daily, methods=["GET"]),
            Route("/api/halls/{hall}/reports/live", self.live, methods=["GET"]),
            Route("/dashboard/{hall}", self.dashboard, methods=["GET"]),
            Mount(STATIC_URL, StaticFiles(directory=HERE / "static"), name="reports-static"),
        ]


__all__ = ["Reports"]
