"""规划's "simulate this roster" and the what-if comparison over HTTP, for the hall's managers.

A day of ~20 windows × 10 replications runs in a fraction of a second, so both answer at once,
computed in a worker thread (no job to poll). Nothing is stored."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import BadRequest
from ..fields import Fields
from ..queries.planning_sim import ROSTERS
from ..queries.planning_whatif import MAX_REPLICATIONS, MAX_VARIATIONS, compare_view, simulate_view
from ..rules.whatif import MAX_CUT
from .body import json_object
from .context import ApiContext
from .staffing_input import clock_time, finish, items, manager, number

KINDS = ("departmental", "add_clerk", "noon", "service_time")
MAX_CLERKS = 50
MAX_SEED = 2**31 - 1


def _common(body: Fields) -> tuple[date, str, int, int]:
    day = body.date_("day")
    assert day is not None
    roster = body.str_("roster", required=False, max_len=16) or "published"
    if roster not in ROSTERS:
        raise BadRequest(f"字段 roster 无效 / body.roster must be one of {', '.join(ROSTERS)}")
    replications = body.int_("replications", lo=1, hi=MAX_REPLICATIONS, required=False) or 10
    seed = body.int_("seed", lo=0, hi=MAX_SEED, required=False)
    return day, roster, replications, 1 if seed is None else seed


def variation(f: Fields, services: set[str]) -> dict[str, Any]:
    """One variation of the body, checked field by field (times as ``datetime.time``)."""
    kind = f.req_str("kind", max_len=32)
    if kind not in KINDS:
        raise BadRequest(f"字段 kind 无效 / {f.where}.kind must be one of {', '.join(KINDS)}")
    spec: dict[str, Any] = {"kind": kind}
    if kind == "add_clerk":
        start, end = clock_time(f, "from"), clock_time(f, "to")
        assert start is not None and end is not None
        if end <= start:
            raise BadRequest(f"字段 to 无效 / {f.where}.to must be after from ({start:%H:%M})")
        spec.update({"from": start, "to": end, "count": f.req_int("count", lo=-MAX_CLERKS, hi=MAX_CLERKS)})
    elif kind == "noon":
        f.read.add("on")
        on = f.data.get("on")
        if not isinstance(on, bool):
            raise BadRequest(f"字段 on 无效 / {f.where}.on must be true or false")
        spec["on"] = on
    elif kind == "service_time":
        code = f.req_str("service", max_len=8)
        if code not in services:
            raise BadRequest(f"字段 service 无效 / {f.where}.service: no service {code!r} in this hall")
        if f.data.get("cut") is None:
            raise BadRequest(f"缺少字段 cut / {f.where}.cut is required")
        cut = number(f, "cut", default=0.0)
        if not 0 <= cut <= MAX_CUT:
            raise BadRequest(f"字段 cut 无效 / {f.where}.cut must be between 0 and {MAX_CUT}")
        spec.update({"service": code, "cut": cut})
    finish(f)
    return spec


class PlanningSimRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def simulate(self, request: Request) -> Response:
        """The day with the roster's windows, ``replications`` seeded runs summed up."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        body = await json_object(request)
        day, roster, replications, seed = _common(body)
        body.done()
        await manager(self.ctx, request, slug, "planning.simulate")
        answer = await run_in_threadpool(simulate_view, self.ctx.service, slug, day, roster, replications, seed)
        return JSONResponse(answer)

    async def compare(self, request: Request) -> Response:
        """The day as planned against each variation, all with the same seed."""
        slug: str = request.path_params["hall"]
        hall = self.ctx.service.hall(slug)
        body = await json_object(request)
        day, roster, replications, seed = _common(body)
        listed = items(body, "variations", max_items=MAX_VARIATIONS, required=True) or []
        if not listed:
            raise BadRequest("字段 variations 无效 / body.variations must hold at least one variation")
        codes = {s.code for s in hall.services}
        specs = [variation(f, codes) for f in listed]
        body.done()
        await manager(self.ctx, request, slug, "planning.compare")
        answer = await run_in_threadpool(compare_view, self.ctx.service, slug, day, roster, specs, replications, seed)
        return JSONResponse(answer)


__all__ = ["PlanningSimRoutes"]
