"""The planner's forecast: expected arrivals per service per 15-minute slot for the days asked,
from the days the hall has recorded (pure; the history is read elsewhere).

A day is forecast from the recorded days of its weekday: the mean per (service, slot) over those
days less the busiest and quietest fifth, so one odd day (a system outage, a rush before a
deadline) moves it little. With fewer than
``FULL_WEIGHT_DAYS`` such days the estimate is shrunk toward the profile of every workday, and a
hall with no history at all starts from the hall file's ``expected_daily`` per service, spread
over the opening hours with a morning and an afternoon peak. Holidays are neither history nor
forecast; a 调休 workday (a weekend day worked instead of a holiday) counts as an ordinary
workday, not as its weekday, both as history and as a day to forecast.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time

from ..staffing import SLOT_MINUTES, DayKind

Key = tuple[str, int]  # (service, slot of the day: slot 36 is 09:00-09:15)

# A weekday with this many recorded days stands on its own; fewer are shrunk toward all workdays.
FULL_WEIGHT_DAYS = 4
# Below this many recorded durations a service's time leans on the hall file's expected_minutes.
MIN_DURATIONS = 10
KEEP_DURATIONS = 2000  # the most recent durations kept for sampling
DEFAULT_NO_SHOW = 0.05
NO_SHOW_PRIOR = 20  # tickets' worth of weight the 5 % default keeps against few observations
WORKDAY = "workday"  # the profile of every workday pooled (a 调休 day's own)


@dataclass(frozen=True, slots=True)
class ObservedDay:
    """A day the hall was open and recording: arrivals per (service, slot); absent keys are 0."""

    day: date
    kind: DayKind
    counts: Mapping[Key, int]


@dataclass(frozen=True, slots=True)
class ServiceSeed:
    code: str
    expected_minutes: float
    expected_daily: float | None = None


@dataclass(frozen=True, slots=True)
class TargetDay:
    """A day to forecast: its calendar kind and opening hours (None: closed)."""

    day: date
    kind: DayKind
    hours: tuple[time, time] | None


@dataclass(frozen=True, slots=True)
class DayForecast:
    """Expected arrivals of one day. ``source``: "history" (enough recorded days of its profile),
    "blended" (few, shrunk toward all workdays), "seed" (the hall file), "none" (nothing to go
    on), "closed"; ``basis_days``: recorded days of the same profile used."""

    day: date
    kind: DayKind
    expected: Mapping[Key, float]
    source: str
    basis_days: int = 0
    slots: tuple[int, ...] = ()
    seeded: tuple[str, ...] = ()  # services history has never seen, forecast from their seeds

    @property
    def total(self) -> float:
        return sum(self.expected.values())

    def per_slot(self) -> dict[int, float]:
        out = dict.fromkeys(self.slots, 0.0)
        for (_, slot), value in self.expected.items():
            out[slot] = out.get(slot, 0.0) + value
        return out

    def per_service(self, slot: int) -> dict[str, float]:
        return {svc: v for (svc, s), v in self.expected.items() if s == slot}


def slot_minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def open_slots(hours: tuple[time, time] | None) -> tuple[int, ...]:
    if hours is None:
        return ()
    return tuple(range(slot_minutes(hours[0]) // SLOT_MINUTES, -(-slot_minutes(hours[1]) // SLOT_MINUTES)))


def profile(day: date, kind: DayKind) -> str | None:
    """Which recorded days a day is like: its weekday, or every workday for a workday that falls
    on a weekend (调休); None for a holiday."""
    if kind is DayKind.HOLIDAY:
        return None
    if kind is DayKind.ADJUSTED_WORKDAY or (kind is DayKind.WORKDAY and day.weekday() >= 5):
        return WORKDAY
    return str(day.weekday())


def is_workday_like(kind: DayKind) -> bool:
    return kind in (DayKind.WORKDAY, DayKind.ADJUSTED_WORKDAY)


def trimmed_mean(values: Sequence[float]) -> float:
    """The mean without the highest and lowest fifth (none cut below five values)."""
    if not values:
        return 0.0
    cut = len(values) // 5
    kept = sorted(values)[cut : len(values) - cut]
    return sum(kept) / len(kept)


def typical_days(days: Sequence[dict[Key, int]]) -> Sequence[dict[Key, int]]:
    """The days without the busiest and quietest fifth by total (none cut below five days).

    Whole days are trimmed, not each slot's count: a quarter hour's few arrivals are skewed
    (mostly 0-3, now and then 8), so trimming each would bias the forecast low."""
    cut = len(days) // 5
    if not cut:
        return days
    ranked = sorted(days, key=lambda d: sum(d.values()))
    return ranked[cut : len(days) - cut]


def _clamped(counts: Mapping[Key, int], slots: tuple[int, ...]) -> dict[Key, int]:
    """Counts moved into the target's opening slots (a visitor before opening joins the first)."""
    lo, hi = slots[0], slots[-1]
    out: dict[Key, int] = {}
    for (svc, s), n in counts.items():
        key = (svc, min(hi, max(lo, s)))
        out[key] = out.get(key, 0) + n
    return out


