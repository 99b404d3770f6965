"""The hall's twin: a simulated hall day on HallQ's own rules, seeded and repeatable.

``simulate(day, seed)`` runs one day (``twin_engine``) and sums it up per 15-minute slot and
per service (``twin_stats``); ``replicate(day, n, seed)`` runs ``n`` independent days and
gives each measure's mean with its 95 % confidence interval. The windows over the day come
from the hall's file (``plans_from_hall``) and a roster (``plans_from_roster``) or are written
out by hand; the visitors from a forecast (``Forecast``: Poisson, drawn from the seed) or a
stored day (``recorded_arrivals``); service times from history or, before there is any, the
hall file (``service_times_from_hall``).

Arrivals and each visitor's service time, no-show and transfer are drawn from streams of
their own, in the order of arrival, so two set-ups that differ only in their windows, run with
one seed, meet the same visitors (common random numbers): a what-if's difference is the
set-up's, not the dice's.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ..config.model import HallConfig
from ..domain import Ticket, TicketState, Tier
from ..staffing import Assignment, Post
from . import lifecycle
from .twin_engine import Engine
from .twin_model import (
    ALL,
    SLOT_S,
    Arrival,
    Estimate,
    Exponential,
    Forecast,
    PriorityShare,
    ServiceTime,
    TwinDay,
    TwinResult,
    WindowPlan,
)
from .twin_stats import Tracker, estimate, summarise


def draw_arrivals(forecast: Forecast, rng: random.Random, slot_s: int = SLOT_S) -> list[Arrival]:
    """Poisson arrivals at each (service, slot)'s expected rate and the booked appointments, in
    time order."""
    out: list[Arrival] = []
    for (service, slot), expected in sorted(forecast.expected.items()):
        if expected <= 0:
            continue
        rate, end = expected / slot_s, (slot + 1) * slot_s
        t = slot * slot_s + rng.expovariate(rate)
        while t < end:
            priority, tier = _priority(forecast.priorities, rng.random())
            out.append(Arrival(at_s=t, service=service, priority=priority, tier=tier))
            t += rng.expovariate(rate)
    out.extend(forecast.booked)
    out.sort(key=lambda a: a.at_s)
    return out


def _priority(shares: tuple[PriorityShare, ...], u: float) -> tuple[str, Tier]:
    for share in shares:
        if u < share.share:
            return share.priority, share.tier
        u -= share.share
    return "normal", Tier.NORMAL


def recorded_arrivals(tickets: Iterable[Ticket], start: datetime) -> tuple[Arrival, ...]:
    """A day's stored tickets as the twin's arrivals: when each took its number, for what, in
    which class (an appointment from its slot), how long its service took and whether the
    visitor came. A ticket cancelled before being served is left out (the visitor left); a
    transferred one counts under the service it ended in."""
    base = lifecycle.to_us(start)
    out = []
    for t in tickets:
        if t.state is TicketState.CANCELLED and t.started_at is None:
            continue
        served = t.finished_at is not None and t.started_at is not None
        out.append(
            Arrival(
                at_s=(t.issued_at - start).total_seconds(),
                service=t.service,
                priority=t.priority,
                tier=t.tier,
                slot_start_s=(t.order_key - base) / 1_000_000 if t.tier is Tier.APPOINTMENT else None,
                service_s=(t.finished_at - t.started_at).total_seconds() if served else None,  # type: ignore[operator]
                no_show=True if t.state is TicketState.NO_SHOW else (False if served else None),
            )
        )
    out.sort(key=lambda a: a.at_s)
    return tuple(out)


def _check(day: TwinDay) -> None:
    """Inputs the engine cannot run are refused by name before anything runs."""
    numbers = [p.number for p in day.windows]
    if len(set(numbers)) != len(numbers):
        raise ValueError("windows: a window number appears twice")
    for p in day.windows:
        if p.closes_s < p.opens_s:
            raise ValueError(f"windows[{p.number}].closes_s: before it opens")
        last = p.opens_s
        for p0, p1 in p.pauses:
            if not last <= p0 <= p1 <= p.closes_s:
                raise ValueError(f"windows[{p.number}].pauses: must be in order, inside the opening hours")
            last = p1
    if day.no_show_share < 0 or day.no_show_share > 1:
        raise ValueError("no_show_share: must be between 0 and 1")
    served = {s for p in day.windows for s in p.services}
    for name in served | {t.to_service for t in day.transfers.values()}:
        if name not in day.service_times and served:
            raise ValueError(f"service_times: none for service {name!r}")


def simulate(day: TwinDay, seed: int | str = 0, slot_s: int = SLOT_S) -> TwinResult:
    """One simulated day; the same day and seed give the same result."""
    _check(day)
    if isinstance(day.arrivals, Forecast):
        arrivals = draw_arrivals(day.arrivals, random.Random(f"{seed}:arrivals"), slot_s)
    else:
        arrivals = sorted(day.arrivals, key=lambda a: a.at_s)
    tracker = Tracker(slot_s * 1_000_000)
    engine = Engine(day, arrivals, random.Random(f"{seed}:visitors"), tracker)
    records = engine.run()
    return summarise(day, records, tracker, engine.waiting_at_closing, slot_s)


# -- replications ------------------------------------------------------------

Measure = Callable[[TwinResult], float]

MEASURES: dict[str, Measure] = {
    "mean_wait_s": lambda r: r.services[ALL].mean_s,
    "p90_wait_s": lambda r: r.services[ALL].p90_s,
    "within_target": lambda r: r.services[ALL].within_target,
    "waiting_at_closing": lambda r: float(r.waiting_at_closing.get(ALL, 0)),
    "utilisation": lambda r: r.utilisation,
}


@dataclass(frozen=True, slots=True)
class Replicated:
    measures: Mapping[str, Estimate]
    # The hall's row per slot: mean and p90 wait, mean queue, utilisation.
    slots: Mapping[int, Mapping[str, Estimate]]
    runs: tuple[TwinResult, ...]


def replicate(
    day: TwinDay, n: int, seed: int | str = 0, measures: Mapping[str, Measure] | None = None, slot_s: int = SLOT_S
) -> Replicated:
    """``n`` independent days (seeds ``seed/0`` … ``seed/n-1``): each measure's mean and 95 % CI."""
    if n < 2:
        raise ValueError("n: at least 2 replications give an interval")
    runs = tuple(simulate(day, f"{seed}/{k}", slot_s) for k in range(n))
    chosen = MEASURES if measures is None else measures
    out = {name: estimate([m(r) for r in runs]) for name, m in chosen.items()}
    per_slot: dict[int, dict[str, list[float]]] = {}
    for r in runs:
        for row in r.slots:
            if row.service != ALL:
                continue
            cell = per_slot.setdefault(row.slot, {})
            cell.setdefault("mean_wait_s", []).append(row.waits.mean_s)
            cell.setdefault("p90_wait_s", []).append(row.waits.p90_s)
            cell.setdefault("queue_mean", []).append(row.queue_mean)
            cell.setdefault("utilisation", []).append(row.utilisation or 0.0)
    slots = {slot: {k: estimate(v) for k, v in cell.items() if len(v) == n} for slot, cell in sorted(per_slot.items())}
    return Replicated(out, slots, runs)


