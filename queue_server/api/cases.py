"""Follow-up cases (回访工单) over HTTP: list, read, assign, note, call back, resolve, close,
appeal and decide. Managers work every case of their hall; a clerk reads and appeals only the
cases of their own services. Every write goes through the gate (audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..domain import CALL_BACK_METHODS, CaseState
from ..errors import BadRequest, NotFound
from ..fields import Fields
from ..principal import Principal, Role
from ..queries.cases import case_counts, described, get_case, list_cases
from ..rules.cases import DUE_FILTERS
from .body import json_object, path_int, query
from .context import ApiContext
from .spec import Operation, Schema, integer, obj, string

CASE = "/api/halls/{hall}/cases/{ticket_id:int}"
TEXT = string(maxLength=500)


def _one_of(value: str | None, name: str, allowed: tuple[str, ...]) -> str | None:
    if value is not None and value not in allowed:
        known = ", ".join(allowed)
        raise BadRequest(f"字段 {name} 须为 {known} 之一 / {name} must be one of {known}, got {value!r}")
    return value


class CaseRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def _reader(self, request: Request, slug: str) -> Principal:
        """A manager of the hall, or a clerk of it (who then sees their own cases only)."""
        self.ctx.service.hall(slug)
        return await self.ctx.require(request, slug, lambda p: p.is_staff and p.in_hall(slug), "case.read")

    @staticmethod
    def _own_only(principal: Principal, slug: str) -> str | None:
        return None if principal.can_manage(slug) else principal.name

    async def cases(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        principal = await self._reader(request, slug)
        q = query(request)
        state = _one_of(q.str_("state", required=False, max_len=16), "query.state", tuple(s.value for s in CaseState))
        due = _one_of(q.str_("due", required=False, max_len=16), "query.due", DUE_FILTERS) or "all"
        clerk = self._own_only(principal, slug) or q.str_("clerk", required=False, max_len=64)
        service_code = q.str_("service", required=False, max_len=1)
        first, last = q.date_("from", required=False), q.date_("to", required=False)
        q.done()
        found = await run_in_threadpool(
            lambda: list_cases(
                self.ctx.service, slug, state=None if state is None else CaseState(state), due=due, clerk=clerk,
                service_code=service_code, first=first, last=last,
            )
        )  # fmt: skip
        counts = await run_in_threadpool(case_counts, self.ctx.service, slug)
        return JSONResponse({"cases": found, "counts": counts})

    async def counts(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "case.read")
        return JSONResponse(await run_in_threadpool(case_counts, self.ctx.service, slug))

    async def case(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        ticket_id = path_int(request, "ticket_id")
        principal = await self._reader(request, slug)
        found = await run_in_threadpool(get_case, self.ctx.service, slug, ticket_id)
        own = self._own_only(principal, slug)
        if own is not None and found["clerk"] != own:
            # A clerk learns nothing of another clerk's cases, not even that one exists.
            raise NotFound(f"票 {ticket_id} 没有回访工单 / ticket {ticket_id} has no follow-up case in {slug}")
        return JSONResponse(found)

    async def _write(
        self, request: Request, action: str, read: Callable[[Fields], dict[str, Any]], *, manager: bool = True
    ) -> Response:
        """Parse the body, check the caller, run ``service.<action>_case`` through the gate."""
        slug: str = request.path_params["hall"]
        ticket_id = path_int(request, "ticket_id")
        self.ctx.service.hall(slug)
        body = await json_object(request, optional=action == "close")
        kwargs = read(body)
        body.done()
        if manager:
            principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), f"case.{action}")
        else:
            principal = await self.ctx.require(
                request, slug, lambda p: p.role is Role.CLERK and p.in_hall(slug), f"case.{action}"
            )
        run = getattr(self.ctx.service, f"{action}_case")
        outcome = await self.ctx.act(
            request, principal, slug, f"case.{action}", f"ticket {ticket_id}", run, slug, ticket_id,
            by=principal.name, **kwargs,
        )  # fmt: skip
        return JSONResponse(await run_in_threadpool(described, self.ctx.service, slug, outcome.case))

    async def assign(self, request: Request) -> Response:
        return await self._write(request, "assign", lambda b: {"owner": b.req_str("owner", max_len=64)})

    async def note(self, request: Request) -> Response:
        return await self._write(request, "note", lambda b: {"text": b.req_str("text", max_len=500, lines=True)})

    async def call_back(self, request: Request) -> Response:
        def read(b: Fields) -> dict[str, Any]:
            method = _one_of(b.req_str("method", max_len=8), "body.method", CALL_BACK_METHODS)
            reached = b.data.get("reached")
            b.read.add("reached")
            if not isinstance(reached, bool):
                raise BadRequest("字段 reached 须为 true 或 false / body.reached is required: true or false")
            response = b.str_("response", required=reached, max_len=500, lines=True, default=None if reached else "")
            return {"method": method, "reached": reached, "response": response or ""}

        return await self._write(request, "call_back", read)

    async def resolve(self, request: Request) -> Response:
        def read(b: Fields) -> dict[str, Any]:
            text = b.req_str("text", max_len=500, lines=True)
            satisfied = b.data.get("satisfied")
            b.read.add("satisfied")
            if not isinstance(satisfied, bool):
                raise BadRequest("字段 satisfied 须为 true 或 false / body.satisfied is required: true or false")
            return {"text": text, "satisfied": satisfied}

        return await self._write(request, "resolve", read)

    async def close(self, request: Request) -> Response:
        return await self._write(request, "close", lambda b: {})

    async def appeal(self, request: Request) -> Response:
        return await self._write(
            request, "appeal", lambda b: {"reason": b.req_str("reason", max_len=500, lines=True)}, manager=False
        )

    async def decide(self, request: Request) -> Response:
        def read(b: Fields) -> dict[str, Any]:
            decision = _one_of(b.req_str("decision", max_len=16), "body.decision", ("upheld", "rejected"))
            return {"upheld": decision == "upheld", "note": b.req_str("note", max_len=500, lines=True)}

        return await self._write(request, "decide", read)


def case_operations(ctx: ApiContext) -> list[Operation]:
    """The cases' operations, for the router and the OpenAPI document."""
    c = CaseRoutes(ctx)
    manager = "a manager of the hall or an administrator"
    reader = "a manager of the hall; a clerk of the hall sees their own cases only"
    done: dict[int, tuple[str, Schema | None]] = {200: ("The case as stored now", {"type": "object"})}
    states = [s.value for s in CaseState]
    return [
        Operation("GET", "/api/halls/{hall}/cases", c.cases,
                  "回访工单: follow-up cases of 差评, by due date, with the counts still open, due soon and overdue",
                  "cases", reader,
                  query=(("state", string(enum=states), False), ("due", string(enum=list(DUE_FILTERS)), False),
                         ("clerk", string(), False), ("service", string(maxLength=1), False),
                         ("from", string(format="date"), False), ("to", string(format="date"), False)),
                  responses={200: ("Cases and counts", {"type": "object"})}),
        Operation("GET", "/api/halls/{hall}/cases/counts", c.counts,
                  "How many cases are still open, due within a working day, overdue", "cases", manager,
                  responses={200: ("Counts", obj(open=integer(), due_soon=integer(), overdue=integer()))}),
        Operation("GET", CASE, c.case, "One case with its notes, call-backs, resolution, appeal and history",
                  "cases", reader, responses=done),
        Operation("POST", f"{CASE}/assign", c.assign, "Name the case's owner (a manager or staff login)", "cases",
                  manager, body=obj(("owner",), owner=string(maxLength=64)), responses=done),
        Operation("POST", f"{CASE}/notes", c.note, "Add a note", "cases", manager,
                  body=obj(("text",), text=TEXT), responses=done),
        Operation("POST", f"{CASE}/call-back", c.call_back,
                  "Record a call-back (回访记录): how, whether the visitor was reached, their response", "cases",
                  manager, body=obj(("method", "reached"), method=string(enum=list(CALL_BACK_METHODS)),
                                    reached={"type": "boolean"}, response=TEXT), responses=done),
        Operation("POST", f"{CASE}/resolve", c.resolve,
                  "Resolve (解决情况): what was done and whether the visitor was satisfied after the call-back",
                  "cases", manager, body=obj(("text", "satisfied"), text=TEXT, satisfied={"type": "boolean"}),
                  responses=done),
        Operation("POST", f"{CASE}/close", c.close, "Close a resolved case, or one whose appeal was upheld",
                  "cases", manager, responses=done),
        Operation("POST", f"{CASE}/appeal", c.appeal, "申诉: the clerk concerned disputes the rating (once)",
                  "cases", "the clerk the case concerns, signed in as a clerk",
                  body=obj(("reason",), reason=TEXT), responses=done),
        Operation("POST", f"{CASE}/decide", c.decide, "Decide an appeal: upheld or rejected, with a note", "cases",
                  manager, body=obj(("decision", "note"), decision=string(enum=["upheld", "rejected"]), note=TEXT),
                  responses=done),
    ]  # fmt: skip
