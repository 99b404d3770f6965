"""Demo traffic: simulated visitors and clerks so a newcomer sees a living hall.

The demo hall runs on compressed time: a matter the hall file expects to take ten minutes
takes a minute at speed 1, visitors are at the door when it starts, and the first numbers are
called within seconds. ``speed`` multiplies every pace.

``initial_state`` seats the hall's clerks at windows whose services their skills cover, and
takes over windows its clerks already hold. ``step(state, rng, now, params)`` is pure and
seeded: it returns the new state and the commands due at ``now`` (issue a ticket, open a
window, call next, start, finish, no-show). ``DemoRunner`` applies them through
``QueueService``, tells the state what a call found, and on ``stop`` closes the windows it
opened.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import threading
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from queue_server import (
    Actor,
    Gate,
    HallConfig,
    HallQError,
    Principal,
    QueueService,
    Role,
    TicketState,
    Unaudited,
    Window,
    WindowState,
    window_at,
    windows_at,
)

T = TypeVar("T")
log = logging.getLogger("hallq.demo")

Action = Literal["open", "issue", "call_next", "start", "finish", "no_show"]
Phase = Literal["closed", "idle", "called", "serving"]


@dataclass(frozen=True, slots=True)
class Command:
    action: Action
    window: int | None = None
    service: str | None = None
    staff: str | None = None


@dataclass(frozen=True, slots=True)
class Params:
    """The demo's pace; every duration is in seconds at speed 1."""

    # Visitors per minute; None: about 90 % of what the demo windows can serve, so lines
    # neither vanish nor explode.
    arrivals_per_minute: float | None = None
    speed: float = 1.0  # 2.0: everything happens twice as fast
    minute_s: float = 6.0  # one minute of a matter's expected time lasts this long
    no_show_rate: float = 0.08
    call_to_start_s: float = 8.0  # the call is announced and the visitor walks to the window
    break_s: float = 3.0  # between two visitors
    opening_visitors: int = 8  # already at the door when the demo starts …
    opening_gap_s: float = 1.5  # … and taking their numbers this far apart
    expected_minutes: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DemoWindow:
    number: int
    staff: str
    services: tuple[str, ...]
    phase: Phase = "closed"
    due: datetime | None = None  # the next action is due then (None: now)
    opened: bool = True  # the demo opens it (and closes it when it stops); False: it was open already
    service: str | None = None  # the service of the ticket called there


@dataclass(frozen=True, slots=True)
class DemoState:
    windows: tuple[DemoWindow, ...]
    next_arrival: datetime | None = None  # None: the demo has not started
    opening_left: int = 0  # visitors of the opening crowd still to come


# -- seating -----------------------------------------------------------------


def covers(skills: Collection[str], services: Collection[str]) -> bool:
    """A clerk runs a window only if their skills cover all its services (no skills on record:
    the clerk may serve anything, as routing reads it)."""
    return not skills or set(services) <= set(skills)


def seat(
    windows: Sequence[tuple[int, Collection[str]]], clerks: Sequence[tuple[str, Collection[str]]], want: int
) -> dict[int, str]:
    """Up to ``want`` windows, each with a clerk whose skills cover it: as many as the skills
    allow (augmenting paths), lower windows and clerks listed first preferred."""
    can = {n: [c for c, skills in clerks if covers(skills, services)] for n, services in windows}
    clerk_at: dict[str, int] = {}

    def place(n: int, tried: set[str]) -> bool:
        free = [c for c in can[n] if c not in clerk_at]
        if free:
            clerk_at[free[0]] = n
            return True
        for c in can[n]:  # move a seated clerk elsewhere to make room
            if c not in tried:
                tried.add(c)
                if place(clerk_at[c], tried):
                    clerk_at[c] = n
                    return True
        return False

    for n, _ in windows:
        if len(clerk_at) >= want:
            break
        place(n, set())
    return {n: c for c, n in clerk_at.items()}


