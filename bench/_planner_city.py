"""The days bench/planner.py simulates, and the per-hall work of its city day (run in worker processes).

A hall day: 09:00-17:00 (8 h), Poisson arrivals at a flat rate split evenly over the services,
exponential service times of one mean for every service (so the bare M/M/c model and Erlang C
see the same distribution), green (2 %) and elderly (5 %) visitors, each window weighting one
service double, an hour's lunch on every third window (staggered 12:00 and 13:00), 5 % no-shows
recalled every 30 s up to three times, tickets older than 30 minutes aged to the front.
The bare day: SimPy, one ``Resource`` of c windows, the same arrival rate and service-time mean,
served to the end.
"""

from __future__ import annotations

import random
import resource
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import simpy

from queue_server.domain import Tier
from queue_server.rules import twin
from queue_server.rules.twin_model import ALL, Exponential, Forecast, PriorityShare, TwinDay, WindowPlan

START = datetime(2026, 3, 2, 1, tzinfo=UTC)  # 09:00 in Shanghai; the twin needs a fixed start only
DAY_S = 8 * 3600
SLOTS = DAY_S // 900
MEAN_S = 245.0
PRIORITIES = (PriorityShare("green", Tier.GREEN, 0.02), PriorityShare("elderly", Tier.PRIORITY, 0.05))
LUNCH_S = ((3 * 3600, 4 * 3600), (4 * 3600, 5 * 3600))  # 12:00-13:00 and 13:00-14:00


def services(count: int) -> list[str]:
    return [chr(ord("A") + i) for i in range(count)]


def hall_day(tickets: int, windows: int, n_services: int = 5, hall: str = "twin") -> TwinDay:
    """The day through HallQ's rules (see the module docstring)."""
    codes = services(n_services)
    per_cell = tickets / SLOTS / len(codes)
    forecast = Forecast({(s, k): per_cell for s in codes for k in range(SLOTS)}, PRIORITIES)
    plans = []
    for n in range(1, windows + 1):
        weights = {s: (2.0 if i == n % len(codes) else 1.0) for i, s in enumerate(codes)}
        lunch = (LUNCH_S[(n // 3) % 2],) if n % 3 == 0 else ()
        plans.append(WindowPlan(n, weights, 0, DAY_S, lunch))
    return TwinDay(
        START,
        DAY_S,
        tuple(plans),
        forecast,
        {s: Exponential(MEAN_S) for s in codes},
        aging_minutes=30,
        no_show_share=0.05,
        hall=hall,
    )


def mmc_day(tickets: int, windows: int) -> TwinDay:
    """The bare model's day on the twin: one service, every window open until the queue is empty."""
    forecast = Forecast({("A", k): tickets / SLOTS for k in range(SLOTS)})
    plans = tuple(WindowPlan(n, {"A": 1.0}, 0, DAY_S + 4 * 3600) for n in range(1, windows + 1))
    return TwinDay(START, DAY_S, plans, forecast, {"A": Exponential(MEAN_S)}, aging_minutes=100_000)


@dataclass(frozen=True, slots=True)
class DayFigures:
    tickets: int
    mean_wait_s: float
    waiting_at_closing: int


def twin_figures(day: TwinDay, seed: int | str) -> DayFigures:
    r = twin.simulate(day, seed)
    return DayFigures(len(r.tickets), r.services[ALL].mean_s, r.waiting_at_closing.get(ALL, 0))


def bare_day(tickets: int, windows: int, seed: int | str) -> DayFigures:
    """M/M/c in SimPy: Poisson arrivals over the day, c windows, exponential service, run to the end."""
    rng = random.Random(f"{seed}:bare")
    env = simpy.Environment()
    desks = simpy.Resource(env, windows)
    waits: list[float] = []
    late = 0  # still waiting at DAY_S
    rate, mean = tickets / DAY_S, MEAN_S

    def visitor() -> Generator[Any, Any, None]:
        nonlocal late
        issued = env.now
        with desks.request() as req:
            yield req
            waits.append(env.now - issued)
            late += env.now > DAY_S
            yield env.timeout(rng.expovariate(1 / mean))

    def source() -> Generator[Any, Any, None]:
        while True:
            yield env.timeout(rng.expovariate(rate))
            if env.now >= DAY_S:
                return
            env.process(visitor())

    env.process(source())
    env.run()
    return DayFigures(len(waits), sum(waits) / len(waits) if waits else 0.0, late)


# -- the city day: one task per hall, in worker processes ---------------------------------------

CITY_WINDOWS = 30
CITY_SERVICES = 6


@dataclass(frozen=True, slots=True)
class HallRun:
    figures: DayFigures
    worker_peak_kib: int  # this worker process's peak RSS so far


def peak_kib() -> int:
    """This process's peak RSS in KiB: VmHWM, which (unlike ru_maxrss, which Linux carries across
    exec) starts afresh in a spawned worker; ru_maxrss where there is no /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def city_hall(args: tuple[int, int]) -> HallRun:
    """Hall ``k`` of the city through the twin (its own seed and name)."""
    k, tickets = args
    day = hall_day(tickets, CITY_WINDOWS, CITY_SERVICES, hall=f"h{k:03d}")
    return HallRun(twin_figures(day, f"city/{k}"), peak_kib())


def city_bare_hall(args: tuple[int, int]) -> HallRun:
    """Hall ``k`` as a bare SimPy M/M/c day of the same size."""
    k, tickets = args
    return HallRun(bare_day(tickets, CITY_WINDOWS, f"city/{k}"), peak_kib())
