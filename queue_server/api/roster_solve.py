"""自动排班 over HTTP: a manager starts a solve of a range (202, a job), then reads its progress
and outcome; the answer is saved as the draft of its days through the gate (audited as
``roster.save``, the start as ``roster.solve``)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..commands.gate import Actor
from ..commands.roster_jobs import RosterJobs, Solved, SolveJob, busy_error, solve_and_save
from ..queries.roster_input import (
    DEFAULT_TIME_LIMIT_S,
    check_demand,
    check_solve_range,
    check_time_limit,
    roster_problem,
)
from ..rules.roster_problem import RosterAnswer, Violation
from ..staffing import SLOT_MINUTES
from .body import json_object, path_str
from .context import ApiContext, actor
from .staffing_input import manager, number


def hhmm(slot: int | None) -> str | None:
    """A slot's start as ``HH:MM`` (slot 96, the day's end, is 24:00)."""
    if slot is None:
        return None
    minutes = slot * SLOT_MINUTES
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def violation_view(v: Violation) -> dict[str, Any]:
    return {
        "rule": v.rule.value,
        "day": v.day.isoformat() if v.day else None,
        "slot_start": hhmm(v.slot),
        "slot_end": hhmm(v.slot_end),
        "service": v.service,
        "post": v.post,
        "login": v.login,
        "zh": v.zh,
        "en": v.en,
        "amount": v.amount,
    }


def answer_view(a: RosterAnswer) -> dict[str, Any]:
    p = a.penalties
    return {
        "status": a.status.value,
        "hard_ok": a.hard_ok,
        "violations": [violation_view(v) for v in a.violations],
        "penalties": {
            "noon_spread": p.noon_spread,
            "weekend_spread": p.weekend_spread,
            "changes": p.changes,
            "a_absent": p.a_absent,
        },
        "stages": [
            {
                "name": s.name,
                "status": s.status,
                "objective": s.objective,
                "bound": s.bound,
                "wall_s": round(s.wall_s, 3),
            }
            for s in a.stages
        ],
        "wall_s": round(a.wall_s, 3),
        "assignments": len(a.assignments),
    }


def job_view(job: SolveJob, now: float) -> dict[str, Any]:
    return {
        "job": job.id,
        "hall": job.hall,
        "first": job.first.isoformat(),
        "last": job.last.isoformat(),
        "by": job.by,
        "state": job.state,
        "stage": job.stage,
        "elapsed_s": round(job.elapsed(now), 3),
        "time_limit_s": job.time_limit_s,
        "progress": round(job.progress(now), 3),
        "answer": answer_view(job.answer) if job.answer is not None else None,
        "roster_id": job.roster_id,
        "error": job.error,
    }


class RosterSolveRoutes:
    def __init__(self, ctx: ApiContext, jobs: RosterJobs | None = None) -> None:
        self.ctx = ctx
        self.jobs = jobs or RosterJobs(ctx.monotonic)

    async def start(self, request: Request) -> Response:
        """Solve ``first``..``last`` in the background (202 with the job); 409 while the hall's
        previous solve still runs."""
        slug: str = request.path_params["hall"]
        service = self.ctx.service
        service.hall(slug)
        body = await json_object(request)
        first, last = body.date_("first"), body.date_("last")
        limit = number(body, "time_limit_s", default=DEFAULT_TIME_LIMIT_S)
        # "planner": the windows the planner sizes per slot; "staffed": what the staff can give.
        demand = body.str_("demand", required=False, max_len=16) or "staffed"
        body.done()
        assert first is not None and last is not None
        check_solve_range(first, last)
        check_time_limit(limit)
        check_demand(demand)
        principal = await manager(self.ctx, request, slug, "roster.solve")
        who = actor(request, principal)
        target = f"roster {first}..{last}"
        await self._not_busy(who, slug, target)
        problem = await run_in_threadpool(roster_problem, service, slug, first, last, limit, demand)
        await self._not_busy(who, slug, target)  # another request may have started one meanwhile

        async def work(job: SolveJob) -> Solved:
            # Saved through the gate: audited like a manager's own roster.save.
            return await self.ctx.gate.run(
                who, slug, "roster.save", f"{target} (自动排班 job {job.id})",
                solve_and_save, service, problem, principal.name, job,
            )  # fmt: skip

        job = self.jobs.start(slug, first, last, limit, principal.name, work)
        detail = {"job": job.id, "time_limit_s": limit}
        await self.ctx.gate.audit(who, "roster.solve", "ok", slug, target, detail)
        return JSONResponse({"job": job.id, "state": job.state}, status_code=202)

    async def _not_busy(self, who: Actor, slug: str, target: str) -> None:
        """409 (audited) while the hall's previous solve runs."""
        busy = self.jobs.running(slug)
        if busy is not None:
            detail = {"error": "conflict", "job": busy.id}
            await self.ctx.gate.audit(who, "roster.solve", "rejected", slug, target, detail)
            raise busy_error(busy)

    async def status(self, request: Request) -> Response:
        """Where the job is: its stage and progress while running, the answer and the draft it
        saved once done, the error if it failed."""
        slug: str = request.path_params["hall"]
        job_id = path_str(request, "job", 32)
        self.ctx.service.hall(slug)
        await manager(self.ctx, request, slug, "roster.solve.read")
        job = self.jobs.job(slug, job_id)
        return JSONResponse(job_view(job, self.ctx.monotonic()))


__all__ = ["RosterSolveRoutes", "answer_view", "job_view"]
