"""The way in for every command from outside the core: who may, one transaction, one audit row.

The HTTP API, the WebSocket handlers, the serial devices (on the server's own links or
through the hall's agent), the demo traffic and the CLI all give their commands here. The
gate checks the caller against the command's rule (a refusal is audited), runs the command
(each queue command is one transaction on its hall) and writes the audit row of what came
of it (电子监察): ``ok``, or ``rejected`` with the error's code. Nobody else audits commands.

How a caller proved who it is stays with its adapter (a session cookie and CSRF token, a
bearer token, a device's token, the operator at the console); the gate gets an ``Actor``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from starlette.concurrency import run_in_threadpool

from ..domain import DeviceHealth, Window
from ..errors import Forbidden, HallQError, NotFound
from ..principal import Principal
from ..service import Outcome, QueueService
from .window_commands import WindowCommand, command, may_act

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who gives a command: a principal (None for an anonymous visitor) and where from."""

    principal: Principal | None
    ip: str = ""

    @property
    def name(self) -> str:
        return self.principal.name if self.principal else "anonymous"


class AuditLog(Protocol):
    """Where audit rows go (``AuthService.audit``: the accounts store's audit table)."""

    def audit(
        self,
        principal: Principal | None,
        action: str,
        outcome: str,
        *,
        hall: str | None,
        ip: str = "",
        target: str = "",
        detail: dict[str, Any] | None = None,
    ) -> None: ...


class Unaudited:
    """An audit log that keeps nothing: for a core run with no accounts store (tools, tests)."""

    def audit(
        self,
        principal: Principal | None,
        action: str,
        outcome: str,
        *,
        hall: str | None,
        ip: str = "",
        target: str = "",
        detail: dict[str, Any] | None = None,
    ) -> None:
        return None


class Gate:
    def __init__(self, service: QueueService, log: AuditLog) -> None:
        self.service = service
        self.log = log

    # -- the rule ------------------------------------------------------------------------

    def record(
        self,
        actor: Actor,
        action: str,
        outcome: str,
        hall: str | None,
        target: str = "",
        detail: dict[str, Any] | None = None,
    ) -> None:
        """One audit row (blocking)."""
        self.log.audit(actor.principal, action, outcome, hall=hall, ip=actor.ip, target=target, detail=detail)

    async def audit(
        self,
        actor: Actor,
        action: str,
        outcome: str,
        hall: str | None,
        target: str = "",
        detail: dict[str, Any] | None = None,
    ) -> None:
        await run_in_threadpool(self.record, actor, action, outcome, hall, target, detail)

    async def authorise(
        self,
        actor: Actor,
        hall: str | None,
        allowed: Callable[[Principal], bool],
        action: str,
        detail: dict[str, Any] | None = None,
    ) -> Principal:
        """``actor``'s principal if ``allowed``; a refusal is audited and raised (403). The
        adapter has answered 401 for nobody before asking."""
        principal = actor.principal
        if principal is None or not allowed(principal):
            await self.audit(actor, action, "denied", hall, detail=detail)
            raise Forbidden(f"无权执行此操作 / {actor.name} may not {action} here")
        return principal

    # -- running -------------------------------------------------------------------------

    def perform(self, actor: Actor, hall: str | None, action: str, target: str, fn: Callable[..., T], *args: Any) -> T:
        """Run a command and audit what came of it (blocking: from a worker thread)."""
        try:
            result = fn(*args)
        except HallQError as exc:
            self.record(actor, action, "rejected", hall, target, {"error": exc.code})
            raise
        self.record(actor, action, "ok", hall, target)
        return result

    async def run(
        self, actor: Actor, hall: str | None, action: str, target: str, fn: Callable[..., T], *args: Any
    ) -> T:
        """``perform`` in the threadpool: one hop for the command and its audit row."""
        return await run_in_threadpool(self.perform, actor, hall, action, target, fn, *args)

    # -- windows -------------------------------------------------------------------------

    async def window_staff(self, actor: Actor, hall: str, number: int, action: str) -> str | None:
        """The staff login to record for ``actor``'s ``action`` on window ``number``: the
        clerk's own login, or for a device the clerk at the window. 403 (audited) for a caller
        who may not act there."""
        window = await run_in_threadpool(self._window, hall, number)
        principal = actor.principal
        refusal = "nobody" if principal is None else may_act(principal, hall, action, window)
        if refusal is not None or principal is None:
            await self.audit(actor, f"window.{action}", "denied", hall, f"window {number}", {"why": refusal})
            raise Forbidden(f"无权操作 {number} 号窗口 / {actor.name} may not act on window {number}: {refusal}")
        return window.staff if principal.device is not None else principal.name

    def _window(self, hall: str, number: int) -> Window:
        with self.service.store.reader(hall) as r:
            window = r.window(number)
        if window is None:
            raise NotFound(f"没有 {number} 号窗口 / window {number} does not exist in {hall}")
        return window

    @staticmethod
    def check_action(actor: Actor, hall: str, action: WindowCommand) -> None:
        """What an action's fields ask beyond the window's rule: only a manager opens a window
        for a clerk (403)."""
        if action.for_staff is not None and not (actor.principal and actor.principal.can_manage(hall)):
            raise Forbidden("只有管理员可以替他人开窗 / only a manager may open a window for a clerk")

    async def window(self, actor: Actor, hall: str, action: WindowCommand, staff: str | None) -> Outcome:
        """Run ``action`` for ``staff`` (from ``window_staff``) and audit it."""
        self.check_action(actor, hall, action)
        run = command(self.service, hall, action, staff)
        return await self.run(actor, hall, f"window.{action.name}", action.target, run)

    # -- devices -------------------------------------------------------------------------

    async def report_device(
        self, actor: Actor, hall: str, device: str, kind: str, state: str, error: str = "", window: int | None = None
    ) -> DeviceHealth:
        """Store a device's health; audited only when it changed something (a heartbeat is
        not worth an audit row)."""

        def report() -> DeviceHealth:
            found = self.service.report_device(hall, device, kind=kind, state=state, error=error, window=window)
            if found.events:
                self.record(actor, "device.report", "ok", hall, f"device {device}", {"state": state})
            return found.health

        return await run_in_threadpool(report)
