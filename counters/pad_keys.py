"""Caller-pad keys (呼叫器按键) as the window actions the clerk console sends.

Pure: a key byte, the digits typed before it and what the host knows of the window in,
the HTTP action out (POST /api/halls/{hall}/windows/{n}/{action} with ``body``), or a
refusal the pad beeps for, or "just re-show the display". Keys are plain ints so this
module does not depend on ``hardware``.

| key | digits | window | result |
| --- | --- | --- | --- |
| 0C call next | none | any | ``call-next`` |
| 0D recall | none | any | ``recall`` |
| 0B evaluate | none | any | ``finish`` (finishing is what makes the evaluation pad ask) |
| 12 pause | none | open | ``pause`` {"reason": "呼叫器暂停 / paused at the caller pad"} |
| 12 pause | none | paused | ``resume`` |
| 12 pause | none | closed | refused: a clerk opens a window by signing in at the console |
| 13 transfer | window number, e.g. 1 2 | any | ``transfer`` {"window": 12} |
| 13 transfer | none, 0, > 9999 | any | refused |
| 0E cancel | any | any | ``ShowState``: re-show the pad's display, clearing what was typed |
| 0F confirm | 6 | any | ``no-show`` |
| 0F confirm | 0 | any | ``hold`` |
| 0F confirm | 3 | any | ``call-back/{id}`` of the most recently held ticket; none held: refused |
| 0F confirm | anything else | any | refused |
| other keys, or digits before a key that takes none | | | refused |

Whether the window may act at all (a ticket in hand, the window open) is the server's
call: it answers with an error the host beeps for, as for a refusal here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from queue_server import WindowState

KEY_EVALUATE: Final = 0x0B
KEY_CALL_NEXT: Final = 0x0C
KEY_RECALL: Final = 0x0D
KEY_CANCEL: Final = 0x0E
KEY_CONFIRM: Final = 0x0F
KEY_PAUSE: Final = 0x12
KEY_TRANSFER: Final = 0x13

DIGIT_NO_SHOW: Final = (6,)
DIGIT_HOLD: Final = (0,)
DIGIT_CALL_BACK: Final = (3,)

PAUSE_REASON: Final = "呼叫器暂停 / paused at the caller pad"
MAX_WINDOW: Final = 9999  # the API's bound for a window number

# Keys that map straight onto one action and take no digits.
_SIMPLE: Final[dict[int, str]] = {
    KEY_CALL_NEXT: "call-next",
    KEY_RECALL: "recall",
    KEY_EVALUATE: "finish",
}


@dataclass(frozen=True, slots=True)
class PadContext:
    """What the host knows of the pad's window (as in the server's window view)."""

    window_state: WindowState
    held_ticket_ids: tuple[int, ...]  # held at this window, oldest first


@dataclass(frozen=True, slots=True)
class WindowCommand:
    """POST …/windows/{n}/{action} with ``body``; ``action`` is the URL tail."""

    action: str
    body: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Refusal:
    """The pad beeps and nothing changes."""

    reason_zh: str
    reason_en: str


@dataclass(frozen=True, slots=True)
class ShowState:
    """No queue action: re-show the current number and count on the pad."""


def command_for(key: int, digits: tuple[int, ...], ctx: PadContext) -> WindowCommand | Refusal | ShowState:
    """The window action for a key press on the pad (see the module's table)."""
    if any(not 0 <= d <= 9 for d in digits):
        return Refusal("按键数字无效", "the pad sent a digit outside 0-9")
    if key == KEY_CANCEL:
        return ShowState()
    if key in _SIMPLE:
        if digits:
            return _no_digits()
        return WindowCommand(_SIMPLE[key])
    if key == KEY_PAUSE:
        if digits:
            return _no_digits()
        return _pause_or_resume(ctx)
    if key == KEY_TRANSFER:
        return _transfer(digits)
    if key == KEY_CONFIRM:
        return _confirm(digits, ctx)
    return Refusal(f"未知按键 0x{key:02X}", f"unknown pad key 0x{key:02X}")


def _no_digits() -> Refusal:
    return Refusal("此键不需要输入数字，请按取消后重试", "this key takes no digits: press cancel and try again")


def _pause_or_resume(ctx: PadContext) -> WindowCommand | Refusal:
    # Compared by value, not identity: a caller may hold the state as the plain string it came as.
    if ctx.window_state == WindowState.OPEN:
        return WindowCommand("pause", {"reason": PAUSE_REASON})
    if ctx.window_state == WindowState.PAUSED:
        return WindowCommand("resume")
    if ctx.window_state == WindowState.CLOSED:
        return Refusal(
            "窗口未开启，请在工作台登录开窗", "the window is closed: a clerk opens it by signing in at the console"
        )
    return Refusal(f"窗口状态未知（{ctx.window_state}）", f"unknown window state {ctx.window_state!r}")


def _transfer(digits: tuple[int, ...]) -> WindowCommand | Refusal:
    if not digits:
        return Refusal("请先输入目标窗口号，再按转移", "type the target window number, then press transfer")
    window = int("".join(str(d) for d in digits))
    if not 1 <= window <= MAX_WINDOW:
        return Refusal(f"没有 {window} 号窗口", f"there is no window {window}")
    return WindowCommand("transfer", {"window": window})


def _confirm(digits: tuple[int, ...], ctx: PadContext) -> WindowCommand | Refusal:
    if digits == DIGIT_NO_SHOW:
        return WindowCommand("no-show")
    if digits == DIGIT_HOLD:
        return WindowCommand("hold")
    if digits == DIGIT_CALL_BACK:
        if not ctx.held_ticket_ids:
            return Refusal("本窗口没有挂起的号码", "no ticket is held at this window")
        return WindowCommand(f"call-back/{ctx.held_ticket_ids[-1]}")
    typed = "".join(str(d) for d in digits) or "-"
    return Refusal(
        f"确认键前的数字无效（{typed}）：6 过号，0 挂起，3 回呼",
        f"confirm after {typed} means nothing: 6 no-show, 0 hold, 3 call back",
    )


__all__ = [
    "KEY_CALL_NEXT",
    "KEY_CANCEL",
    "KEY_CONFIRM",
    "KEY_EVALUATE",
    "KEY_PAUSE",
    "KEY_RECALL",
    "KEY_TRANSFER",
    "PadContext",
    "Refusal",
    "ShowState",
    "WindowCommand",
    "command_for",
]
