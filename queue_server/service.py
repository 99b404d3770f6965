"""The queue service: every command a kiosk, clerk or manager can give.

Each command opens one transaction on its hall (which holds the hall's write
lock), reads what the pure rules need, applies them, writes the new state and
the event rows, and commits. Only after the commit are listeners (the realtime
hub, devices) told, so nobody ever sees a call that was rolled back.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from .clock import SYSTEM_CLOCK, Clock
from .config import Config, HallConfig
from .domain import (
    Appointment,
    DeviceHealth,
    DeviceState,
    Evaluation,
    Event,
    Notice,
    Ticket,
    TicketAction,
    TicketState,
    Window,
    WindowState,
)
from .errors import (
    BadRequest,
    Conflict,
    InvalidTransition,
    NotEligible,
    NotFound,
    NotOnStaff,
    NoWindowServes,
    ServicePaused,
    StaffAtWindow,
)
from .rules import appointments as appointment_rules
from .rules import devices as device_rules
from .rules import estimate, lifecycle, routing
from .rules import evaluations as evaluation_rules
from .rules import notices as notice_rules
from .rules import windows as window_rules
from .rules.appointments import Arrival
from .rules.numbering import requeue_key
from .storage.base import HallTx, Store
from .views import appointment_view, device_view, evaluation_view, notice_view, ticket_view, window_view

Listener = Callable[[list[Event]], None]
RECENT_SERVICES = 20


@dataclass(frozen=True, slots=True)
class Issued:
    ticket: Ticket
    ahead: int
    estimated_wait_s: int | None  # None: no open window serves the ticket's service right now
    events: list[Event]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a window command did: the ticket it concerns (if any) and the stored events."""

    ticket: Ticket | None
    events: list[Event]
    window: Window | None = None
    # The ticket called or served at ``window`` after the command: with ``window``, what the
    # hall snapshot shows for it at the command's seq.
    current: Ticket | None = None


@dataclass(frozen=True, slots=True)
class DeviceReport:
    """A device's health after a report, and the event when it changed (none for a repeat)."""

    health: DeviceHealth
    events: list[Event]


@dataclass(frozen=True, slots=True)
class EvaluationOutcome:
    evaluation: Evaluation
    events: list[Event]


