"""The dashboard's staffing pages: 排班 (the week grid, noon coverage, leave, AB岗, 自动排班,
publishing, print), 工作人员 (the staff registry), 班次 (shift templates), 日历 (the hall's
calendar), 考勤 (attendance, and who is where now), and the roster's XLSX export. The pages are
shells the browser fills from the JSON API; the export is read here, for managers only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from queue_server import (
    ApiContext,
    BadRequest,
    NotFound,
    QueueService,
    hall_view,
    language,
    leave_between,
    query,
    roster_range,
    staff_list,
    strings,
    switch_url,
    templates,
)

from .i18n import STRINGS
from .roster_export import RosterSheet, roster_workbook

HERE = Path(__file__).resolve().parent
STATIC_URL = "/static/reports"
MAX_EXPORT_DAYS = 93  # a quarter: rosters are made by the week or the month
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_period(request: Request, today: date) -> tuple[date, date, bool]:
    """``from``/``to`` of the export (default: the week holding ``today``) and ``draft``; a bad
    one is a 400 naming the field."""
    q = query(request)
    monday = today - timedelta(days=today.weekday())
    first = q.date_("from", required=False) or monday
    last = q.date_("to", required=False) or first + timedelta(days=6)
    draft = q.flag("draft")
    if last < first:
        raise BadRequest(f"to: 结束日期早于开始日期 / to: {last} is before from {first}")
    if (last - first).days + 1 > MAX_EXPORT_DAYS:
        raise BadRequest(f"to: 一次最多导出 {MAX_EXPORT_DAYS} 天 / to: an export covers at most {MAX_EXPORT_DAYS} days")
    return first, last, draft


class RosterPages:
    def __init__(self, service: QueueService, ctx: ApiContext) -> None:
        self.service = service
        self.ctx = ctx
        self.templates = templates(HERE / "templates")

    async def _page(self, request: Request, template: str, title_key: str) -> Response:
        lang = language(request.query_params.get("lang"))
        slug: str = request.path_params["hall"]
        t = strings(STRINGS, lang)
        try:
            hall = await run_in_threadpool(hall_view, self.service, slug)
        except NotFound:
            return HTMLResponse(f"<h1>没有这个大厅 / no hall {slug}</h1>", status_code=404)
        config = self.service.hall(slug)
        page = {
            "hall": hall,
            "lang": lang,
            "timezone": config.timezone,
            "business_day": self.service.business_day(slug).isoformat(),
            "signed_in": await self.ctx.caller(request) is not None,
        }
        context = {
            "t": t,
            "lang": lang,
            "switch_url": switch_url(request, lang),
            "static": STATIC_URL,
            "page": page,
            "title": t[title_key],
            "lang_query": "?lang=en" if lang == "en" else "",
        }
        return self.templates.TemplateResponse(request, template, context)

    async def roster(self, request: Request) -> Response:
        return await self._page(request, "roster.html", "nav_roster")

    async def staff(self, request: Request) -> Response:
        return await self._page(request, "staff.html", "nav_staff")

    async def shifts(self, request: Request) -> Response:
        return await self._page(request, "shifts.html", "nav_shifts")

    async def calendar(self, request: Request) -> Response:
        return await self._page(request, "calendar.html", "nav_calendar")

    async def attendance(self, request: Request) -> Response:
        return await self._page(request, "attendance.html", "nav_attendance")

    def _workbook(self, slug: str, first: date, last: date, draft: bool, lang: str) -> bytes:
        hall = self.service.hall(slug)
        found = roster_range(self.service, slug, first, last)
        since = datetime.combine(first, time(0), tzinfo=hall.tz)
        until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=hall.tz)
        sheet = RosterSheet(
            hall_name=hall.name_en if lang == "en" else hall.name_zh,
            first=first,
            last=last,
            generated_at=self.service.clock(),
            tz=hall.tz,
            staff=staff_list(self.service, slug),
            assignments=found.assignments(draft=draft),
            leave=leave_between(self.service, slug, since, until),
            draft=draft and bool(found.drafts),
            lang=lang,
        )
        return roster_workbook(sheet)

    async def export(self, request: Request) -> Response:
        """``GET /dashboard/{hall}/roster.xlsx?from=&to=&draft=1`` (managers)."""
        slug: str = request.path_params["hall"]
        self.service.hall(slug)  # 404 for an unknown hall
        await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "roster.export")
        first, last, draft = export_period(request, self.service.business_day(slug))
        lang = language(request.query_params.get("lang"))
        data = await run_in_threadpool(self._workbook, slug, first, last, draft, lang)
        name = f"roster-{slug}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
        return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/dashboard/{hall}/roster", self.roster, methods=["GET"]),
            Route("/dashboard/{hall}/staff", self.staff, methods=["GET"]),
            Route("/dashboard/{hall}/shifts", self.shifts, methods=["GET"]),
            Route("/dashboard/{hall}/calendar", self.calendar, methods=["GET"]),
            Route("/dashboard/{hall}/attendance", self.attendance, methods=["GET"]),
            Route("/dashboard/{hall}/roster.xlsx", self.export, methods=["GET"]),
        ]


__all__ = ["RosterPages", "export_period"]