def initial_state(
    hall: HallConfig,
    windows: int = 6,
    stored: Sequence[Window] | None = None,
    current: Mapping[int, TicketState] | None = None,
    staff: Sequence[tuple[str, tuple[str, ...]]] | None = None,
) -> DemoState:
    """``windows`` staffed windows: the open ones the demo's clerks already hold in ``stored``
    (the hall's windows as stored; None: all of the hall file's, closed), then closed ones with a
    clerk from the hall's staff whose skills cover them. ``current`` is the state of the ticket at
    each window that has one. ``staff``: the clerks as (login, skills), as the hall's staff
    registry holds them; None: the hall file's list."""
    listed = [(s.login, s.skills) for s in hall.staff] if staff is None else list(staff)
    clerks = listed or [(f"demo{i}", ()) for i in range(1, windows + 1)]
    skills = dict(clerks)
    if stored is None:
        stored = [Window(hall.slug, w.number, w.kind, WindowState.CLOSED, dict(w.services)) for w in hall.windows]
    held = [
        w for w in stored if w.state is WindowState.OPEN and w.staff in skills and covers(skills[w.staff], w.services)
    ][:windows]
    phases: dict[TicketState | None, Phase] = {TicketState.CALLED: "called", TicketState.SERVING: "serving"}
    taken = [DemoWindow(w.number, w.staff or "", tuple(sorted(w.services)), "idle", opened=False) for w in held]
    taken = [replace(w, phase=phases.get((current or {}).get(w.number), "idle")) for w in taken]
    busy = {w.staff for w in stored if w.staff and w.state is not WindowState.CLOSED}
    closed = [w for w in stored if w.state is WindowState.CLOSED]
    seated = seat(
        [(w.number, w.services) for w in closed], [c for c in clerks if c[0] not in busy], windows - len(taken)
    )
    fresh = [DemoWindow(w.number, seated[w.number], tuple(sorted(w.services))) for w in closed if w.number in seated]
    return DemoState(tuple(sorted(taken + fresh, key=lambda w: w.number)))


# -- the pure step -----------------------------------------------------------


def _later(now: datetime, seconds: float, params: Params) -> datetime:
    return now + timedelta(seconds=max(1.0, seconds) / max(params.speed, 0.01))


def _mean_s(window: DemoWindow, params: Params) -> float:
    minutes = [params.expected_minutes.get(s, 10.0) for s in window.services] or [10.0]
    return sum(minutes) / len(minutes) * params.minute_s


def arrival_rate(state: DemoState, params: Params) -> float:
    """Visitors per minute (at speed 1)."""
    if params.arrivals_per_minute is not None:
        return params.arrivals_per_minute
    return max(0.05, 0.9 * sum(60 / _mean_s(w, params) for w in state.windows))


def arriving_service(state: DemoState, rng: random.Random, params: Params) -> str | None:
    """What the next visitor comes for: each window draws visitors in proportion to how fast it
    serves, so no line grows without end while the others run dry."""
    windows = [w for w in state.windows if w.services]
    if not windows:
        return None
    window = rng.choices(windows, weights=[1 / _mean_s(w, params) for w in windows])[0]
    return rng.choice(window.services)


def service_seconds(rng: random.Random, service: str, params: Params) -> float:
    """A service time around the service's expected minutes (at least a third of it)."""
    expected = params.expected_minutes.get(service, 10.0) * params.minute_s
    return max(expected / 3, rng.gauss(expected, expected / 4))


def _arrivals(state: DemoState, rng: random.Random, now: datetime, params: Params) -> tuple[DemoState, list[Command]]:
    commands: list[Command] = []
    rate = arrival_rate(state, params) / 60 * params.speed  # visitors per second
    opening_gap = params.opening_gap_s / max(params.speed, 0.01)
    if state.next_arrival is None:  # the doors open: the first visitor takes a number at once
        state = replace(state, next_arrival=now, opening_left=params.opening_visitors)
    next_arrival, opening_left = state.next_arrival or now, state.opening_left
    while next_arrival <= now:
        service = arriving_service(state, rng, params)
        if service is None:
            break
        commands.append(Command("issue", service=service))
        if opening_left > 0:
            opening_left -= 1
            next_arrival += timedelta(seconds=rng.uniform(0.5, 1.5) * opening_gap)
        else:
            next_arrival += timedelta(seconds=rng.expovariate(rate))
    return replace(state, next_arrival=next_arrival, opening_left=opening_left), commands


