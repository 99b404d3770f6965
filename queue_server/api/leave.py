"""Managers record who is away (请假, 外出, 培训) and what the hall's days are (the dashboard's
calendar dates beside the hall file's). Changes through the gate, reads through the queries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..queries.staffing import calendar_days, check_range, leave_between
from ..queries.staffing_views import plain
from ..staffing import CalendarDay
from .body import json_object, path_int, query
from .context import ApiContext
from .staffing_input import manager, path_day


def calendar_view(d: CalendarDay) -> dict[str, Any]:
    view: dict[str, Any] = plain(d)
    view["is_workday"] = d.is_workday
    return view


class LeaveRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    def _range(self, request: Request, slug: str) -> tuple[date, date]:
        """``?from=&to=`` (dates; ``from`` defaults to the business day, ``to`` to ``from``)."""
        q = query(request)
        first = q.date_("from", required=False) or self.ctx.service.business_day(slug)
        last = q.date_("to", required=False) or first
        check_range(first, last)
        return first, last

    # -- leave ---------------------------------------------------------------

    async def leave(self, request: Request) -> Response:
        """Leave overlapping the days ``from``..``to`` (the hall's days), of ``login`` if given."""
        slug: str = request.path_params["hall"]
        tz = self.ctx.service.hall(slug).tz
        await manager(self.ctx, request, slug, "leave.list")
        first, last = self._range(request, slug)
        login = query(request).str_("login", required=False, max_len=64)
        since = datetime.combine(first, time(0), tzinfo=tz)
        until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
        found = await run_in_threadpool(leave_between, self.ctx.service, slug, since, until, login)
        return JSONResponse({"leave": [plain(lv) for lv in found]})

    async def add_leave(self, request: Request) -> Response:
        """``login`` away over ``[start, end)``: ISO 8601 instants, without an offset the hall's time."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        body = await json_object(request)
        login = body.req_str("login", max_len=64)
        kind = body.req_str("kind", max_len=32)
        start = body.time("start", local_ok=True)
        end = body.time("end", local_ok=True)
        note = body.str_("note", required=False, max_len=200, default="") or ""
        body.done()
        assert start is not None and end is not None
        principal = await manager(self.ctx, request, slug, "leave.create")
        done = await self.ctx.act(
            request, principal, slug, "leave.create", f"staff {login}",
            self.ctx.service.add_leave, slug, login, kind, start, end, note, principal.name,
        )  # fmt: skip
        return JSONResponse(plain(done.value), status_code=201)

    async def delete_leave(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        leave_id = path_int(request, "leave_id")
        self.ctx.service.hall(slug)
        principal = await manager(self.ctx, request, slug, "leave.delete")
        done = await self.ctx.act(
            request, principal, slug, "leave.delete", f"leave {leave_id}",
            self.ctx.service.delete_leave, slug, leave_id, principal.name,
        )  # fmt: skip
        return JSONResponse(plain(done.value))

    # -- the hall's calendar -------------------------------------------------

    async def calendar(self, request: Request) -> Response:
        """What each day of ``from``..``to`` is: its kind, name, where that came from and
        whether the weekly pattern guessed it beyond the holiday data (``beyond_data``)."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await manager(self.ctx, request, slug, "calendar.list")
        first, last = self._range(request, slug)
        found = await run_in_threadpool(calendar_days, self.ctx.service, slug, first, last)
        return JSONResponse({"days": [calendar_view(d) for d in found]})

    async def set_day(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        day = path_day(request)
        self.ctx.service.hall(slug)
        body = await json_object(request)
        kind = body.req_str("kind", max_len=32)
        name = body.str_("name", required=False, max_len=100, default="") or ""
        body.done()
        principal = await manager(self.ctx, request, slug, "calendar.set")
        done = await self.ctx.act(
            request, principal, slug, "calendar.set", f"day {day}",
            self.ctx.service.set_calendar_day, slug, day, kind, name, principal.name,
        )  # fmt: skip
        return JSONResponse(calendar_view(done.value))

    async def clear_day(self, request: Request) -> Response:
        """Drop the dashboard's date: the hall file's (or the national calendar) holds again."""
        slug: str = request.path_params["hall"]
        day = path_day(request)
        self.ctx.service.hall(slug)
        principal = await manager(self.ctx, request, slug, "calendar.clear")
        await self.ctx.act(
            request, principal, slug, "calendar.clear", f"day {day}",
            self.ctx.service.clear_calendar_day, slug, day, principal.name,
        )  # fmt: skip
        found = await run_in_threadpool(calendar_days, self.ctx.service, slug, day, day)
        return JSONResponse(calendar_view(found[0]))
