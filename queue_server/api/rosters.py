"""Rosters (排班表) over HTTP: managers save drafts, publish them, pin duties, and read the
rosters of a range, one roster, the week grid and the noon coverage; a clerk reads their own
duties. Changes through the gate (audited), reads through the queries."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..commands.rosters import roster_head
from ..errors import NotFound
from ..fields import Fields
from ..queries.roster_now import my_cover
from ..queries.rosters import Duties, my_duties, noon_coverage_of, roster, roster_range, week_grid
from ..queries.staffing_views import plain
from ..rules.roster_coverage import NoonCoverage
from ..staffing import Assignment
from .body import json_object, path_int, query
from .context import ApiContext
from .staffing_input import finish, items, manager

MAX_ASSIGNMENTS = 5000  # more than a quarter of a large hall; the body's size limit comes first


def assignment_of(f: Fields, slug: str) -> Assignment:
    """One duty of a roster body: instants in ISO 8601, without an offset the hall's time."""
    day = f.date_("day")
    login = f.req_str("login", max_len=64)
    shift = f.req_str("shift", max_len=64)
    post = f.str_("post", required=False, max_len=64) or None
    start, end = f.time("start", local_ok=True), f.time("end", local_ok=True)
    lunch_start = f.time("lunch_start", required=False, local_ok=True)
    lunch_end = f.time("lunch_end", required=False, local_ok=True)
    pinned = f.bool_("pinned")
    finish(f)
    assert day is not None and start is not None and end is not None
    return Assignment(slug, day, login, shift, post, start, end, lunch_start, lunch_end, pinned)


def duties_view(d: Duties) -> dict[str, Any]:
    return {
        "login": d.login,
        "day": d.day.isoformat(),
        "today": plain(d.today),
        "week": [{"day": day.isoformat(), "duties": plain(duties)} for day, duties in d.week],
        "leave": plain(d.leave),
    }


def noon_view(c: NoonCoverage) -> dict[str, Any]:
    return {
        "day": c.day.isoformat(),
        "services": list(c.services),
        "covered": c.covered,
        "slots": [
            {
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "on_duty": list(s.on_duty),
                "count": s.count,
                "min_windows": s.min_windows,
                "short": s.short,
                "gaps": list(s.gaps),
            }
            for s in c.slots
        ],
    }


class RosterRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    def _day(self, q: Fields, slug: str) -> date:
        return q.date_("day", required=False) or self.ctx.service.business_day(slug)

    # -- reads -----------------------------------------------------------------

    async def rosters(self, request: Request) -> Response:
        """The published versions in force on some day of ``from``..``to`` and the drafts
        overlapping it (without their duties: ``GET …/rosters/{id}`` has them)."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await manager(self.ctx, request, slug, "roster.list")
        q = query(request)
        first = q.date_("from", required=False) or self.ctx.service.business_day(slug)
        last = q.date_("to", required=False) or first
        found = await run_in_threadpool(roster_range, self.ctx.service, slug, first, last)
        return JSONResponse(
            {
                "first": found.first.isoformat(),
                "last": found.last.isoformat(),
                "published": [roster_head(r) for r in found.published],
                "drafts": [roster_head(r) for r in found.drafts],
                "in_force": {d.isoformat(): rid for d, rid in sorted(found.in_force.items())},
            }
        )

    async def roster(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        roster_id = path_int(request, "roster_id")
        self.ctx.service.hall(slug)
        await manager(self.ctx, request, slug, "roster.read")
        found = await run_in_threadpool(roster, self.ctx.service, slug, roster_id)
        if found is None:
            raise NotFound(f"没有排班表 {roster_id} / roster {roster_id} does not exist in {slug}")
        return JSONResponse(plain(found))

    async def week(self, request: Request) -> Response:
        """Staff × the seven days of the week holding ``day``; ``draft``: the drafts stand in."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await manager(self.ctx, request, slug, "roster.week")
        q = query(request)
        day, draft = self._day(q, slug), q.flag("draft")
        grid = await run_in_threadpool(lambda: week_grid(self.ctx.service, slug, day, draft=draft))
        return JSONResponse(plain(grid))

    async def noon(self, request: Request) -> Response:
        """``day``'s noon period per slot: who is on duty, and the services nobody on duty serves."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await manager(self.ctx, request, slug, "roster.noon")
        q = query(request)
        day, draft = self._day(q, slug), q.flag("draft")
        coverage = await run_in_threadpool(lambda: noon_coverage_of(self.ctx.service, slug, day, draft=draft))
        return JSONResponse(noon_view(coverage))

    async def my_duties(self, request: Request) -> Response:
        """The caller's published duties of ``day`` and its week, and their leave; a manager
        may ask for anyone's (``login``)."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        q = query(request)
        asked = q.str_("login", required=False, max_len=64)
        principal = await self.ctx.require(
            request,
            slug,
            lambda p: p.is_staff and p.in_hall(slug) and (asked in (None, p.name) or p.can_manage(slug)),
            "duties.read",
        )
        day = self._day(q, slug)
        login = asked or principal.name
        found = await run_in_threadpool(my_duties, self.ctx.service, slug, login, day)
        view = duties_view(found)
        # Where the clerk's visitors go while they are at lunch now (today's answer only).
        today = day == self.ctx.service.business_day(slug)
        view["cover_window"] = await run_in_threadpool(my_cover, self.ctx.service, slug, login) if today else None
        return JSONResponse(view)

    # -- changes ---------------------------------------------------------------

    async def save(self, request: Request) -> Response:
        """A draft of ``first``..``last``: it replaces the hall's drafts of those days."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        body = await json_object(request)
        first, last = body.date_("first"), body.date_("last")
        found = items(body, "assignments", max_items=MAX_ASSIGNMENTS, required=True) or []
        assignments = [assignment_of(f, slug) for f in found]
        body.done()
        assert first is not None and last is not None
        principal = await manager(self.ctx, request, slug, "roster.save")
        done = await self.ctx.act(
            request, principal, slug, "roster.save", f"roster {first}..{last}",
            self.ctx.service.save_roster, slug, first, last, assignments, principal.name,
        )  # fmt: skip
        return JSONResponse(plain(done.value), status_code=201)

    async def publish(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        roster_id = path_int(request, "roster_id")
        self.ctx.service.hall(slug)
        principal = await manager(self.ctx, request, slug, "roster.publish")
        done = await self.ctx.act(
            request, principal, slug, "roster.publish", f"roster {roster_id}",
            self.ctx.service.publish_roster, slug, roster_id, principal.name,
        )  # fmt: skip
        return JSONResponse(plain(done.value))

    async def pin(self, request: Request) -> Response:
        """Pin (or, with ``pinned: false``, unpin) ``login``'s duty on ``day`` in a draft;
        ``start`` picks one of several duties that day."""
        slug: str = request.path_params["hall"]
        roster_id = path_int(request, "roster_id")
        self.ctx.service.hall(slug)
        body = await json_object(request)
        login = body.req_str("login", max_len=64)
        day = body.date_("day")
        pinned = body.bool_("pinned", default=True)
        start = body.time("start", required=False, local_ok=True)
        body.done()
        assert day is not None
        principal = await manager(self.ctx, request, slug, "roster.pin")
        done = await self.ctx.act(
            request, principal, slug, "roster.pin", f"roster {roster_id} {login} {day}",
            lambda: self.ctx.service.pin_assignment(
                slug, roster_id, login, day, pinned, start=start, by=principal.name
            ),
        )  # fmt: skip
        return JSONResponse(plain(done.value))