def _clerk(w: DemoWindow, rng: random.Random, now: datetime, params: Params) -> tuple[DemoWindow, list[Command]]:
    if w.due is not None and w.due > now:
        return w, []
    commands: list[Command] = []
    if w.phase == "closed":
        commands.append(Command("open", w.number, staff=w.staff))
        w = replace(w, phase="idle", due=now)
    if w.phase == "idle":
        commands.append(Command("call_next", w.number, staff=w.staff))
        w = replace(w, phase="called", due=_later(now, params.call_to_start_s, params), service=None)
    elif w.phase == "called":
        if rng.random() < params.no_show_rate:
            commands.append(Command("no_show", w.number, staff=w.staff))
            w = replace(w, phase="idle", due=_later(now, params.break_s, params))
        else:
            commands.append(Command("start", w.number, staff=w.staff))
            service = w.service or (rng.choice(w.services) if w.services else "")
            w = replace(w, phase="serving", due=_later(now, service_seconds(rng, service, params), params))
    elif w.phase == "serving":
        commands.append(Command("finish", w.number, staff=w.staff))
        w = replace(w, phase="idle", due=_later(now, params.break_s, params))
    return w, commands


def step(state: DemoState, rng: random.Random, now: datetime, params: Params) -> tuple[DemoState, list[Command]]:
    """Whatever is due at ``now``: the new state and the commands to run, in order."""
    state, commands = _arrivals(state, rng, now, params)
    windows: list[DemoWindow] = []
    for w in state.windows:
        w, done = _clerk(w, rng, now, params)
        windows.append(w)
        commands.extend(done)
    return replace(state, windows=tuple(windows)), commands


def _with_window(state: DemoState, number: int, change: Callable[[DemoWindow], DemoWindow | None]) -> DemoState:
    windows = [change(w) if w.number == number else w for w in state.windows]
    return replace(state, windows=tuple(w for w in windows if w is not None))


def nobody_waiting(state: DemoState, window: int, now: datetime, params: Params) -> DemoState:
    """A call found nobody (or a command was refused): the window stays idle and tries again a little later."""
    return _with_window(state, window, lambda w: replace(w, phase="idle", due=_later(now, params.break_s, params)))


def called(state: DemoState, window: int, service: str) -> DemoState:
    """The call found a visitor for ``service``: the service time will be that service's."""
    return _with_window(state, window, lambda w: replace(w, service=service))


def left_out(state: DemoState, window: int) -> DemoState:
    """The window could not be opened (someone else took it): the demo leaves it alone."""
    return _with_window(state, window, lambda w: None)


# -- the runner --------------------------------------------------------------


