"""Sizing a month for bench/planner.py: a generated history, the project's pipeline and the bare sizing.

The hall opens 09:00-17:00 on workdays (Chinese public holidays closed, 调休 Saturdays open),
8 services. History: the 8 weeks before March 2026 (the Spring Festival included), each open
day's arrivals per (service, slot) Poisson around the service's daily volume × a weekday level ×
the planner's default intraday shape; one lognormal duration per arrival; 5 % no-shows.
"""

from __future__ import annotations

import importlib
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

from queue_server.config.model import ServiceTarget
from queue_server.rules.forecast import (
    ObservedDay,
    ServiceSeed,
    ServiceTime,
    TargetDay,
    default_shape,
    forecast,
    no_show_share,
    open_slots,
    service_times,
)
from queue_server.rules.sizing import size_days
from queue_server.rules.twin_model import Exponential, Forecast, LogNormal, TwinDay
from queue_server.staffing import SLOT_MINUTES, DayKind

TZ = ZoneInfo("Asia/Shanghai")
HOURS = (clock_time(9), clock_time(17))
FIRST = date(2026, 3, 1)
HISTORY_FROM = FIRST - timedelta(weeks=8)
# (code, mean minutes, visitors a day)
SERVICES = (("A", 6, 300), ("B", 8, 250), ("C", 5, 250), ("D", 12, 150), ("E", 7, 200), ("F", 10, 150),
            ("G", 4, 200), ("H", 9, 100))  # fmt: skip
WEEKDAY_LEVEL = (1.25, 1.05, 1.0, 0.95, 0.9, 1.0, 1.0)
NO_SHOW = 0.05
TARGET = ServiceTarget()  # 80 % called within 10 minutes, p90 wait within 15
CAP = 200  # the most windows the check may ask for in a slot


def seeds() -> list[ServiceSeed]:
    return [ServiceSeed(code, minutes, daily) for code, minutes, daily in SERVICES]


def kind(day: date) -> DayKind:
    _, name = chinese_calendar.get_holiday_detail(day)
    if chinese_calendar.is_workday(day):
        return DayKind.WORKDAY if day.weekday() < 5 else DayKind.ADJUSTED_WORKDAY
    return DayKind.HOLIDAY if name else DayKind.WEEKEND


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method; the means here are small (tens at most)."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


@dataclass
class History:
    days: list[ObservedDay] = field(default_factory=list)
    durations: dict[str, list[float]] = field(default_factory=dict)
    issued: dict[str, int] = field(default_factory=dict)
    no_shows: dict[str, int] = field(default_factory=dict)
    tickets: int = 0


def history(seed: int) -> History:
    rng = random.Random(seed)
    out = History()
    slots = open_slots(HOURS)
    shape = [default_shape(s) for s in slots]
    total_shape = sum(shape)
    day = HISTORY_FROM
    while day < FIRST:
        k = kind(day)
        if k in (DayKind.WORKDAY, DayKind.ADJUSTED_WORKDAY):
            counts: dict[tuple[str, int], int] = {}
            for code, minutes, daily in SERVICES:
                sigma = 0.5
                mu = math.log(minutes) - sigma**2 / 2
                for s, w in zip(slots, shape, strict=True):
                    n = _poisson(rng, daily * WEEKDAY_LEVEL[day.weekday()] * w / total_shape)
                    if not n:
                        continue
                    counts[code, s] = n
                    missed = sum(1 for _ in range(n) if rng.random() < NO_SHOW)
                    out.issued[code] = out.issued.get(code, 0) + n
                    out.no_shows[code] = out.no_shows.get(code, 0) + missed
                    durations = out.durations.setdefault(code, [])
                    durations.extend(rng.lognormvariate(mu, sigma) for _ in range(n - missed))
                    out.tickets += n
            out.days.append(ObservedDay(day, k, counts))
        day += timedelta(days=1)
    return out


def month() -> list[TargetDay]:
    out, day = [], FIRST
    while day.month == FIRST.month:
        k = kind(day)
        out.append(TargetDay(day, k, HOURS if k in (DayKind.WORKDAY, DayKind.ADJUSTED_WORKDAY) else None))
        day += timedelta(days=1)
    return out


Key = tuple[date, int]


@dataclass(frozen=True, slots=True)
class Sized:
    windows: dict[Key, int]  # the answer: Erlang C's, corrected by the check when it ran
    erlang: dict[Key, int]  # Erlang C's alone
    rates: dict[Key, tuple[float, float]]  # arrivals per minute (no-shows out), service rate per minute


