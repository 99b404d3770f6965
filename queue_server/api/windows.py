"""Clerks (and the hardware agent for their caller pads) act on their window."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..commands.window_commands import ACTIONS, window_command
from ..errors import NotFound
from ..fields import Fields
from ..service import Outcome
from ..views import ticket_view, window_view
from .body import json_object, path_int
from .context import ApiContext, actor

__all__ = ["ACTIONS", "WindowRoutes", "outcome_view"]


def outcome_view(outcome: Outcome) -> dict[str, Any]:
    """The answer to a window action: the ticket it concerns and the window as the hall snapshot
    shows it at the answer's seq (same view, current ticket included)."""
    return {
        "ticket": ticket_view(outcome.ticket) if outcome.ticket else None,
        "window": window_view(outcome.window, outcome.current) if outcome.window else None,
        "seq": outcome.events[-1].seq if outcome.events else None,
    }


class WindowRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self.gate = ctx.gate

    async def action(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        number = path_int(request, "window", 9999)
        name: str = request.path_params["action"]
        if name not in ACTIONS:
            raise NotFound(f"没有这个窗口操作 / unknown window action {name!r} (known: {', '.join(ACTIONS)})")
        self.ctx.service.hall(slug)
        body = await json_object(request, optional=True)
        principal = await self.ctx.require(request, slug, lambda p: p.in_hall(slug), f"window.{name}")
        who = actor(request, principal)
        staff = await self.gate.window_staff(who, slug, number, name)
        command = window_command(name, number, body)
        self.gate.check_action(who, slug, command)
        body.done()
        outcome = await self.gate.window(who, slug, command, staff)
        if name == "call-next" and outcome.ticket is None:
            return Response(status_code=204)
        return JSONResponse(outcome_view(outcome))

    async def _ticket_at_window(self, request: Request, name: str) -> Response:
        """``call`` (out of turn, with a reason) or ``call-back`` (a held ticket) of one ticket."""
        slug: str = request.path_params["hall"]
        number = path_int(request, "window", 9999)
        ticket_id = path_int(request, "ticket_id")
        self.ctx.service.hall(slug)
        body = await json_object(request) if name == "call" else Fields({}, "body")
        command = window_command(name, number, body, ticket_id)
        body.done()
        principal = await self.ctx.require(request, slug, lambda p: p.in_hall(slug), f"window.{name}")
        who = actor(request, principal)
        staff = await self.gate.window_staff(who, slug, number, name)
        return JSONResponse(outcome_view(await self.gate.window(who, slug, command, staff)))

    async def call_ticket(self, request: Request) -> Response:
        return await self._ticket_at_window(request, "call")

    async def call_back(self, request: Request) -> Response:
        return await self._ticket_at_window(request, "call-back")

    async def ticket_action(self, request: Request) -> Response:
        """Staff of the hall: a held visitor is back, or a late visitor is let back in line."""
        slug: str = request.path_params["hall"]
        ticket_id = path_int(request, "ticket_id")
        action: str = request.path_params["action"]
        methods = {"return": self.ctx.service.mark_returned, "reactivate": self.ctx.service.reactivate}
        if action not in methods:
            raise NotFound(f"没有这个操作 / unknown ticket action {action!r} (known: return, reactivate)")
        self.ctx.service.hall(slug)
        principal = await self.ctx.require(request, slug, lambda p: p.is_staff and p.in_hall(slug), f"ticket.{action}")
        outcome = await self.ctx.act(
            request,
            principal,
            slug,
            f"ticket.{action}",
            f"ticket {ticket_id}",
            methods[action],
            slug,
            ticket_id,
            principal.name,
        )
        return JSONResponse(outcome_view(outcome))

    async def set_services(self, request: Request) -> Response:
        """Managers: change what a window serves (一窗综合受理 assignments)."""
        slug: str = request.path_params["hall"]
        number = path_int(request, "window", 9999)
        self.ctx.service.hall(slug)
        body = await json_object(request)
        services = body.weights("services")
        body.done()
        principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "window.services")
        outcome = await self.ctx.act(
            request, principal, slug, "window.services", f"window {number}",
            self.ctx.service.set_window_services, slug, number, services,
        )  # fmt: skip
        return JSONResponse(outcome_view(outcome))

    async def service_action(self, request: Request) -> Response:
        """Managers: pause (暂停取号, with a reason) or resume issuing numbers for a service."""
        slug: str = request.path_params["hall"]
        code: str = request.path_params["service"]
        action: str = request.path_params["action"]
        if action not in ("pause", "resume"):
            raise NotFound(f"没有这个操作 / unknown service action {action!r} (known: pause, resume)")
        self.ctx.service.hall(slug)
        body = await json_object(request, optional=True)
        reason = body.req_str("reason") if action == "pause" else None
        body.done()
        principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), f"service.{action}")
        s = self.ctx.service
        outcome = await self.ctx.act(
            request, principal, slug, f"service.{action}", f"service {code}",
            (lambda: s.pause_service(slug, code, reason or "", principal.name))
            if action == "pause"
            else (lambda: s.resume_service(slug, code, principal.name)),
        )  # fmt: skip
        return JSONResponse(outcome_view(outcome))
