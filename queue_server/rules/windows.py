"""A window's own state machine: closed -> open <-> paused -> closed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..domain import Event, Window, WindowAction, WindowState
from ..errors import BadRequest, InvalidTransition, WindowBusy, WindowUnavailable

W = WindowState

TRANSITIONS: dict[WindowAction, tuple[frozenset[WindowState], WindowState]] = {
    WindowAction.OPEN: (frozenset({W.CLOSED}), W.OPEN),
    WindowAction.PAUSE: (frozenset({W.OPEN}), W.PAUSED),
    WindowAction.RESUME: (frozenset({W.PAUSED}), W.OPEN),
    WindowAction.CLOSE: (frozenset({W.OPEN, W.PAUSED}), W.CLOSED),
}

_STATE_ZH = {W.CLOSED: "已关闭", W.OPEN: "开放", W.PAUSED: "暂停"}
_ACTION_ZH = {
    WindowAction.OPEN: "开窗",
    WindowAction.PAUSE: "暂停",
    WindowAction.RESUME: "恢复",
    WindowAction.CLOSE: "关窗",
}


def _check(window: Window, action: WindowAction) -> WindowState:
    sources, target = TRANSITIONS[action]
    if window.state not in sources:
        raise InvalidTransition(
            f"{window.number} 号窗口当前「{_STATE_ZH[window.state]}」，不能{_ACTION_ZH[action]} / "
            f"window {window.number} is {window.state.value}; cannot {action.value}"
        )
    return target


def _event(
    old: Window, new: Window, action: WindowAction, at: datetime, actor: str | None = None, **detail: str | None
) -> Event:
    """``actor``: who did it (a manager acting on a clerk's window); default, the window's clerk."""
    return Event(
        hall=old.hall,
        kind=f"window.{action.value}",
        at=at,
        window=old.number,
        staff=actor or new.staff or old.staff,
        from_state=old.state.value,
        to_state=new.state.value,
        detail={k: v for k, v in detail.items() if v is not None},
    )


def open_window(window: Window, staff: str | None, at: datetime) -> tuple[Window, Event]:
    new = replace(window, state=_check(window, WindowAction.OPEN), staff=staff, pause_reason=None)
    return new, _event(window, new, WindowAction.OPEN, at)


def pause(window: Window, reason: str, at: datetime, staff: str | None = None) -> tuple[Window, Event]:
    if not reason.strip():
        raise BadRequest("暂停需要填写原因 / a pause needs a reason")
    new = replace(window, state=_check(window, WindowAction.PAUSE), pause_reason=reason.strip())
    return new, _event(window, new, WindowAction.PAUSE, at, staff, reason=new.pause_reason)


def resume(window: Window, at: datetime, staff: str | None = None) -> tuple[Window, Event]:
    new = replace(window, state=_check(window, WindowAction.RESUME), pause_reason=None)
    return new, _event(window, new, WindowAction.RESUME, at, staff)


def close(window: Window, current_number: str | None, at: datetime, staff: str | None = None) -> tuple[Window, Event]:
    """Close the window; a ticket still at the window must be dealt with first."""
    target = _check(window, WindowAction.CLOSE)
    if current_number is not None:
        raise WindowBusy(
            f"{window.number} 号窗口还有 {current_number} 未处理，请先办结、过号、挂起或转移 / "
            f"window {window.number} still has {current_number}; finish, no-show, hold or transfer it"
        )
    new = replace(window, state=target, staff=None, pause_reason=None)
    return new, _event(window, new, WindowAction.CLOSE, at, staff)


def ensure_can_call(window: Window, current_number: str | None) -> None:
    """A closed or paused window calls nothing; a busy one finishes first."""
    if window.state is not W.OPEN:
        raise WindowUnavailable(
            f"{window.number} 号窗口当前「{_STATE_ZH[window.state]}」，不能叫号 / "
            f"window {window.number} is {window.state.value}; it cannot call"
        )
    if current_number is not None:
        raise WindowBusy(
            f"{window.number} 号窗口正在处理 {current_number}，请先办结、过号、挂起或转移 / "
            f"window {window.number} still has {current_number}"
        )