def _estimate(days: Sequence[dict[Key, int]], keys: Iterable[Key]) -> dict[Key, float]:
    kept = typical_days(days)
    n = len(kept) or 1
    return {k: sum(d.get(k, 0) for d in kept) / n for k in keys}


# The default intraday shape: a morning peak near 10:00, a smaller one near 14:45, the noon
# trough between them, over a floor; relative weights, normalised over a day's open slots.
def default_shape(slot: int) -> float:
    hour = (slot + 0.5) * SLOT_MINUTES / 60
    return 0.6 + math.exp(-(((hour - 10.0) / 1.2) ** 2)) + 0.7 * math.exp(-(((hour - 14.75) / 1.2) ** 2))


def seed_forecast(target: TargetDay, seeds: Sequence[ServiceSeed], usual: tuple[time, time] | None) -> dict[Key, float]:
    """``expected_daily`` per service over the day's open slots by the default shape; a day shorter
    than the usual weekday gets its share of the daily volume."""
    slots = open_slots(target.hours)
    if not slots:
        return {}
    weights = [default_shape(s) for s in slots]
    total = sum(weights)
    share = 1.0
    if usual is not None and target.hours is not None:
        usual_span = slot_minutes(usual[1]) - slot_minutes(usual[0])
        span = slot_minutes(target.hours[1]) - slot_minutes(target.hours[0])
        share = min(1.0, span / usual_span) if usual_span > 0 else 1.0
    out: dict[Key, float] = {}
    for seed in seeds:
        daily = (seed.expected_daily or 0.0) * share
        for s, w in zip(slots, weights, strict=True):
            out[seed.code, s] = daily * w / total
    return out


