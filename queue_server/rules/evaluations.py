"""好差评: rating a finished service, and the follow-up a bad rating needs.

Pure: the caller passes the ticket, who finished it, the time and the hall's
local date; nothing is stored here, and a refused rating raises before anything
changes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from ..domain import BAD_SCORE, EVALUATION_CHANNELS, SCORE_LABELS, Evaluation, Event, Ticket, TicketState
from ..errors import BadRequest, Conflict, InvalidTransition, NotEligible
from .calendar import HallCalendar

MAX_TEXT = 500  # evaluation.comment; a follow-up note is kept in its event


def follow_up_due(score: int, rated_on: date, calendar: HallCalendar, working_days: int) -> date | None:
    """A 差评 (1 or 2) must be followed up within ``working_days`` working days of the hall
    calendar (holidays skipped, 调休 Saturdays counted) after the rating's local date."""
    if score not in SCORE_LABELS:
        raise ValueError(f"not a score: {score}")
    return calendar.working_days_after(rated_on, working_days) if score <= BAD_SCORE else None


def check_score(score: object) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORE_LABELS:
        scale = "，".join(f"{s} {zh}" for s, (zh, _) in SCORE_LABELS.items())
        raise BadRequest(f"评分须为 1 到 5 的整数（{scale}） / score must be a whole number 1..5, got {score!r}")
    return score


def check_channel(channel: str) -> str:
    if channel not in EVALUATION_CHANNELS:
        known = ", ".join(sorted(EVALUATION_CHANNELS))
        raise BadRequest(f"评价渠道须为 {known} 之一 / channel must be one of {known}, got {channel!r}")
    return channel


def check_comment(comment: str) -> str:
    comment = comment.strip()
    if len(comment) > MAX_TEXT:
        raise BadRequest(
            f"评价内容最多 {MAX_TEXT} 字，当前 {len(comment)} 字 / "
            f"a comment has at most {MAX_TEXT} characters, got {len(comment)}"
        )
    return comment


def check_ratable(ticket: Ticket, at: datetime, window_minutes: int) -> None:
    """A finished ticket, rated no later than ``window_minutes`` after it finished."""
    if ticket.state is not TicketState.DONE or ticket.finished_at is None:
        raise InvalidTransition(
            f"{ticket.number} 尚未办结，不能评价 / ticket {ticket.number} is {ticket.state.value}; "
            "only a finished service can be rated"
        )
    if at - ticket.finished_at > timedelta(minutes=window_minutes):
        raise NotEligible(
            f"{ticket.number} 办结已超过 {window_minutes} 分钟，不能再评价 / "
            f"ticket {ticket.number} finished more than {window_minutes} minutes ago; it can no longer be rated"
        )


def rate(
    ticket: Ticket,
    *,
    score: int,
    channel: str,
    comment: str,
    staff: str | None,
    at: datetime,
    rated_on: date,
    window_minutes: int,
    calendar: HallCalendar,
    follow_up_days: int,
) -> tuple[Evaluation, Event]:
    """The rating of ``ticket`` and its event. ``staff`` is the clerk who finished the service;
    ``rated_on`` is the hall's local date at ``at``: the follow-up deadline counts
    ``follow_up_days`` working days of ``calendar`` from it."""
    score = check_score(score)
    channel = check_channel(channel)
    comment = check_comment(comment)
    check_ratable(ticket, at, window_minutes)
    evaluation = Evaluation(
        ticket_id=ticket.id,
        hall=ticket.hall,
        score=score,
        at=at,
        channel=channel,
        service=ticket.service,
        window=ticket.window,
        staff=staff,
        comment=comment,
        follow_up_due=follow_up_due(score, rated_on, calendar, follow_up_days),
        number=ticket.number,
    )
    event = Event(
        hall=ticket.hall,
        kind="evaluation.submit",
        at=at,
        ticket_id=ticket.id,
        window=ticket.window,
        detail={"score": score, "bad": evaluation.bad},
    )
    return evaluation, event


NOT_RATED = "evaluation.not_rated"


def not_rated(ticket: Ticket, *, channel: str, at: datetime, already: bool) -> Event:
    """The visitor was asked on ``channel`` (the window's evaluation pad) and gave no score in time.

    Recorded once per service, so the rating rate counts it; a later rating (by phone) is
    still accepted, since none was given. ``already``: a not-rated record exists.
    """
    channel = check_channel(channel)
    if ticket.state is not TicketState.DONE:
        raise InvalidTransition(
            f"{ticket.number} 尚未办结 / ticket {ticket.number} is {ticket.state.value}; only a finished service "
            "can go unrated"
        )
    if already:
        raise Conflict(f"{ticket.number} 已记录为未评价 / ticket {ticket.number} is already recorded as not rated")
    return Event(
        hall=ticket.hall,
        kind=NOT_RATED,
        at=at,
        ticket_id=ticket.id,
        window=ticket.window,
        detail={"channel": channel, "service": ticket.service},
    )


def follow_up(evaluation: Evaluation, *, staff: str, note: str, at: datetime, today: date) -> tuple[Evaluation, Event]:
    """A manager records the follow-up (回访) of a bad rating. ``today`` is the hall's local date."""
    staff, note = staff.strip(), note.strip()
    if not staff:
        raise BadRequest("回访须记录经办人 / a follow-up needs the staff member who made it")
    if not note:
        raise BadRequest("回访须填写情况说明 / a follow-up needs a note saying what was done")
    if len(note) > MAX_TEXT:
        raise BadRequest(
            f"回访说明最多 {MAX_TEXT} 字，当前 {len(note)} 字 / "
            f"a note has at most {MAX_TEXT} characters, got {len(note)}"
        )
    if not evaluation.bad:
        raise NotEligible(
            f"票 {evaluation.ticket_id} 的评价为「{SCORE_LABELS[evaluation.score][0]}」，不是差评，无需回访 / "
            f"the rating of ticket {evaluation.ticket_id} is {evaluation.score}, not a bad rating; no follow-up needed"
        )
    if evaluation.followed_up_at is not None:
        raise Conflict(
            f"票 {evaluation.ticket_id} 的差评已于 {evaluation.followed_up_at:%Y-%m-%d %H:%M} UTC 回访 / "
            f"the bad rating of ticket {evaluation.ticket_id} was already followed up "
            f"at {evaluation.followed_up_at:%Y-%m-%d %H:%M} UTC"
        )
    new = replace(evaluation, followed_up_at=at)
    overdue = evaluation.follow_up_due is not None and today > evaluation.follow_up_due
    event = Event(
        hall=evaluation.hall,
        kind="evaluation.follow_up",
        at=at,
        ticket_id=evaluation.ticket_id,
        window=evaluation.window,
        staff=staff,
        detail={"note": note, "overdue": overdue},
    )
    return new, event