class DemoRunner:
    """Applies ``step``'s commands to one hall through the command gate, every ``tick`` seconds,
    as the manager ``demo`` (audited like anyone's when the gate has an audit log)."""

    def __init__(
        self,
        service: QueueService,
        slug: str,
        params: Params,
        *,
        seed: int | None = None,
        windows: int = 6,
        tick: float = 1.0,
        clock: Callable[[], datetime] | None = None,
        gate: Gate | None = None,
    ) -> None:
        self.service = service
        self.gate = gate or Gate(service, Unaudited())
        self.actor = Actor(Principal(name="demo", role=Role.MANAGER, hall=slug))
        self.slug = slug
        self.params = params
        self.rng = random.Random(seed)
        self.windows = windows
        self.tick = tick
        self.clock = clock or service.clock
        self.state: DemoState | None = None
        self.stopped = False
        # A step cancelled mid-way finishes in its thread: stop() waits for it, then no step runs.
        self._lock = threading.Lock()

    def start_state(self) -> DemoState:
        found = windows_at(self.service, self.slug)
        states = {w.number: t.state for w, t in found if t is not None}
        staff = [(m.login, tuple(k.service for k in m.skills)) for m in self.service.staff(self.slug) if m.active]
        return initial_state(self.service.hall(self.slug), self.windows, [w for w, _ in found], states, staff)

    def run_once(self) -> list[Command]:
        """One step (blocking: call it from a thread)."""
        with self._lock:
            if self.stopped:
                return []
            if self.state is None:
                self.state = self.start_state()
            now = self.clock()
            self.state, commands = step(self.state, self.rng, now, self.params)
            for c in commands:
                if c.window is not None and all(w.number != c.window for w in self.state.windows):
                    continue  # the demo left this window alone (it could not open it)
                try:
                    self.apply(c, now)
                except HallQError as exc:
                    log.debug("demo command %s refused: %s", c, exc)
                    if c.action == "open" and c.window is not None:
                        self.state = left_out(self.state, c.window)
                    elif c.window is not None:
                        self.state = nobody_waiting(self.state, c.window, now, self.params)
            return commands

    def _do(self, action: str, target: str, fn: Callable[..., T], *args: Any) -> T:
        return self.gate.perform(self.actor, self.slug, action, target, fn, *args)

    def apply(self, c: Command, now: datetime) -> None:
        s, slug, n = self.service, self.slug, c.window or 0
        at = f"window {n}"
        if c.action == "issue" and c.service:
            self._do("ticket.issue", c.service, s.issue, slug, c.service, "normal")
        elif c.action == "open":
            self._do("window.open", at, s.open_window, slug, n, c.staff)
        elif c.action == "call_next":
            ticket = self._do("window.call-next", at, s.call_next, slug, n, c.staff).ticket
            if self.state is not None:
                self.state = (
                    nobody_waiting(self.state, n, now, self.params)
                    if ticket is None
                    else called(self.state, n, ticket.service)
                )
        elif c.action == "start":
            self._do("window.start", at, s.start, slug, n, c.staff)
        elif c.action == "finish":
            self._do("window.finish", at, s.finish, slug, n, c.staff)
        elif c.action == "no_show":
            self._do("window.no-show", at, s.no_show, slug, n, c.staff)

    def stop(self) -> list[int]:
        """Close the windows this run opened (blocking); returns their numbers. A visitor being
        served is finished first; one only called goes back in line, keeping their place."""
        with self._lock:
            self.stopped = True
            ours = [w for w in self.state.windows if w.opened] if self.state else []
            closed = []
            for w in ours:
                try:
                    self._leave(w)
                    closed.append(w.number)
                except HallQError as exc:
                    log.warning("demo could not close window %s: %s", w.number, exc)
            return closed

    def _leave(self, w: DemoWindow) -> None:
        s, slug, at = self.service, self.slug, f"window {w.number}"
        window, ticket = window_at(s, slug, w.number)
        if window.state is WindowState.CLOSED or window.staff != w.staff:
            return  # closed already, or taken over by someone else
        if ticket is not None and ticket.state is TicketState.SERVING:
            self._do("window.finish", at, s.finish, slug, w.number, w.staff)
        elif ticket is not None:
            back = functools.partial(
                s.transfer, slug, w.number, service=ticket.service, reason="演示结束 / demo stopped", staff=w.staff
            )
            self._do("window.transfer", at, back)
        self._do("window.close", at, s.close_window, slug, w.number, w.staff)

    async def run(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.run_once)
            except Exception:  # the demo must never take the server down
                log.exception("demo traffic step failed")
            await asyncio.sleep(self.tick)


def params_for(hall: HallConfig, speed: float) -> Params:
    return Params(speed=speed, expected_minutes={s.code: s.expected_minutes for s in hall.services})


def demo_lifespan(
    service: QueueService, speed: float, gate: Gate | None = None
) -> Callable[[], AbstractAsyncContextManager[None]]:
    """The plugin lifespan that runs demo traffic in every hall while the server runs, and closes
    the windows it opened when the server stops."""

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        runners = [DemoRunner(service, h.slug, params_for(h, speed), gate=gate) for h in service.config.halls]
        tasks = [asyncio.create_task(r.run()) for r in runners]
        log.info("demo traffic on (speed %.1f)", speed)
        try:
            yield
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for runner in runners:
                try:
                    closed = await asyncio.to_thread(runner.stop)
                    log.info("demo traffic off in %s: closed windows %s", runner.slug, closed)
                except Exception:
                    log.exception("demo traffic could not stop cleanly in %s", runner.slug)

    return lifespan


__all__ = [
    "Command",
    "DemoRunner",
    "DemoState",
    "DemoWindow",
    "Params",
    "called",
    "covers",
    "initial_state",
    "nobody_waiting",
    "seat",
    "step",
]
