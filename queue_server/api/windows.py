"""Clerks (and the hardware agent for their caller pads) act on their window."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from ..domain import Window
from ..errors import BadRequest, Forbidden, NotFound
from ..principal import DeviceKind, Principal, Role
from ..service import Outcome, QueueService
from ..views import ticket_view, window_view
from .body import Fields, json_object, path_int
from .context import ApiContext

# action in the URL -> (QueueService method name, body fields it reads)
ACTIONS: dict[str, str] = {
    "open": "open_window",
    "pause": "pause_window",
    "resume": "resume_window",
    "close": "close_window",
    "call-next": "call_next",
    "recall": "recall",
    "start": "start",
    "finish": "finish",
    "no-show": "no_show",
    "hold": "hold",
    "transfer": "transfer",
}


def _window(service: QueueService, slug: str, number: int) -> Window:
    with service.store.reader(slug) as r:
        window = r.window(number)
    if window is None:
        raise NotFound(f"没有 {number} 号窗口 / window {number} does not exist in {slug}")
    return window


def may_act(principal: Principal, slug: str, action: str, window: Window) -> str | None:
    """Why ``principal`` may not act on ``window`` (None: it may)."""
    if not principal.in_hall(slug):
        return "another hall"
    if principal.role in (Role.MANAGER, Role.ADMIN):
        return None
    if principal.device is DeviceKind.AGENT:
        return None  # speaks for the window's caller pad; the clerk logged in there is recorded
    if principal.role is not Role.CLERK:
        return "not staff"
    if action == "open":
        return None  # one window per clerk: QueueService.open_window checks it under the hall's lock (409)
    if window.staff != principal.name:
        return f"window {window.number} belongs to {window.staff or 'nobody'}"
    return None


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

    async def _authorize(self, request: Request, slug: str, number: int, action: str) -> tuple[Principal, str | None]:
        """The caller and the staff login to record for the action."""
        principal = await self.ctx.require(request, slug, lambda p: p.in_hall(slug), f"window.{action}")
        return principal, await self._staff(request, principal, slug, number, action)

    async def _staff(
        self, request: HTTPConnection | None, principal: Principal, slug: str, number: int, action: str
    ) -> str | None:
        """The staff login to record for ``principal``'s action (403, audited, if it may not act)."""
        window = await run_in_threadpool(_window, self.ctx.service, slug, number)
        refusal = may_act(principal, slug, action, window)
        if refusal is not None:
            await self.ctx.audit(
                request, principal, f"window.{action}", "denied", slug, f"window {number}", {"why": refusal}
            )
            raise Forbidden(f"无权操作 {number} 号窗口 / {principal.name} may not act on window {number}: {refusal}")
        return window.staff if principal.device is not None else principal.name

    async def action(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        number = path_int(request, "window", 9999)
        action: str = request.path_params["action"]
        if action not in ACTIONS:
            raise NotFound(f"没有这个窗口操作 / unknown window action {action!r} (known: {', '.join(ACTIONS)})")
        self.ctx.service.hall(slug)
        body = await json_object(request, optional=True)
        principal, staff = await self._authorize(request, slug, number, action)
        call = self._command(slug, number, action, body, staff, principal)
        body.done()
        outcome = await self.ctx.act(request, principal, slug, f"window.{action}", f"window {number}", call)
        if action == "call-next" and outcome.ticket is None:
            return Response(status_code=204)
        return JSONResponse(outcome_view(outcome))

    def _command(
        self, slug: str, number: int, action: str, body: Fields, staff: str | None, principal: Principal
    ) -> Callable[[], Outcome]:
        s = self.ctx.service
        if action == "open":
            # A manager may open a window for a clerk (body.staff, checked against the hall's staff).
            for_clerk = body.str_("staff", required=False, max_len=64)
            if for_clerk is not None:
                if principal.role not in (Role.MANAGER, Role.ADMIN):
                    raise Forbidden("只有管理员可以替他人开窗 / only a manager may open a window for a clerk")
                staff = for_clerk
            return lambda: s.open_window(slug, number, staff)
        if action == "pause":
            reason = body.req_str("reason")
            return lambda: s.pause_window(slug, number, reason, staff)
        if action == "hold":
            hold_reason = body.str_("reason", required=False)
            return lambda: s.hold(slug, number, staff, hold_reason)
        if action == "transfer":
            service = body.str_("service", required=False, max_len=1)
            to_window = body.int_("window", lo=1, hi=9999, required=False)
            why = body.str_("reason", required=False)
            if service is None and to_window is None:
                raise BadRequest("转移需要指定事项或窗口 / a transfer needs body.service or body.window")
            return lambda: s.transfer(slug, number, service=service, to_window=to_window, reason=why, staff=staff)
        method: Callable[[str, int, str | None], Outcome] = getattr(s, ACTIONS[action])
        return lambda: method(slug, number, staff)

    async def device_action(
        self, principal: Principal, slug: str, number: int, action: str, body: dict[str, Any]
    ) -> Outcome:
        """A caller pad's key on the server's own serial link: the same checks, command and audit as
        ``POST /api/halls/{hall}/windows/{n}/{action}`` (and ``call-back/{id}``) from the agent."""
        self.ctx.service.hall(slug)
        if action.startswith("call-back/"):
            ticket_id = int(action.removeprefix("call-back/"))
            staff = await self._staff(None, principal, slug, number, "call-back")
            return await self.ctx.act(
                None, principal, slug, "window.call-back", f"ticket {ticket_id}",
                self.ctx.service.call_back, slug, number, ticket_id, staff,
            )  # fmt: skip
        if action not in ACTIONS:
            raise NotFound(f"没有这个窗口操作 / unknown window action {action!r} (known: {', '.join(ACTIONS)})")
        staff = await self._staff(None, principal, slug, number, action)
        fields = Fields(dict(body), "body")
        call = self._command(slug, number, action, fields, staff, principal)
        fields.done()
        return await self.ctx.act(None, principal, slug, f"window.{action}", f"window {number}", call)

    async def call_ticket(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        number = path_int(request, "window", 9999)
        ticket_id = path_int(request, "ticket_id")
        self.ctx.service.hall(slug)
        body = await json_object(request)
        reason = body.req_str("reason")
        body.done()
        principal, staff = await self._authorize(request, slug, number, "call")
        outcome = await self.ctx.act(
            request, principal, slug, "window.call", f"ticket {ticket_id}",
            self.ctx.service.call_ticket, slug, number, ticket_id, reason, staff,
        )  # fmt: skip
        return JSONResponse(outcome_view(outcome))

    async def call_back(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        number = path_int(request, "window", 9999)
        ticket_id = path_int(request, "ticket_id")
        self.ctx.service.hall(slug)
        principal, staff = await self._authorize(request, slug, number, "call-back")
        outcome = await self.ctx.act(
            request, principal, slug, "window.call-back", f"ticket {ticket_id}",
            self.ctx.service.call_back, slug, number, ticket_id, staff,
        )  # fmt: skip
        return JSONResponse(outcome_view(outcome))

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
