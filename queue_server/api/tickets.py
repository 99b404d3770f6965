"""Visitors and kiosks: the hall's public face, taking a number, following it."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..auth.secrets import same_secret
from ..auth.service import client_ip
from ..domain import NORMAL_CLASS, Ticket, TicketState
from ..errors import Forbidden, NotFound
from ..realtime.loader import find_ticket
from ..rules import estimate
from ..service import RECENT_SERVICES, Issued, QueueService
from .body import json_object, path_int
from .context import ApiContext


def track_url(ticket: Ticket) -> str:
    return f"/t/{ticket.id}?token={ticket.token}"


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


def hall_public(service: QueueService, slug: str) -> dict[str, Any]:
    hall = service.hall(slug)
    day = service.business_day(slug)
    with service.store.reader(slug) as r:
        waiting = r.waiting_counts(day)
        paused = r.paused_services()
        windows: list[dict[str, Any]] = []
        served: set[str] = set()
        all_windows = r.windows()
        at = r.current_tickets([w.number for w in all_windows])
        for w in all_windows:
            served.update(w.services)
            current = at.get(w.number)
            windows.append(
                {
                    "number": w.number,
                    "kind": w.kind.value,
                    "state": w.state.value,
                    "services": sorted(w.services),
                    "current": current.number if current else None,
                }
            )
    return {
        "slug": hall.slug,
        "name_zh": hall.name_zh,
        "name_en": hall.name_en,
        "business_day": day.isoformat(),
        "zones": [{"code": z.code, "name_zh": z.name_zh, "name_en": z.name_en} for z in hall.zones],
        "services": [
            {
                "code": s.code,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "zone": s.zone,
                "waiting": waiting.get(s.code, 0),
                "available": s.code in served and s.code not in paused,
                "paused_reason": paused.get(s.code),
            }
            for s in hall.services
        ],
        "priority_classes": [
            {"code": p.code, "name_zh": p.name_zh, "name_en": p.name_en} for p in hall.priority_classes
        ],
        "windows": windows,
    }


def known_ticket(service: QueueService, ticket_id: int) -> Ticket:
    """The ticket with ``ticket_id`` in any hall; 404 if there is none."""
    ticket = find_ticket(service, ticket_id)
    if ticket is None:
        raise NotFound(f"没有这张票 / no ticket {ticket_id}")
    return ticket


def holds(ticket: Ticket, token: str) -> Ticket:
    """``ticket``, if ``token`` is its own; a wrong token looks like an unknown ticket."""
    if not same_secret(ticket.token, token):
        raise NotFound(f"没有这张票或令牌不符 / no ticket {ticket.id} with that token")
    return ticket


def ticket_by_token(service: QueueService, ticket_id: int, token: str) -> Ticket:
    """The ticket, if ``token`` is its own; an unknown ticket and a wrong token look the same."""
    ticket = find_ticket(service, ticket_id)
    if ticket is None:
        raise NotFound(f"没有这张票或令牌不符 / no ticket {ticket_id} with that token")
    return holds(ticket, token)


def ticket_status(service: QueueService, ticket_id: int, token: str) -> dict[str, Any]:
    """What the phone page shows; the token proves the caller holds the ticket."""
    return status_view(service, ticket_by_token(service, ticket_id, token))


def status_view(service: QueueService, ticket: Ticket) -> dict[str, Any]:
    hall = service.hall(ticket.hall)
    svc = hall.service(ticket.service)
    ahead = 0
    wait: int | None = 0
    per_person = 0.0
    if ticket.state is TicketState.WAITING and svc is not None:
        with service.store.reader(hall.slug) as r:
            if ticket.target_window is None:
                stats = r.line_stats(ticket, RECENT_SERVICES)
                ahead = stats.ahead
                wait, per_person = estimate.line_wait(
                    ahead, stats.recent_mean_s, stats.recent_count, svc.expected_minutes, stats.open_windows
                )
            else:  # one window, its own line
                ahead = r.count_ahead(ticket)
                wait, per_person = estimate.line_wait(ahead, None, 0, svc.expected_minutes, 1)
    return {
        "id": ticket.id,
        "hall": hall.slug,
        "number": ticket.number,
        "service": ticket.service,
        "service_name_zh": svc.name_zh if svc else ticket.service,
        "service_name_en": svc.name_en if svc else ticket.service,
        "priority": ticket.priority,
        "state": ticket.state.value,
        "ahead": ahead,
        "estimated_wait_s": wait,
        "no_open_window": wait is None,
        "seconds_per_person": round(per_person, 1),
        "window": ticket.window if ticket.state.at_window else None,
        "issued_at": ticket.issued_at.isoformat(),
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "business_day": ticket.business_day.isoformat(),
    }


class TicketRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def hall(self, request: Request) -> Response:
        slug = request.path_params["hall"]
        return JSONResponse(await run_in_threadpool(hall_public, self.ctx.service, slug))

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
