"""Follow-up cases (回访工单) of 差评: what each action does to a case and what it refuses.

A rating of 1 or 2 opens a case in the rating's transaction. Its states and moves::

    open ──assign / call-back──▶ in_progress ──resolve──▶ resolved ──close──▶ closed
    open, in_progress ──appeal (the clerk concerned)──▶ appealed
    appealed ──decide──▶ appeal_upheld ──close──▶ closed
                    └──▶ appeal_rejected ──call-back──▶ in_progress
                                        └──resolve──▶ resolved

- assign (a manager names the owner): any state but closed; an open case becomes in_progress.
- note: any state but closed; the state stays.
- call-back (回访记录): open, in_progress or appeal_rejected; the case is in_progress after it.
  An appealed case waits for the decision: calling the visitor about it then is refused.
- resolve (解决情况, whether the visitor was satisfied after the call-back): in_progress or
  appeal_rejected, and only after at least one call-back.
- close (a manager files it): resolved or appeal_upheld.
- appeal (申诉): the clerk concerned, once, while the case is open or in_progress.
- decide (a manager upholds or rejects the appeal, with a note): appealed only.

A case still needs work (counts as due, overdue in red after its due date) while it is open,
in_progress, appealed or appeal_rejected; resolved, closed and an upheld appeal are done.
Any other move raises ``InvalidTransition`` (409) naming the state; bad input ``BadRequest``
naming the field. Pure: the caller passes the case, who acts and the time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from ..domain import (
    CALL_BACK_METHODS,
    CallBack,
    CaseChange,
    CaseNote,
    CaseState,
    Evaluation,
    Event,
    FollowUpCase,
)
from ..errors import BadRequest, Conflict, Forbidden, InvalidTransition
from .calendar import HallCalendar

MAX_TEXT = 500
S = CaseState

STATE_LABELS: dict[CaseState, tuple[str, str]] = {
    S.OPEN: ("待处理", "open"),
    S.IN_PROGRESS: ("处理中", "in progress"),
    S.RESOLVED: ("已解决", "resolved"),
    S.CLOSED: ("已关闭", "closed"),
    S.APPEALED: ("申诉中", "appealed"),
    S.APPEAL_UPHELD: ("申诉成立", "appeal upheld"),
    S.APPEAL_REJECTED: ("申诉驳回", "appeal rejected"),
}
PENDING = frozenset({S.OPEN, S.IN_PROGRESS, S.APPEALED, S.APPEAL_REJECTED})

# action: (its name in Chinese, the states it may start from)
ACTIONS: dict[str, tuple[str, frozenset[CaseState]]] = {
    "assign": ("指派", frozenset(S) - {S.CLOSED}),
    "note": ("添加备注", frozenset(S) - {S.CLOSED}),
    "call_back": ("记录回访", frozenset({S.OPEN, S.IN_PROGRESS, S.APPEAL_REJECTED})),
    "resolve": ("办结", frozenset({S.IN_PROGRESS, S.APPEAL_REJECTED})),
    "close": ("关闭", frozenset({S.RESOLVED, S.APPEAL_UPHELD})),
    "appeal": ("申诉", frozenset({S.OPEN, S.IN_PROGRESS})),
    "decide": ("裁决申诉", frozenset({S.APPEALED})),
}
# The kinds of a case's events (EventKind declares them).
OPENED, ASSIGNED, NOTED, CALLED_BACK = "case.open", "case.assign", "case.note", "case.call_back"
RESOLVED, CLOSED, APPEALED, DECIDED = "case.resolve", "case.close", "case.appeal", "case.decide"
DUE_FILTERS = ("open", "due_soon", "overdue", "all")


def check_text(value: str, field: str, *, required: bool = True) -> str:
    text = value.strip()
    if required and not text:
        raise BadRequest(f"{field} 不能为空 / {field} must not be empty")
    if len(text) > MAX_TEXT:
        raise BadRequest(f"{field} 最多 {MAX_TEXT} 字，当前 {len(text)} 字 / {field} has at most {MAX_TEXT} characters")
    return text


def _who(by: str) -> str:
    by = by.strip()
    if not by:
        raise BadRequest("by 须为经办人的登录名 / by must name who acts")
    return by


def _allowed(case: FollowUpCase, action: str) -> None:
    zh, starts = ACTIONS[action]
    if case.state not in starts:
        label_zh, label_en = STATE_LABELS[case.state]
        allowed = ", ".join(sorted(s.value for s in starts))
        raise InvalidTransition(
            f"回访工单 {case.number} 当前为「{label_zh}」，不能{zh} / case {case.number} is {case.state.value} "
            f"({label_en}); {action} is allowed from: {allowed}"
        )


def _moved(
    case: FollowUpCase, action: str, by: str, at: datetime, state: CaseState, text: str = "", **changes: Any
) -> FollowUpCase:
    entry = CaseChange(at=at, by=by, action=action, state=state, text=text)
    return replace(case, state=state, updated_at=at, history=(*case.history, entry), **changes)


def _said(case: FollowUpCase, at: datetime) -> dict[str, Any]:
    """The event of the case's last change, who made it (none for the opening): it names the case
    and its state, never the visitor's comment or the notes, since the hall channel also reaches
    the hall's screens."""
    return {
        "hall": case.hall,
        "at": at,
        "ticket_id": case.ticket_id,
        "window": case.window,
        "staff": case.history[-1].by or None,
        "detail": {"case": {"ticket_id": case.ticket_id, "number": case.number, "state": case.state.value,
                            "due": case.due.isoformat(), "owner": case.owner}},
    }  # fmt: skip