def service_times_from_hall(hall: HallConfig) -> dict[str, ServiceTime]:
    """Before there is any history: each service's expected minutes from the hall file, as an
    exponential mean."""
    return {s.code: Exponential(s.expected_minutes * 60.0) for s in hall.services}


# -- the windows over a day ----------------------------------------------------


def plans_from_hall(
    hall: HallConfig, opens_s: float, closes_s: float, pauses: Mapping[int, tuple[tuple[float, float], ...]] = {}
) -> tuple[WindowPlan, ...]:
    """Every window of the hall's file open all day (``pauses`` per window number)."""
    return tuple(
        WindowPlan(w.number, dict(w.services), opens_s, closes_s, pauses.get(w.number, ()), w.kind)
        for w in hall.windows
    )


def plans_from_roster(
    hall: HallConfig, posts: Iterable[Post], assignments: Iterable[Assignment], start: datetime
) -> tuple[WindowPlan, ...]:
    """A roster's day as windows: each post's window is open while its clerk is on duty, paused
    over their lunch; a window with nobody assigned stays closed. Floaters staff no window."""
    windows = {w.number: w for w in hall.windows}
    by_post = {p.code: p for p in posts}
    plans = []
    for a in assignments:
        post = by_post.get(a.post) if a.post else None
        if post is None or post.window not in windows:
            continue
        w = windows[post.window]
        pauses: tuple[tuple[float, float], ...] = ()
        if a.lunch_start is not None and a.lunch_end is not None:
            pauses = (((a.lunch_start - start).total_seconds(), (a.lunch_end - start).total_seconds()),)
        skills = frozenset(post.services) or None
        plans.append(
            WindowPlan(
                w.number,
                dict(w.services),
                (a.start - start).total_seconds(),
                (a.end - start).total_seconds(),
                pauses,
                w.kind,
                skills,
            )
        )
    return tuple(plans)
