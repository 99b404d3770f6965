"""The roster against the hall now, and attendance (考勤), over HTTP: read-only, for managers
(the dashboard's 缺岗 alert and the reports' attendance table)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import BadRequest
from ..queries.roster_now import RosterNow, attendance_of, roster_now
from ..rules.roster_presence import Attendance
from .body import query
from .context import ApiContext
from .staffing_input import manager


def _at(value: datetime | None, tz: tzinfo) -> str | None:
    return value.astimezone(tz).isoformat() if value is not None else None


def now_view(found: RosterNow, tz: tzinfo) -> dict[str, Any]:
    def person(login: str | None) -> dict[str, str] | None:
        if login is None:
            return None
        member = found.staff.get(login)
        return {"login": login, "name": member.name if member else login}

    return {
        "at": _at(found.at, tz),
        "windows": [
            {
                "window": w.window,
                "login": w.login,
                "name": (person(w.login) or {}).get("name"),
                "post": w.post,
                "state": w.state,
                "lunch_start": _at(w.lunch_start, tz),
                "lunch_end": _at(w.lunch_end, tz),
                "cover_window": w.cover_window,
                "window_state": w.window_state,
                "unrostered": w.unrostered,
            }
            for w in found.windows
        ],
        "absences": [
            {
                "login": a.login,
                "name": (person(a.login) or {}).get("name"),
                "window": a.window,
                "post": a.post,
                "since": _at(a.since, tz),
                "backup": person(a.backup),
            }
            for a in found.absences
        ],
    }


def attendance_view(row: Attendance, tz: tzinfo) -> dict[str, Any]:
    return {
        "login": row.login,
        "day": row.day.isoformat(),
        "duty_start": _at(row.duty_start, tz),
        "duty_end": _at(row.duty_end, tz),
        "first_open": _at(row.first_open, tz),
        "last_close": _at(row.last_close, tz),
        "late_minutes": row.late_minutes,
        "early_minutes": row.early_minutes,
        "absent": row.absent,
        "upcoming": row.upcoming,
        "on_leave": row.on_leave,
    }


class RosterNowRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def now(self, request: Request) -> Response:
        """Each window against the published roster now, and the posts unmanned (缺岗)."""
        slug: str = request.path_params["hall"]
        hall = self.ctx.service.hall(slug)
        await manager(self.ctx, request, slug, "roster.now")
        found = await run_in_threadpool(roster_now, self.ctx.service, slug)
        return JSONResponse(now_view(found, hall.tz))

    async def attendance(self, request: Request) -> Response:
        """考勤 of the days ``from``..``to`` (default: the business day; ``to`` defaults to ``from``)."""
        slug: str = request.path_params["hall"]
        hall = self.ctx.service.hall(slug)
        await manager(self.ctx, request, slug, "attendance.read")
        q = query(request)
        first = q.date_("from", required=False) or self.ctx.service.business_day(slug)
        last = q.date_("to", required=False) or first
        if last < first:
            raise BadRequest(f"to: 结束日期早于开始日期 / query.to: {last} is before query.from {first}")
        rows = await run_in_threadpool(attendance_of, self.ctx.service, slug, first, last)
        names = {m.login: m.name for m in await run_in_threadpool(self.ctx.service.staff, slug)}
        return JSONResponse(
            {
                "from": first.isoformat(),
                "to": last.isoformat(),
                "rows": [{**attendance_view(r, hall.tz), "name": names.get(r.login, r.login)} for r in rows],
            }
        )


__all__ = ["RosterNowRoutes", "attendance_view", "now_view"]
