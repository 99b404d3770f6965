"""Ticket commands: issue and cancel, and what a clerk does with the ticket at a window (call,
recall, start, finish, no-show, hold, call back, transfer) or with a late visitor's (reactivate).
The transitions themselves are ``rules.lifecycle``'s; routing picks whom call-next calls."""

from __future__ import annotations

import secrets
from datetime import datetime

from ..domain import TicketState
from ..errors import BadRequest, InvalidTransition, NotEligible, NotFound, NoWindowServes, ServicePaused
from ..rules import estimate, lifecycle, routing
from ..rules.numbering import requeue_key
from .devices import print_job
from .outcomes import Issued, Outcome
from .unit import Commands, Unit

RECENT_SERVICES = 20


def issue_in(
    u: Unit,
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


class TicketCommands(Commands):
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
            issued = issue_in(u, service, priority, appointment=appointment, slot_start=slot_start)
            if print_on is not None:
                u.record(print_job(u, print_on, issued.ticket))
        return issued  # its events are the unit's: the print job is among them

    def cancel(self, slug: str, ticket_id: int, staff: str | None = None, reason: str | None = None) -> Outcome:
        with self._unit(slug) as u:
            ticket = u.save(lifecycle.cancel(u.ticket(ticket_id), u.now, staff, reason))
        return Outcome(ticket, u.events)

    # -- clerks --------------------------------------------------------------

    def call_next(self, slug: str, window: int, staff: str | None = None) -> Outcome:
        """Call the most urgent ticket for ``window``; ``Outcome.ticket`` is None when nobody waits."""
        with self._unit(slug) as u:
            stored = u.callable_window(window)
            # The clerk's skills as the staff registry holds them now (read under the same lock).
            clerk = u.tx.staff_member(stored.staff) if stored.staff else None
            win = routing.staffed(stored, [s.service for s in clerk.skills] if clerk else None)
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