@dataclass
class Forecaster:
    """Forecasts days from ``history`` (the recorded days before the ones asked, at most some weeks)."""

    history: Sequence[ObservedDay]
    seeds: Sequence[ServiceSeed]
    usual: tuple[time, time] | None = None
    _by_profile: dict[str, list[ObservedDay]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for d in self.history:
            p = profile(d.day, d.kind)
            if p is None:
                continue
            self._by_profile.setdefault(p, []).append(d)
            if p != WORKDAY and is_workday_like(d.kind):
                self._by_profile.setdefault(WORKDAY, []).append(d)

    def day(self, target: TargetDay) -> DayForecast:
        slots = open_slots(target.hours)
        p = profile(target.day, target.kind)
        if not slots or p is None:
            return DayForecast(target.day, target.kind, {}, "closed")
        same = self._by_profile.get(p, [])
        pool = self._by_profile.get(WORKDAY, [])
        if not same and not pool:
            from_seeds = seed_forecast(target, self.seeds, self.usual)
            source = "seed" if any(from_seeds.values()) else "none"
            return DayForecast(target.day, target.kind, from_seeds, source, 0, slots)
        same_counts = [_clamped(d.counts, slots) for d in same]
        pool_counts = [_clamped(d.counts, slots) for d in pool]
        seen = {k[0] for d in same_counts + pool_counts for k in d}
        services = seen | {s.code for s in self.seeds}
        keys = [(svc, s) for svc in sorted(services) for s in slots]
        # A service history has never seen (added since, say) is forecast from its seed, not as 0.
        unseen = [s for s in self.seeds if s.code not in seen]
        fill = {k: v for k, v in seed_forecast(target, unseen, self.usual).items() if v > 0} if unseen else {}
        seeded = tuple(sorted({svc for svc, _ in fill}))
        n = len(same)
        if n >= FULL_WEIGHT_DAYS:
            own = _estimate(same_counts, keys)
            return DayForecast(target.day, target.kind, {**own, **fill}, "history", n, slots, seeded)
        prior = _estimate(pool_counts, keys)
        if n == 0:
            return DayForecast(target.day, target.kind, {**prior, **fill}, "blended", 0, slots, seeded)
        own = _estimate(same_counts, keys)
        w = n / FULL_WEIGHT_DAYS
        mixed = {k: w * own[k] + (1 - w) * prior[k] for k in keys}
        return DayForecast(target.day, target.kind, {**mixed, **fill}, "blended", n, slots, seeded)


def forecast(
    history: Sequence[ObservedDay],
    targets: Iterable[TargetDay],
    seeds: Sequence[ServiceSeed],
    usual: tuple[time, time] | None = None,
) -> list[DayForecast]:
    """Each target day forecast from ``history`` (the caller gives days before them only)."""
    f = Forecaster(history, seeds, usual)
    return [f.day(t) for t in targets]


# -- service times and no-shows -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServiceTime:
    """How long serving a visitor of ``service`` takes (minutes, start → finish). With enough
    recorded durations: their mean and a lognormal fitted to them; otherwise the hall file's
    ``expected_minutes`` (blended with the few recorded) and an exponential."""

    service: str
    mean_minutes: float
    observed: int
    source: str  # "history" | "blended" | "default"
    durations: tuple[float, ...] = ()
    log_mu: float | None = None
    log_sigma: float | None = None

    def sample(self, rng: random.Random) -> float:
        if self.log_mu is not None and self.log_sigma is not None:
            return rng.lognormvariate(self.log_mu, self.log_sigma)
        return rng.expovariate(1 / self.mean_minutes)

    @property
    def p90_minutes(self) -> float:
        if self.log_mu is not None and self.log_sigma is not None:
            return math.exp(self.log_mu + 1.2815515655446004 * self.log_sigma)
        return -self.mean_minutes * math.log(0.1)


def service_time(service: str, durations: Sequence[float], expected_minutes: float) -> ServiceTime:
    kept = tuple(max(0.1, d) for d in durations[-KEEP_DURATIONS:] if math.isfinite(d))
    n = len(kept)
    if n == 0:
        return ServiceTime(service, expected_minutes, 0, "default")
    observed_mean = sum(kept) / n
    if n < MIN_DURATIONS:
        w = n / MIN_DURATIONS
        return ServiceTime(service, w * observed_mean + (1 - w) * expected_minutes, n, "blended", kept)
    logs = [math.log(d) for d in kept]
    mu = sum(logs) / n
    sigma = math.sqrt(sum((x - mu) ** 2 for x in logs) / (n - 1))
    return ServiceTime(service, observed_mean, n, "history", kept, mu, max(sigma, 1e-6))


def service_times(durations: Mapping[str, Sequence[float]], seeds: Sequence[ServiceSeed]) -> dict[str, ServiceTime]:
    """Every seeded service's time, and any service only the history knows (at 10 minutes a visitor)."""
    expected = {s.code: s.expected_minutes for s in seeds}
    codes = sorted(set(expected) | set(durations))
    return {c: service_time(c, durations.get(c, ()), expected.get(c, 10.0)) for c in codes}


def no_show_share(issued: int, no_shows: int) -> float:
    """The share of tickets never served for want of the visitor, shrunk toward 5 % when few."""
    return (no_shows + NO_SHOW_PRIOR * DEFAULT_NO_SHOW) / (max(0, issued) + NO_SHOW_PRIOR)


# -- forecast against what happened -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayAccuracy:
    """A past day's forecast against its actual arrivals, per slot (the hall's total, every service).

    ``mape``: the mean of |forecast − actual| / actual over the slots with arrivals; slots where
    nobody came have no percentage error and are skipped (counted in ``skipped_slots``), their
    error still shows in ``wape`` = Σ|forecast − actual| / Σ actual, the day's weighted error."""

    day: date
    per_slot: tuple[tuple[int, float, int], ...]  # (slot, forecast, actual)
    forecast_total: float
    actual_total: int
    mape: float | None
    wape: float | None
    skipped_slots: int


def accuracy(day: date, expected: Mapping[Key, float], actual: Mapping[Key, int]) -> DayAccuracy:
    forecast_by: dict[int, float] = {}
    actual_by: dict[int, int] = {}
    for (_, s), v in expected.items():
        forecast_by[s] = forecast_by.get(s, 0.0) + v
    for (_, s), n in actual.items():
        actual_by[s] = actual_by.get(s, 0) + n
    slots = sorted(set(forecast_by) | set(actual_by))
    rows = tuple((s, forecast_by.get(s, 0.0), actual_by.get(s, 0)) for s in slots)
    errors = [abs(f - a) / a for _, f, a in rows if a > 0]
    total = sum(a for _, _, a in rows)
    return DayAccuracy(
        day=day,
        per_slot=rows,
        forecast_total=sum(f for _, f, _ in rows),
        actual_total=total,
        mape=sum(errors) / len(errors) if errors else None,
        wape=sum(abs(f - a) for _, f, a in rows) / total if total else None,
        skipped_slots=sum(1 for _, _, a in rows if a == 0),
    )
