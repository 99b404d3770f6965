"""Every endpoint of the API, declared once (router and OpenAPI document)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .. import __version__
from .accounts import AccountRoutes
from .appointment_audit_ops import appointment_audit_operations
from .cases import case_operations
from .city import city_operations
from .context import ApiContext
from .devices import DeviceRoutes
from .leave import LeaveRoutes
from .manage import manage_operations
from .openapi import document
from .planning import PlanningRoutes
from .planning_bodies import HHMM, SIM_FIELDS, SIMULATE, VARIATION
from .planning_sim import PlanningSimRoutes
from .records import RecordRoutes
from .report_rankings import report_ranking_operations
from .reports import report_operations
from .roster_now import RosterNowRoutes
from .roster_solve import RosterSolveRoutes
from .rosters import RosterRoutes
from .spec import Operation, Schema, integer, number, obj, ref, string
from .staffing import StaffingRoutes
from .tickets import TicketRoutes
from .windows import ACTIONS, WindowRoutes

TICKET = obj(
    id=integer(),
    number=string(examples=["A017"]),
    service=string(),
    state=string(enum=["waiting", "called", "serving", "held", "no_show", "done", "cancelled", "not_served"]),
    priority=string(),
    tier=integer(),
    order_key=integer(),
    window={"type": ["integer", "null"]},
    target_window={"type": ["integer", "null"]},
    business_day=string(format="date"),
    issued_at=string(format="date-time"),
    called_at={"type": ["string", "null"], "format": "date-time"},
    recall_count=integer(),
)
WINDOW = obj(
    number=integer(),
    kind=string(enum=["comprehensive", "dedicated"]),
    state=string(enum=["closed", "open", "paused"]),
    staff={"type": ["string", "null"]},
    pause_reason={"type": ["string", "null"]},
    services={"type": "object", "additionalProperties": number()},
    current={"oneOf": [ref("Ticket"), {"type": "null"}]},
)
OUTCOME = obj(
    ticket={"oneOf": [ref("Ticket"), {"type": "null"}]},
    window={"oneOf": [ref("Window"), {"type": "null"}]},
    seq={"type": ["integer", "null"]},
)
ISSUED = obj(
    id=integer(),
    number=string(),
    service=string(),
    priority=string(),
    ahead=integer(),
    estimated_wait_s={"type": ["integer", "null"]},
    no_open_window={"type": "boolean"},
    issued_at=string(format="date-time"),
    token=string(),
    track_url=string(),
)
STATUS = obj(
    id=integer(), hall=string(), number=string(), service=string(), service_name_zh=string(),
    service_name_en=string(), priority=string(), state=string(), ahead=integer(),
    estimated_wait_s={"type": ["integer", "null"]}, no_open_window={"type": "boolean"}, seconds_per_person=number(),
    window={"type": ["integer", "null"]}, issued_at=string(),
    called_at={"type": ["string", "null"]}, business_day=string(),
)  # fmt: skip
PRINCIPAL = obj(
    name=string(),
    role={"type": ["string", "null"]},
    device={"type": ["string", "null"]},
    hall={"type": ["string", "null"]},
)
TOKEN = obj(
    id=integer(), kind=string(enum=["display", "kiosk", "agent"]), hall=string(), label=string(),
    created_at=string(), revoked_at={"type": ["string", "null"]}, last_used_at={"type": ["string", "null"]},
    token=string(description="only in the answer to its creation"),
)  # fmt: skip
ANY: Schema = {"type": "object"}

COMPONENTS: dict[str, Schema] = {"Ticket": TICKET, "Window": WINDOW, "Outcome": OUTCOME}

NULLABLE: Schema = {"type": ["string", "null"]}
SKILLS: Schema = {
    "type": "array",
    "items": obj(("service",), service=string(maxLength=8), weight=number(exclusiveMinimum=0, maximum=2)),
}
STAFF_FIELDS: dict[str, Schema] = {
    "name": string(maxLength=100), "department": string(maxLength=100), "skills": SKILLS,
    "partner": {**NULLABLE, "description": "the A/B partner's login (null: none)"},
}  # fmt: skip
SHIFT_FIELDS: dict[str, Schema] = {
    "name_zh": string(maxLength=100), "name_en": string(maxLength=100), "start": HHMM, "end": HHMM,
    "lunch_minutes": integer(minimum=0, maximum=1440), "lunch_earliest": {**HHMM, "type": ["string", "null"]},
    "lunch_latest": {**HHMM, "type": ["string", "null"]}, "noon_duty": {"type": "boolean"},
}  # fmt: skip
INSTANT = string(format="date-time", description="ISO 8601; without an offset, the hall's local time")
ASSIGNMENT = obj(
    ("day", "login", "shift", "start", "end"), day=string(format="date"), login=string(), shift=string(),
    post={**NULLABLE, "description": "null: a floater"}, start=INSTANT, end=INSTANT,
    lunch_start={**INSTANT, "type": ["string", "null"]}, lunch_end={**INSTANT, "type": ["string", "null"]},
    pinned={"type": "boolean"},
)  # fmt: skip
LEAVE_KINDS = ["leave", "out", "training"]
DAY_KINDS = ["workday", "weekend", "holiday", "adjusted_workday"]
RANGE = (("from", string(format="date"), False), ("to", string(format="date"), False))
DAY = (("day", string(format="date"), False), ("draft", {"type": "boolean"}, False))

STAFF = "a signed-in clerk of that window, a manager of the hall, an administrator, or the hall's agent token"


def operations(ctx: ApiContext) -> list[Operation]:
    t = TicketRoutes(ctx)
    w = WindowRoutes(ctx)
    a = AccountRoutes(ctx)
    rec = RecordRoutes(ctx)
    dev = DeviceRoutes(ctx)
    st = StaffingRoutes(ctx)
    lv = LeaveRoutes(ctx)
    ro = RosterRoutes(ctx)
    rn = RosterNowRoutes(ctx)
    solver = RosterSolveRoutes(ctx)
    plan = PlanningRoutes(ctx)
    sim = PlanningSimRoutes(ctx)
    manager = "a manager of the hall or an administrator"
    reason = obj(("reason",), reason=string(maxLength=200))
    return [
        Operation("GET", "/api/halls/{hall}", t.hall, "Hall, services and windows (public view)", "hall", "anyone",
                  responses={200: ("The hall", ANY)}),
        Operation("POST", "/api/halls/{hall}/tickets", t.issue, "Take a number", "tickets",
                  "anyone (phone: normal priority, rate-limited per address); "
                  "kiosk tokens and staff for priority classes",
                  body=obj(("service",), service=string(minLength=1, maxLength=1), priority=string(default="normal"),
                           print=string(maxLength=63, description="a ticket printer's device id: print the slip")),
                  responses={201: ("The new ticket", ISSUED)}),
        Operation("GET", "/api/tickets/{ticket_id:int}", t.status, "Follow a ticket", "tickets",
                  "the ticket holder (token)", query=(("token", string(), True),),
                  responses={200: ("The ticket's state", STATUS)}),
        Operation("POST", "/api/tickets/{ticket_id:int}/cancel", t.cancel, "Give up a ticket", "tickets",
                  "the ticket holder (token)", query=(("token", string(), True),),
                  responses={200: ("The ticket's state", STATUS)}),
        Operation("POST", "/api/auth/login", a.login, "Sign in", "auth", "staff",
                  body=obj(("username", "password"), username=string(), password=string(), token={"type": "boolean"}),
                  responses={200: ("Signed in: a session cookie, or a bearer token with token=true", ANY)}),
        Operation("POST", "/api/auth/logout", a.logout, "Sign out", "auth", "staff",
                  responses={204: ("Signed out", None)}),
        Operation("GET", "/api/auth/me", a.me, "Who am I", "auth", "anyone signed in",
                  responses={200: ("The caller", PRINCIPAL)}),
        Operation("POST", "/api/halls/{hall}/windows/{window:int}/call/{ticket_id:int}", w.call_ticket,
                  "Call one ticket out of order (the reason is audited)", "windows", STAFF, body=reason,
                  responses={200: ("Called", OUTCOME)}),
        Operation("POST", "/api/halls/{hall}/windows/{window:int}/call-back/{ticket_id:int}", w.call_back,
                  "Call back a held ticket", "windows", STAFF, responses={200: ("Called back", OUTCOME)}),
        Operation("PUT", "/api/halls/{hall}/windows/{window:int}/services", w.set_services,
                  "Change what a window serves", "manage", "a manager of the hall or an administrator",
                  body=obj(("services",), services={"type": "object", "additionalProperties": number()}),
                  responses={200: ("Changed", OUTCOME)}),
        Operation("POST", "/api/halls/{hall}/windows/{window:int}/{action}", w.action,
                  f"Window action: {', '.join(ACTIONS)}", "windows", STAFF,
                  body=obj(reason=string(maxLength=200), service=string(maxLength=1), window=integer()),
                  responses={200: ("Done", OUTCOME), 204: ("call-next: nobody waits", None)}),
        Operation("POST", "/api/halls/{hall}/tickets/{ticket_id:int}/{action}", w.ticket_action,
                  "A held visitor is back (return) or a late visitor goes back in line (reactivate)", "windows",
                  "staff of the hall", responses={200: ("Done", OUTCOME)}),
        Operation("POST", "/api/halls/{hall}/services/{service}/{action}", w.service_action,
                  "Pause (暂停取号, with a reason) or resume issuing numbers for a service", "manage",
                  "a manager of the hall or an administrator", body=obj(reason=string(maxLength=200)),
                  responses={200: ("Done", OUTCOME)}),
        Operation("GET", "/api/halls/{hall}/tokens", a.tokens, "List device tokens", "manage",
                  "a manager of the hall or an administrator", responses={200: ("Tokens", ANY)}),
        Operation("POST", "/api/halls/{hall}/tokens", a.create_token, "Create a device token (shown once)", "manage",
                  "a manager of the hall or an administrator",
                  body=obj(("kind",), kind=string(enum=["display", "kiosk", "agent"]), label=string(maxLength=200)),
                  responses={201: ("The token", TOKEN)}),
        Operation("DELETE", "/api/halls/{hall}/tokens/{token_id:int}", a.revoke_token, "Revoke a device token",
                  "manage", "a manager of the hall or an administrator", responses={200: ("Revoked", TOKEN)}),
        Operation("POST", "/api/halls/{hall}/accounts", a.create_account,
                  "Create a staff account of the hall (a clerk's joins the staff registry, or is linked to the "
                  "member there); without a password a one-time one is answered, once", "manage",
                  "a manager of the hall for clerks, an administrator for managers and city managers too",
                  body=obj(("username",), username=string(maxLength=64), role=string(enum=["clerk", "manager", "city"]),
                           display_name=string(maxLength=100), password=string(minLength=8, maxLength=256)),
                  responses={201: ("The account (and its one-time password)", ANY)}),
        Operation("POST", "/api/halls/{hall}/accounts/{username}/unlock", a.unlock,
                  "Clear an account's sign-in throttle (every address may try again at once; audited)", "manage",
                  "a manager of the hall or an administrator",
                  responses={200: ("Cleared", obj(username=string(), addresses_cleared=integer()))}),
        Operation("POST", "/api/halls/{hall}/accounts/{username}/password", a.reset_password,
                  "A new password for an account of the hall (without one in the body, a one-time one is "
                  "answered, once); the account's sessions end (audited)", "manage",
                  "a manager of the hall (clerks) or an administrator (managers too)",
                  body=obj(password=string(minLength=8, maxLength=256)),
                  responses={200: ("Set", obj(username=string(), password=string()))}),
        Operation("GET", "/api/halls/{hall}/snapshot", rec.snapshot, "Everything a screen shows, at one seq",
                  "hall", "displays, staff and agents of the hall", responses={200: ("Snapshot", ANY)}),
        Operation("POST", "/api/tickets/{ticket_id:int}/evaluation", rec.evaluate, "Rate a finished service (好差评)",
                  "evaluations", "the ticket holder (body.token) or the hall's agent (evaluation pad)",
                  body=obj(("score",), score=integer(minimum=1, maximum=5), comment=string(maxLength=500),
                           token=string()),
                  responses={201: ("Stored", ANY)}),
        Operation("GET", "/api/halls/{hall}/evaluations", rec.evaluations, "Ratings of a day or range", "evaluations",
                  manager, query=(("from", string(format="date"), False), ("to", string(format="date"), False),
                                  ("bad_only", {"type": "boolean"}, False),
                                  ("open_follow_up", {"type": "boolean"}, False)),
                  responses={200: ("Ratings", ANY)}),
        Operation("POST", "/api/halls/{hall}/evaluations/{ticket_id:int}/follow-up", rec.follow_up,
                  "Record the follow-up (回访) of a bad rating", "evaluations", manager,
                  body=obj(("note",), note=string(maxLength=500)), responses={200: ("Recorded", ANY)}),
        Operation("POST", "/api/halls/{hall}/appointments", rec.create_appointment, "Book an appointment",
                  "appointments", manager,
                  body=obj(("code", "service", "slot_start", "slot_end"), code=string(), service=string(maxLength=1),
                           slot_start=string(format="date-time"), slot_end=string(format="date-time"), name=string()),
                  responses={201: ("Booked", ANY)}),
        Operation("POST", "/api/halls/{hall}/appointments/import", rec.import_appointments,
                  "Import appointments from CSV (code,service,slot_start,slot_end,name), all or none",
                  "appointments", manager, body={"type": "string"}, body_type="text/csv",
                  responses={201: ("Imported", ANY)}),
        Operation("POST", "/api/halls/{hall}/appointments/check-in", rec.check_in, "Check in an appointment",
                  "appointments", "anyone with the code (rate-limited), kiosks",
                  body=obj(("code",), code=string()), responses={201: ("The ticket", ANY)}),
        Operation("DELETE", "/api/halls/{hall}/appointments/{code}", rec.cancel_appointment, "Cancel an appointment",
                  "appointments", manager, responses={200: ("Cancelled", ANY)}),
        Operation("GET", "/api/halls/{hall}/notices", rec.notices, "Notices shown now", "notices", "anyone",
                  responses={200: ("Notices", ANY)}),
        Operation("POST", "/api/halls/{hall}/notices", rec.publish_notice, "Publish a notice", "notices", manager,
                  body=obj(("text_zh",), text_zh=string(maxLength=500), text_en=string(maxLength=500),
                           expires_at=string(format="date-time")),
                  responses={201: ("Published", ANY)}),
        Operation("DELETE", "/api/halls/{hall}/notices/{notice_id:int}", rec.withdraw_notice, "Withdraw a notice",
                  "notices", manager, responses={200: ("Withdrawn", ANY)}),
        Operation("GET", "/api/halls/{hall}/devices", dev.devices, "Serial devices and their health", "devices",
                  "displays, staff and agents of the hall", responses={200: ("Devices", ANY)}),
        Operation("PUT", "/api/halls/{hall}/devices/{device}", dev.report,
                  "Report a device's health (only changes are stored and published)", "devices",
                  "the hall's agent token, or a manager",
                  body=obj(("kind", "state"), kind=string(enum=["window_led", "hall_led", "caller_pad",
                                                               "evaluation_pad", "printer"]),
                           state=string(enum=["online", "retrying", "offline"]), error=string(maxLength=500),
                           window=integer(minimum=1)),
                  responses={200: ("The device's health", ANY)}),
        Operation("GET", "/api/tickets/{ticket_id:int}/slip", dev.slip, "What a ticket printer prints", "devices",
                  "the hall's agent token", responses={200: ("The slip", ANY)}),
        Operation("POST", "/api/tickets/{ticket_id:int}/evaluation/not-rated", dev.not_rated,
                  "The evaluation pad asked and no score came in time", "evaluations", "the hall's agent token",
                  responses={201: ("Recorded", ANY)}),
        # -- staffing (managers of the hall) --
        Operation("GET", "/api/halls/{hall}/staff", st.staff, "The staff registry, with skills and A/B partners",
                  "staffing", manager, query=(("active_only", {"type": "boolean"}, False),),
                  responses={200: ("Staff", ANY)}),
        Operation("POST", "/api/halls/{hall}/staff", st.add_staff,
                  "Add a clerk to the registry (a login without an account gets a clerk account: its one-time "
                  "password is in this answer only)", "staffing",
                  manager, body=obj(("login", "name"), login=string(maxLength=64), **STAFF_FIELDS),
                  responses={201: ("Added", ANY)}),
        Operation("PATCH", "/api/halls/{hall}/staff/{login}", st.update_staff,
                  "Change a clerk (what the body gives; partner null clears the A/B pair)", "staffing", manager,
                  body=obj((), **STAFF_FIELDS), responses={200: ("Changed", ANY)}),
        Operation("POST", "/api/halls/{hall}/staff/{login}/deactivate", st.deactivate_staff,
                  "Take a clerk off the staff for good (their partner and posts are freed)", "staffing", manager,
                  responses={200: ("Deactivated", ANY)}),
        Operation("GET", "/api/halls/{hall}/posts", st.posts, "Posts (岗位) and who holds them (AB岗)", "staffing",
                  manager, responses={200: ("Posts", ANY)}),
        Operation("PUT", "/api/halls/{hall}/posts/{code}", st.set_post, "Who holds a post (a) and stands in (b)",
                  "staffing", manager, body=obj(a=NULLABLE, b=NULLABLE), responses={200: ("Set", ANY)}),
        Operation("GET", "/api/halls/{hall}/shifts", st.shifts, "Shift templates (班次)", "staffing", manager,
                  responses={200: ("Shift templates", ANY)}),
        Operation("POST", "/api/halls/{hall}/shifts", st.add_shift, "Add a shift template", "staffing", manager,
                  body=obj(("code", "name_zh", "start", "end"), code=string(maxLength=32), **SHIFT_FIELDS),
                  responses={201: ("Added", ANY)}),
        Operation("PUT", "/api/halls/{hall}/shifts/{code}", st.change_shift, "Replace a shift template", "staffing",
                  manager, body=obj(("name_zh", "start", "end"), **SHIFT_FIELDS), responses={200: ("Replaced", ANY)}),
        Operation("DELETE", "/api/halls/{hall}/shifts/{code}", st.delete_shift, "Delete a shift template",
                  "staffing", manager, responses={200: ("Deleted", ANY)}),
        Operation("GET", "/api/halls/{hall}/leave", lv.leave, "Leave overlapping the days from..to", "staffing",
                  manager, query=(*RANGE, ("login", string(), False)), responses={200: ("Leave", ANY)}),
        Operation("POST", "/api/halls/{hall}/leave", lv.add_leave, "Record leave (请假, 外出, 培训)", "staffing",
                  manager, body=obj(("login", "kind", "start", "end"), login=string(), kind=string(enum=LEAVE_KINDS),
                                    start=INSTANT, end=INSTANT, note=string(maxLength=200)),
                  responses={201: ("Recorded", ANY)}),
        Operation("DELETE", "/api/halls/{hall}/leave/{leave_id:int}", lv.delete_leave, "Delete leave", "staffing",
                  manager, responses={200: ("Deleted", ANY)}),
        Operation("GET", "/api/halls/{hall}/calendar", lv.calendar,
                  "What each day is (kind, name, source, beyond_data)", "staffing", manager, query=RANGE,
                  responses={200: ("Days", ANY)}),
        Operation("PUT", "/api/halls/{hall}/calendar/{day}", lv.set_day, "Set what a day is for the hall",
                  "staffing", manager, body=obj(("kind",), kind=string(enum=DAY_KINDS), name=string(maxLength=100)),
                  responses={200: ("The day", ANY)}),
        Operation("DELETE", "/api/halls/{hall}/calendar/{day}", lv.clear_day,
                  "Clear the dashboard's date (the hall file's or the national calendar holds again)", "staffing",
                  manager, responses={200: ("The day", ANY)}),
        Operation("GET", "/api/halls/{hall}/rosters", ro.rosters,
                  "Rosters of a range: the published versions in force and the drafts", "rosters", manager,
                  query=RANGE, responses={200: ("Rosters", ANY)}),
        Operation("POST", "/api/halls/{hall}/rosters", ro.save,
                  "Save a draft (it replaces the drafts of its days)", "rosters", manager,
                  body=obj(("first", "last", "assignments"), first=string(format="date"), last=string(format="date"),
                           assignments={"type": "array", "items": ASSIGNMENT}),
                  responses={201: ("The draft", ANY)}),
        Operation("GET", "/api/halls/{hall}/rosters/week", ro.week, "The week grid (staff × day) holding a day",
                  "rosters", manager, query=DAY, responses={200: ("The grid", ANY)}),
        Operation("GET", "/api/halls/{hall}/rosters/noon", ro.noon, "Noon coverage (中午不停歇) of a day", "rosters",
                  manager, query=DAY, responses={200: ("Coverage per slot", ANY)}),
        Operation("GET", "/api/halls/{hall}/rosters/now", rn.now,
                  "The roster now: each window's rostered clerk (on duty, at lunch and where visitors go, before or "
                  "after the shift; unrostered clerks at windows) and posts unmanned (缺岗) with the B backup",
                  "rosters", manager, responses={200: ("Windows and absences", ANY)}),
        Operation("GET", "/api/halls/{hall}/attendance", rn.attendance,
                  "考勤: per clerk per day, first open and last close against the published duties, minutes late "
                  "and left early, absent, on leave", "rosters", manager, query=RANGE,
                  responses={200: ("Rows per clerk and day", ANY)}),
        Operation("GET", "/api/halls/{hall}/rosters/{roster_id:int}", ro.roster, "A roster with its duties",
                  "rosters", manager, responses={200: ("The roster", ANY)}),
        Operation("POST", "/api/halls/{hall}/rosters/{roster_id:int}/publish", ro.publish,
                  "Publish a draft as the next version", "rosters", manager, responses={200: ("Published", ANY)}),
        Operation("POST", "/api/halls/{hall}/rosters/{roster_id:int}/pin", ro.pin,
                  "Pin or unpin a duty of a draft (the solver keeps pinned duties)", "rosters", manager,
                  body=obj(("login", "day"), login=string(), day=string(format="date"), pinned={"type": "boolean"},
                           start=INSTANT),
                  responses={200: ("The duty", ANY)}),
        Operation("POST", "/api/halls/{hall}/rosters/solve", solver.start,
                  "自动排班: solve a range in the background (202, a job; 409 while the hall's solve runs); the "
                  "answer is saved as the draft of its days", "rosters", manager,
                  body=obj(("first", "last"), first=string(format="date"), last=string(format="date"),
                           time_limit_s=number(minimum=0.1, maximum=60, default=10),
                           demand=string(enum=["staffed", "planner"], default="staffed",
                                         description="windows per slot: what the staff can give, or the planner's")),
                  responses={202: ("The job", obj(job=string(), state=string()))}),
        Operation("GET", "/api/halls/{hall}/rosters/solve/{job}", solver.status,
                  "A solve job: state, stage, progress; the answer and the draft saved once done", "rosters",
                  manager, responses={200: ("The job", ANY)}),
        # -- planning (规划), read-only --
        Operation("GET", "/api/halls/{hall}/planning/forecast", plan.forecast,
                  "Expected arrivals per day, quarter hour and service (the week from today by default), with "
                  "service times and no-show shares", "planning", manager, query=RANGE,
                  responses={200: ("The forecast", ANY)}),
        Operation("GET", "/api/halls/{hall}/planning/accuracy", plan.accuracy,
                  "Past days: the forecast made on each day's eve against the arrivals, MAPE and WAPE per day "
                  "(the week before today by default)", "planning", manager, query=RANGE,
                  responses={200: ("Forecast against actual", ANY)}),
        Operation("GET", "/api/halls/{hall}/planning/required", plan.required,
                  "Windows each quarter hour needs for the hall's service target (Erlang C on the pooled windows; "
                  "check=1: as the twin's simulation corrects them, at most 31 days)",
                  "planning", manager, query=(*RANGE, ("check", {"type": "boolean"}, False)),
                  responses={200: ("Windows per slot", ANY)}),
        Operation("POST", "/api/halls/{hall}/planning/simulate", sim.simulate,
                  "Simulate a day (the hall's twin, on the forecast): the published roster, the draft or the "
                  "windows required; waits per slot and per service, replications' 95 % interval (nothing stored)",
                  "planning", manager, body=SIMULATE, responses={200: ("The simulated day", ANY)}),
        Operation("POST", "/api/halls/{hall}/planning/compare", sim.compare,
                  "What-if: the day as planned against 1-6 variations (departmental windows, a clerk more or fewer, "
                  "noon service on or off, a service's time cut), all with one seed (nothing stored)", "planning",
                  manager, body=obj(("day", "variations"), **SIM_FIELDS,
                                    variations={"type": "array", "minItems": 1, "maxItems": 6, "items": VARIATION}),
                  responses={200: ("The baseline and each variation", ANY)}),
        Operation("GET", "/api/halls/{hall}/my/duties", ro.my_duties,
                  "My duties today and this week, and my leave", "rosters",
                  "staff of the hall (their own); managers for anyone (login)",
                  query=(("day", string(format="date"), False), ("login", string(), False)),
                  responses={200: ("Duties", ANY)}),
        *manage_operations(ctx),
        *appointment_audit_operations(ctx),
        *case_operations(ctx),
        *report_operations(ctx),
        *report_ranking_operations(ctx),
        *city_operations(ctx),
    ]  # fmt: skip


def api_routes(ctx: ApiContext) -> list[BaseRoute]:
    ops = operations(ctx)
    doc = document(ops, COMPONENTS, __version__)

    async def openapi(request: Request) -> Response:
        return JSONResponse(doc)

    routes: list[BaseRoute] = [Route(op.path, op.endpoint, methods=[op.method]) for op in ops]
    routes.append(Route("/openapi.json", openapi, methods=["GET"]))
    return routes
