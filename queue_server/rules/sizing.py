"""Windows needed per slot for a hall's service target: Erlang C on the pooled comprehensive
windows, a first cut (pure).

Each quarter hour is sized on its own as a steady M/M/c queue (the stationary-independent-period
approximation): the slot's expected arrivals less the no-shows give the rate, the service-time
mean of that slot's mix of services gives the service rate, and ``servers_needed`` finds the
fewest windows that call ``share`` of visitors within the target and keep the p90 wait under its
bound. Skills, priorities, appointments and aging make a real hall differ from this; the twin's
simulation checks and corrects it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ..config.model import ServiceTarget
from ..staffing import SLOT_MINUTES
from .erlang import mean_wait, servers_needed, wait_quantile, wait_within
from .forecast import DayForecast

MAX_WINDOWS = 200  # more than any hall has: a slot needing more says "cannot be met" instead


@dataclass(frozen=True, slots=True)
class SlotNeed:
    """One slot's sizing: arrivals (less no-shows) per minute, the mix's mean service minutes,
    the windows needed, and what those windows give by Erlang C."""

    day: date
    slot: int
    arrivals: float  # expected in the slot, no-shows included
    rate_per_minute: float
    mean_service_minutes: float
    windows: int
    load: float  # offered Erlangs (rate × mean service time)
    within_share: float  # P(called within the target) with ``windows``
    p90_wait_minutes: float
    mean_wait_minutes: float
    met: bool  # False: even MAX_WINDOWS would not meet the target


def size_slot(
    day: date,
    slot: int,
    arrivals: Mapping[str, float],
    mean_minutes: Mapping[str, float],
    no_show: Mapping[str, float],
    target: ServiceTarget,
) -> SlotNeed:
    shows = {svc: n * (1.0 - no_show.get(svc, 0.0)) for svc, n in arrivals.items() if n > 0}
    total = sum(shows.values())
    if total <= 0:
        return SlotNeed(day, slot, sum(arrivals.values()), 0.0, 0.0, 0, 0.0, 1.0, 0.0, 0.0, True)
    mean = sum(n * mean_minutes.get(svc, 10.0) for svc, n in shows.items()) / total
    rate = total / SLOT_MINUTES
    mu = 1.0 / mean
    c = servers_needed(
        rate,
        mu,
        within=target.called_within_minutes,
        share=target.share,
        p90=target.p90_wait_minutes,
        max_servers=MAX_WINDOWS,
    )
    within = wait_within(c, rate, mu, target.called_within_minutes)
    p90 = wait_quantile(c, rate, mu, 0.9)
    met = within >= target.share and (target.p90_wait_minutes is None or p90 <= target.p90_wait_minutes)
    return SlotNeed(
        day=day,
        slot=slot,
        arrivals=sum(arrivals.values()),
        rate_per_minute=rate,
        mean_service_minutes=mean,
        windows=c,
        load=rate * mean,
        within_share=within,
        p90_wait_minutes=p90,
        mean_wait_minutes=mean_wait(c, rate, mu),
        met=met,
    )


def size_days(
    days: Sequence[DayForecast],
    mean_minutes: Mapping[str, float],
    no_show: Mapping[str, float],
    target: ServiceTarget,
) -> dict[tuple[date, int], SlotNeed]:
    """Every open slot of the forecast days sized (closed days give none)."""
    out: dict[tuple[date, int], SlotNeed] = {}
    for f in days:
        by_slot: dict[int, dict[str, float]] = {s: {} for s in f.slots}
        for (svc, s), n in f.expected.items():
            by_slot.setdefault(s, {})[svc] = n
        for s in sorted(by_slot):
            out[f.day, s] = size_slot(f.day, s, by_slot[s], mean_minutes, no_show, target)
    return out


def roster_demand(
    needs: Mapping[tuple[date, int], SlotNeed], *, windows: int, floor: Mapping[tuple[date, int], int] | None = None
) -> dict[tuple[date, int], int]:
    """The roster solver's demand: windows per (day, slot), at most the hall's ``windows`` (no more
    can open) and at least ``floor`` (the noon policy's minimum, say) where given."""
    out: dict[tuple[date, int], int] = {}
    for key, need in needs.items():
        least = floor.get(key, 0) if floor else 0
        out[key] = min(windows, max(need.windows, least)) if windows > 0 else max(need.windows, least)
    return out
