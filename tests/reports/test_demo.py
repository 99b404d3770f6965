"""The demo traffic simulation: pure and seeded, then run for real against a store."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from queue_server.config import Config, StaffConfig
from queue_server.service import QueueService
from reports.demo import Command, DemoRunner, Params, arrival_rate, initial_state, nobody_waiting, params_for, step
from reports.kpis import read_day_kpis
from tests.conftest import FakeClock

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def simulate(config: Config, seed: int, minutes: int, speed: float = 1.0) -> list[tuple[int, Command]]:
    hall = config.halls[0]
    params = replace(params_for(hall, speed), arrivals_per_minute=3.0)
    state = initial_state(hall, windows=2)
    rng = random.Random(seed)
    out: list[tuple[int, Command]] = []
    for s in range(minutes * 60):
        state, commands = step(state, rng, T0 + timedelta(seconds=s), params)
        out.extend((s, c) for c in commands)
    return out


def test_the_same_seed_gives_the_same_day(config: Config) -> None:
    assert simulate(config, 7, 30) == simulate(config, 7, 30)
    assert simulate(config, 7, 30) != simulate(config, 8, 30)


def test_windows_open_first_then_follow_the_ticket_life(config: Config) -> None:
    run = simulate(config, 1, 120)
    assert [(c.action, c.window) for _, c in run if c.action != "issue"][:4] == [
        ("open", 1),
        ("call_next", 1),
        ("open", 2),
        ("call_next", 2),
    ]
    counts = Counter(c.action for _, c in run)
    assert counts["open"] == 2
    # about 3 arrivals a minute for two hours
    assert 250 <= counts["issue"] <= 470
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


def test_a_call_that_finds_nobody_waits_and_tries_again(config: Config) -> None:
    params = Params(arrivals_per_minute=0.001)
    state = initial_state(config.halls[0], windows=1)
    rng = random.Random(0)
    state, commands = step(state, rng, T0, params)
    assert [c.action for c in commands] == ["open", "call_next"]
    state = nobody_waiting(state, 1, T0, params)
    assert step(state, rng, T0 + timedelta(seconds=5), params)[1] == []
    assert [c.action for c in step(state, rng, T0 + timedelta(seconds=11), params)[1]] == ["call_next"]


def test_the_runner_drives_a_real_hall(service: QueueService, clock: FakeClock) -> None:
    hall = service.hall("t")
    params = replace(params_for(hall, speed=10.0), arrivals_per_minute=1.0)
    runner = DemoRunner(service, "t", params, seed=42, windows=2, clock=clock)
    for _ in range(30 * 60):
        runner.run_once()
        clock.advance(1)
    with service.store.reader("t") as r:
        k = read_day_kpis(r, service.business_day("t"), hall.tz)
        open_windows = [w for w in r.windows() if w.state.value == "open"]
    assert len(open_windows) == 2
    assert k["issued"] > 100
    assert k["served"] > 10
    assert k["wait_mean_s"] is not None and k["service_mean_s"] is not None


def test_the_default_arrival_rate_matches_the_windows(config: Config) -> None:
    hall = config.halls[0]
    state = initial_state(hall, windows=2)  # A,B and B,C: 10, 20, 20, 5 minutes
    assert arrival_rate(state, params_for(hall, 1.0)) == pytest.approx(0.9 * 2 / 13.75)
    assert arrival_rate(state, Params(arrivals_per_minute=2.0)) == 2.0


def test_demo_clerks_are_not_already_at_a_window(config: Config) -> None:
    hall = replace(config.halls[0], staff=tuple(StaffConfig(x, x.upper(), ()) for x in ("a", "b", "c")))
    state = initial_state(hall, windows=2, busy=["a"])
    assert [w.staff for w in state.windows] == ["b", "c"]
    assert [w.staff for w in initial_state(replace(hall, staff=()), windows=2).windows] == ["demo1", "demo2"]
