"""QueueService driven through random command sequences on a real store.

Every command is checked against what the rules of DESIGN.md (Ticket life,
Routing) say it should do: an allowed command must succeed and store exactly
what it returned; a refused one must raise a ``HallQError`` and leave every
table as it was. After each step the hall's invariants are checked: one state
per ticket, unique numbers, at most one ticket at a window, only open or paused
windows hold a ticket, a gapless event sequence, and after every call-next the
routing guarantees (nothing younger jumps an aged ticket, the green channel is
never passed over by a normal ticket).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from queue_server.domain import APPOINTMENT_CLASS, Event, Ticket, TicketState, Tier, Window, WindowAction, WindowState
from queue_server.errors import HallQError
from queue_server.rules import lifecycle, routing
from queue_server.rules import windows as window_rules
from queue_server.rules.numbering import requeue_key
from queue_server.service import Issued, Outcome, QueueService
from queue_server.storage import Store, open_store
from queue_server.storage.sql import ticket_from_row
from tests.conftest import FakeClock, emptied_pg_store, small_config, truncate_all
from tests.storage._util import dump

S = TicketState
T = TypeVar("T")
HALL = "t"
WINDOWS = (1, 2, 3)
MISSING_TICKET = 10**9
TIER_OF = {"normal": Tier.NORMAL, "green": Tier.GREEN, "elderly": Tier.PRIORITY}
VISITOR = st.tuples(st.sampled_from("ABC"), st.sampled_from(sorted(TIER_OF)))

SQLITE_SETTINGS = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PG_SETTINGS = settings(SQLITE_SETTINGS, max_examples=10, stateful_step_count=30)


@dataclass(frozen=True)
class HallState:
    """Everything stored for the hall at one moment."""

    rows: dict[str, list[dict[str, Any]]]  # every table, row by row: the "nothing changed" check
    tickets: dict[int, Ticket]
    windows: dict[int, Window]
    events: list[Event]

    def current(self, window: int) -> Ticket | None:
        at = [t for t in self.tickets.values() if t.window == window and t.state.at_window]
        return at[0] if at else None

    def window_free(self, window: int) -> bool:
        return self.windows[window].state is WindowState.OPEN and self.current(window) is None

    def any_ticket(self, *states: TicketState) -> bool:
        return any(t.state in states for t in self.tickets.values())

    def any_window(self, *states: WindowState) -> bool:
        return any(w.state in states for w in self.windows.values())


class HallMachine(RuleBasedStateMachine):
    """The command sequences; a subclass says where the store comes from."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.config = small_config()
        hall = self.config.hall(HALL)
        assert hall is not None
        self.hall = hall
        store.sync_halls(self.config)
        self.clock = FakeClock()
        self.service = QueueService(store, self.config, clock=self.clock)
        self.policy = routing.RoutingPolicy.from_minutes(hall.aging_minutes)
        self._state: HallState | None = None
        self.overnight_done = False

    # -- reading the hall --------------------------------------------------------

    def load(self) -> HallState:
        rows = dump(self.store)
        valid = {s.value for s in S}
        for r in rows["ticket"]:
            assert r["state"] in valid, f"ticket {r['number']} has no valid state: {r['state']!r}"
        tickets = {r["id"]: ticket_from_row(r) for r in rows["ticket"]}  # type: ignore[arg-type]
        events: list[Event] = []
        with self.store.reader(HALL) as reader:
            windows = {w.number: w for w in reader.windows()}
            while page := reader.events(after_seq=events[-1].seq if events else 0):
                events.extend(page)
            assert reader.last_seq() == (events[-1].seq if events else 0)
        return HallState(rows=rows, tickets=tickets, windows=windows, events=events)

    def state(self) -> HallState:
        if self._state is None:
            self._state = self.load()
        return self._state

    @property
    def today(self) -> date:
        return self.service.business_day(HALL)

    @property
    def now_us(self) -> int:
        return lifecycle.to_us(self.clock())

    # -- running a command -----------------------------------------------------------

    def attempt(self, name: str, allowed: bool, command: Callable[[], T]) -> T | None:
        """Run ``command``. A refusal must be a HallQError that changed nothing, and
        must happen exactly when the rules forbid the command."""
        before = self.state()
        try:
            result = command()
        except HallQError as exc:
            after = self.load()
            for table, rows in before.rows.items():
                assert after.rows[table] == rows, f"{exc!r} was raised but table {table} changed"
            assert not allowed, f"the rules allow this command but it was refused: {exc!r}"
            event(f"{name}: refused")
            return None
        self._state = None
        assert allowed, f"the rules forbid this command but it returned {result!r}"
        event(f"{name}: done")
        after = self.state()
        events = result.events if isinstance(result, Issued | Outcome) else []
        first = before.events[-1].seq + 1 if before.events else 1
        assert [e.seq for e in events] == list(range(first, first + len(events)))
        assert after.events[len(before.events) :] == events, "the returned events are not the stored ones"
        ticket = result.ticket if isinstance(result, Issued | Outcome) else None
        if ticket is not None:
            assert after.tickets[ticket.id] == ticket, "the returned ticket is not the stored one"
        return result

    # -- the commands, each checked against the rules ---------------------------------
    # ``do_*`` run one command on a chosen target; the rules below choose the targets.

    def do_issue(self, service: str, priority: str, slot_in: int | None = None) -> None:
        """Take a number; with ``slot_in`` (minutes from now) check in an appointment instead."""
        before, today = self.state(), self.today
        served = any(w.serves(service) for w in before.windows.values())
        if slot_in is None:
            issued = self.attempt("issue", served, lambda: self.service.issue(HALL, service, priority))
            tier, key = TIER_OF[priority], self.now_us
        else:
            slot = self.clock() + timedelta(minutes=slot_in)
            issued = self.attempt(
                "appointment check-in",
                served,
                lambda: self.service.issue(HALL, service, appointment=f"YY{slot_in}", slot_start=slot),
            )
            priority, tier, key = APPOINTMENT_CLASS, Tier.APPOINTMENT, lifecycle.to_us(slot)
        if issued is None:
            return
        t = issued.ticket
        same_day = [x for x in before.tickets.values() if x.business_day == today and x.number[0] == service]
        assert t.number == f"{service}{len(same_day) + 1:03d}"
        assert (t.state, t.service, t.business_day, t.tier, t.priority) == (S.WAITING, service, today, tier, priority)
        assert (t.order_key, t.window, t.target_window) == (key, None, None)
        ahead = [
            x
            for x in before.tickets.values()
            if x.state is S.WAITING
            and x.business_day == today
            and x.service == service
            and x.target_window is None
            and (x.tier, x.order_key) <= (t.tier, t.order_key)
        ]
        assert issued.ahead == len(ahead)
        # No estimate exactly when no open window serves the line (nobody can say when it moves).
        serving = [w for w in before.windows.values() if service in w.services and w.state is WindowState.OPEN]
        assert (issued.estimated_wait_s is None) == (not serving)
        if issued.estimated_wait_s is not None:
            assert issued.estimated_wait_s >= 0 and (issued.estimated_wait_s == 0) == (issued.ahead == 0)

    def do_window(self, window: int, action: WindowAction, reason: str = "午休") -> None:
        s = self.state()
        sources, target = window_rules.TRANSITIONS[action]
        allowed = s.windows[window].state in sources
        if action is WindowAction.PAUSE:
            allowed = allowed and bool(reason.strip())
        if action is WindowAction.CLOSE:
            allowed = allowed and s.current(window) is None
        commands: dict[WindowAction, Callable[[], Outcome]] = {
            WindowAction.OPEN: lambda: self.service.open_window(HALL, window, f"clerk{window}"),
            WindowAction.PAUSE: lambda: self.service.pause_window(HALL, window, reason),
            WindowAction.RESUME: lambda: self.service.resume_window(HALL, window),
            WindowAction.CLOSE: lambda: self.service.close_window(HALL, window),
        }
        out = self.attempt(f"window {action.value}", allowed, commands[action])
        if out is None:
            return
        assert out.window is not None and out.window.state is target
        stored = self.state().windows[window]
        assert (stored.state, stored.staff, stored.pause_reason) == (
            out.window.state,
            out.window.staff,
            out.window.pause_reason,
        )
        assert stored.pause_reason == (reason.strip() if target is WindowState.PAUSED else None)
        if action is WindowAction.OPEN:
            assert stored.staff == f"clerk{window}"
        if target is WindowState.CLOSED:
            assert stored.staff is None

    def eligible(self, s: HallState, window: Window) -> list[Ticket]:
        """Everyone ``window`` may call now, found by scanning every ticket."""
        today = self.today
        return [
            t
            for t in s.tickets.values()
            if routing.is_candidate(t, window) and (t.state is S.HELD or t.business_day == today)
        ]

    def aged(self, t: Ticket) -> bool:
        return self.now_us - t.order_key >= self.policy.aging_us

    def do_call_next(self, window: int) -> None:
        s = self.state()
        win = s.windows[window]
        eligible = self.eligible(s, win)
        out = self.attempt("call_next", s.window_free(window), lambda: self.service.call_next(HALL, window, "c"))
        if out is None:
            return
        if out.ticket is None:
            assert not eligible, f"window {window} called nobody while {[t.number for t in eligible]} wait"
            assert out.events == []
            return
        event("call_next: called a ticket")
        # The storage hands routing only the head of each line: the choice must be the
        # one routing makes over every ticket.
        expected = routing.pick(eligible, win, self.now_us, self.policy)
        assert expected is not None and out.ticket.id == expected.id, (
            f"called {out.ticket.number}, a full scan picks {expected and expected.number}"
        )
        assert (out.ticket.state, out.ticket.window, out.ticket.called_at) == (S.CALLED, window, self.clock())
        chosen = s.tickets[out.ticket.id]
        if chosen.state is S.HELD:
            assert chosen.returned and chosen.window == window
            event("call_next: called back a returned ticket")
            return
        assert not any(t.state is S.HELD for t in eligible), "a returned held ticket was passed over"
        aged = [t for t in eligible if self.aged(t)]
        if aged:
            event("call_next: with an aged ticket waiting")
            oldest = min(aged, key=lambda t: t.order_key)
            assert chosen.tier is Tier.GREEN or self.aged(chosen), f"{chosen.number} jumped aged {oldest.number}"
            assert chosen.order_key <= oldest.order_key, f"{chosen.number} is younger than aged {oldest.number}"
        greens = [t for t in eligible if t.tier is Tier.GREEN]
        if greens:
            event("call_next: with a green ticket waiting")
            assert chosen.tier is Tier.GREEN or self.aged(chosen), (
                f"green {greens[0].number} was passed over by {chosen.number}"
            )

    def do_call_ticket(self, window: int, tid: int) -> None:
        s, today = self.state(), self.today
        t = s.tickets.get(tid)
        allowed = (
            s.window_free(window)
            and t is not None
            and t.state is S.WAITING
            and t.business_day == today
            and (t.target_window == window or (t.target_window is None and s.windows[window].serves(t.service)))
        )
        out = self.attempt("call_ticket", allowed, lambda: self.service.call_ticket(HALL, window, tid, "急事", "c"))
        if out is not None:
            assert out.ticket is not None and (out.ticket.state, out.ticket.window) == (S.CALLED, window)
            assert out.events[-1].detail.get("reason") == "急事"

    def do_recall(self, window: int) -> None:
        cur = self.state().current(window)
        allowed = cur is not None and cur.state is S.CALLED and cur.recall_count < self.hall.recall_limit
        out = self.attempt("recall", allowed, lambda: self.service.recall(HALL, window))
        if out is not None:
            assert cur is not None and out.ticket is not None
            assert (out.ticket.state, out.ticket.recall_count) == (S.CALLED, cur.recall_count + 1)

    def do_start(self, window: int) -> None:
        cur = self.state().current(window)
        out = self.attempt("start", cur is not None and cur.state is S.CALLED, lambda: self.service.start(HALL, window))
        if out is not None:
            assert out.ticket is not None and (out.ticket.state, out.ticket.window) == (S.SERVING, window)
            assert out.ticket.started_at == self.clock()

    def do_finish(self, window: int) -> None:
        cur = self.state().current(window)
        allowed = cur is not None and cur.state is S.SERVING
        out = self.attempt("finish", allowed, lambda: self.service.finish(HALL, window))
        if out is not None:
            assert out.ticket is not None and out.ticket.state is S.DONE
            assert out.ticket.finished_at == self.clock()

    def do_no_show(self, window: int) -> None:
        cur = self.state().current(window)
        allowed = cur is not None and cur.state is S.CALLED
        out = self.attempt("no_show", allowed, lambda: self.service.no_show(HALL, window))
        if out is not None:
            assert out.ticket is not None and out.ticket.state is S.NO_SHOW

    def do_hold(self, window: int) -> None:
        cur = self.state().current(window)
        out = self.attempt("hold", cur is not None, lambda: self.service.hold(HALL, window, reason="取材料"))
        if out is not None:
            assert out.ticket is not None and (out.ticket.state, out.ticket.window) == (S.HELD, window)
            assert out.ticket.returned is False

    def do_transfer(self, window: int, mode: str, to_service: str, to_window: int) -> None:
        s = self.state()
        cur = s.current(window)
        service = to_service if mode in ("service", "both") else None
        target = to_window if mode in ("window", "both") else None
        if target is not None:
            allowed = target != window
        elif service is not None:
            allowed = any(w.serves(service) for w in s.windows.values())
        else:
            allowed = False  # a transfer needs a service or a window
        allowed = allowed and cur is not None
        out = self.attempt(
            f"transfer to {mode}",
            allowed,
            lambda: self.service.transfer(HALL, window, service=service, to_window=target, reason="转办"),
        )
        if out is not None:
            assert cur is not None and out.ticket is not None
            new = out.ticket
            assert (new.state, new.window, new.target_window) == (S.WAITING, None, target)
            assert new.service == (service or cur.service)
            assert (new.order_key, new.number, new.tier) == (cur.order_key, cur.number, cur.tier)

    def do_call_back(self, window: int, tid: int) -> None:
        s = self.state()
        t = s.tickets.get(tid)
        allowed = s.window_free(window) and t is not None and t.state is S.HELD and t.window == window
        out = self.attempt("call_back", allowed, lambda: self.service.call_back(HALL, window, tid))
        if out is not None:
            assert out.ticket is not None and (out.ticket.state, out.ticket.window) == (S.CALLED, window)
            assert (out.ticket.returned, out.ticket.recall_count) == (False, 0)

    def do_mark_returned(self, tid: int) -> None:
        t = self.state().tickets.get(tid)
        allowed = t is not None and t.state is S.HELD
        out = self.attempt("mark_returned", allowed, lambda: self.service.mark_returned(HALL, tid))
        if out is not None:
            assert out.ticket is not None and out.ticket.state is S.HELD and out.ticket.returned

    def do_cancel(self, tid: int) -> None:
        t = self.state().tickets.get(tid)
        allowed = t is not None and t.state in (S.WAITING, S.CALLED, S.HELD)
        out = self.attempt("cancel", allowed, lambda: self.service.cancel(HALL, tid, "clerk", "visitor left"))
        if out is not None:
            assert out.ticket is not None and out.ticket.state is S.CANCELLED

    def do_reactivate(self, tid: int) -> None:
        s, today = self.state(), self.today
        t = s.tickets.get(tid)
        allowed = (
            t is not None
            and t.state is S.NO_SHOW
            and t.business_day == today
            and t.reactivations < self.hall.no_show.max_reactivations
        )
        out = self.attempt("reactivate", allowed, lambda: self.service.reactivate(HALL, tid, "clerk"))
        if out is None:
            return
        assert t is not None and out.ticket is not None
        after = self.hall.no_show.requeue_after
        line = sorted(
            (x.order_key, x.id)
            for x in s.tickets.values()
            if x.state is S.WAITING
            and x.business_day == today
            and x.service == t.service
            and x.tier is t.tier
            and x.target_window is None
        )
        expected = requeue_key([k for k, _ in line[: after + 1]], after, self.now_us)
        assert (out.ticket.state, out.ticket.order_key, out.ticket.window) == (S.WAITING, expected, None)
        assert out.ticket.reactivations == t.reactivations + 1

    # -- choosing targets -----------------------------------------------------------------

    def pick_window(self, data: st.DataObject, fits: Callable[[int], bool]) -> int:
        """Mostly a window where the command makes sense (if any), else any window."""
        good = [w for w in WINDOWS if fits(w)]
        fitting = data.draw(st.integers(0, 3), label="a fitting window unless 0") > 0 if good else False
        if fitting:
            return data.draw(st.sampled_from(good), label="window")
        return data.draw(st.sampled_from(WINDOWS), label="window")

    def pick_ticket(self, data: st.DataObject, fits: Callable[[Ticket], bool]) -> int:
        """Mostly a ticket the command fits (if any), else any ticket or a missing one."""
        tickets = sorted(self.state().tickets.values(), key=lambda t: t.id)
        good = [t.id for t in tickets if fits(t)]
        fitting = data.draw(st.integers(0, 3), label="a fitting ticket unless 0") > 0 if good else False
        if fitting:
            return data.draw(st.sampled_from(good), label="ticket")
        return data.draw(st.sampled_from([*(t.id for t in tickets), MISSING_TICKET]), label="ticket")

    def window_with(self, data: st.DataObject, *states: TicketState) -> int:
        s = self.state()
        return self.pick_window(data, lambda w: (c := s.current(w)) is not None and c.state in states)

    # -- the rules ---------------------------------------------------------------------------

    @initialize(
        windows=st.sets(st.sampled_from(WINDOWS)),
        visitors=st.lists(VISITOR, min_size=2, max_size=10),
    )
    def morning(self, windows: set[int], visitors: list[tuple[str, str]]) -> None:
        """Some windows open and some visitors already in line."""
        for window in sorted(windows):
            self.do_window(window, WindowAction.OPEN)
        for service, priority in visitors:
            self.do_issue(service, priority)

    @rule(service=st.sampled_from("ABC"), priority=st.sampled_from(sorted(TIER_OF)))
    def issue(self, service: str, priority: str) -> None:
        self.do_issue(service, priority)

    @rule(service=st.sampled_from("ABC"), slot_in=st.sampled_from([-45, -10, 0, 15, 40]))
    def check_in_appointment(self, service: str, slot_in: int) -> None:
        """An appointment checked in before, at or after its slot."""
        self.do_issue(service, APPOINTMENT_CLASS, slot_in)

    @rule(visitors=st.lists(VISITOR, min_size=2, max_size=5))
    def crowd(self, visitors: list[tuple[str, str]]) -> None:
        """A group arrives at once (they share one arrival time, so ties in line happen)."""
        for service, priority in visitors:
            self.do_issue(service, priority)

    @rule(data=st.data(), action=st.sampled_from(WindowAction), reason=st.sampled_from(["午休", "  "]))
    def window_command(self, data: st.DataObject, action: WindowAction, reason: str) -> None:
        """Open, pause (with or without a reason), resume or close a window."""
        s = self.state()
        sources, _ = window_rules.TRANSITIONS[action]
        self.do_window(self.pick_window(data, lambda w: s.windows[w].state in sources), action, reason)

    @rule(
        window=st.sampled_from(WINDOWS),
        services=st.dictionaries(st.sampled_from("ABCD"), st.sampled_from([1.0, 2.5, 0.1, 100.0, 0.05, 101.0])),
    )
    def assign_services(self, window: int, services: dict[str, float]) -> None:
        """A manager changes what a window serves (weights outside 0.1..100 are refused)."""
        allowed = bool(services) and all(0.1 <= w <= 100 for w in services.values())
        out = self.attempt("assign services", allowed, lambda: self.service.set_window_services(HALL, window, services))
        if out is not None:
            assert self.state().windows[window].services == services

    @rule(data=st.data())
    def clerk_turn(self, data: st.DataObject) -> None:
        """What a clerk at a window would do next: open, resume, call, start, finish and so on."""
        s = self.state()
        window = data.draw(st.sampled_from(WINDOWS), label="clerk at window")
        cur = s.current(window)
        if s.windows[window].state is WindowState.CLOSED:
            self.do_window(window, WindowAction.OPEN)
        elif s.windows[window].state is WindowState.PAUSED:
            self.do_window(window, WindowAction.RESUME)
        elif cur is None:
            self.do_call_next(window)
        else:
            choices = ["start", "start", "recall", "no_show", "hold", "transfer"]
            if cur.state is S.SERVING:
                choices = ["finish", "finish", "hold", "transfer"]
            action = data.draw(st.sampled_from(choices), label="clerk does")
            if action == "transfer":
                self.do_transfer(window, "service", data.draw(st.sampled_from("ABC"), label="to service"), 1)
            else:
                getattr(self, f"do_{action}")(window)

    @precondition(lambda self: self.state().any_window(WindowState.OPEN))
    @rule(data=st.data())
    def call_next(self, data: st.DataObject) -> None:
        self.do_call_next(self.pick_window(data, self.state().window_free))

    @precondition(lambda self: self.state().any_window(WindowState.OPEN) and self.state().any_ticket(S.WAITING))
    @rule(data=st.data())
    def call_ticket(self, data: st.DataObject) -> None:
        s = self.state()
        window = self.pick_window(data, s.window_free)
        tid = self.pick_ticket(data, lambda t: routing.is_candidate(t, s.windows[window]) and t.state is S.WAITING)
        self.do_call_ticket(window, tid)

    @precondition(lambda self: self.state().any_ticket(S.CALLED))
    @rule(data=st.data())
    def recall(self, data: st.DataObject) -> None:
        self.do_recall(self.window_with(data, S.CALLED))

    @precondition(lambda self: self.state().any_ticket(S.CALLED))
    @rule(data=st.data())
    def start(self, data: st.DataObject) -> None:
        self.do_start(self.window_with(data, S.CALLED))

    @precondition(lambda self: self.state().any_ticket(S.SERVING))
    @rule(data=st.data())
    def finish(self, data: st.DataObject) -> None:
        self.do_finish(self.window_with(data, S.SERVING))

    @precondition(lambda self: self.state().any_ticket(S.CALLED))
    @rule(data=st.data())
    def no_show(self, data: st.DataObject) -> None:
        self.do_no_show(self.window_with(data, S.CALLED))

    @precondition(lambda self: self.state().any_ticket(S.CALLED, S.SERVING))
    @rule(data=st.data())
    def hold(self, data: st.DataObject) -> None:
        self.do_hold(self.window_with(data, S.CALLED, S.SERVING))

    @precondition(lambda self: self.state().any_ticket(S.CALLED, S.SERVING))
    @rule(
        data=st.data(),
        mode=st.sampled_from(["service", "window", "both", "neither"]),
        to_service=st.sampled_from("ABCD"),
        to_window=st.sampled_from(WINDOWS),
    )
    def transfer(self, data: st.DataObject, mode: str, to_service: str, to_window: int) -> None:
        self.do_transfer(self.window_with(data, S.CALLED, S.SERVING), mode, to_service, to_window)

    @precondition(lambda self: self.state().any_ticket(S.HELD))
    @rule(data=st.data())
    def mark_returned(self, data: st.DataObject) -> None:
        self.do_mark_returned(self.pick_ticket(data, lambda t: t.state is S.HELD))

    @precondition(lambda self: self.state().any_ticket(S.HELD))
    @rule(data=st.data())
    def call_back(self, data: st.DataObject) -> None:
        tid = self.pick_ticket(data, lambda t: t.state is S.HELD)
        t = self.state().tickets.get(tid)
        holder = t.window if t is not None and t.state is S.HELD else None
        self.do_call_back(self.pick_window(data, lambda w: w == holder), tid)

    @precondition(lambda self: self.state().any_ticket(S.WAITING, S.CALLED, S.HELD))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        self.do_cancel(self.pick_ticket(data, lambda t: t.state in (S.WAITING, S.CALLED, S.HELD)))

    @precondition(lambda self: self.state().any_ticket(S.NO_SHOW))
    @rule(data=st.data())
    def reactivate(self, data: st.DataObject) -> None:
        self.do_reactivate(self.pick_ticket(data, lambda t: t.state is S.NO_SHOW))

    # 0..40 minutes; Hypothesis draws its simplest value most often, so make that a long wait
    # (tickets then pass the 30-minute aging bound) rather than no time at all.
    @rule(minutes=st.integers(0, 40).map(lambda n: 40 - n))
    def advance_clock(self, minutes: int) -> None:
        self.clock.advance(minutes * 60)

    @precondition(lambda self: not self.overnight_done)
    @rule()
    def overnight(self) -> None:
        """To 09:00 the next day (at most once per example): yesterday's tickets wait for the rollover."""
        self.overnight_done = True
        now = self.clock()
        next_morning = datetime.combine(now.astimezone(self.hall.tz).date() + timedelta(days=1), time(9))
        self.clock.advance((next_morning.replace(tzinfo=self.hall.tz) - now).total_seconds())
        assert self.clock().astimezone(self.hall.tz).hour == 9

    @precondition(
        lambda self: any(
            t.business_day < self.today and t.state in (S.WAITING, S.HELD, S.NO_SHOW)
            for t in self.state().tickets.values()
        )
    )
    @rule()
    def rollover(self) -> None:
        before, today = self.state(), self.today
        out = self.attempt("rollover", True, lambda: self.service.rollover(HALL))
        assert out is not None
        stale = {
            t.id
            for t in before.tickets.values()
            if t.business_day < today and t.state in (S.WAITING, S.HELD, S.NO_SHOW)
        }
        after = self.state()
        rolled = {t.id for t in after.tickets.values() if t.state is S.NOT_SERVED}
        assert rolled - {t.id for t in before.tickets.values() if t.state is S.NOT_SERVED} == stale
        assert len(out.events) == len(stale)

    @rule(
        command=st.sampled_from(
            ["unknown service", "unserved service", "unknown priority", "unknown window", "unknown ticket", "no reason"]
        )
    )
    def refused_outright(self, command: str) -> None:
        """Unknown names and missing reasons (D is refused only while no window serves it)."""
        commands: dict[str, Callable[[], object]] = {
            "unknown service": lambda: self.service.issue(HALL, "Q"),
            "unserved service": lambda: self.service.issue(HALL, "D"),
            "unknown priority": lambda: self.service.issue(HALL, "A", "vip"),
            "unknown window": lambda: self.service.call_next(HALL, 9),
            "unknown ticket": lambda: self.service.mark_returned(HALL, MISSING_TICKET),
            "no reason": lambda: self.service.call_ticket(HALL, 1, MISSING_TICKET, " "),
        }
        d_served = any(w.serves("D") for w in self.state().windows.values())
        self.attempt(command, command == "unserved service" and d_served, commands[command])

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def one_valid_state_per_ticket(self) -> None:
        for t in self.state().tickets.values():
            assert isinstance(t.state, TicketState)
            if t.state is S.WAITING:
                assert t.window is None, f"waiting {t.number} is still at window {t.window}"
            if t.state is S.HELD or t.state.at_window:
                assert t.window in WINDOWS, f"{t.state} {t.number} has no window"

    @invariant()
    def numbers_are_unique_per_day(self) -> None:
        seen = [(t.business_day, t.number) for t in self.state().tickets.values()]
        assert len(seen) == len(set(seen))

    @invariant()
    def one_ticket_at_a_window_and_only_while_it_is_open_or_paused(self) -> None:
        s = self.state()
        for number, window in s.windows.items():
            at = [t.number for t in s.tickets.values() if t.window == number and t.state.at_window]
            assert len(at) <= 1, f"window {number} has {at}"
            if window.state is WindowState.CLOSED:
                assert not at, f"closed window {number} still has {at}"

    @invariant()
    def events_are_numbered_without_gaps(self) -> None:
        seqs = [e.seq for e in self.state().events]
        assert seqs == list(range(1, len(seqs) + 1))

    @invariant()
    def every_ticket_state_is_its_last_event(self) -> None:
        s = self.state()
        last: dict[int, Event] = {}
        for e in s.events:
            if e.ticket_id is None:
                continue
            if e.kind == "ticket.issue":
                assert e.ticket_id not in last, f"ticket {e.ticket_id} issued twice"
            else:
                assert e.ticket_id in last, f"event {e.kind} of ticket {e.ticket_id} before its issue"
                assert e.from_state == last[e.ticket_id].to_state, f"event {e.kind} of {e.ticket_id} skips a state"
            last[e.ticket_id] = e
        for t in s.tickets.values():
            assert t.id in last, f"{t.number} has no events"
            assert last[t.id].to_state == t.state.value, f"{t.number} is {t.state} but its last event says otherwise"


class SqliteHallMachine(HallMachine):
    """A fresh SQLite file per example."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="hallq-stateful-"))
        super().__init__(open_store(f"sqlite:///{self.tmp / 'hallq.db'}"))

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def test_hall_machine_on_sqlite() -> None:
    run_state_machine_as_test(SqliteHallMachine, settings=SQLITE_SETTINGS)


def test_hall_machine_on_postgres(pg_url: str) -> None:
    """The same machine, shorter, on the run's PostgreSQL database, emptied before each example."""
    store = emptied_pg_store(pg_url)

    class PostgresHallMachine(HallMachine):
        def __init__(self) -> None:
            truncate_all(store)
            super().__init__(store)

    try:
        run_state_machine_as_test(PostgresHallMachine, settings=PG_SETTINGS)
    finally:
        store.close()