@dataclass(frozen=True, slots=True)
class AppointmentOutcome:
    appointment: Appointment
    events: list[Event]


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A checked-in appointment: the ticket it got (``issued``) and how its timing was judged.
    ``arrival.keeps_priority`` is False for a late visitor let in as a walk-in."""

    appointment: Appointment
    issued: Issued
    arrival: Arrival
    events: list[Event]


@dataclass(frozen=True, slots=True)
class NoticeOutcome:
    notice: Notice
    events: list[Event]


@dataclass(slots=True)
class _Unit:
    tx: HallTx
    hall: HallConfig
    now: datetime
    events: list[Event] = field(default_factory=list)

    @property
    def day(self) -> date:
        return self.now.astimezone(self.hall.tz).date()

    @property
    def now_us(self) -> int:
        return lifecycle.to_us(self.now)

    def record(self, event: Event) -> None:
        self.events.append(self.tx.append(event))

    def record_ticket(self, ticket: Ticket, event: Event) -> None:
        """Store ``event`` with the state ``ticket`` is in after it."""
        self.record(replace(event, detail={**event.detail, "ticket": ticket_view(ticket)}))

    def save(self, change: tuple[Ticket, Event]) -> Ticket:
        ticket, event = change
        self.tx.update_ticket(ticket)
        self.record_ticket(ticket, event)
        return ticket

    def save_window(self, change: tuple[Window, Event]) -> Window:
        window, event = change
        self.tx.update_window(window)
        self.record(replace(event, detail={**event.detail, "window": window_view(window)}))
        return window

    def window(self, number: int) -> Window:
        window = self.tx.window(number)
        if window is None:
            raise NotFound(f"没有 {number} 号窗口 / window {number} does not exist in {self.hall.slug}")
        return window

    def outcome(self, number: int, ticket: Ticket | None = None, window: Window | None = None) -> Outcome:
        """A window command's answer: ``ticket``, and window ``number`` as stored now (``window``
        if the command already holds it) with its current ticket, read as the snapshot reads them."""
        win = window if window is not None else self.window(number)
        return Outcome(ticket, self.events, win, self.tx.current_ticket(number))

    def callable_window(self, number: int) -> Window:
        """The window, if it may call a ticket now (open, nobody called or served there)."""
        window = self.window(number)
        current = self.tx.current_ticket(number)
        window_rules.ensure_can_call(window, current.number if current else None)
        return window

    def ticket(self, ticket_id: int) -> Ticket:
        ticket = self.tx.ticket(ticket_id)
        if ticket is None:
            raise NotFound(f"没有这张票 / ticket {ticket_id} does not exist in {self.hall.slug}")
        return ticket

    def current(self, window: int) -> Ticket:
        ticket = self.tx.current_ticket(window)
        if ticket is None:
            raise InvalidTransition(f"{window} 号窗口当前没有叫到的号 / window {window} has no called ticket")
        return ticket

    def appointment(self, code: str) -> Appointment:
        appointment = self.tx.appointment(code)
        if appointment is None:
            raise NotFound(f"没有预约 {code} / appointment {code!r} does not exist in {self.hall.slug}")
        return appointment

    def notice(self, notice_id: int) -> Notice:
        notice = self.tx.notice(notice_id)
        if notice is None:
            raise NotFound(f"没有公告 {notice_id} / notice {notice_id} does not exist in {self.hall.slug}")
        return notice


class QueueService:
    def __init__(
        self,
        store: Store,
        config: Config,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.store = store
        self.config = config
        self.clock = clock
        self.listeners: list[Listener] = []

    # -- plumbing ------------------------------------------------------------

    def hall(self, slug: str) -> HallConfig:
        hall = self.config.hall(slug)
        if hall is None:
            raise NotFound(f"没有这个大厅 / unknown hall {slug!r}")
        return hall

    def business_day(self, slug: str) -> date:
        return self.clock().astimezone(self.hall(slug).tz).date()

    @contextmanager
    def _unit(self, slug: str) -> Iterator[_Unit]:
        hall = self.hall(slug)
        now = self.clock()
        with self.store.transaction(slug) as tx:
            unit = _Unit(tx=tx, hall=hall, now=now)
            yield unit
        for listener in self.listeners:
            listener(unit.events)

    # -- visitors ------------------------------------------------------------

    def issue(
        self,
        slug: str,
        service: str,
        priority: str = "normal",
        *,
        appointment: str | None = None,
        slot_start: datetime | None = None,
        print_on: str | None = None,
    ) -> Issued:
        """A new ticket; ``print_on`` names the hall's ticket printer that should print its slip."""
        if (appointment is None) != (slot_start is None):
            raise BadRequest("预约取号需要预约号和时段 / an appointment needs both its code and its slot start")
        with self._unit(slug) as u:
            issued = self._issue(u, service, priority, appointment=appointment, slot_start=slot_start)
            if print_on is not None:
                u.record(self._print_job(u, print_on, issued.ticket))
        return issued  # its events are the unit's: the print job is among them

    @staticmethod
    def _print_job(u: _Unit, printer: str, ticket: Ticket) -> Event:
        """The slip job for ``printer`` (the agent or local link that owns it prints on seeing it)."""
        health = u.tx.device(printer)
        # Unknown: no running line reports it, so nobody would print the slip.
        if health is None or health.kind != "printer" or health.state is DeviceState.UNKNOWN:
            raise NotFound(f"没有这台取号打印机 / no ticket printer {printer!r} has reported in {u.hall.slug}")
        return Event(
            hall=u.hall.slug,
            kind="device.print",
            at=u.now,
            ticket_id=ticket.id,
            detail={"device": printer, "ticket": ticket_view(ticket)},
        )

    def _issue(
        self,
        u: _Unit,
        service: str,
        priority: str = "normal",
        *,
        appointment: str | None = None,
        slot_start: datetime | None = None,
    ) -> Issued:
        """Issue a ticket inside ``u``'s transaction (a kiosk's issue, an appointment's check-in)."""
        slug = u.hall.slug
        svc = u.hall.service(service)
        if svc is None:
            raise NotFound(f"没有这个事项 / unknown service {service!r} in {slug}")
        klass = u.hall.priority_class(priority)
        if klass is None:
            known = ", ".join(p.code for p in u.hall.priority_classes)
            raise BadRequest(f"没有这个优先类别 / unknown priority {priority!r} (known: {known})")
        ticket = lifecycle.issue(
            hall=slug,
            day=u.day,
            service=service,
            running_number=u.tx.next_number(service, u.day),
            priority=klass.code,
            tier=klass.tier,
            at=u.now,
            token=secrets.token_urlsafe(16),
            slot_start=slot_start,
            appointment=appointment,
        )
        ticket = u.tx.insert_ticket(ticket)
        u.record_ticket(ticket, lifecycle.issued_event(ticket))
        stats = u.tx.line_stats(ticket, RECENT_SERVICES)
        if stats.paused_reason is not None:
            why = f"：{stats.paused_reason}" if stats.paused_reason else ""
            raise ServicePaused(f"「{svc.name_zh}」暂停取号{why} / issuing for service {service} is paused")
        if not stats.all_windows:
            # Raising rolls the ticket back: no number is spent on a matter nobody handles.
            raise NoWindowServes(f"暂无窗口办理「{svc.name_zh}」 / no window serves service {service}")
        wait, _ = estimate.line_wait(
            stats.ahead, stats.recent_mean_s, stats.recent_count, svc.expected_minutes, stats.open_windows
        )
        return Issued(ticket=ticket, ahead=stats.ahead, estimated_wait_s=wait, events=u.events)

    def cancel(self, slug: str, ticket_id: int, staff: str | None = None, reason: str | None = None) -> Outcome:
        with self._unit(slug) as u:
            ticket = u.save(lifecycle.cancel(u.ticket(ticket_id), u.now, staff, reason))
        return Outcome(ticket, u.events)

    # -- clerks --------------------------------------------------------------

    def call_next(self, slug: str, window: int, staff: str | None = None) -> Outcome:
        """Call the most urgent ticket for ``window``; ``Outcome.ticket`` is None when nobody waits."""
        with self._unit(slug) as u:
            stored = u.callable_window(window)
            clerk = u.hall.staff_member(stored.staff) if stored.staff else None
            win = routing.staffed(stored, clerk.skills if clerk else None)
            if not win.services:
                raise NotEligible(
                    f"{win.staff} 没有 {window} 号窗口任何事项的业务技能 / "
                    f"{win.staff} has no skill for the services of window {window}"
                )
            policy = routing.RoutingPolicy.from_minutes(u.hall.aging_minutes)
            chosen = routing.pick(u.tx.heads(win, u.day), win, u.now_us, policy)
            if chosen is None:
                return Outcome(None, [], stored)
            if chosen.state is TicketState.HELD:
                ticket = u.save(lifecycle.call_back(chosen, window, u.now, staff))
            else:
                ticket = u.save(lifecycle.call(chosen, window, u.now, staff))
            # The window as stored, not as its clerk's skills narrow it for routing.
            return u.outcome(window, ticket, stored)

    def call_ticket(self, slug: str, window: int, ticket_id: int, reason: str, staff: str | None = None) -> Outcome:
        """Call one ticket out of order; the reason is stored with the call."""
        if not reason or not reason.strip():
            raise BadRequest("指定叫号必须填写原因 / calling a specific ticket needs a reason")
        with self._unit(slug) as u:
            win = u.callable_window(window)
            ticket = u.ticket(ticket_id)
            if ticket.state is TicketState.WAITING and ticket.business_day != u.day:
                raise NotEligible(f"{ticket.number} 不是今天的号 / {ticket.number} is from {ticket.business_day}")
            if ticket.state is TicketState.WAITING and ticket.target_window is None and not win.serves(ticket.service):
                raise NotEligible(
                    f"{window} 号窗口不办理 {ticket.service} 类事项 / window {window} does not serve {ticket.service}"
                )
            ticket = u.save(lifecycle.call(ticket, window, u.now, staff, reason=reason.strip()))
            return u.outcome(window, ticket, win)

    def recall(self, slug: str, window: int, staff: str | None = None) -> Outcome:
        with self._unit(slug) as u:
            ticket = u.current(window)
            ticket = u.save(lifecycle.recall(ticket, u.now, staff, u.hall.recall_limit))
            return u.outcome(window, ticket)

    def start(self, slug: str, window: int, staff: str | None = None) -> Outcome:
        with self._unit(slug) as u:
            ticket = u.save(lifecycle.start(u.current(window), u.now, staff))
            return u.outcome(window, ticket)

    def finish(self, slug: str, window: int, staff: str | None = None) -> Outcome:
        with self._unit(slug) as u:
            ticket = u.save(lifecycle.finish(u.current(window), u.now, staff))
            return u.outcome(window, ticket)

    def no_show(self, slug: str, window: int, staff: str | None = None) -> Outcome:
        with self._unit(slug) as u:
            ticket = u.save(lifecycle.no_show(u.current(window), u.now, staff))
            return u.outcome(window, ticket)

    def hold(self, slug: str, window: int, staff: str | None = None, reason: str | None = None) -> Outcome:
        with self._unit(slug) as u:
            ticket = u.save(lifecycle.hold(u.current(window), u.now, staff, reason))
            return u.outcome(window, ticket)

    def mark_returned(self, slug: str, ticket_id: int, staff: str | None = None) -> Outcome:
        with self._unit(slug) as u:
            ticket = u.save(lifecycle.mark_returned(u.ticket(ticket_id), u.now, staff))
        return Outcome(ticket, u.events)

    def call_back(self, slug: str, window: int, ticket_id: int, staff: str | None = None) -> Outcome:
        with self._unit(slug) as u:
            win = u.callable_window(window)
            ticket = u.save(lifecycle.call_back(u.ticket(ticket_id), window, u.now, staff))
            return u.outcome(window, ticket, win)

    def transfer(
        self,
        slug: str,
        window: int,
        *,
        service: str | None = None,
        to_window: int | None = None,
        reason: str | None = None,
        staff: str | None = None,
    ) -> Outcome:
        """Send the window's ticket to another service and/or window; it keeps its place."""
        if service is None and to_window is None:
            raise BadRequest("转移需要指定事项或窗口 / a transfer needs a service or a window")
        with self._unit(slug) as u:
            ticket = u.current(window)
            target_service = service or ticket.service
            if u.hall.service(target_service) is None:
                raise NotFound(f"没有这个事项 / unknown service {target_service!r}")
            if to_window is not None:
                if to_window == window:
                    raise BadRequest(f"不能转给本窗口 / cannot transfer to window {window} itself")
                u.window(to_window)
            elif not any(w.serves(target_service) for w in u.tx.windows()):
                raise NoWindowServes(
                    f"没有窗口办理 {target_service} 类事项 / no window serves service {target_service}"
                )
            ticket = u.save(lifecycle.transfer(ticket, u.now, staff, target_service, to_window, reason))
            return u.outcome(window, ticket)

    def reactivate(self, slug: str, ticket_id: int, staff: str | None = None) -> Outcome:
        """A late visitor (过号) goes back in line behind the configured number of people."""
        with self._unit(slug) as u:
            ticket = u.ticket(ticket_id)
            if ticket.business_day != u.day:
                raise InvalidTransition(
                    f"{ticket.number} 是 {ticket.business_day} 的号，已失效 / ticket is from another day"
                )
            after = u.hall.no_show.requeue_after
            keys = u.tx.line_keys(u.day, ticket.service, ticket.tier, after + 1)
            key = requeue_key(keys, after, u.now_us)
            ticket = u.save(lifecycle.reactivate(ticket, key, u.now, staff, u.hall.no_show.max_reactivations))
        return Outcome(ticket, u.events)

    # -- windows -------------------------------------------------------------

    def open_window(self, slug: str, window: int, staff: str | None = None) -> Outcome:
        """Open ``window`` with ``staff`` logged in (checked against the hall's staff list, if it has one)."""
        with self._unit(slug) as u:
            if staff is not None and u.hall.staff and u.hall.staff_member(staff) is None:
                raise NotOnStaff(
                    f"{staff} 不在本大厅工作人员名单中，请在大厅配置文件的 [[hall.staff]] 中加入 login = {staff!r} / "
                    f"{staff} is not on the staff of {slug}: add login = {staff!r} to [[hall.staff]] of the hall file"
                )
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

    # -- the day -------------------------------------------------------------

    def rollover(self, slug: str) -> Outcome:
        """Close earlier business days: what still waits there was not served."""
        with self._unit(slug) as u:
            for ticket in u.tx.stale_tickets(before=u.day):
                u.save(lifecycle.rollover(ticket, u.now))
        return Outcome(None, u.events)

    # -- devices (LED screens, pads, printers) -------------------------------

    def report_device(
        self, slug: str, device: str, *, kind: str, state: str, error: str = "", window: int | None = None
    ) -> DeviceReport:
        """A link says how its device is; a change of state or error is stored and published."""
        with self._unit(slug) as u:
            if window is not None:
                u.window(window)
            current = u.tx.device(device)
            change = device_rules.report(
                current, hall=slug, device=device, kind=kind, state=state, error=error, window=window, at=u.now
            )
            if change is None:
                assert current is not None  # no change is only possible against a stored health
                return DeviceReport(current, [])
            health = self._save_health(u, change)
        return DeviceReport(health, u.events)

    def declare_devices(
        self, slug: str, declared: Sequence[device_rules.DeclaredDevice], *, error: str = ""
    ) -> Outcome:
        """The server starts: the hall's devices are those its hall file declares, each unknown
        (with ``error`` saying why) until a running line reports it; what an earlier run left
        of other devices is removed, so it is neither listed nor shown online."""
        with self._unit(slug) as u:
            wanted = {d.device for d in declared}
            for stale in u.tx.devices():
                if stale.device not in wanted:
                    u.tx.delete_device(stale.device)
            for spec in declared:
                change = device_rules.declared(u.tx.device(spec.device), spec, hall=slug, error=error, at=u.now)
                if change is not None:
                    self._save_health(u, change)
        return Outcome(None, u.events)

    def devices_unreported(self, slug: str, *, error: str = "") -> Outcome:
        """Nothing drives the hall's devices any more (its agent left): each becomes unknown."""
        with self._unit(slug) as u:
            for health in u.tx.devices():
                change = device_rules.unreported(health, error=error, at=u.now)
                if change is not None:
                    self._save_health(u, change)
        return Outcome(None, u.events)

    @staticmethod
    def _save_health(u: _Unit, change: tuple[DeviceHealth, Event]) -> DeviceHealth:
        health, event = change
        u.tx.put_device(health)
        u.record(replace(event, detail={"device": device_view(health)}))
        return health

    def devices(self, slug: str) -> list[DeviceHealth]:
        self.hall(slug)
        with self.store.reader(slug) as r:
            return r.devices()

    # -- evaluations (好差评) ---------------------------------------------------

    def evaluate(self, slug: str, ticket_id: int, score: int, channel: str, comment: str = "") -> EvaluationOutcome:
        """The visitor rates a finished service, once, within the hall's rating window."""
        with self._unit(slug) as u:
            ticket = u.ticket(ticket_id)
            if u.tx.evaluation(ticket_id) is not None:
                raise Conflict(
                    f"{ticket.number} 已评价，每次办理只能评价一次 / ticket {ticket.number} has already been rated"
                )
            evaluation, event = evaluation_rules.rate(
                ticket,
                score=score,
                channel=channel,
                comment=comment,
                staff=self._finished_by(u, ticket),
                at=u.now,
                rated_on=u.day,
                window_minutes=u.hall.evaluation.rating_window_minutes,
            )
            u.tx.insert_evaluation(evaluation)
            u.record_ticket(ticket, replace(event, detail={**event.detail, "evaluation": evaluation_view(evaluation)}))
        return EvaluationOutcome(evaluation, u.events)

    @staticmethod
    def _finished_by(u: _Unit, ticket: Ticket) -> str | None:
        """The clerk who finished ``ticket``: the finish event's staff, else the window's clerk."""
        finish = f"ticket.{TicketAction.FINISH.value}"
        staff = next((e.staff for e in reversed(u.tx.ticket_events(ticket.id)) if e.kind == finish), None)
        if staff is None and ticket.window is not None:
            window = u.tx.window(ticket.window)
            staff = window.staff if window else None
        return staff

    def mark_not_rated(self, slug: str, ticket_id: int, channel: str = "pad") -> Outcome:
        """The evaluation pad asked and no score came in time: recorded once, for the rating rate."""
        with self._unit(slug) as u:
            ticket = u.ticket(ticket_id)
            rated = u.tx.evaluation(ticket_id) is not None
            if rated:
                raise Conflict(f"{ticket.number} 已评价 / ticket {ticket.number} has already been rated")
            already = any(e.kind == evaluation_rules.NOT_RATED for e in u.tx.ticket_events(ticket_id))
            u.record(evaluation_rules.not_rated(ticket, channel=channel, at=u.now, already=already))
        return Outcome(ticket, u.events)

    def record_follow_up(self, slug: str, ticket_id: int, staff: str, note: str) -> EvaluationOutcome:
        """A manager records the follow-up (回访) of a bad rating; the note is kept in the event."""
        with self._unit(slug) as u:
            current = u.tx.evaluation(ticket_id)
            if current is None:
                raise NotFound(f"票 {ticket_id} 没有评价 / ticket {ticket_id} has no rating in {slug}")
            evaluation, event = evaluation_rules.follow_up(current, staff=staff, note=note, at=u.now, today=u.day)
            u.tx.update_evaluation(evaluation)
            u.record(replace(event, detail={**event.detail, "evaluation": evaluation_view(evaluation)}))
        return EvaluationOutcome(evaluation, u.events)

    def evaluations(
        self,
        slug: str,
        first: date,
        last: date | None = None,
        *,
        bad_only: bool = False,
        open_follow_up: bool = False,
    ) -> list[Evaluation]:
        """Ratings given on the hall's local days ``first`` to ``last`` (both included)."""
        hall = self.hall(slug)
        last = first if last is None else last
        if last < first:
            raise BadRequest(f"结束日期早于开始日期 / {last} is before {first}")
        since = datetime.combine(first, time(), hall.tz)
        until = datetime.combine(last + timedelta(days=1), time(), hall.tz)
        with self.store.reader(slug) as r:
            return r.evaluations(since, until, bad_only=bad_only, open_follow_up=open_follow_up)

    # -- appointments (预约) ----------------------------------------------------

    @staticmethod
    def _active_services(hall: HallConfig) -> set[str]:
        # The file's services are the active ones; sync_halls marks the others inactive.
        return {s.code for s in hall.services}

    def create_appointment(
        self,
        slug: str,
        code: str,
        service: str,
        slot_start: datetime,
        slot_end: datetime,
        name: str = "",
        *,
        staff: str | None = None,
    ) -> AppointmentOutcome:
        """Book a slot. Naive times are the hall's local time."""
        with self._unit(slug) as u:
            appointment = appointment_rules.new_appointment(
                hall=slug,
                code=code,
                service=service,
                slot_start=slot_start,
                slot_end=slot_end,
                name=name,
                at=u.now,
                tz=u.hall.tz,
                services=self._active_services(u.hall),
            )
            if u.tx.appointment(appointment.code) is not None:
                raise Conflict(
                    f"预约号 {appointment.code} 已存在 / appointment code {appointment.code!r} already exists in {slug}"
                )
            appointment = u.tx.insert_appointment(appointment)
            u.record(
                Event(
                    hall=slug,
                    kind="appointment.create",
                    at=u.now,
                    staff=staff,
                    detail={"appointment": appointment_view(appointment)},
                )
            )
        return AppointmentOutcome(appointment, u.events)

    def import_appointments(self, slug: str, csv_text: str, *, staff: str | None = None) -> int:
        """Book every row of a CSV (header ``code,service,slot_start,slot_end,name``), all or
        nothing; returns how many were stored. One event lists them all, so an import does
        not flood the screens with one event per row."""
        with self._unit(slug) as u:
            rows = appointment_rules.parse_csv(
                csv_text, hall=slug, at=u.now, tz=u.hall.tz, services=self._active_services(u.hall)
            )
            appointment_rules.check_codes_free(rows, u.tx.appointment_codes([a.code for _, a in rows]))
            stored = [u.tx.insert_appointment(a) for _, a in rows]
            if stored:
                u.record(
                    Event(
                        hall=slug,
                        kind="appointment.import",
                        at=u.now,
                        staff=staff,
                        detail={"count": len(stored), "appointments": [appointment_view(a) for a in stored]},
                    )
                )
        return len(stored)

    def cancel_appointment(self, slug: str, code: str, *, staff: str | None = None) -> AppointmentOutcome:
        with self._unit(slug) as u:
            appointment, event = appointment_rules.cancel(u.appointment(code.strip()), u.now, staff)
            u.tx.update_appointment(appointment)
            u.record(replace(event, detail={"appointment": appointment_view(appointment)}))
        return AppointmentOutcome(appointment, u.events)

    def check_in(self, slug: str, code: str) -> CheckIn:
        """The booked visitor checks in at the kiosk: one transaction issues the ticket and marks
        the appointment. On time (or late within ``late_minutes``) the ticket stands in line from
        the slot's start with appointment priority; later, the hall's ``late_policy`` decides."""
        with self._unit(slug) as u:
            appointment = u.appointment(code.strip())
            issued_ticket = u.tx.ticket(appointment.ticket_id) if appointment.ticket_id is not None else None
            appointment_rules.check_open(appointment, issued_ticket.number if issued_ticket else None)
            arrival = appointment_rules.admit(appointment, u.now, u.hall.appointments, u.hall.tz)
            if arrival.keeps_priority:
                issued = self._issue(
                    u, appointment.service, appointment=appointment.code, slot_start=appointment.slot_start
                )
            else:
                issued = self._issue(u, appointment.service)
            appointment = appointment_rules.checked_in(appointment, issued.ticket.id, u.now)
            u.tx.update_appointment(appointment)
            u.record_ticket(
                issued.ticket,
                Event(
                    hall=slug,
                    kind="appointment.check_in",
                    at=u.now,
                    ticket_id=issued.ticket.id,
                    detail={"appointment": appointment_view(appointment), "arrival": arrival.value},
                ),
            )
        return CheckIn(appointment, issued, arrival, u.events)

    # -- notices (公告) ---------------------------------------------------------

    def publish_notice(
        self,
        slug: str,
        text_zh: str,
        text_en: str = "",
        expires_at: datetime | None = None,
        staff: str | None = None,
    ) -> NoticeOutcome:
        """Show a notice on the hall's screens until it is withdrawn or ``expires_at`` (naive: local time)."""
        with self._unit(slug) as u:
            notice, event = notice_rules.publish(
                hall=slug, text_zh=text_zh, text_en=text_en, expires_at=expires_at, staff=staff, at=u.now, tz=u.hall.tz
            )
            notice = u.tx.insert_notice(notice)
            u.record(replace(event, detail={"notice": notice_view(notice)}))
        return NoticeOutcome(notice, u.events)

    def withdraw_notice(self, slug: str, notice_id: int, staff: str | None = None) -> NoticeOutcome:
        with self._unit(slug) as u:
            notice, event = notice_rules.withdraw(u.notice(notice_id), u.now, staff)
            u.tx.update_notice(notice)
            u.record(replace(event, detail={"notice": notice_view(notice)}))
        return NoticeOutcome(notice, u.events)

    def notices(self, slug: str) -> list[Notice]:
        """The notices the hall's screens show now, newest first."""
        self.hall(slug)
        with self.store.reader(slug) as r:
            return r.notices(self.clock())
