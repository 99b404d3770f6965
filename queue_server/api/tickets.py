"""Visitors and kiosks: the hall's public face, taking a number, following it."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..auth.service import client_ip
from ..domain import NORMAL_CLASS
from ..errors import Forbidden
from ..queries.hall import hall_view
from ..queries.tickets import status_view, ticket_by_token, ticket_status, track_url
from ..service import Issued
from .body import json_object, path_int
from .context import ApiContext


def issued_view(issued: Issued) -> dict[str, Any]:
    t = issued.ticket
    return {
        "id": t.id,
        "number": t.number,
        "service": t.service,
        "priority": t.priority,
        "ahead": issued.ahead,
        "estimated_wait_s": issued.estimated_wait_s,
        "no_open_window": issued.estimated_wait_s is None,
        "issued_at": t.issued_at.isoformat(),
        "token": t.token,
        "track_url": track_url(t),
    }


class TicketRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def hall(self, request: Request) -> Response:
        slug = request.path_params["hall"]
        return JSONResponse(await run_in_threadpool(hall_view, self.ctx.service, slug))

    async def issue(self, request: Request) -> Response:
        slug = request.path_params["hall"]
        self.ctx.service.hall(slug)  # 404 before anything else
        body = await json_object(request)
        service = body.req_str("service", max_len=1)
        priority = body.str_("priority", required=False, max_len=32, default=NORMAL_CLASS)
        assert priority is not None
        print_on = body.str_("print", required=False, max_len=63)
        body.done()
        caller = await self.ctx.caller(request)
        principal = caller.principal if caller else None
        if caller is not None and principal is not None:
            if not principal.can_issue(slug):
                await self.ctx.audit(request, principal, "ticket.issue", "denied", slug)
                raise Forbidden(f"无权在此大厅取号 / {principal.name} may not issue tickets in {slug}")
            self.ctx.auth.check_csrf(request, caller)
            self.ctx.limit_issue(principal.name, kiosk=True)
        else:
            if print_on is not None:
                raise Forbidden("只有取号机可以打印小票 / only a kiosk prints ticket slips")
            if priority != NORMAL_CLASS:
                # A phone cannot prove age or disability: priority classes are given at the kiosk or by staff.
                raise Forbidden("优先取号请到取号机或咨询台 / priority tickets are issued at the kiosk or the desk")
            self.ctx.limit_issue(f"ip:{client_ip(request)}", kiosk=False)
        issue = self.ctx.service.issue
        if principal is None:
            issued = await run_in_threadpool(issue, slug, service, priority)
        else:
            issued = await self.ctx.act(
                request, principal, slug, "ticket.issue", service, issue, slug, service, priority, print_on=print_on
            )
        return JSONResponse(issued_view(issued), status_code=201)

    async def status(self, request: Request) -> Response:
        ticket_id = _ticket_id(request)
        token = request.query_params.get("token", "")
        return JSONResponse(await run_in_threadpool(ticket_status, self.ctx.service, ticket_id, token))

    async def cancel(self, request: Request) -> Response:
        """The visitor gives up their own ticket (token in the query or body)."""
        ticket_id = _ticket_id(request)
        token = request.query_params.get("token", "")
        ticket = await run_in_threadpool(ticket_by_token, self.ctx.service, ticket_id, token)
        out = await run_in_threadpool(self.ctx.service.cancel, ticket.hall, ticket_id, None, "visitor")
        assert out.ticket is not None
        return JSONResponse(await run_in_threadpool(status_view, self.ctx.service, out.ticket))


def _ticket_id(request: Request) -> int:
    ticket_id = path_int(request, "ticket_id")  # the route's {ticket_id:int} converter
    return ticket_id
