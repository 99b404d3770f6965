"""The twin's event loop: one hall day run through the server's own rules.

Tickets are ``domain.Ticket`` values moved by ``rules.lifecycle``; windows are
``domain.Window`` values moved by ``rules.windows``; whom a free window calls is
``rules.routing.pick`` over the head of every (service, tier) line, exactly as the store
hands them to call-next. Only the clock and the visitors are simulated: a heap of events in
microseconds, so no float rounding can reorder two calls.

A free window calls as soon as it can (a clerk who calls straight on); when a visitor
arrives and several windows are free, the lowest-numbered one that serves them calls.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..domain import Ticket, TicketState, Tier, Window, WindowState
from . import lifecycle, routing, windows
from .twin_model import Arrival, TicketRecord, Transfer, TwinDay, WindowPlan
from .twin_stats import Tracker

_US = 1_000_000
ROUTED_TIERS = (Tier.GREEN, Tier.APPOINTMENT, Tier.PRIORITY, Tier.NORMAL)
LUNCH = "午休"

# Kinds of event, in the order they run when they fall on the same microsecond: a window's
# change first, then a visitor leaving a window, then arrivals, then the closing count.
_OPEN, _PAUSE, _RESUME, _CLOSE, _END, _READY, _ARRIVE, _CLOSING = range(8)
_ORDER = {_OPEN: 0, _PAUSE: 0, _RESUME: 0, _CLOSE: 0, _END: 1, _READY: 1, _ARRIVE: 2, _CLOSING: 3}


def us(seconds: float) -> int:
    return round(seconds * _US)


@dataclass(slots=True)
class _Visit:
    """What the twin knows of a visitor that the ticket does not: how long they will take."""

    service: str  # the service they came for
    priority: str
    tier: Tier
    issued: int
    service_us: int
    no_show: bool
    transfer: Transfer | None
    transfer_us: int
    called: int | None = None
    window: int | None = None
    outcome: str = TicketState.WAITING.value
    transferred_to: str | None = None


@dataclass(slots=True)
class _Desk:
    index: int
    plan: WindowPlan
    window: Window
    routed: Window
    current: Ticket | None = None
    busy_from: int = 0
    closing: bool = False
    serving_out: bool = False  # past its closing, calling whoever still waits (plan.serve_out_s)
    resting: bool = False  # between two visitors (the day's call gap): calls nobody yet
    staffed_from: int | None = None


class Engine:
    def __init__(self, day: TwinDay, arrivals: list[Arrival], rng: random.Random, tracker: Tracker) -> None:
        self.day = day
        self.rng = rng
        self.tracker = tracker
        self.base_us = lifecycle.to_us(day.start)
        self.policy = routing.RoutingPolicy.from_minutes(day.aging_minutes)
        self.lines: dict[tuple[str, Tier], list[tuple[int, int, Ticket]]] = {}
        self.visits: dict[int, _Visit] = {}
        self.numbers: dict[str, int] = {}
        self.events: list[tuple[int, int, int, int, int]] = []
        self.seq = 0
        self.arrivals = arrivals
        self.desks: list[_Desk] = []
        self.waiting_at_closing: dict[str, int] = {}
        for i, plan in enumerate(sorted(day.windows, key=lambda p: p.number)):
            win = Window(day.hall, plan.number, plan.kind, WindowState.CLOSED, dict(plan.services))
            self.desks.append(_Desk(i, plan, win, routing.staffed(win, plan.skills)))
        for i, desk in enumerate(self.desks):
            self._at(us(desk.plan.opens_s), _OPEN, i)
            for p0, p1 in desk.plan.pauses:
                self._at(us(p0), _PAUSE, i)
                self._at(us(p1), _RESUME, i)
            self._at(us(desk.plan.closes_s), _CLOSE, i)
        for i, a in enumerate(arrivals):
            self._at(us(a.at_s), _ARRIVE, i)
        self._at(us(day.closes_s), _CLOSING, 0)

    def _at(self, t: int, kind: int, arg: int) -> None:
        self.seq += 1
        heapq.heappush(self.events, (t, _ORDER[kind], self.seq, kind, arg))

    def _when(self, t: int) -> datetime:
        return self.day.start + timedelta(microseconds=t)

    def run(self) -> list[TicketRecord]:
        """Run the day out: every visitor's record, in the order they took their numbers."""
        t = 0
        handlers = {
            _OPEN: self._open,
            _PAUSE: self._pause,
            _RESUME: self._resume,
            _CLOSE: self._close,
            _END: self._end,
            _READY: self._ready,
            _ARRIVE: self._arrive,
            _CLOSING: self._closing,
        }
        while self.events:
            t, _, _, kind, arg = heapq.heappop(self.events)
            handlers[kind](t, arg)
        # Whoever still waits when the last window has closed goes home unserved.
        for line in self.lines.values():
            for _, _, ticket in line:
                lifecycle.rollover(ticket, self._when(t))
                self.visits[ticket.id].outcome = TicketState.NOT_SERVED.value
                self.tracker.queue(ticket.service, t, -1)
        self.tracker.flush(t)
        return [_record(i, v) for i, v in self.visits.items()]

    # -- visitors --------------------------------------------------------------

    def _arrive(self, t: int, i: int) -> None:
        a = self.arrivals[i]
        number = self.numbers.get(a.service, 0) + 1
        self.numbers[a.service] = number
        slot = None if a.slot_start_s is None else self._when(us(a.slot_start_s))
        ticket = lifecycle.issue(
            hall=self.day.hall,
            day=self.day.start.date(),
            service=a.service,
            running_number=number,
            priority=a.priority,
            tier=a.tier,
            at=self._when(t),
            token="",
            slot_start=slot,
            appointment=None if slot is None else f"T{len(self.visits) + 1}",
        )
        ticket = replace(ticket, id=len(self.visits) + 1)
        rng = self.rng
        times = self.day.service_times
        service_s = a.service_s if a.service_s is not None else times[a.service].draw(rng)
        transfer = self.day.transfers.get(a.service)
        if transfer is not None and rng.random() >= transfer.share:
            transfer = None
        no_show = a.no_show
        if no_show is None:
            no_show = self.day.no_show_share > 0 and rng.random() < self.day.no_show_share
        self.visits[ticket.id] = _Visit(
            service=a.service,
            priority=ticket.priority,
            tier=ticket.tier,
            issued=t,
            service_us=us(service_s),
            no_show=no_show,
            transfer=transfer,
            transfer_us=0 if transfer is None else us(times[transfer.to_service].draw(rng)),
        )
        self._enqueue(ticket, t)

    def _enqueue(self, ticket: Ticket, t: int) -> None:
        heapq.heappush(self.lines.setdefault((ticket.service, ticket.tier), []), (ticket.order_key, ticket.id, ticket))
        self.tracker.queue(ticket.service, t, 1)
        # Free windows found nobody before this ticket came: the first that serves it calls it.
        for desk in self.desks:
            idle = desk.current is None and not desk.resting and desk.window.state is WindowState.OPEN
            if idle and desk.routed.serves(ticket.service) and self._call(desk, t):
                return

    def _call(self, desk: _Desk, t: int) -> bool:
        heads = []
        for service in desk.routed.services:
            for tier in ROUTED_TIERS:
                line = self.lines.get((service, tier))
                if line:
                    heads.append(line[0][2])
        chosen = routing.pick(heads, desk.routed, self.base_us + t, self.policy)
        if chosen is None:
            return False
        heapq.heappop(self.lines[(chosen.service, chosen.tier)])
        self.tracker.queue(chosen.service, t, -1)
        windows.ensure_can_call(desk.window, None)
        ticket, _ = lifecycle.call(chosen, desk.plan.number, self._when(t), None)
        desk.current = ticket
        desk.busy_from = t
        visit = self.visits[ticket.id]
        if visit.called is None:
            visit.called = t
            visit.window = desk.plan.number
        if visit.no_show:
            # Called, recalled as often as the hall allows, then given up as a no-show.
            took = us(self.day.recall_interval_s) * (self.day.recall_limit + 1)
        else:
            took = us(self.day.walk_up_s) + visit.service_us
        self._at(t + took, _END, desk.index)
        return True

    def _end(self, t: int, i: int) -> None:
        desk = self.desks[i]
        ticket = desk.current
        assert ticket is not None
        visit = self.visits[ticket.id]
        day = self.day
        if visit.no_show:
            at = ticket.called_at
            assert at is not None
            for k in range(day.recall_limit):
                ticket, _ = lifecycle.recall(
                    ticket, at + timedelta(seconds=day.recall_interval_s * (k + 1)), None, day.recall_limit
                )
            lifecycle.no_show(ticket, self._when(t), None)
            visit.outcome = TicketState.NO_SHOW.value
            requeued = None
        else:
            ticket, _ = lifecycle.start(ticket, self._when(desk.busy_from + us(day.walk_up_s)), None)
            if visit.transfer is not None:
                to = visit.transfer.to_service
                requeued, _ = lifecycle.transfer(ticket, self._when(t), None, to, None, None)
                visit.transferred_to, visit.service_us, visit.transfer = to, visit.transfer_us, None
            else:
                lifecycle.finish(ticket, self._when(t), None)
                visit.outcome = TicketState.DONE.value
                requeued = None
        desk.current = None
        self.tracker.busy.append((desk.plan.number, desk.busy_from, t))
        if desk.closing:
            self._shut(desk, t)
        elif desk.window.state is not WindowState.OPEN:
            self._unstaff(desk, t)  # paused while serving: lunch starts now
        elif day.call_gap_s > 0:
            desk.resting = True
            self._at(t + us(day.call_gap_s), _READY, i)
        else:
            self._call_or_leave(desk, t)
        if requeued is not None:
            self._enqueue(requeued, t)

    def _ready(self, t: int, i: int) -> None:
        desk = self.desks[i]
        desk.resting = False
        if desk.current is None and desk.window.state is WindowState.OPEN and not desk.closing:
            self._call_or_leave(desk, t)

    def _call_or_leave(self, desk: _Desk, t: int) -> None:
        """Call the next visitor; a window serving out its queue past closing closes when nobody is left."""
        if not self._call(desk, t) and desk.serving_out:
            self._shut(desk, t)

    def _closing(self, t: int, _: int) -> None:
        counts: dict[str, int] = {}
        for (service, _tier), line in self.lines.items():
            counts[service] = counts.get(service, 0) + len(line)
        counts["*"] = sum(counts.values())
        self.waiting_at_closing = counts

    # -- windows ---------------------------------------------------------------

    def _open(self, t: int, i: int) -> None:
        desk = self.desks[i]
        desk.window, _ = windows.open_window(desk.window, None, self._when(t))
        desk.routed = routing.staffed(desk.window, desk.plan.skills)
        desk.staffed_from = t
        self._call(desk, t)

    def _pause(self, t: int, i: int) -> None:
        desk = self.desks[i]
        if desk.window.state is not WindowState.OPEN:
            return
        desk.window, _ = windows.pause(desk.window, LUNCH, self._when(t))
        if desk.current is None:
            self._unstaff(desk, t)

    def _resume(self, t: int, i: int) -> None:
        desk = self.desks[i]
        if desk.window.state is not WindowState.PAUSED:
            return
        desk.window, _ = windows.resume(desk.window, self._when(t))
        if desk.staffed_from is None:
            desk.staffed_from = t
        if desk.current is None and not desk.resting:
            self._call(desk, t)

    def _close(self, t: int, i: int) -> None:
        desk = self.desks[i]
        if desk.window.state is WindowState.CLOSED:
            return
        if desk.plan.serve_out_s > 0 and not desk.serving_out:
            # Past closing the window calls whoever still waits, up to serve_out_s, then closes.
            desk.serving_out = True
            self._at(t + us(desk.plan.serve_out_s), _CLOSE, i)
            if desk.current is None and not desk.resting and desk.window.state is WindowState.OPEN:
                self._call_or_leave(desk, t)
            return
        if desk.current is not None:
            desk.closing = True  # the visitor at the window is served to the end
        else:
            self._shut(desk, t)

    def _shut(self, desk: _Desk, t: int) -> None:
        desk.window, _ = windows.close(desk.window, None, self._when(t))
        desk.closing = False
        self._unstaff(desk, t)

    def _unstaff(self, desk: _Desk, t: int) -> None:
        if desk.staffed_from is not None:
            self.tracker.staffed.append((desk.plan.number, desk.staffed_from, t))
            desk.staffed_from = None


def _record(ticket_id: int, v: _Visit) -> TicketRecord:
    return TicketRecord(
        id=ticket_id,
        service=v.service,
        priority=v.priority,
        tier=v.tier,
        issued_s=v.issued / _US,
        called_s=None if v.called is None else v.called / _US,
        window=v.window,
        outcome=v.outcome,
        transferred_to=v.transferred_to,
    )
