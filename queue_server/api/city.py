"""The city over HTTP: every hall below a hall, live and over a period, side by side, for the
city managers whose reach holds that hall and for administrators (a hall manager gets a 403,
audited, even for their own hall: the city view is the city's)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..principal import Principal
from ..queries.city import MEASURES, check_measure, city_live, city_reports
from ..queries.reports import MAX_DAYS
from .body import query
from .context import ApiContext
from .reports import report_period
from .spec import Operation, Schema, string

ANY: Schema = {"type": "object"}


class CityRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def _overseer(self, request: Request, action: str) -> tuple[str, Principal]:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)  # 404 for a hall the server does not run
        principal = await self.ctx.require(request, slug, lambda p: p.can_oversee(slug), action)
        return slug, principal

    async def live(self, request: Request) -> Response:
        slug, _ = await self._overseer(request, "city.live")
        return JSONResponse(await run_in_threadpool(city_live, self.ctx.service, slug))

    async def reports(self, request: Request) -> Response:
        """``?from=&to=&measure=``: ``to`` defaults to the hall's business day, ``from`` to ``to``."""
        slug, _ = await self._overseer(request, "city.reports")
        measure = check_measure(query(request).str_("measure", required=False, max_len=32))
        first, last = report_period(request, self.ctx, slug)
        found = await run_in_threadpool(city_reports, self.ctx.service, slug, first, last, measure)
        return JSONResponse(found)


def city_operations(ctx: ApiContext) -> list[Operation]:
    c = CityRoutes(ctx)
    who = "a city manager whose halls include it, or an administrator"
    dates = (("from", string(format="date"), False), ("to", string(format="date"), False))
    return [
        Operation("GET", "/api/cities/{hall}/live", c.live,
                  "The hall and every hall below it (level, parent), each with its windows open, people "
                  "waiting, the longest wait in seconds and its alerts (缺岗, overdue 差评 follow-ups, devices "
                  "offline)", "city", who, responses={200: ("The halls, the top one first", ANY)}),
        Operation("GET", "/api/cities/{hall}/reports", c.reports,
                  "Each hall's report totals over from..to side by side (at most "
                  f"{MAX_DAYS} days), ranked on a measure, with the rank over the previous period of the "
                  "same length and the places moved up", "city", who,
                  query=(*dates, ("measure", string(enum=list(MEASURES)), False)),
                  responses={200: ("The halls, best first", ANY)}),
    ]  # fmt: skip


__all__ = ["CityRoutes", "city_operations"]
