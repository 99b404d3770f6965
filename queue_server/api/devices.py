"""Serial devices: their health, the slips a ticket printer prints, and the evaluation pad's
"not rated". The hall's hardware agent calls these with its token; the server's own links
(no agent) give the same commands to the gate in-process."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..principal import DeviceKind, Principal
from ..queries.tickets import known_ticket, slip
from ..views import device_view
from .body import json_object, path_int, path_str
from .context import ApiContext, actor


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
        health = await self.ctx.gate.report_device(actor(request, principal), slug, device, kind, state, error, window)
        return JSONResponse(device_view(health))

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
        await self.ctx.act(
            request, principal, ticket.hall, "evaluation.not_rated", f"ticket {ticket.id}",
            self.ctx.service.mark_not_rated, ticket.hall, ticket.id, "pad",
        )  # fmt: skip
        return JSONResponse({"ticket_id": ticket.id, "not_rated": True}, status_code=201)
