"""The actions a window takes, whoever gives them: the clerk console, a caller pad (on the
server's own link or through the hall's agent) or a manager.

``window_command`` reads one from its name and fields, as the API's URL and body carry them;
``may_act`` says who may take it; ``perform`` runs it as one queue command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..domain import Window
from ..errors import BadRequest, NotFound
from ..fields import Fields
from ..principal import DeviceKind, Principal, Role
from ..service import Outcome, QueueService

# The actions named in ``POST /api/halls/{hall}/windows/{n}/{action}``, by the command they run.
ACTIONS: dict[str, str] = {
    "open": "open_window",
    "pause": "pause_window",
    "resume": "resume_window",
    "close": "close_window",
    "call-next": "call_next",
    "recall": "recall",
    "start": "start",
    "finish": "finish",
    "no-show": "no_show",
    "hold": "hold",
    "transfer": "transfer",
}
# Actions on one named ticket at the window (their URL carries the ticket's id).
TICKET_ACTIONS = ("call", "call-back")


@dataclass(frozen=True, slots=True)
class WindowCommand:
    """One action of window ``window``; the fields an action does not take stay None."""

    name: str
    window: int
    ticket_id: int | None = None  # call, call-back
    reason: str | None = None  # pause, hold, transfer, call
    service: str | None = None  # transfer to a service's line
    to_window: int | None = None  # transfer to a window's line
    for_staff: str | None = None  # open, by a manager for a clerk

    @property
    def target(self) -> str:
        """What the audit row names."""
        return f"ticket {self.ticket_id}" if self.ticket_id is not None else f"window {self.window}"


def window_command(name: str, window: int, body: Fields, ticket_id: int | None = None) -> WindowCommand:
    """The action ``name`` on ``window`` with what ``body`` says; 404 for an unknown action,
    400 naming the field for a bad or unknown one."""
    if name in TICKET_ACTIONS:
        if ticket_id is None:
            raise NotFound(f"{name} 需要票号 / {name} needs a ticket id in the URL")
        reason = body.req_str("reason") if name == "call" else None
        return WindowCommand(name, window, ticket_id=ticket_id, reason=reason)
    if name not in ACTIONS:
        raise NotFound(f"没有这个窗口操作 / unknown window action {name!r} (known: {', '.join(ACTIONS)})")
    if name == "open":
        return WindowCommand(name, window, for_staff=body.str_("staff", required=False, max_len=64))
    if name == "pause":
        return WindowCommand(name, window, reason=body.req_str("reason"))
    if name == "hold":
        return WindowCommand(name, window, reason=body.str_("reason", required=False))
    if name == "transfer":
        service = body.str_("service", required=False, max_len=1)
        to_window = body.int_("window", lo=1, hi=9999, required=False)
        reason = body.str_("reason", required=False)
        if service is None and to_window is None:
            raise BadRequest("转移需要指定事项或窗口 / a transfer needs body.service or body.window")
        return WindowCommand(name, window, reason=reason, service=service, to_window=to_window)
    return WindowCommand(name, window)


def may_act(principal: Principal, slug: str, action: str, window: Window) -> str | None:
    """Why ``principal`` may not act on ``window`` (None: it may)."""
    if not principal.in_hall(slug):
        return "another hall"
    if principal.role in (Role.MANAGER, Role.ADMIN):
        return None
    if principal.device is DeviceKind.AGENT:
        return None  # speaks for the window's caller pad; the clerk logged in there is recorded
    if principal.role is not Role.CLERK:
        return "not staff"
    if action == "open":
        return None  # one window per clerk: QueueService.open_window checks it under the hall's lock (409)
    if window.staff != principal.name:
        return f"window {window.number} belongs to {window.staff or 'nobody'}"
    return None


def command(service: QueueService, slug: str, action: WindowCommand, staff: str | None) -> Callable[[], Outcome]:
    """The queue command ``action`` runs, with ``staff`` the login recorded for it."""
    s, n = service, action.window
    match action.name:
        case "open":
            return lambda: s.open_window(slug, n, action.for_staff or staff)
        case "pause":
            return lambda: s.pause_window(slug, n, action.reason or "", staff)
        case "hold":
            return lambda: s.hold(slug, n, staff, action.reason)
        case "transfer":
            return lambda: s.transfer(
                slug, n, service=action.service, to_window=action.to_window, reason=action.reason, staff=staff
            )
        case "call":
            ticket_id = action.ticket_id or 0
            return lambda: s.call_ticket(slug, n, ticket_id, action.reason or "", staff)
        case "call-back":
            back = action.ticket_id or 0
            return lambda: s.call_back(slug, n, back, staff)
    method: Callable[[str, int, str | None], Outcome] = getattr(s, ACTIONS[action.name])
    return lambda: method(slug, n, staff)