def open_case(evaluation: Evaluation, at: datetime) -> tuple[FollowUpCase, Event]:
    """The case a 差评 opens, due on the rating's follow-up date."""
    if not evaluation.bad or evaluation.follow_up_due is None:
        raise ValueError(f"the rating of ticket {evaluation.ticket_id} is not a 差评")
    case = FollowUpCase(
        ticket_id=evaluation.ticket_id,
        hall=evaluation.hall,
        number=evaluation.number,
        service=evaluation.service,
        window=evaluation.window,
        clerk=evaluation.staff,
        score=evaluation.score,
        comment=evaluation.comment,
        rated_at=evaluation.at,
        due=evaluation.follow_up_due,
        state=S.OPEN,
        opened_at=at,
        updated_at=at,
        history=(CaseChange(at=at, by="", action="open", state=S.OPEN),),
    )
    return case, Event(kind=OPENED, **_said(case, at))


def assign(case: FollowUpCase, *, owner: str, by: str, at: datetime) -> tuple[FollowUpCase, Event]:
    _allowed(case, "assign")
    owner = owner.strip()
    if not owner:
        raise BadRequest("owner 须为负责人的登录名 / owner must name a staff login")
    state = S.IN_PROGRESS if case.state is S.OPEN else case.state
    new = _moved(case, "assign", _who(by), at, state, owner, owner=owner)
    return new, Event(kind=ASSIGNED, **_said(new, at))


def add_note(case: FollowUpCase, *, text: str, by: str, at: datetime) -> tuple[FollowUpCase, Event]:
    _allowed(case, "note")
    by, text = _who(by), check_text(text, "text")
    note = CaseNote(at=at, by=by, text=text)
    new = _moved(case, "note", by, at, case.state, text, notes=(*case.notes, note))
    return new, Event(kind=NOTED, **_said(new, at))


def call_back(
    case: FollowUpCase, *, method: str, reached: bool, response: str, by: str, at: datetime
) -> tuple[FollowUpCase, Event]:
    """A call-back to the visitor (回访记录): how, reached or not, what they said."""
    _allowed(case, "call_back")
    if method not in CALL_BACK_METHODS:
        known = ", ".join(CALL_BACK_METHODS)
        raise BadRequest(f"method 须为 {known} 之一 / method must be one of {known}, got {method!r}")
    by = _who(by)
    response = check_text(response, "response", required=reached)
    record = CallBack(at=at, by=by, method=method, reached=reached, response=response)
    new = _moved(case, "call_back", by, at, S.IN_PROGRESS, response, callbacks=(*case.callbacks, record))
    return new, Event(kind=CALLED_BACK, **_said(new, at))


def resolve(
    case: FollowUpCase, *, text: str, satisfied: bool | None, by: str, at: datetime
) -> tuple[FollowUpCase, Event]:
    """The resolution (解决情况): what was done, and whether the visitor was satisfied after the
    call-back (None only for a follow-up recorded the old way, which did not ask)."""
    _allowed(case, "resolve")
    if not case.callbacks:
        raise Conflict(
            f"回访工单 {case.number} 尚无回访记录，不能办结 / case {case.number} has no call-back recorded; "
            "record one before resolving"
        )
    text = check_text(text, "text")
    new = _moved(case, "resolve", _who(by), at, S.RESOLVED, text, resolution=text, resolved_at=at, satisfied=satisfied)
    return new, Event(kind=RESOLVED, **_said(new, at))


def close(case: FollowUpCase, *, by: str, at: datetime) -> tuple[FollowUpCase, Event]:
    _allowed(case, "close")
    new = _moved(case, "close", _who(by), at, S.CLOSED)
    return new, Event(kind=CLOSED, **_said(new, at))


def appeal(case: FollowUpCase, *, reason: str, by: str, at: datetime) -> tuple[FollowUpCase, Event]:
    """The clerk concerned disputes the rating (申诉); only they may, and only once."""
    by = _who(by)
    if case.clerk is None or by != case.clerk:
        raise Forbidden(
            f"只有被评价的窗口人员可以申诉回访工单 {case.number} / only the clerk concerned "
            f"({case.clerk or 'none recorded'}) may appeal case {case.number}"
        )
    if case.appealed_at is not None:
        raise Conflict(f"回访工单 {case.number} 已申诉过 / case {case.number} has already been appealed")
    _allowed(case, "appeal")
    reason = check_text(reason, "reason")
    new = _moved(case, "appeal", by, at, S.APPEALED, reason, appeal_reason=reason, appealed_by=by, appealed_at=at)
    return new, Event(kind=APPEALED, **_said(new, at))


def decide(case: FollowUpCase, *, upheld: bool, note: str, by: str, at: datetime) -> tuple[FollowUpCase, Event]:
    """A manager decides the appeal: upheld (the clerk is not at fault; the case is done) or
    rejected (the follow-up goes on)."""
    _allowed(case, "decide")
    note = check_text(note, "note")
    state = S.APPEAL_UPHELD if upheld else S.APPEAL_REJECTED
    new = _moved(case, "decide", _who(by), at, state, note, decision_note=note, decided_by=by.strip(), decided_at=at)
    return new, Event(kind=DECIDED, **_said(new, at))


def due_status(case: FollowUpCase, today: date, calendar: HallCalendar) -> str:
    """``done``, ``overdue`` (past its due date), ``due_soon`` (at most one working day left) or ``open``."""
    if case.state not in PENDING:
        return "done"
    if today > case.due:
        return "overdue"
    if calendar.working_days_after(today, 1) >= case.due:
        return "due_soon"
    return "open"


def matches_due(status: str, wanted: str) -> bool:
    """Whether a case of ``due_status`` ``status`` is listed under the filter ``wanted``
    (``open``: every case still needing work, ``all``: every case)."""
    if wanted == "all":
        return True
    if wanted == "open":
        return status != "done"
    return status == wanted
