"""规划 (planning) over HTTP, read-only, for the hall's managers: the forecast of a range of days,
the forecast against what happened on past days, and the windows each quarter hour needs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import BadRequest
from ..queries.planning import Plan, accuracy_view, check_plan_range, forecast_view, plan, required_view
from ..queries.planning_check import checked_needs
from .body import query
from .context import ApiContext
from .staffing_input import manager

DEFAULT_DAYS = 7  # a week, ahead or back, when the range is not given
MAX_CHECK_DAYS = 31  # the twin's check of a month takes seconds; longer would hold the request


class PlanningRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    def _range(self, request: Request, slug: str, *, past: bool) -> tuple[date, date]:
        """``?from=&to=``; absent, the week from today (``past``: the week before today), and a
        week from (or to) the one given."""
        q = query(request)
        today = self.ctx.service.business_day(slug)
        first = q.date_("from", required=False)
        last = q.date_("to", required=False)
        week = timedelta(days=DEFAULT_DAYS - 1)
        if past:
            last = last or (first + week if first else today - timedelta(days=1))
            first = first or last - week
        else:
            first = first or (last - week if last else today)
            last = last or first + week
        check_plan_range(first, last)
        if past and first >= today:
            # Nothing can have been recorded yet: a question the hall cannot answer, not an empty one.
            raise BadRequest(
                f"from: 须早于今天 {today} / query.from must be before today ({today}): no day of the range is past"
            )
        return first, last

    async def _answer(
        self, request: Request, action: str, view: Callable[[Plan], dict[str, Any]], *, past: bool = False
    ) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        first, last = self._range(request, slug, past=past)
        await manager(self.ctx, request, slug, action)

        def work() -> dict[str, Any]:
            return {"hall": slug, "from": first.isoformat(), "to": last.isoformat(), **view(plan(
                self.ctx.service, slug, first, last))}  # fmt: skip

        return JSONResponse(await run_in_threadpool(work))

    async def forecast(self, request: Request) -> Response:
        """Expected arrivals per day, per quarter hour and per service; service times and no-shows."""
        return await self._answer(request, "planning.forecast", forecast_view)

    async def accuracy(self, request: Request) -> Response:
        """Past days: the forecast made on each day's eve against its arrivals, MAPE per day."""
        return await self._answer(request, "planning.accuracy", accuracy_view, past=True)

    async def required(self, request: Request) -> Response:
        """Windows each quarter hour needs for the hall's target (Erlang C), with the target;
        ``?check=1``: also as the twin's simulation corrects them (at most a month at once)."""
        slug: str = request.path_params["hall"]
        if not query(request).flag("check"):
            return await self._answer(request, "planning.required", required_view)
        service = self.ctx.service

        def checked(p: Plan) -> dict[str, Any]:
            if len(p.days) > MAX_CHECK_DAYS:
                raise BadRequest(
                    f"to: 仿真校核一次最多 {MAX_CHECK_DAYS} 天 / with check=1 the range covers at most "
                    f"{MAX_CHECK_DAYS} days (from..to has {len(p.days)})"
                )
            sized = checked_needs(service, slug, p)
            return required_view(p, {k: n.windows for k, n in sized.items()})

        return await self._answer(request, "planning.required", checked)


__all__ = ["PlanningRoutes"]
