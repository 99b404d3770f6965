"""The ticket's life as a state machine (DESIGN.md, Ticket life).

Each function takes a ticket, the command's facts and the time, and returns the
new ticket and the event that records the transition. Nothing is stored here;
an impossible transition raises before anything changes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..domain import APPOINTMENT_CLASS, Event, Ticket, TicketAction, TicketState, Tier
from ..errors import InvalidTransition, NotEligible, RecallLimitReached
from .numbering import format_number

S = TicketState
A = TicketAction

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[TicketAction, tuple[frozenset[TicketState], TicketState]] = {
    A.CALL: (frozenset({S.WAITING}), S.CALLED),
    A.RECALL: (frozenset({S.CALLED}), S.CALLED),
    A.START: (frozenset({S.CALLED}), S.SERVING),
    A.NO_SHOW: (frozenset({S.CALLED}), S.NO_SHOW),
    A.REACTIVATE: (frozenset({S.NO_SHOW}), S.WAITING),
    A.HOLD: (frozenset({S.CALLED, S.SERVING}), S.HELD),
    A.RETURN: (frozenset({S.HELD}), S.HELD),
    A.CALL_BACK: (frozenset({S.HELD}), S.CALLED),
    A.TRANSFER: (frozenset({S.CALLED, S.SERVING}), S.WAITING),
    A.FINISH: (frozenset({S.SERVING}), S.DONE),
    A.CANCEL: (frozenset({S.WAITING, S.CALLED, S.HELD}), S.CANCELLED),
    A.ROLLOVER: (frozenset({S.WAITING, S.HELD, S.NO_SHOW}), S.NOT_SERVED),
}

_ACTION_ZH = {
    A.CALL: "叫号",
    A.RECALL: "重呼",
    A.START: "开始办理",
    A.NO_SHOW: "过号",
    A.REACTIVATE: "过号恢复",
    A.HOLD: "挂起",
    A.RETURN: "回到窗口",
    A.CALL_BACK: "回呼",
    A.TRANSFER: "转移",
    A.FINISH: "办结",
    A.CANCEL: "取消",
    A.ROLLOVER: "日终未办",
}

_STATE_ZH = {
    S.WAITING: "等候中",
    S.CALLED: "已叫号",
    S.SERVING: "办理中",
    S.HELD: "挂起",
    S.NO_SHOW: "过号",
    S.DONE: "已办结",
    S.CANCELLED: "已取消",
    S.NOT_SERVED: "未办理",
}


def state_label(state: TicketState) -> str:
    return _STATE_ZH[state]


def check(ticket: Ticket, action: TicketAction) -> TicketState:
    """Return the state ``action`` leads to, or raise if it cannot start here."""
    sources, target = TRANSITIONS[action]
    if ticket.state not in sources:
        allowed = "、".join(_STATE_ZH[s] for s in sorted(sources))
        raise InvalidTransition(
            f"{ticket.number} 当前为「{_STATE_ZH[ticket.state]}」，不能{_ACTION_ZH[action]}"
            f"（只能从 {allowed} 状态{_ACTION_ZH[action]}）"
            f" / ticket {ticket.number} is {ticket.state.value}; cannot {action.value}"
        )
    return target


def _event(
    ticket: Ticket,
    new: Ticket,
    action: TicketAction,
    at: datetime,
    staff: str | None,
    window: int | None,
    **detail: Any,
) -> Event:
    return Event(
        hall=ticket.hall,
        kind=f"ticket.{action.value}",
        at=at,
        ticket_id=ticket.id,
        window=window,
        staff=staff,
        from_state=ticket.state.value,
        to_state=new.state.value,
        detail={k: v for k, v in detail.items() if v is not None},
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def to_us(at: datetime) -> int:
    """Microseconds since the epoch: the unit of ``Ticket.order_key``.

    Integer arithmetic: ``at.timestamp() * 1e6`` goes through a float and loses the
    last microsecond from 2038 on (a naive time is read as local time, like timestamp())."""
    if at.tzinfo is None:
        at = at.astimezone()
    return (at - _EPOCH) // _US


def issue(
    *,
    hall: str,
    day: date,
    service: str,
    running_number: int,
    priority: str,
    tier: Tier,
    at: datetime,
    token: str,
    slot_start: datetime | None = None,
    appointment: str | None = None,
) -> Ticket:
    """A new waiting ticket (id 0 until stored). An appointment stands in line from its
    slot's start; everyone else from the moment they took the number."""
    if appointment is not None:
        if slot_start is None:
            raise ValueError("an appointment ticket needs its slot start")
        priority, tier, key = APPOINTMENT_CLASS, Tier.APPOINTMENT, to_us(slot_start)
    else:
        key = to_us(at)
    return Ticket(
        id=0,
        hall=hall,
        business_day=day,
        service=service,
        number=format_number(service, running_number),
        priority=priority,
        tier=tier,
        state=TicketState.WAITING,
        order_key=key,
        issued_at=at,
        token=token,
        appointment=appointment,
    )


def issued_event(ticket: Ticket, staff: str | None = None) -> Event:
    return Event(
        hall=ticket.hall,
        kind=f"ticket.{A.ISSUE.value}",
        at=ticket.issued_at,
        ticket_id=ticket.id,
        staff=staff,
        to_state=ticket.state.value,
        detail={
            "number": ticket.number,
            "service": ticket.service,
            "priority": ticket.priority,
            **({"appointment": ticket.appointment} if ticket.appointment else {}),
        },
    )


