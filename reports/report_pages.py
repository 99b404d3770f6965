"""The 报表 page (/dashboard/{hall}/reports) and its exports, for the hall's managers:

    /dashboard/{hall}/reports                           the page, filled by the browser from the report APIs
    /dashboard/{hall}/reports.xlsx?from=&to=            the workbook, a sheet per table (总览 … 考勤)
    /dashboard/{hall}/reports/print?period=month&from=  the 月度通报, print-ready (A4 portrait); or period=range&to=
    /dashboard/{hall}/reports/tickets.csv?from=&to=     a row per ticket, UTF-8 with a BOM, streamed a day at a time

Every export reads the same summary, rankings and supervision the APIs answer, so a figure in a
file is the figure on the page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from queue_server import (
    EN,
    TICKET_EXPORT_DAYS,
    ApiContext,
    BadRequest,
    NotFound,
    QueueService,
    TicketRow,
    check_period,
    hall_view,
    language,
    query,
    report_rankings,
    report_summary,
    report_supervision,
    staff_list,
    strings,
    templates,
    ticket_rows,
)

from . import report_i18n  # noqa: F401  (its words join the pages' table on import)
from .i18n import STRINGS
from .report_bulletin import bulletin
from .report_export import ReportBook, columns, figure, report_workbook
from .shell import STATIC_URL, manager_page

HERE = Path(__file__).resolve().parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_DAYS = 366
GROUPS = ("service", "window", "clerk", "hour")
CSV_HEADS = {
    "zh": ("票号", "事项", "优先级", "取号时间", "首次叫号", "窗口", "人员", "开始办理", "办结时间", "结果",
           "等候秒数", "办理秒数", "评分"),
    "en": ("number", "service", "priority", "issued_at", "first_call", "window", "clerk", "started", "finished",
           "outcome", "wait_s", "service_s", "rating"),
}  # fmt: skip


def names_of(service: QueueService, slug: str, lang: str) -> dict[str, dict[str, str]]:
    hall = service.hall(slug)
    en = lang == EN
    windows = hall_view(service, slug).get("windows", [])
    t = strings(STRINGS, lang)
    return {
        "service": {s.code: s.name_en if en else s.name_zh for s in hall.services},
        "clerk": {m.login: m.name for m in staff_list(service, slug)},
        "window": {str(w["number"]): t["rp_window_n"].format(n=w["number"]) for w in windows},
    }


def gather(service: QueueService, slug: str, first: date, last: date, lang: str) -> ReportBook:
    """Everything the workbook and the bulletin show of ``first..last``."""
    hall = service.hall(slug)
    groups: dict[str, list[dict[str, Any]]] = {}
    totals: dict[str, Any] = {}
    for by in GROUPS:
        found = report_summary(service, slug, first, last, by)
        groups[by] = found["rows"]
        totals = found["totals"]
    # What the hall is judged on ([hall.rankings]): each of its groups on each of its measures.
    choice = hall.rankings
    ranked = [
        report_rankings(service, slug, period="range", first=first, last=last, of=of, measure=m)
        for m in choice.measures
        for of in choice.of
    ]
    return ReportBook(
        hall_name=hall.name_en if lang == EN else hall.name_zh,
        first=first,
        last=last,
        generated_at=service.clock().astimezone(hall.tz),
        totals=totals,
        groups=groups,
        names=names_of(service, slug, lang),
        rankings=ranked,
        supervision=report_supervision(service, slug, first, last),
        lang=lang,
    )


def _local(at: datetime | None, service: QueueService, slug: str) -> str:
    return "" if at is None else f"{at.astimezone(service.hall(slug).tz):%Y-%m-%d %H:%M:%S}"


def _csv_line(values: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(values)
    return out.getvalue()


def month_of(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start, end


class ReportPages:
    def __init__(self, service: QueueService, ctx: ApiContext) -> None:
        self.service = service
        self.ctx = ctx
        self.templates = templates(HERE / "templates")

    async def page(self, request: Request) -> Response:
        """The page's script reads each group's name (``names``): the services', the clerks', the
        windows'; and what the hall ranks on (``rankings``: the ranking opens on the first of each)."""
        slug: str = request.path_params["hall"]
        lang = language(request.query_params.get("lang"))
        extra: dict[str, Any] = {}
        try:
            choice = self.service.hall(slug).rankings
            extra["rankings"] = {"of": choice.of, "measures": choice.measures}
            extra["names"] = await run_in_threadpool(names_of, self.service, slug, lang)
        except NotFound:
            pass  # manager_page answers the unknown hall's 404 page
        return await manager_page(self.service, self.ctx, self.templates, request, "reports.html", "nav_reports", extra)

    async def _manager(self, request: Request, action: str) -> str:
        slug: str = request.path_params["hall"]
        self.service.hall(slug)  # 404 for an unknown hall
        await self.ctx.require(request, slug, lambda p: p.can_manage(slug), action)
        return slug

    def _range(self, request: Request, slug: str, most: int) -> tuple[date, date]:
        """``from``/``to`` (``to``: the business day, ``from``: the first of its month); a bad
        one is a 400 naming the field."""
        q = query(request)
        last = q.date_("to", required=False) or self.service.business_day(slug)
        first = q.date_("from", required=False) or last.replace(day=1)
        check_period(first, last, most, ("一次最多导出", "an export covers at most"), start="from", end="to")
        return first, last

    async def export(self, request: Request) -> Response:
        """``GET /dashboard/{hall}/reports.xlsx?from=&to=``."""
        slug = await self._manager(request, "reports.export")
        first, last = self._range(request, slug, MAX_DAYS)
        lang = language(request.query_params.get("lang"))
        book = await run_in_threadpool(gather, self.service, slug, first, last, lang)
        data = await run_in_threadpool(report_workbook, book)
        name = f"report-{slug}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
        return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def tickets_csv(self, request: Request) -> Response:
        """``GET /dashboard/{hall}/reports/tickets.csv?from=&to=``, streamed a day at a time."""
        slug = await self._manager(request, "reports.export")
        first, last = self._range(request, slug, TICKET_EXPORT_DAYS)
        heads = CSV_HEADS[EN if language(request.query_params.get("lang")) == EN else "zh"]

        def lines() -> Iterator[str]:
            yield "\ufeff" + _csv_line(list(heads))
            for t in ticket_rows(self.service, slug, first, last):
                yield _csv_line(self._csv_values(slug, t))

        name = f"tickets-{slug}-{first:%Y%m%d}-{last:%Y%m%d}.csv"
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers=disposition)

    def _csv_values(self, slug: str, t: TicketRow) -> list[Any]:
        def secs(v: float | None) -> str:
            return "" if v is None else f"{v:.0f}"

        return [
            t.number, t.service, t.priority, _local(t.issued_at, self.service, slug),
            _local(t.first_call, self.service, slug), "" if t.window is None else t.window, t.clerk,
            _local(t.started, self.service, slug), _local(t.finished, self.service, slug), t.outcome,
            secs(t.wait_s), secs(t.service_s), "" if t.rating is None else t.rating,
        ]  # fmt: skip

    async def print_page(self, request: Request) -> Response:
        """``GET /dashboard/{hall}/reports/print?period=month&from=`` (or ``period=range&from=&to=``)."""
        slug = await self._manager(request, "reports.print")
        q = query(request)
        period = q.str_("period", required=False, max_len=16) or "month"
        if period not in ("month", "range"):
            raise BadRequest(f"period: 只能是 month、range 之一 / query.period must be month or range, got {period!r}")
        if period == "month":
            first, last = month_of(q.date_("from", required=False) or self.service.business_day(slug))
        else:
            first, last = self._range(request, slug, MAX_DAYS)
        lang = language(request.query_params.get("lang"))
        book = await run_in_threadpool(gather, self.service, slug, first, last, lang)
        t = strings(STRINGS, lang)
        context = {
            "t": t,
            "lang": lang,
            "static": STATIC_URL,
            "book": book,
            "month": period == "month",
            "cols": columns(lang),
            "figure": figure,
            "sup": book.supervision,
            "words": bulletin(book, month=period == "month"),
        }
        return self.templates.TemplateResponse(request, "report_print.html", context)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/dashboard/{hall}/reports", self.page, methods=["GET"]),
            Route("/dashboard/{hall}/reports.xlsx", self.export, methods=["GET"]),
            Route("/dashboard/{hall}/reports/print", self.print_page, methods=["GET"]),
            Route("/dashboard/{hall}/reports/tickets.csv", self.tickets_csv, methods=["GET"]),
        ]


__all__ = ["ReportPages", "gather", "month_of"]
