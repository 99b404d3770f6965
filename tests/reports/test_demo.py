"""The demo traffic simulation: pure and seeded, then run for real against a store."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from queue_server.config import Config, StaffConfig, demo_config
from queue_server.domain import Window, WindowKind, WindowState
from queue_server.service import QueueService
from queue_server.storage import Store
from reports.demo import (
    Command,
    DemoRunner,
    Params,
    arrival_rate,
    covers,
    demo_lifespan,
    initial_state,
    nobody_waiting,
    params_for,
    seat,
    step,
)
from reports.kpis import read_day_kpis
from tests.conftest import FakeClock

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def simulate(
    config: Config, seed: int, minutes: float, speed: float = 1.0, arrivals: float | None = None
) -> list[tuple[int, Command]]:
    hall = config.halls[0]
    params = replace(params_for(hall, speed), arrivals_per_minute=arrivals)
    state = initial_state(hall, windows=2 if hall.slug == "t" else 6)
    rng = random.Random(seed)
    out: list[tuple[int, Command]] = []
    for s in range(int(minutes * 60)):
        state, commands = step(state, rng, T0 + timedelta(seconds=s), params)
        out.extend((s, c) for c in commands)
    return out


@pytest.fixture
def demo_service(store: Store, clock: FakeClock) -> QueueService:
    config = demo_config()
    store.sync_halls(config)
    return QueueService(store, config, clock=clock)


def open_windows(service: QueueService) -> dict[int, str | None]:
    with service.store.reader("demo") as r:
        return {w.number: w.staff for w in r.windows() if w.state is not WindowState.CLOSED}


# -- pace ----------------------------------------------------------------------


def test_the_same_seed_gives_the_same_day(config: Config) -> None:
    assert simulate(config, 7, 30) == simulate(config, 7, 30)
    assert simulate(config, 7, 30) != simulate(config, 8, 30)


def test_windows_open_first_then_follow_the_ticket_life(config: Config) -> None:
    run = simulate(config, 1, 120, speed=0.1, arrivals=3.0)
    assert [(c.action, c.window) for _, c in run if c.action != "issue"][:4] == [
        ("open", 1),
        ("call_next", 1),
        ("open", 2),
        ("call_next", 2),
    ]
    counts = Counter(c.action for _, c in run)
    assert counts["open"] == 2
    # about 3 arrivals a minute at speed 0.1 for two hours, after the opening crowd
    assert 20 <= counts["issue"] - Params().opening_visitors <= 50
    # per window: call, then start or no-show, then (after a start) finish
    for window in (1, 2):
        actions = [c.action for _, c in run if c.window == window and c.action != "open"]
        for prev, nxt in itertools.pairwise(actions):
            allowed = {"call_next": {"start", "no_show"}, "start": {"finish"}, "finish": {"call_next"},
                       "no_show": {"call_next"}}  # fmt: skip
            assert nxt in allowed[prev], (prev, nxt)
    assert counts["finish"] > 5 and counts["start"] >= counts["finish"]


def test_speed_makes_it_faster(config: Config) -> None:
    slow = Counter(c.action for _, c in simulate(config, 3, 20))
    fast = Counter(c.action for _, c in simulate(config, 3, 20, speed=4.0))
    assert fast["issue"] > 2 * slow["issue"]
    assert fast["finish"] > 2 * slow["finish"]


def test_the_demo_hall_comes_alive_within_seconds_at_the_default_speed() -> None:
    run = simulate(demo_config(), 5, 2)
    first = {c.action: s for s, c in reversed(run)}
    assert first["issue"] == 0 and first["call_next"] == 0  # doors open, visitors in, clerks calling
    assert first["start"] <= 10 and first["finish"] <= 60
    counts = Counter(c.action for _, c in run)
    assert counts["issue"] >= 12 and counts["finish"] >= 3
    assert len([s for s, c in run if c.action == "issue" and s < 15]) >= 5  # the opening crowd


def test_a_call_that_finds_nobody_waits_and_tries_again(config: Config) -> None:
    params = Params(arrivals_per_minute=0.001, opening_visitors=0)
    state = initial_state(config.halls[0], windows=1)
    rng = random.Random(0)
    state, commands = step(state, rng, T0, params)
    assert [c.action for c in commands] == ["issue", "open", "call_next"]
    state = nobody_waiting(state, 1, T0, params)
    assert step(state, rng, T0 + timedelta(seconds=2), params)[1] == []
    assert [c.action for c in step(state, rng, T0 + timedelta(seconds=4), params)[1]] == ["call_next"]


def test_the_default_arrival_rate_matches_the_windows(config: Config) -> None:
    hall = config.halls[0]
    state = initial_state(hall, windows=2)  # A,B (10, 20 minutes) and B,C (20, 5), 6 s a minute
    assert arrival_rate(state, params_for(hall, 1.0)) == pytest.approx(0.9 * (60 / 90 + 60 / 75))
    assert arrival_rate(state, Params(arrivals_per_minute=2.0)) == 2.0


# -- seating -------------------------------------------------------------------


def test_clerks_sit_only_where_their_skills_cover_the_window() -> None:
    hall = demo_config().halls[0]
    skills = {s.login: set(s.skills) for s in hall.staff}
    serves = {w.number: set(w.services) for w in hall.windows}
    state = initial_state(hall)
    assert len(state.windows) == 6
    assert len({w.staff for w in state.windows}) == 6
    for w in state.windows:
        assert serves[w.number] <= skills[w.staff], (w.number, w.staff)
        assert set(w.services) == serves[w.number]
    # zhaolei (H, J) never sits at window 7 (F, K, L), whatever the number of windows asked
    for want in range(1, 21):
        for w in initial_state(hall, windows=want).windows:
            assert serves[w.number] <= skills[w.staff], (want, w.number, w.staff)
    assert seat([(1, "AB")], [("li", "A")], 1) == {}
    assert seat([(1, "AB"), (2, "A")], [("li", "A"), ("wang", "AB")], 2) == {1: "wang", 2: "li"}
    assert covers((), "ABC") and not covers(("A",), "AB")


def test_the_demo_takes_over_the_windows_its_clerks_hold() -> None:
    hall = replace(demo_config().halls[0], staff=tuple(StaffConfig(x, x.upper(), ()) for x in ("a", "b", "c")))
    stored = [
        Window("demo", 1, WindowKind.COMPREHENSIVE, WindowState.CLOSED, {"A": 1.0}),
        Window("demo", 2, WindowKind.COMPREHENSIVE, WindowState.CLOSED, {"B": 1.0}),
        Window("demo", 3, WindowKind.COMPREHENSIVE, WindowState.OPEN, {"C": 1.0}, staff="a"),
        Window("demo", 4, WindowKind.COMPREHENSIVE, WindowState.OPEN, {"D": 1.0}, staff="someone"),
    ]
    state = initial_state(hall, windows=2, stored=stored)
    assert [(w.number, w.staff, w.opened, w.phase) for w in state.windows] == [
        (1, "b", True, "closed"),
        (3, "a", False, "idle"),
    ]
    bare = replace(hall, staff=())
    assert [w.staff for w in initial_state(bare, windows=2).windows] == ["demo1", "demo2"]


# -- against a real store ------------------------------------------------------


def test_the_runner_drives_a_real_hall(service: QueueService, clock: FakeClock) -> None:
    hall = service.hall("t")
    params = replace(params_for(hall, speed=10.0), arrivals_per_minute=1.0)
    runner = DemoRunner(service, "t", params, seed=42, windows=2, clock=clock)
    for _ in range(30 * 60):
        runner.run_once()
        clock.advance(1)
    with service.store.reader("t") as r:
        k = read_day_kpis(r, service.business_day("t"), hall.tz)
        opened = [w for w in r.windows() if w.state.value == "open"]
    assert len(opened) == 2
    assert k["issued"] > 100
    assert k["served"] > 10
    assert k["wait_mean_s"] is not None and k["service_mean_s"] is not None


def test_a_visitor_to_the_demo_sees_calls_within_seconds(demo_service: QueueService, clock: FakeClock) -> None:
    hall = demo_service.hall("demo")
    runner = DemoRunner(demo_service, "demo", params_for(hall, 1.0), seed=3)  # the server's default speed
    for _ in range(5):
        runner.run_once()
        clock.advance(1)
    with demo_service.store.reader("demo") as r:
        at_windows = r.current_tickets(list(open_windows(demo_service)))
    assert len(open_windows(demo_service)) == 6 and at_windows  # someone was called in the first seconds
    for _ in range(115):
        runner.run_once()
        clock.advance(1)
    with demo_service.store.reader("demo") as r:
        k = read_day_kpis(r, demo_service.business_day("demo"), hall.tz)
    assert k["issued"] >= 10 and k["served"] >= 3


def test_two_runs_leave_the_windows_as_they_found_them(demo_service: QueueService, clock: FakeClock) -> None:
    demo_service.open_window("demo", 1, "zhangwei")  # A, B, G at a window of A, B, C: not the demo's to run
    demo_service.open_window("demo", 3, "liuyang")  # C, D, A at C, D, A: the demo takes it over
    before = open_windows(demo_service)
    hall = demo_service.hall("demo")
    for seed in (1, 2):
        runner = DemoRunner(demo_service, "demo", params_for(hall, 1.0), seed=seed)
        for _ in range(90):
            runner.run_once()
            clock.advance(1)
        during = open_windows(demo_service)
        assert len(during) == 7 and during.items() >= before.items()
        closed = runner.stop()
        assert len(closed) == 5 and 3 not in closed
        assert open_windows(demo_service) == before
        with demo_service.store.reader("demo") as r:
            assert r.current_tickets(closed) == {}  # served visitors finished, called ones back in line
        assert runner.run_once() == []  # a stopped runner does nothing
        clock.advance(1)


def test_the_server_stopping_closes_the_windows_the_demo_opened(demo_service: QueueService) -> None:
    async def serve() -> dict[int, str | None]:
        async with demo_lifespan(demo_service, 1.0)():
            for _ in range(200):  # the first step runs at once, in a thread
                if len(open_windows(demo_service)) == 6:
                    break
                await asyncio.sleep(0.01)
            return open_windows(demo_service)

    assert len(asyncio.run(serve())) == 6
    assert open_windows(demo_service) == {}
