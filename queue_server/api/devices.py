"""Serial devices (issue 5): their health, the slips a ticket printer prints, and the
evaluation pad's "not rated". The hall's hardware agent calls these with its token;
the server's own links (no agent) call the same service commands in-process."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import NotFound
from ..principal import DeviceKind, Principal
from ..realtime.loader import find_ticket
from ..service import QueueService
from ..views import device_view
from .body import json_object, path_int
from .context import ApiContext
from .tickets import ticket_status, track_url


def slip(service: QueueService, ticket_id: int, base_url: str) -> dict[str, Any]:
    """What a ticket printer prints for ``ticket_id`` (the tracking link carries the ticket's token)."""
    ticket = find_ticket(service, ticket_id)
    if ticket is None:
        raise NotFound(f"没有这张票 / no ticket {ticket_id}")
    hall = service.hall(ticket.hall)
    status = ticket_status(service, ticket_id, ticket.token)
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
        device: str = request.path_params["device"]
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
        outcome = await run_in_threadpool(
            lambda: self.ctx.service.report_device(slug, device, kind=kind, state=state, error=error, window=window)
        )
        if outcome.events:  # a heartbeat that changes nothing is not worth an audit row
            await self.ctx.audit(request, principal, "device.report", "ok", slug, f"device {device}", {"state": state})
        found = await run_in_threadpool(self.ctx.service.devices, slug)
        return JSONResponse(next(device_view(d) for d in found if d.device == device))

    async def devices(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await self.ctx.require(request, slug, lambda p: p.can_read(slug), "device.list")
        found = await run_in_threadpool(self.ctx.service.devices, slug)
        return JSONResponse({"devices": [device_view(d) for d in found]})

    async def slip(self, request: Request) -> Response:
        ticket_id = path_int(request, "ticket_id")
        data = await run_in_threadpool(slip, self.ctx.service, ticket_id, str(request.base_url))
        await self.ctx.require(request, data["hall"], lambda p: _is_agent(p, data["hall"]), "ticket.slip")
        return JSONResponse(data)

    async def not_rated(self, request: Request) -> Response:
        """The evaluation pad asked and the visitor gave no score in time."""
        ticket_id = path_int(request, "ticket_id")
        slug = await run_in_threadpool(self.ctx.service.store.hall_of_ticket, ticket_id)
        if slug is None or self.ctx.service.config.hall(slug) is None:
            raise NotFound(f"没有这张票 / no ticket {ticket_id}")
        principal = await self.ctx.require(request, slug, lambda p: _is_agent(p, slug), "evaluation.not_rated")
        await self.ctx.act(
            request, principal, slug, "evaluation.not_rated", f"ticket {ticket_id}",
            self.ctx.service.mark_not_rated, slug, ticket_id, "pad",
        )  # fmt: skip
        return JSONResponse({"ticket_id": ticket_id, "not_rated": True}, status_code=201)
