"""The operations of the 预约 and 电子监察 pages, declared as ``routes.operations`` declares
the rest (they feed the router, /openapi.json and the fuzz sweep). The audit log's page and its
export share one declaration of their filters."""

from __future__ import annotations

from .accounts import AccountRoutes
from .appointment_day import AppointmentDayRoutes
from .audit import MAX_EXPORT, MAX_WINDOW, OUTCOMES, AuditRoutes
from .context import ApiContext
from .spec import Operation, Schema, integer, obj, string

MANAGER = "a manager of the hall or an administrator"
ANY: Schema = {"type": "object"}
PROBLEM = obj(
    reason=string(enum=["text", "missing", "code", "service", "time", "order", "name", "columns", "duplicate", "taken",
                        "past", "closed", "hours"]),
    column={"type": ["string", "null"]}, zh=string(), en=string(),
)  # fmt: skip
PREVIEW = obj(
    encoding=string(enum=["utf-8", "gbk"]), good=integer(), bad=integer(),
    rows={"type": "array", "items": obj(line=integer(), ok={"type": "boolean"}, cells=ANY,
                                        appointment={"type": ["object", "null"]},
                                        problems={"type": "array", "items": PROBLEM})},
)  # fmt: skip
INSTANT = string(format="date-time", description="ISO 8601; without an offset, the hall's local time")
AUDIT_FILTERS: tuple[tuple[str, Schema, bool], ...] = (
    ("actor", string(maxLength=80), False),
    ("action", string(maxLength=80, description="a prefix, e.g. window."), False),
    ("outcome", string(enum=list(OUTCOMES)), False),
    ("window", integer(minimum=1, maximum=MAX_WINDOW, description="rows whose target is that window"), False),
    ("since", INSTANT, False),
    ("until", INSTANT, False),
)


def appointment_audit_operations(ctx: ApiContext) -> list[Operation]:
    day = AppointmentDayRoutes(ctx)
    audit = AuditRoutes(ctx)
    accounts = AccountRoutes(ctx)
    return [
        Operation("GET", "/api/halls/{hall}/audit", accounts.audit_log,
                  "The audit log (电子监察), newest first; more: older rows match too (ask with before_id)", "manage",
                  MANAGER, query=(*AUDIT_FILTERS, ("limit", integer(minimum=1, maximum=1000), False),
                                  ("before_id", integer(minimum=1), False)),
                  responses={200: ("Records", obj(records={"type": "array", "items": ANY}, more={"type": "boolean"}))}),
        Operation("GET", "/api/halls/{hall}/appointments", day.day,
                  "A day's appointments with their state (booked, checked_in, cancelled, missed) and ticket number",
                  "appointments", MANAGER, query=(("date", string(format="date"), False),),
                  responses={200: ("The day's appointments", ANY)}),
        Operation("POST", "/api/halls/{hall}/appointments/import/preview", day.preview,
                  "Check a CSV import row by row without storing it: each line's appointment or every reason it is "
                  "bad (UTF-8, a BOM allowed, or GBK)", "appointments", MANAGER,
                  body={"type": "string"}, body_type="text/csv", responses={200: ("Every row checked", PREVIEW)}),
        Operation("GET", "/api/halls/{hall}/audit/export", audit.export,
                  f"The filtered audit log as CSV (UTF-8 with a BOM), newest first, at most {MAX_EXPORT} rows "
                  "(header X-HallQ-Export-Capped when more matched); audited", "manage", MANAGER,
                  query=(*AUDIT_FILTERS, ("lang", string(enum=["zh", "en"]), False)),
                  responses={200: ("text/csv", None)}),
    ]  # fmt: skip
