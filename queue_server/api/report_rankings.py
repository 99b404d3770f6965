"""Rankings (周排名, 月通报) and the period's supervision figures (差评 follow-ups on time,
attendance) over HTTP, for the hall's managers; both read the report summary and the existing
reads, nothing of their own is stored."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..queries.report_rankings import MIN_BASIS, rankings
from ..queries.report_supervision import supervision
from ..queries.reports import MAX_DAYS, check_report_range
from ..rules.report_rankings import MEASURES, OF, PERIODS, check_choice
from .body import query
from .context import ApiContext
from .reports import report_period
from .spec import Operation, Schema, integer, string
from .staffing_input import manager

ANY: Schema = {"type": "object"}


class RankingRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def rankings(self, request: Request) -> Response:
        """``?period=week|month|range&from=&to=&of=&measure=&min_tickets=``: ``from`` defaults to the
        business day; ``to`` is read for a range only (its default: ``from``)."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await manager(self.ctx, request, slug, "reports.rankings")
        q = query(request)
        period = check_choice("period", q.str_("period", required=False, max_len=16), PERIODS, "week")
        of = check_choice("of", q.str_("of", required=False, max_len=16), OF, "window")
        measure = check_choice("measure", q.str_("measure", required=False, max_len=32), list(MEASURES), "within_share")
        first = q.date_("from", required=False) or self.ctx.service.business_day(slug)
        last = q.date_("to", required=False) if period == "range" else None
        least = q.int_("min_tickets", lo=0, hi=100_000, required=False)
        if last is not None:
            check_report_range(first, last)
        found = await run_in_threadpool(
            lambda: rankings(
                self.ctx.service, slug, period=period, first=first, last=last, of=of, measure=measure,
                min_basis=MIN_BASIS if least is None else least,
            )
        )  # fmt: skip
        return JSONResponse(found)

    async def supervision(self, request: Request) -> Response:
        """``?from=&to=``: ``to`` defaults to the business day, ``from`` to ``to``."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await manager(self.ctx, request, slug, "reports.supervision")
        first, last = report_period(request, self.ctx, slug)
        return JSONResponse(await run_in_threadpool(supervision, self.ctx.service, slug, first, last))


def report_ranking_operations(ctx: ApiContext) -> list[Operation]:
    r = RankingRoutes(ctx)
    manager = "a manager of the hall or an administrator"
    dates = (("from", string(format="date"), False), ("to", string(format="date"), False))
    measures = ", ".join(f"{m.code} ({m.better} is better)" for m in MEASURES.values())
    return [
        Operation("GET", "/api/halls/{hall}/reports/rankings", r.rankings,
                  "周排名 / 月通报: the hall's windows, clerks or services ranked by one measure over a week, a month "
                  f"or a range, with the previous period's value and rank and the change; measures: {measures}; "
                  f"groups standing on fewer than min_tickets (default {MIN_BASIS}) tickets or ratings are listed "
                  "last, unranked (too_few); ties share a rank", "reports", manager,
                  query=(*dates, ("period", string(enum=list(PERIODS)), False), ("of", string(enum=list(OF)), False),
                         ("measure", string(enum=list(MEASURES)), False),
                         ("min_tickets", integer(minimum=0, maximum=100_000), False)),
                  responses={200: ("The ranked rows", ANY)}),
        Operation("GET", "/api/halls/{hall}/reports/supervision", r.supervision,
                  "电子监察 of a period: the 差评 follow-up cases rated in it (opened, done, done on time, overdue, "
                  f"the on-time share) and attendance per clerk (late, left early, absent), at most {MAX_DAYS} days",
                  "reports", manager, query=dates, responses={200: ("Follow-ups and attendance", ANY)}),
    ]  # fmt: skip


__all__ = ["RankingRoutes", "report_ranking_operations"]
