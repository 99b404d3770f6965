"""The dashboard's staffing pages: 排班 (the week grid, noon coverage, leave, AB岗, 自动排班,
publishing, print), 工作人员 (the staff registry), 班次 (shift templates), 日历 (the hall's
calendar), 考勤 (attendance, and who is where now), 规划 (planning), and the roster's XLSX export. The pages are
shells the browser fills from the JSON API; the export is read here, for managers only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from queue_server import (
    ApiContext,
    QueueService,
    check_period,
    language,
    leave_between,
    query,
    roster_range,
    staff_list,
    templates,
)

from .roster_export import RosterSheet, roster_workbook
from .shell import page_endpoint

HERE = Path(__file__).resolve().parent
# The staffing and planning pages, each a template of its name and titled by nav_<name>.
PAGES = ("roster", "staff", "shifts", "calendar", "attendance", "planning")
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
    check_period(first, last, MAX_EXPORT_DAYS, ("一次最多导出", "an export covers at most"), start="from", end="to")
    return first, last, draft


class RosterPages:
    def __init__(self, service: QueueService, ctx: ApiContext) -> None:
        self.service = service
        self.ctx = ctx
        self.templates = templates(HERE / "templates")

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
            *(
                Route(
                    f"/dashboard/{{hall}}/{name}",
                    page_endpoint(self.service, self.ctx, self.templates, f"{name}.html", f"nav_{name}"),
                    methods=["GET"],
                )
                for name in PAGES
            ),
            Route("/dashboard/{hall}/roster.xlsx", self.export, methods=["GET"]),
        ]


__all__ = ["RosterPages", "export_period"]
