"""Demo traffic: simulated visitors and clerks so a newcomer sees a living hall.

``step(state, rng, now, params)`` is pure and seeded: it returns the new state and the
commands due at ``now`` (issue a ticket, open a window, call next, start, finish,
no-show). ``DemoRunner`` is the thin asyncio loop that applies them through
``QueueService`` and tells the state when a call found nobody waiting.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

from queue_server.config import HallConfig
from queue_server.domain import WindowState
from queue_server.errors import HallQError
from queue_server.service import QueueService

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
    # None: about 90 % of what the demo windows can serve, so lines neither vanish nor explode
    arrivals_per_minute: float | None = None
    speed: float = 1.0  # 2.0: everything happens twice as fast
    no_show_rate: float = 0.08
    call_to_start_s: float = 20.0  # the visitor walks to the window
    break_s: float = 10.0  # between two visitors
    expected_minutes: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DemoWindow:
    number: int
    staff: str
    services: tuple[str, ...]
    phase: Phase = "closed"
    due: datetime | None = None  # the next action is due then (None: now)


@dataclass(frozen=True, slots=True)
class DemoState:
    windows: tuple[DemoWindow, ...]
    next_arrival: datetime | None = None


def initial_state(
    hall: HallConfig, windows: int = 4, closed: Sequence[int] | None = None, busy: Sequence[str] = ()
) -> DemoState:
    """The first ``windows`` windows of ``hall`` (among ``closed`` ones, if given), each with a
    clerk from the hall's staff list who is not ``busy`` at another window."""
    staff = [s.login for s in hall.staff if s.login not in busy] or [f"demo{i}" for i in range(1, windows + 1)]
    picked = [w for w in hall.windows if closed is None or w.number in closed][: min(windows, len(staff))]
    return DemoState(
        tuple(DemoWindow(w.number, staff[i], tuple(sorted(w.services))) for i, w in enumerate(picked)),
    )


def _later(now: datetime, seconds: float, params: Params) -> datetime:
    return now + timedelta(seconds=max(1.0, seconds) / max(params.speed, 0.01))


def arrival_rate(state: DemoState, params: Params) -> float:
    """Visitors per minute (at speed 1)."""
    if params.arrivals_per_minute is not None:
        return params.arrivals_per_minute
    minutes = [params.expected_minutes.get(s, 10.0) for w in state.windows for s in w.services]
    mean_minutes = sum(minutes) / len(minutes) if minutes else 10.0
    return max(0.05, 0.9 * len(state.windows) / mean_minutes)


def service_seconds(rng: random.Random, service: str, params: Params) -> float:
    """A service time around the service's expected minutes (at least a third of it)."""
    expected = params.expected_minutes.get(service, 10.0) * 60
    return max(expected / 3, rng.gauss(expected, expected / 4))


def step(state: DemoState, rng: random.Random, now: datetime, params: Params) -> tuple[DemoState, list[Command]]:
    """Whatever is due at ``now``: the new state and the commands to run, in order."""
    commands: list[Command] = []
    served = sorted({s for w in state.windows for s in w.services})
    rate = arrival_rate(state, params) / 60 * params.speed  # visitors per second
    next_arrival = state.next_arrival or now + timedelta(seconds=rng.expovariate(rate))
    while served and next_arrival <= now:
        commands.append(Command("issue", service=rng.choice(served)))
        next_arrival += timedelta(seconds=rng.expovariate(rate))
    windows: list[DemoWindow] = []
    for w in state.windows:
        if w.due is not None and w.due > now:
            windows.append(w)
            continue
        if w.phase == "closed":
            commands.append(Command("open", w.number, staff=w.staff))
            w = replace(w, phase="idle", due=now)
        if w.phase == "idle":
            commands.append(Command("call_next", w.number, staff=w.staff))
            w = replace(w, phase="called", due=_later(now, params.call_to_start_s, params))
        elif w.phase == "called":
            if rng.random() < params.no_show_rate:
                commands.append(Command("no_show", w.number, staff=w.staff))
                w = replace(w, phase="idle", due=_later(now, params.break_s, params))
            else:
                commands.append(Command("start", w.number, staff=w.staff))
                service = rng.choice(w.services) if w.services else ""
                w = replace(w, phase="serving", due=_later(now, service_seconds(rng, service, params), params))
        elif w.phase == "serving":
            commands.append(Command("finish", w.number, staff=w.staff))
            w = replace(w, phase="idle", due=_later(now, params.break_s, params))
        windows.append(w)
    return DemoState(tuple(windows), next_arrival), commands