def call(
    ticket: Ticket, window: int, at: datetime, staff: str | None, reason: str | None = None
) -> tuple[Ticket, Event]:
    """Call a waiting ticket to ``window``. ``reason`` marks an out-of-order call."""
    target = check(ticket, A.CALL)
    if ticket.target_window is not None and ticket.target_window != window:
        raise NotEligible(
            f"{ticket.number} 已转给 {ticket.target_window} 号窗口 / "
            f"{ticket.number} was transferred to window {ticket.target_window}"
        )
    new = replace(ticket, state=target, window=window, called_at=at, recall_count=0, target_window=None)
    return new, _event(ticket, new, A.CALL, at, staff, window, reason=reason, number=ticket.number)


def recall(ticket: Ticket, at: datetime, staff: str | None, limit: int) -> tuple[Ticket, Event]:
    target = check(ticket, A.RECALL)
    if ticket.recall_count >= limit:
        raise RecallLimitReached(
            f"{ticket.number} 已重呼 {ticket.recall_count} 次，达到上限 {limit} 次，请按过号处理 / "
            f"recall limit of {limit} reached for {ticket.number}; mark it as no-show"
        )
    new = replace(ticket, state=target, recall_count=ticket.recall_count + 1)
    return new, _event(ticket, new, A.RECALL, at, staff, ticket.window, count=new.recall_count)


def start(ticket: Ticket, at: datetime, staff: str | None) -> tuple[Ticket, Event]:
    new = replace(ticket, state=check(ticket, A.START), started_at=at)
    return new, _event(ticket, new, A.START, at, staff, ticket.window)


def finish(ticket: Ticket, at: datetime, staff: str | None) -> tuple[Ticket, Event]:
    new = replace(ticket, state=check(ticket, A.FINISH), finished_at=at)
    return new, _event(ticket, new, A.FINISH, at, staff, ticket.window)


def no_show(ticket: Ticket, at: datetime, staff: str | None) -> tuple[Ticket, Event]:
    new = replace(ticket, state=check(ticket, A.NO_SHOW))
    return new, _event(ticket, new, A.NO_SHOW, at, staff, ticket.window)


def reactivate(
    ticket: Ticket, order_key: int, at: datetime, staff: str | None, max_reactivations: int
) -> tuple[Ticket, Event]:
    """Put a late visitor back in line at ``order_key`` (computed by the caller)."""
    target = check(ticket, A.REACTIVATE)
    if ticket.reactivations >= max_reactivations:
        raise InvalidTransition(
            f"{ticket.number} 已恢复过 {ticket.reactivations} 次，不能再次恢复，请重新取号 / "
            f"{ticket.number} was already reactivated {ticket.reactivations} time(s); take a new number"
        )
    new = replace(
        ticket,
        state=target,
        order_key=order_key,
        reactivations=ticket.reactivations + 1,
        window=None,
        called_at=None,
        recall_count=0,
    )
    return new, _event(ticket, new, A.REACTIVATE, at, staff, None)


def hold(ticket: Ticket, at: datetime, staff: str | None, reason: str | None) -> tuple[Ticket, Event]:
    new = replace(ticket, state=check(ticket, A.HOLD), returned=False)
    return new, _event(ticket, new, A.HOLD, at, staff, ticket.window, reason=reason)


def mark_returned(ticket: Ticket, at: datetime, staff: str | None) -> tuple[Ticket, Event]:
    """The held visitor is back: the holding window's next call-next takes them first."""
    new = replace(ticket, state=check(ticket, A.RETURN), returned=True)
    return new, _event(ticket, new, A.RETURN, at, staff, ticket.window)


def call_back(ticket: Ticket, window: int, at: datetime, staff: str | None) -> tuple[Ticket, Event]:
    target = check(ticket, A.CALL_BACK)
    if ticket.window != window:
        raise NotEligible(
            f"{ticket.number} 由 {ticket.window} 号窗口挂起，只能由该窗口回呼 / "
            f"{ticket.number} is held by window {ticket.window}"
        )
    new = replace(ticket, state=target, called_at=at, returned=False, recall_count=0)
    return new, _event(ticket, new, A.CALL_BACK, at, staff, window)


def transfer(
    ticket: Ticket,
    at: datetime,
    staff: str | None,
    service: str,
    target_window: int | None,
    reason: str | None,
) -> tuple[Ticket, Event]:
    """Send the ticket back into a queue, keeping its place (``order_key``)."""
    target = check(ticket, A.TRANSFER)
    new = replace(
        ticket,
        state=target,
        service=service,
        target_window=target_window,
        window=None,
        called_at=None,
        started_at=None,
        recall_count=0,
    )
    return new, _event(
        ticket,
        new,
        A.TRANSFER,
        at,
        staff,
        ticket.window,
        from_service=ticket.service,
        to_service=service,
        to_window=target_window,
        reason=reason,
    )


def cancel(ticket: Ticket, at: datetime, staff: str | None, reason: str | None) -> tuple[Ticket, Event]:
    new = replace(ticket, state=check(ticket, A.CANCEL))
    return new, _event(ticket, new, A.CANCEL, at, staff, ticket.window, reason=reason)


def rollover(ticket: Ticket, at: datetime) -> tuple[Ticket, Event]:
    new = replace(ticket, state=check(ticket, A.ROLLOVER))
    return new, _event(ticket, new, A.ROLLOVER, at, None, ticket.window)
