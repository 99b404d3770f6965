"""Ratings (好差评), appointments (预约), notices (公告) and the live hall snapshot."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..auth.service import client_ip
from ..errors import Forbidden
from ..principal import DeviceKind
from ..queries.tickets import holds, known_ticket
from ..service import QueueService
from ..views import appointment_view, evaluation_view, notice_view, window_view
from .body import csv_body, json_object, path_int, path_str, query
from .context import ApiContext
from .tickets import issued_view

MAX_CSV = 2 * 1024 * 1024


def snapshot(service: QueueService, slug: str) -> dict[str, Any]:
    """Everything a screen shows, at one sequence number."""
    day = service.business_day(slug)
    with service.store.reader(slug) as r:
        seq = r.last_seq()
        all_windows = r.windows()
        at = r.current_tickets([w.number for w in all_windows])
        windows = [window_view(w, at.get(w.number)) for w in all_windows]
        waiting = r.waiting_counts(day)
    return {
        "hall": slug,
        "seq": seq,
        "business_day": day.isoformat(),
        "windows": windows,
        "waiting": waiting,
        "notices": [notice_view(n) for n in service.notices(slug)],
        "staff": [{"login": m.login, "name": m.name, "skills": list(m.skills)} for m in service.hall(slug).staff],
    }


class RecordRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def snapshot(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await self.ctx.require(request, slug, lambda p: p.can_read(slug), "hall.snapshot")
        return JSONResponse(await run_in_threadpool(snapshot, self.ctx.service, slug))

    # -- 好差评 --------------------------------------------------------------

    async def evaluate(self, request: Request) -> Response:
        """From the visitor's phone (ticket token) or the window's evaluation pad (agent token)."""
        ticket_id = path_int(request, "ticket_id")
        body = await json_object(request)
        score = body.req_int("score", lo=1, hi=5)
        comment = body.str_("comment", required=False, max_len=500, default="", lines=True) or ""
        token = body.str_("token", required=False, max_len=100)
        body.done()
        ticket = await run_in_threadpool(known_ticket, self.ctx.service, ticket_id)
        slug = ticket.hall
        caller = await self.ctx.caller(request)
        if token is not None:
            holds(ticket, token)
            channel, principal = "phone", None
        elif caller is not None and caller.principal.device is DeviceKind.AGENT and caller.principal.in_hall(slug):
            channel, principal = "pad", caller.principal
        else:
            raise Forbidden("评价需要票据令牌或评价器 / a rating needs the ticket's token or the hall's evaluation pad")
        outcome = await self.ctx.act(
            request, principal, slug, "evaluation.submit", f"ticket {ticket_id}",
            self.ctx.service.evaluate, slug, ticket_id, score, channel, comment,
        )  # fmt: skip
        return JSONResponse(evaluation_view(outcome.evaluation), status_code=201)

    async def evaluations(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "evaluation.list")
        q = query(request)
        first = q.date_("from", required=False) or self.ctx.service.business_day(slug)
        last = q.date_("to", required=False) or first
        found = await run_in_threadpool(
            lambda: self.ctx.service.evaluations(
                slug, first, last, bad_only=q.flag("bad_only"), open_follow_up=q.flag("open_follow_up")
            )
        )
        return JSONResponse({"evaluations": [evaluation_view(e) for e in found]})

    async def follow_up(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        ticket_id = path_int(request, "ticket_id")
        self.ctx.service.hall(slug)
        body = await json_object(request)
        note = body.req_str("note", max_len=500, lines=True)
        body.done()
        principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "evaluation.follow_up")
        outcome = await self.ctx.act(
            request, principal, slug, "evaluation.follow_up", f"ticket {ticket_id}",
            self.ctx.service.record_follow_up, slug, ticket_id, principal.name, note,
        )  # fmt: skip
        return JSONResponse(evaluation_view(outcome.evaluation))

    # -- 预约 ----------------------------------------------------------------

    async def create_appointment(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        body = await json_object(request)
        code = body.req_str("code", max_len=64)
        service = body.req_str("service", max_len=1)
        start = body.time("slot_start", local_ok=True)
        end = body.time("slot_end", local_ok=True)
        name = body.str_("name", required=False, max_len=100, default="") or ""
        body.done()
        assert start is not None and end is not None
        principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "appointment.create")
        outcome = await self.ctx.act(
            request, principal, slug, "appointment.create", code,
            lambda: self.ctx.service.create_appointment(slug, code, service, start, end, name, staff=principal.name),
        )  # fmt: skip
        return JSONResponse(appointment_view(outcome.appointment), status_code=201)

    async def import_appointments(self, request: Request) -> Response:
        """CSV body: ``code,service,slot_start,slot_end,name``; all rows or none."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        text = await csv_body(request, MAX_CSV)
        principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "appointment.import")
        count = await self.ctx.act(
            request, principal, slug, "appointment.import", "csv",
            lambda: self.ctx.service.import_appointments(slug, text, staff=principal.name),
        )  # fmt: skip
        return JSONResponse({"imported": count}, status_code=201)

    async def cancel_appointment(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        code = path_str(request, "code")
        self.ctx.service.hall(slug)
        principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "appointment.cancel")
        outcome = await self.ctx.act(
            request, principal, slug, "appointment.cancel", code,
            lambda: self.ctx.service.cancel_appointment(slug, code, staff=principal.name),
        )  # fmt: skip
        return JSONResponse(appointment_view(outcome.appointment))

    async def check_in(self, request: Request) -> Response:
        """At the kiosk (or on the phone): the booked visitor gets a ticket."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        body = await json_object(request)
        code = body.req_str("code", max_len=64)
        body.done()
        caller = await self.ctx.caller(request)
        if caller is None:
            # Guessing codes costs the same as taking numbers.
            self.ctx.limit_issue(f"ip:{client_ip(request)}", kiosk=False)
        else:
            self.ctx.auth.check_csrf(request, caller)
        done = await run_in_threadpool(self.ctx.service.check_in, slug, code)
        return JSONResponse(
            {
                **issued_view(done.issued),
                "arrival": done.arrival.value,
                "appointment": appointment_view(done.appointment),
            },
            status_code=201,
        )

    # -- 公告 ----------------------------------------------------------------

    async def notices(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        found = await run_in_threadpool(self.ctx.service.notices, slug)
        return JSONResponse({"notices": [notice_view(n) for n in found]})

    async def publish_notice(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        body = await json_object(request)
        text_zh = body.req_str("text_zh", max_len=500, lines=True)
        text_en = body.str_("text_en", required=False, max_len=500, default="", lines=True) or ""
        expires = body.time("expires_at", required=False, local_ok=True)
        body.done()
        principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "notice.publish")
        outcome = await self.ctx.act(
            request, principal, slug, "notice.publish", text_zh[:40],
            self.ctx.service.publish_notice, slug, text_zh, text_en, expires, principal.name,
        )  # fmt: skip
        return JSONResponse(notice_view(outcome.notice), status_code=201)

    async def withdraw_notice(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        notice_id = path_int(request, "notice_id")
        self.ctx.service.hall(slug)
        principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "notice.withdraw")
        outcome = await self.ctx.act(
            request, principal, slug, "notice.withdraw", f"notice {notice_id}",
            self.ctx.service.withdraw_notice, slug, notice_id, principal.name,
        )  # fmt: skip
        return JSONResponse(notice_view(outcome.notice))
