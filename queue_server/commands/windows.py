"""Window commands: open, pause, resume and close a window, change the services it serves,
and pause or resume issuing for a service. The window transitions are ``rules.windows``'s."""

from __future__ import annotations

from dataclasses import replace

from ..domain import Event, WindowState
from ..errors import BadRequest, InvalidTransition, NotFound, NotOnStaff, StaffAtWindow
from ..rules import windows as window_rules
from ..views import window_view
from .outcomes import Outcome
from .unit import Commands


class WindowCommands(Commands):
    def open_window(self, slug: str, window: int, staff: str | None = None) -> Outcome:
        """Open ``window`` with ``staff`` logged in (checked against the hall's staff registry, if
        it has one: an inactive member is off the staff)."""
        with self._unit(slug) as u:
            if staff is not None and u.tx.has_staff():
                member = u.tx.staff_member(staff)
                if member is None:
                    raise NotOnStaff(
                        f"{staff} 不在本大厅工作人员名单中，请在工作人员管理中添加（首次启动前也可在大厅配置文件的 "
                        f"[[hall.staff]] 中加入 login = {staff!r}） / {staff} is not on the staff of {slug}: add "
                        f"login = {staff!r} to [[hall.staff]] of the hall file before the first start, or to the "
                        "hall's staff registry after it"
                    )
                if not member.active:
                    raise NotOnStaff(f"{staff} 已停用 / {staff} is no longer active on the staff of {slug}")
            if staff is not None:
                # One window per login, checked here under the hall's write lock that this
                # transaction holds (BEGIN IMMEDIATE on SQLite, the hall row FOR UPDATE on
                # PostgreSQL): concurrent opens by one clerk are serialised and all but the
                # first see the window it took. A unique index would also hold, but could not
                # name that window, and its migration would fail on a database where the race
                # already left a clerk at two windows.
                held = [w.number for w in u.tx.windows() if w.staff == staff and w.state is not WindowState.CLOSED]
                elsewhere = [n for n in held if n != window]
                if elsewhere:
                    raise StaffAtWindow(
                        f"{staff} 已在 {elsewhere[0]} 号窗口，请先关闭该窗口 / "
                        f"{staff} already holds window {elsewhere[0]}; close it first"
                    )
            win = u.save_window(window_rules.open_window(u.window(window), staff, u.now))
            return u.outcome(window, window=win)

    def pause_window(self, slug: str, window: int, reason: str, staff: str | None = None) -> Outcome:
        with self._unit(slug) as u:
            win = u.save_window(window_rules.pause(u.window(window), reason, u.now, staff))
            return u.outcome(window, window=win)

    def resume_window(self, slug: str, window: int, staff: str | None = None) -> Outcome:
        with self._unit(slug) as u:
            win = u.save_window(window_rules.resume(u.window(window), u.now, staff))
            return u.outcome(window, window=win)

    def close_window(self, slug: str, window: int, staff: str | None = None) -> Outcome:
        with self._unit(slug) as u:
            current = u.tx.current_ticket(window)
            win = u.save_window(window_rules.close(u.window(window), current.number if current else None, u.now, staff))
            return u.outcome(window, window=win)

    def pause_service(self, slug: str, service: str, reason: str, staff: str | None = None) -> Outcome:
        """Stop issuing numbers for ``service`` (tickets already issued are still served)."""
        if not reason.strip():
            raise BadRequest("暂停取号需要填写原因 / pausing a service needs a reason")
        return self._set_service_pause(slug, service, reason.strip()[:200], staff)

    def resume_service(self, slug: str, service: str, staff: str | None = None) -> Outcome:
        return self._set_service_pause(slug, service, None, staff)

    def _set_service_pause(self, slug: str, service: str, reason: str | None, staff: str | None) -> Outcome:
        with self._unit(slug) as u:
            if u.hall.service(service) is None:
                raise NotFound(f"没有这个事项 / unknown service {service!r} in {slug}")
            paused = u.tx.paused_services()
            if (reason is not None) == (service in paused):
                state = "已暂停" if service in paused else "未暂停"
                raise InvalidTransition(
                    f"事项 {service} {state}取号 / issuing for {service} is already "
                    f"{'paused' if service in paused else 'running'}"
                )
            u.tx.set_service_pause(service, reason)
            u.record(
                Event(
                    hall=slug,
                    kind="service.pause" if reason is not None else "service.resume",
                    at=u.now,
                    staff=staff,
                    detail={"service": service, "reason": reason},
                )
            )
        return Outcome(None, u.events)

    def set_window_services(self, slug: str, window: int, services: dict[str, float]) -> Outcome:
        with self._unit(slug) as u:
            for code, weight in services.items():
                if u.hall.service(code) is None:
                    raise NotFound(f"没有这个事项 / unknown service {code!r}")
                if not 0.1 <= weight <= 100:
                    raise BadRequest(f"权重须在 0.1 到 100 之间 / weight for {code} must be 0.1..100")
            if not services:
                raise BadRequest("窗口至少办理一个事项 / a window must serve at least one service")
            old = u.window(window)
            win = replace(old, services=dict(services))
            u.tx.update_window(win)
            u.record(
                Event(
                    hall=slug,
                    kind="window.services",
                    at=u.now,
                    window=window,
                    detail={"before": dict(old.services), "window": window_view(win)},
                )
            )
            return u.outcome(window, window=win)
