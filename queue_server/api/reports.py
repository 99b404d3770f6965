"""报表 over HTTP for the hall's managers: the summary of any range of days, grouped by one
dimension, and the rebuild of the per-day cells from the raw log (audited, through the gate)."""

from __future__ import annotations

from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..commands.report_fold import ReportFolder
from ..errors import BadRequest
from ..queries.reports import MAX_DAYS, check_by, check_report_range, summary
from ..rules.report_hist import PERCENTILE_ERROR_S
from ..rules.report_view import GROUPS
from .body import json_object, query
from .context import ApiContext
from .spec import Operation, Schema, obj, string
from .staffing_input import manager

ANY: Schema = {"type": "object"}


def report_period(request: Request, ctx: ApiContext, slug: str) -> tuple[date, date]:
    """A report's ``?from=&to=``: ``to`` defaults to the hall's business day, ``from`` to ``to``;
    a bad date or range is a 400 naming it."""
    q = query(request)
    last = q.date_("to", required=False) or ctx.service.business_day(slug)
    first = q.date_("from", required=False) or last
    check_report_range(first, last)
    return first, last


class ReportRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self.folder = ReportFolder(ctx.service)

    async def summary(self, request: Request) -> Response:
        """``?from=&to=&by=``: ``to`` defaults to the business day, ``from`` to ``to``."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await manager(self.ctx, request, slug, "reports.summary")
        by = check_by(query(request).str_("by", required=False, max_len=16))
        first, last = report_period(request, self.ctx, slug)
        return JSONResponse(await run_in_threadpool(summary, self.ctx.service, slug, first, last, by))

    async def rebuild(self, request: Request) -> Response:
        """Recompute the cells of the months of ``from..to`` (both absent: every day) from the raw log."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        principal = await manager(self.ctx, request, slug, "reports.rebuild")
        body = await json_object(request, optional=True)
        first = body.date_("from", required=False)
        last = body.date_("to", required=False)
        body.done()
        if (first is None) != (last is None):
            name = "to" if last is None else "from"
            raise BadRequest(f"缺少字段 {name}（from 与 to 须同时给出）/ body.{name} is required with the other end")
        if first is not None and last is not None:
            check_report_range(first, last)
        target = f"{first}..{last}" if first else "all"
        done = await self.ctx.act(
            request, principal, slug, "reports.rebuild", target, self.folder.rebuild, slug, first, last
        )
        return JSONResponse({"hall": slug, **done})


def report_operations(ctx: ApiContext) -> list[Operation]:
    r = ReportRoutes(ctx)
    manager = "a manager of the hall or an administrator"
    dates = (("from", string(format="date"), False), ("to", string(format="date"), False))
    return [
        Operation("POST", "/api/halls/{hall}/reports/rebuild", r.rebuild,
                  "Recompute the report cells of the months of from..to (both absent: every day) from the raw "
                  "event log (audited)", "reports", manager,
                  body=obj((), **{"from": string(format="date"), "to": string(format="date")}),
                  responses={200: ("The days rebuilt, the cells written and the event seq they reach", ANY)}),
        Operation("GET", "/api/halls/{hall}/reports/summary", r.summary,
                  "报表: issued, served, no-show, cancelled, transferred; wait and service time (mean, p50, p90 within "
                  f"{PERCENTILE_ERROR_S:g} s, max); called within the target; noon service; appointments kept; "
                  f"ratings and 满意率, over business days from..to (at most {MAX_DAYS}; the business day by "
                  "default), in total and one row per group", "reports", manager,
                  query=(*dates, ("by", string(enum=list(GROUPS)), False)),
                  responses={200: ("Totals and rows", ANY)}),
    ]  # fmt: skip


__all__ = ["ReportRoutes", "report_operations"]
