"""Follow-up cases (回访工单) as the 回访 page and the dashboard read them: filtered lists, one
case with its history, and how many are overdue. Whether a case is due soon or overdue is
judged on the hall's business day against the hall calendar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from ..domain import SCORE_LABELS, CaseState, FollowUpCase
from ..errors import NotFound
from ..rules import cases as case_rules
from ..rules.calendar import HallCalendar
from ..service import QueueService
from ..text import check_period

MAX_RANGE_DAYS = 400
# A 调休 workday or a holiday within this many days can move "one working day left".
_CALENDAR_AHEAD = timedelta(days=30)


def _iso(at: date | datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def case_view(case: FollowUpCase, status: str) -> dict[str, Any]:
    """A case as the API answers it; ``status`` is its ``rules.cases.due_status``."""
    zh, en = case_rules.STATE_LABELS[case.state]
    return {
        "ticket_id": case.ticket_id,
        "number": case.number,
        "service": case.service,
        "window": case.window,
        "clerk": case.clerk,
        "score": case.score,
        "score_label_zh": SCORE_LABELS[case.score][0],
        "score_label_en": SCORE_LABELS[case.score][1],
        "comment": case.comment,
        "rated_at": case.rated_at.isoformat(),
        "due": case.due.isoformat(),
        "due_status": status,
        "overdue": status == "overdue",
        "state": case.state.value,
        "state_label_zh": zh,
        "state_label_en": en,
        "owner": case.owner,
        "opened_at": case.opened_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "notes": [{"at": n.at.isoformat(), "by": n.by, "text": n.text} for n in case.notes],
        "callbacks": [
            {"at": c.at.isoformat(), "by": c.by, "method": c.method, "reached": c.reached, "response": c.response}
            for c in case.callbacks
        ],
        "history": [
            {"at": h.at.isoformat(), "by": h.by, "action": h.action, "state": h.state.value, "text": h.text}
            for h in case.history
        ],
        "resolution": case.resolution,
        "resolved_at": _iso(case.resolved_at),
        "satisfied": case.satisfied,
        "appeal": None
        if case.appealed_at is None
        else {
            "reason": case.appeal_reason,
            "by": case.appealed_by,
            "at": _iso(case.appealed_at),
            "decision": _decision(case),
            "note": case.decision_note,
            "decided_by": case.decided_by,
            "decided_at": _iso(case.decided_at),
        },
    }


def _decision(case: FollowUpCase) -> str:
    """``pending``, or how the appeal was decided (read from the history: the state moves on)."""
    if case.decided_at is None:
        return "pending"
    decided = [h.state for h in case.history if h.action == "decide"]
    return "upheld" if decided and decided[-1] is CaseState.APPEAL_UPHELD else "rejected"


def _calendar(service: QueueService, slug: str, today: date) -> HallCalendar:
    hall = service.hall(slug)
    with service.store.reader(slug) as r:
        overrides = r.calendar_overrides(today, today + _CALENDAR_AHEAD)
    return HallCalendar(hall.hours, overrides)


def list_cases(
    service: QueueService,
    slug: str,
    *,
    state: CaseState | None = None,
    due: str = "all",
    clerk: str | None = None,
    service_code: str | None = None,
    first: date | None = None,
    last: date | None = None,
) -> list[dict[str, Any]]:
    """The hall's cases by due date: of ``state``, under the ``due`` filter (open, due_soon,
    overdue, all), of one clerk or service, rated on local days ``first`` to ``last``."""
    hall = service.hall(slug)
    if first is not None and last is not None:
        check_period(first, last, MAX_RANGE_DAYS, ("一次最多查询", "a range has at most"), start="from", end="to")
    since = datetime.combine(first, time(), hall.tz) if first is not None else None
    until = datetime.combine(last + timedelta(days=1), time(), hall.tz) if last is not None else None
    today = service.business_day(slug)
    calendar = _calendar(service, slug, today)
    with service.store.reader(slug) as r:
        found = r.cases(
            states=None if state is None else (state,), since=since, until=until, clerk=clerk, service=service_code
        )
    views = []
    for case in found:
        status = case_rules.due_status(case, today, calendar)
        if case_rules.matches_due(status, due):
            views.append(case_view(case, status))
    return views


def get_case(service: QueueService, slug: str, ticket_id: int) -> dict[str, Any]:
    service.hall(slug)
    with service.store.reader(slug) as r:
        case = r.case(ticket_id)
    if case is None:
        raise NotFound(f"票 {ticket_id} 没有回访工单 / ticket {ticket_id} has no follow-up case in {slug}")
    return described(service, slug, case)


def described(service: QueueService, slug: str, case: FollowUpCase) -> dict[str, Any]:
    """``case_view`` of a case a command just answered, judged on today's calendar."""
    today = service.business_day(slug)
    return case_view(case, case_rules.due_status(case, today, _calendar(service, slug, today)))


def case_counts(service: QueueService, slug: str) -> dict[str, int]:
    """How many cases still need work, are due within a working day, and are overdue."""
    today = service.business_day(slug)
    calendar = _calendar(service, slug, today)
    with service.store.reader(slug) as r:
        found = r.cases(states=case_rules.PENDING)
    statuses = [case_rules.due_status(c, today, calendar) for c in found]
    return {
        "open": len(statuses),
        "due_soon": statuses.count("due_soon"),
        "overdue": statuses.count("overdue"),
    }
