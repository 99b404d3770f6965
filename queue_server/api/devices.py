"""Serial devices (issue 5): their health, the slips a ticket printer prints, and the
evaluation pad's "not rated". The hall's hardware agent calls these with its token;
the server's own links (no agent) call the ``*_as`` methods in-process: same checks, same audit."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from ..domain import DeviceHealth, Ticket
from ..principal import DeviceKind, Principal
from ..service import QueueService
from ..views import device_view
from .body import json_object, path_int, path_str
from .context import ApiContext
from .tickets import known_ticket, status_view, track_url


def slip(service: QueueService, ticket: Ticket, base_url: str) -> dict[str, Any]:
    """What a ticket printer prints for ``ticket`` (the tracking link carries the ticket's token)."""
    hall = service.hall(ticket.hall)
    status = status_view(service, ticket)
    return {
        "ticket_id": ticket.id,
        "hall": hall.slug,
        "hall_name_zh": hall.name_zh,
        "hall_name_en": hall.name_en,
        "number": ticket.number,
        "service": ticket.service,
        "service_name_zh": status["service_name_zh"],
        "service_name_en": status["service_name_en"],
        "ahead": status["ahead"],
        "no_open_window": status["no_open_window"],
        "issued_at": ticket.issued_at.astimezone(hall.tz).isoformat(),  # the hall's wall clock, for the slip
        "track_url": base_url.rstrip("/") + track_url(ticket),
    }


def _is_agent(p: Principal, slug: str) -> bool:
    return p.device is DeviceKind.AGENT and p.in_hall(slug)


class DeviceRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def report(self, request: Request) -> Response:
        """The agent reports a device's health; only a change is stored and published."""
        slug: str = request.path_params["hall"]
        device = path_str(request, "device", 63)
        self.ctx.service.hall(slug)
        body = await json_object(request)
        kind = body.req_str("kind", max_len=32)
        state = body.req_str("state", max_len=16)
        error = body.str_("error", required=False, max_len=500, default="") or ""
        window = body.int_("window", lo=1, hi=9999, required=False)
        body.done()
        principal = await self.ctx.require(
            request, slug, lambda p: _is_agent(p, slug) or p.can_manage(slug), "device.report"
        )
        health = await self.report_as(request, principal, slug, device, kind, state, error, window)
        return JSONResponse(device_view(health))

    async def report_as(
        self,
        conn: HTTPConnection | None,
        principal: Principal,
        slug: str,
        device: str,
        kind: str,
        state: str,
        error: str = "",
        window: int | None = None,
    ) -> DeviceHealth:
        """Store a report (the agent's over HTTP, or the server's own links with ``conn`` None)
        and audit it when it changed something: a heartbeat is not worth an audit row."""
        report = await run_in_threadpool(
            lambda: self.ctx.service.report_device(slug, device, kind=kind, state=state, error=error, window=window)
        )
        if report.events:
            await self.ctx.audit(conn, principal, "device.report", "ok", slug, f"device {device}", {"state": state})
        return report.health

    async def devices(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await self.ctx.require(request, slug, lambda p: p.can_read(slug), "device.list")
        found = await run_in_threadpool(self.ctx.service.devices, slug)
        return JSONResponse({"devices": [device_view(d) for d in found]})

    async def slip(self, request: Request) -> Response:
        ticket = await run_in_threadpool(known_ticket, self.ctx.service, path_int(request, "ticket_id"))
        await self.ctx.require(request, ticket.hall, lambda p: _is_agent(p, ticket.hall), "ticket.slip")
        return JSONResponse(await run_in_threadpool(slip, self.ctx.service, ticket, str(request.base_url)))

    async def not_rated(self, request: Request) -> Response:
        """The evaluation pad asked and the visitor gave no score in time."""
        ticket = await run_in_threadpool(known_ticket, self.ctx.service, path_int(request, "ticket_id"))
        principal = await self.ctx.require(
            request, ticket.hall, lambda p: _is_agent(p, ticket.hall), "evaluation.not_rated"
        )
        await self.not_rated_as(request, principal, ticket.hall, ticket.id)
        return JSONResponse({"ticket_id": ticket.id, "not_rated": True}, status_code=201)

    async def not_rated_as(self, conn: HTTPConnection | None, principal: Principal, slug: str, ticket_id: int) -> None:
        await self.ctx.act(
            conn, principal, slug, "evaluation.not_rated", f"ticket {ticket_id}",
            self.ctx.service.mark_not_rated, slug, ticket_id, "pad",
        )  # fmt: skip