def nobody_waiting(state: DemoState, window: int, now: datetime, params: Params) -> DemoState:
    """A call found nobody: the window stays idle and tries again a little later."""
    return DemoState(
        tuple(
            replace(w, phase="idle", due=_later(now, params.break_s, params)) if w.number == window else w
            for w in state.windows
        ),
        state.next_arrival,
    )


class DemoRunner:
    """Applies ``step``'s commands to one hall through the queue service, every ``tick`` seconds."""

    def __init__(
        self,
        service: QueueService,
        slug: str,
        params: Params,
        *,
        seed: int | None = None,
        windows: int = 6,
        tick: float = 1.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.service = service
        self.slug = slug
        self.params = params
        self.rng = random.Random(seed)
        self.windows = windows
        self.tick = tick
        self.clock = clock
        self.state: DemoState | None = None

    def start_state(self) -> DemoState:
        with self.service.store.reader(self.slug) as r:
            found = r.windows()
        closed = [w.number for w in found if w.state is WindowState.CLOSED]
        busy = [w.staff for w in found if w.staff and w.state is not WindowState.CLOSED]
        return initial_state(self.service.hall(self.slug), self.windows, closed, busy)

    def run_once(self) -> list[Command]:
        """One step (blocking: call it from a thread)."""
        if self.state is None:
            self.state = self.start_state()
        now = self.clock()
        self.state, commands = step(self.state, self.rng, now, self.params)
        for c in commands:
            try:
                self.apply(c, now)
            except HallQError as exc:
                log.debug("demo command %s refused: %s", c, exc)
                if c.window is not None:
                    self.state = nobody_waiting(self.state, c.window, now, self.params)
        return commands

    def apply(self, c: Command, now: datetime) -> None:
        s, slug, n = self.service, self.slug, c.window or 0
        if c.action == "issue" and c.service:
            s.issue(slug, c.service, "normal")
        elif c.action == "open":
            s.open_window(slug, n, c.staff)
        elif c.action == "call_next":
            if s.call_next(slug, n, c.staff).ticket is None and self.state is not None:
                self.state = nobody_waiting(self.state, n, now, self.params)
        elif c.action == "start":
            s.start(slug, n, c.staff)
        elif c.action == "finish":
            s.finish(slug, n, c.staff)
        elif c.action == "no_show":
            s.no_show(slug, n, c.staff)

    async def run(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.run_once)
            except Exception:  # the demo must never take the server down
                log.exception("demo traffic step failed")
            await asyncio.sleep(self.tick)


def params_for(hall: HallConfig, speed: float) -> Params:
    return Params(speed=speed, expected_minutes={s.code: s.expected_minutes for s in hall.services})


def demo_lifespan(service: QueueService, speed: float) -> Callable[[], AbstractAsyncContextManager[None]]:
    """The plugin lifespan that runs demo traffic in every hall while the server runs."""

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(DemoRunner(service, h.slug, params_for(h, speed)).run()) for h in service.config.halls
        ]
        log.info("demo traffic on (speed %.1f)", speed)
        try:
            yield
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    return lifespan


__all__ = ["Command", "DemoRunner", "DemoState", "DemoWindow", "Params", "initial_state", "nobody_waiting", "step"]
