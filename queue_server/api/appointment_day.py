"""预约 for the manager's page: a day's appointments with their state, and the CSV import's
preview (every row checked as the import would, nothing stored)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..domain import Appointment
from ..queries.appointments import BookedSlot, appointments_of_day, preview_import
from ..rules.appointments_csv import RowCheck, decode
from .body import query, read_body
from .context import ApiContext
from .records import MAX_CSV


def _slot(a: Appointment) -> dict[str, Any]:
    return {
        "code": a.code,
        "service": a.service,
        "slot_start": a.slot_start.isoformat(),
        "slot_end": a.slot_end.isoformat(),
        "name": a.name,  # in full: the manager booked it (screens get it masked)
    }


def booked_view(b: BookedSlot) -> dict[str, Any]:
    a = b.appointment
    return {
        **_slot(a),
        "state": b.state.value,
        "ticket_id": a.ticket_id,
        "ticket_number": b.ticket_number,
        "checked_in_at": a.checked_in_at.isoformat() if a.checked_in_at else None,
        "created_at": a.created_at.isoformat(),
    }


def row_view(row: RowCheck) -> dict[str, Any]:
    return {
        "line": row.line,
        "ok": row.ok,
        "cells": row.cells,
        "appointment": _slot(row.appointment) if row.appointment is not None else None,
        "problems": [{"reason": p.reason, "column": p.column, "zh": p.zh, "en": p.en} for p in row.problems],
    }


class AppointmentDayRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def day(self, request: Request) -> Response:
        """``?date=`` (default: the business day)."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "appointment.list")
        day = query(request).date_("date", required=False) or self.ctx.service.business_day(slug)
        found = await run_in_threadpool(appointments_of_day, self.ctx.service, slug, day)
        return JSONResponse({"date": day.isoformat(), "appointments": [booked_view(b) for b in found]})

    async def preview(self, request: Request) -> Response:
        """The CSV import's body (UTF-8, a BOM allowed, or GBK), each data line with its
        appointment or every reason it is bad; 400 only for what spoils the whole file."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        raw = await read_body(request, MAX_CSV)
        await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "appointment.import")
        text, encoding = decode(raw)
        rows = await run_in_threadpool(preview_import, self.ctx.service, slug, text)
        bad = sum(1 for r in rows if not r.ok)
        return JSONResponse(
            {"encoding": encoding, "good": len(rows) - bad, "bad": bad, "rows": [row_view(r) for r in rows]}
        )