def _twin_time(t: ServiceTime) -> LogNormal | Exponential:
    if t.log_mu is None or t.log_sigma is None:
        return Exponential(t.mean_minutes * 60)
    mean = math.exp(t.log_mu + t.log_sigma**2 / 2)
    return LogNormal(mean * 60, mean * 60 * math.sqrt(math.expm1(t.log_sigma**2)))


def project(h: History, targets: Sequence[TargetDay], check: bool, workers: int | None = None) -> Sized:
    """The planner's pipeline on the pure rules: forecast, service times, no-shows, Erlang C; with
    ``check``, each open day simulated and corrected by ``rules.sizing_check.check_sizing``, the
    days side by side in ``workers`` processes as the server runs them
    (``queries.planning_check.run_checks``; None: one per core)."""
    days = forecast(h.days, targets, seeds(), HOURS)
    times = service_times(h.durations, seeds())
    no_show = {code: no_show_share(h.issued.get(code, 0), h.no_shows.get(code, 0)) for code, _, _ in SERVICES}
    needs = size_days(days, {c: t.mean_minutes for c, t in times.items()}, no_show, TARGET)
    erlang = {key: n.windows for key, n in needs.items()}
    windows = dict(erlang)
    rates = {
        key: (n.rate_per_minute, 1 / n.mean_service_minutes if n.mean_service_minutes else 0.0)
        for key, n in needs.items()
    }
    if check:
        checks: Any = importlib.import_module("queue_server.queries.planning_check")
        rules: Any = importlib.import_module("queue_server.rules.sizing_check")
        issued = sum(h.issued.values())
        share = sum(h.no_shows.values()) / issued if issued else NO_SHOW
        twin_times = {c: _twin_time(t) for c, t in times.items()}
        jobs, firsts = [], []
        for f in days:
            if not f.slots:
                continue
            first = f.slots[0]
            start = datetime.combine(f.day, HOURS[0], tzinfo=TZ).astimezone(UTC)
            expected = {(svc, s - first): v for (svc, s), v in f.expected.items()}
            closes = (f.slots[-1] + 1 - first) * SLOT_MINUTES * 60.0
            day = TwinDay(start, closes, (), Forecast(expected), twin_times, no_show_share=share)
            required = {s - first: windows[f.day, s] for s in f.slots}
            jobs.append((day, required, TARGET, rules.CHECK_REPLICATIONS, f.day.isoformat(), CAP))
            firsts.append((f.day, first))
        # No cache: every timed run checks every day (the server keeps answers by their inputs).
        for (day_, first), checked in zip(firsts, checks.run_checks(jobs, workers, cache=None), strict=True):
            windows.update({(day_, s + first): n for s, n in checked.items()})
    return Sized(windows, erlang, rates)


def _textbook_c(c: int, load: float) -> float:
    top = load**c / math.factorial(c) * c / (c - load)
    return top / (sum(load**k / math.factorial(k) for k in range(c)) + top)


def bare(rates: Mapping[Key, tuple[float, float]]) -> dict[Key, int]:
    """Textbook Erlang C per slot (factorial sums), the fewest windows meeting TARGET."""
    out: dict[Key, int] = {}
    t, p90 = TARGET.called_within_minutes, TARGET.p90_wait_minutes
    for key, (lam, mu) in rates.items():
        if lam <= 0:
            out[key] = 0
            continue
        load = lam / mu
        c = math.floor(load) + 1
        while True:
            prob = _textbook_c(c, load)
            gap = c * mu - lam
            within = 1 - prob * math.exp(-gap * t)
            q90 = math.log(prob / 0.1) / gap if prob > 0.1 else 0.0
            if within >= TARGET.share and (p90 is None or q90 <= p90):
                break
            c += 1
        out[key] = c
    return out


def differences(a: Mapping[Key, int], b: Mapping[Key, int]) -> int:
    return sum(1 for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def counted_project(h: History, targets: Sequence[TargetDay]) -> tuple[Sized, int, int]:
    """``project`` with the check in this one process, counting the twin days it simulates and
    their tickets (a count cannot cross into worker processes)."""
    module: Any = importlib.import_module("queue_server.rules.sizing_check")
    real = module.simulate
    runs, tickets = 0, 0

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal runs, tickets
        result = real(*args, **kwargs)
        runs += 1
        tickets += len(result.tickets)
        return result

    module.simulate = counting
    try:
        return project(h, targets, True, workers=1), runs, tickets
    finally:
        module.simulate = real
