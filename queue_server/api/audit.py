"""The audit log's filters (电子监察: who, which window, what, how it ended, when), read from a
query string the same way for a page of the log and for its CSV export, and the export."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..accounts import AuditRecord
from ..errors import BadRequest
from ..rules.appointments import in_utc
from ..web import language
from .body import query
from .context import ApiContext

OUTCOMES = ("ok", "denied", "rejected", "failed")
MAX_EXPORT = 10_000  # rows in one CSV export; the header says when more matched
MAX_WINDOW = 9999
CAPPED_HEADER = "X-HallQ-Export-Capped"
ROWS_HEADER = "X-HallQ-Export-Rows"
CSV_HEADER = {
    "zh": ("编号", "时间", "人员", "操作", "对象", "结果", "IP", "详情"),
    "en": ("id", "time", "actor", "action", "target", "outcome", "ip", "detail"),
}


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What a reader of the log narrows it to; None: any."""

    actor: str | None = None
    action: str | None = None  # a prefix: "window." is every window action
    outcome: str | None = None
    window: int | None = None  # rows whose target is that window
    since: datetime | None = None  # aware, UTC
    until: datetime | None = None


def audit_filter(request: Request, tz: ZoneInfo) -> AuditFilter:
    """The filters of ``request``'s query string; a bad one is a 400 naming it. A time without
    a UTC offset is the hall's local time (``tz``)."""
    q = query(request)
    outcome = q.str_("outcome", required=False, max_len=16) or None
    if outcome is not None and outcome not in OUTCOMES:
        raise BadRequest(f"结果须为 {' / '.join(OUTCOMES)} 之一 / query.outcome must be one of {', '.join(OUTCOMES)}")
    since = q.time("since", required=False, local_ok=True)
    until = q.time("until", required=False, local_ok=True)
    since_utc = in_utc(since, tz) if since is not None else None
    until_utc = in_utc(until, tz) if until is not None else None
    if since_utc is not None and until_utc is not None and until_utc <= since_utc:
        raise BadRequest("结束时间须晚于开始时间 / query.until must be after query.since")
    return AuditFilter(
        actor=q.str_("actor", required=False, max_len=80) or None,
        action=q.str_("action", required=False, max_len=80) or None,
        outcome=outcome,
        window=q.int_("window", lo=1, hi=MAX_WINDOW, required=False),
        since=since_utc,
        until=until_utc,
    )


def read_log(ctx: ApiContext, slug: str, f: AuditFilter, limit: int, before_id: int | None = None) -> list[AuditRecord]:
    """The hall's rows matching ``f``, newest first, at most ``limit`` (blocking)."""
    return ctx.auth.accounts.audit_log(
        slug,
        actor=f.actor,
        action=f.action,
        outcome=f.outcome,
        target=f"window {f.window}" if f.window is not None else None,
        since=f.since,
        until=f.until,
        limit=limit,
        before_id=before_id,
    )


def audit_csv(records: Sequence[AuditRecord], tz: ZoneInfo, lang: str) -> bytes:
    """The rows as CSV in UTF-8 with a BOM (so Excel reads the Chinese right), times in the
    hall's local time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER["en" if lang == "en" else "zh"])
    for r in records:
        detail = ", ".join(f"{k}={v}" for k, v in sorted(r.detail.items())) if r.detail else ""
        at = r.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        writer.writerow((r.id, at, r.actor, r.action, r.target, r.outcome, r.ip, detail))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class AuditRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def export(self, request: Request) -> Response:
        """The filtered log as a CSV file, newest first, at most ``MAX_EXPORT`` rows (the
        ``X-HallQ-Export-Capped`` header, when present, says more matched; ``X-HallQ-Export-Rows``
        counts them). Audited: the log
        holds who read it out."""
        slug: str = request.path_params["hall"]
        hall = self.ctx.service.hall(slug)
        f = audit_filter(request, hall.tz)
        lang = language(request.query_params.get("lang"))
        principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "audit.export")
        found = await run_in_threadpool(read_log, self.ctx, slug, f, MAX_EXPORT + 1)
        capped = len(found) > MAX_EXPORT
        rows = found[:MAX_EXPORT]
        detail = {"rows": len(rows), "capped": capped}
        await self.ctx.audit(request, principal, "audit.export", "ok", slug, "csv", detail)
        day = self.ctx.service.business_day(slug)
        headers = {
            "Content-Disposition": f'attachment; filename="audit-{slug}-{day:%Y%m%d}.csv"',
            ROWS_HEADER: str(len(rows)),
        }
        if capped:
            headers[CAPPED_HEADER] = str(MAX_EXPORT)
        return Response(audit_csv(rows, hall.tz, lang), media_type="text/csv; charset=utf-8", headers=headers)
