"""The planner's forecast on a synthetic history with a known pattern.

Eight weeks of workdays, 09:00-17:00, two services; each (weekday, service, slot) count is a seeded
Poisson draw around a known rate (a weekday factor × a service's volume × a double-peaked shape).
Tolerances, stated: each service's day total within 3.5 standard errors of the true rate's (a
mean of the 6 typical days of 8: √(rate / 6), i.e. 11-17 % for these volumes), the hall's per-slot
mean absolute percentage error against the true rates under 20 % (the hall's slot rate is ~4-8
visitors; a mean of 6 of 8 Poisson draws of that has a relative standard error of ~15-20 %, a
mean absolute error of ~12-16 %), and the weekday order of the volumes recovered.
"""

from __future__ import annotations

import math
import random
from datetime import date, time, timedelta

import pytest

from queue_server.rules.forecast import (
    DEFAULT_NO_SHOW,
    ObservedDay,
    ServiceSeed,
    TargetDay,
    accuracy,
    default_shape,
    forecast,
    no_show_share,
    open_slots,
    service_time,
    service_times,
    trimmed_mean,
)
from queue_server.staffing import DayKind

FIRST_MONDAY = date(2026, 3, 2)
WEEKS = 8
HOURS = (time(9), time(17))
SATURDAY_HOURS = (time(9), time(12))
SLOTS = open_slots(HOURS)
WEEKDAY_FACTOR = {0: 1.4, 1: 1.0, 2: 1.0, 3: 0.8, 4: 1.1, 5: 0.5}
VOLUME = {"A": 120.0, "K": 60.0}  # visitors on a factor-1 day
SEEDS = (ServiceSeed("A", 20, 100), ServiceSeed("K", 8, 50))


def true_rate(day: date, service: str, slot: int, factor: float | None = None) -> float:
    weights = [default_shape(s) for s in SLOTS]
    share = default_shape(slot) / sum(weights)
    return (WEEKDAY_FACTOR[day.weekday()] if factor is None else factor) * VOLUME[service] * share


def poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method: fine for the small rates of a quarter hour.
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def synthetic(weeks: int = WEEKS, seed: int = 7, saturdays: bool = False) -> list[ObservedDay]:
    rng = random.Random(seed)
    out: list[ObservedDay] = []
    for i in range(weeks * 7):
        day = FIRST_MONDAY + timedelta(days=i)
        if day.weekday() == 6 or (day.weekday() == 5 and not saturdays):
            continue
        kind = DayKind.WORKDAY if day.weekday() < 5 else DayKind.WEEKEND
        slots = SLOTS if day.weekday() < 5 else open_slots(SATURDAY_HOURS)
        counts = {(svc, s): poisson(rng, true_rate(day, svc, s)) for svc in VOLUME for s in slots}
        out.append(ObservedDay(day, kind, {k: n for k, n in counts.items() if n}))
    return out


NEXT_WEEK = [FIRST_MONDAY + timedelta(days=7 * WEEKS + i) for i in range(5)]


def test_recovers_the_weekday_pattern() -> None:
    days = forecast(synthetic(), [TargetDay(d, DayKind.WORKDAY, HOURS) for d in NEXT_WEEK], SEEDS, HOURS)
    for f in days:
        assert f.source == "history" and f.basis_days == WEEKS
        for svc, volume in VOLUME.items():
            got = sum(v for (s, _), v in f.expected.items() if s == svc)
            rate = WEEKDAY_FACTOR[f.day.weekday()] * volume
            assert got == pytest.approx(rate, abs=3.5 * math.sqrt(rate / 6))
        per_slot = f.per_slot()
        errors = [
            abs(per_slot[s] - sum(true_rate(f.day, svc, s) for svc in VOLUME))
            / sum(true_rate(f.day, svc, s) for svc in VOLUME)
            for s in SLOTS
        ]
        assert sum(errors) / len(errors) < 0.2
    totals = {f.day.weekday(): f.total for f in days}
    assert totals[0] > totals[1] > totals[3] and totals[4] > totals[3]
    # The shape too: the morning peak is busier than the noon trough.
    monday = days[0].per_slot()
    assert monday[40] > 1.5 * monday[50]


def test_a_weekday_with_few_records_leans_on_every_workday() -> None:
    history = synthetic(weeks=2)
    (monday,) = forecast(history, [TargetDay(NEXT_WEEK[0], DayKind.WORKDAY, HOURS)], SEEDS, HOURS)
    assert monday.source == "blended" and monday.basis_days == 2
    mondays = [d for d in history if d.day.weekday() == 0]
    own = sum(sum(d.counts.values()) for d in mondays) / 2
    totals = sorted(sum(d.counts.values()) for d in history)
    pooled = sum(totals[2:-2]) / 6
    # Half its own two Mondays (too few to trim), half every workday's mean less the two
    # busiest and two quietest of the ten.
    assert monday.total == pytest.approx(0.5 * own + 0.5 * pooled, rel=0.02)


def test_an_adjusted_saturday_is_forecast_like_a_workday() -> None:
    history = synthetic(saturdays=True)
    saturday = NEXT_WEEK[0] + timedelta(days=5)
    worked, usual = forecast(
        history,
        [TargetDay(saturday, DayKind.ADJUSTED_WORKDAY, HOURS), TargetDay(saturday, DayKind.WEEKEND, SATURDAY_HOURS)],
        SEEDS,
        HOURS,
    )
    # Every workday pooled: the mean weekday factor (1.06), not Saturday's 0.5, over the whole day.
    mean_factor = sum(WEEKDAY_FACTOR[i] for i in range(5)) / 5
    assert worked.slots == SLOTS and worked.source == "history"
    assert worked.total == pytest.approx(mean_factor * sum(VOLUME.values()), rel=0.08)
    assert usual.slots == open_slots(SATURDAY_HOURS)
    saturday_true = sum(true_rate(saturday, svc, s) for svc in VOLUME for s in usual.slots)
    assert usual.total == pytest.approx(saturday_true, rel=0.15)
    # A holiday is not forecast, and is no history either.
    (holiday,) = forecast(history, [TargetDay(NEXT_WEEK[2], DayKind.HOLIDAY, None)], SEEDS, HOURS)
    assert holiday.source == "closed" and holiday.total == 0


def test_an_adjusted_workday_in_history_joins_every_workday_not_its_weekday() -> None:
    worked = ObservedDay(date(2026, 4, 25), DayKind.ADJUSTED_WORKDAY, {("A", 40): 500})
    saturdays = [
        ObservedDay(FIRST_MONDAY + timedelta(days=5 + 7 * i), DayKind.WEEKEND, {("A", 40): 2}) for i in range(4)
    ]
    target = TargetDay(date(2026, 5, 9), DayKind.WEEKEND, SATURDAY_HOURS)
    (f,) = forecast([*saturdays, worked], [target], SEEDS, HOURS)
    assert f.expected["A", 40] == pytest.approx(2.0)


def test_a_new_hall_starts_from_expected_daily() -> None:
    monday, saturday = forecast(
        [],
        [
            TargetDay(NEXT_WEEK[0], DayKind.WORKDAY, HOURS),
            TargetDay(NEXT_WEEK[5 - 1] + timedelta(1), DayKind.WEEKEND, SATURDAY_HOURS),
        ],
        SEEDS,
        HOURS,
    )
    assert monday.source == "seed"
    assert sum(v for (s, _), v in monday.expected.items() if s == "A") == pytest.approx(100)
    assert sum(v for (s, _), v in monday.expected.items() if s == "K") == pytest.approx(50)
    per_slot = monday.per_slot()
    assert max(per_slot, key=lambda s: per_slot[s]) in range(38, 43)  # the morning peak, ~10:00
    # A three-hour Saturday gets three eighths of a weekday's volume.
    assert saturday.total == pytest.approx(150 * 3 / 8)
    # No seed and no history: nothing to go on, said so.
    (bare,) = forecast([], [TargetDay(NEXT_WEEK[0], DayKind.WORKDAY, HOURS)], [ServiceSeed("A", 10)], HOURS)
    assert bare.source == "none" and bare.total == 0


def test_a_service_history_has_never_seen_starts_from_its_seed() -> None:
    """A service added after the hall opened: the others from history, the new one from its
    expected_daily (without one, nothing: the forecast does not invent visitors)."""
    seeds = (*SEEDS, ServiceSeed("N", 15, 40), ServiceSeed("Q", 5))
    target = [TargetDay(d, DayKind.WORKDAY, HOURS) for d in NEXT_WEEK[:2]]
    full, few = (
        forecast(synthetic(), target[:1], seeds, HOURS)[0],
        forecast(synthetic(weeks=2), target[1:], seeds, HOURS)[0],
    )
    for f in (full, few):
        by_service = {svc: sum(v for (s, _), v in f.expected.items() if s == svc) for svc in ("A", "K", "N", "Q")}
        assert by_service["N"] == pytest.approx(40)
        assert by_service["Q"] == 0
        assert by_service["A"] == pytest.approx(WEEKDAY_FACTOR[f.day.weekday()] * VOLUME["A"], rel=0.3)
    assert full.source == "history" and few.source == "blended"
    assert full.seeded == few.seeded == ("N",)


def test_trimmed_mean_shrugs_off_one_odd_day() -> None:
    assert trimmed_mean([]) == 0
    assert trimmed_mean([4, 5, 6, 5, 90]) == pytest.approx(16 / 3)
    assert trimmed_mean([1, 3]) == 2


def test_service_times_from_history_or_the_hall_file() -> None:
    rng = random.Random(3)
    durations = [rng.lognormvariate(math.log(12), 0.5) for _ in range(800)]
    fitted = service_time("A", durations, 20)
    assert fitted.source == "history" and fitted.observed == 800
    assert fitted.mean_minutes == pytest.approx(12 * math.exp(0.125), rel=0.05)
    assert fitted.log_sigma == pytest.approx(0.5, rel=0.1)
    samples = [fitted.sample(rng) for _ in range(4000)]
    assert sum(samples) / len(samples) == pytest.approx(fitted.mean_minutes, rel=0.05)
    few = service_time("A", [10.0, 10.0], 20)
    assert few.source == "blended" and few.mean_minutes == pytest.approx(18)
    times = service_times({"A": durations}, SEEDS)
    assert times["K"].source == "default" and times["K"].mean_minutes == 8
    draws = [times["K"].sample(rng) for _ in range(4000)]
    assert sum(draws) / len(draws) == pytest.approx(8, rel=0.07)
    assert times["K"].p90_minutes == pytest.approx(8 * math.log(10))


def test_no_show_share() -> None:
    assert no_show_share(0, 0) == DEFAULT_NO_SHOW
    assert no_show_share(2000, 200) == pytest.approx(0.1, abs=0.003)
    assert 0.05 < no_show_share(10, 5) < 0.5


def test_accuracy_skips_slots_nobody_came_in() -> None:
    day = NEXT_WEEK[0]
    result = accuracy(
        day, {("A", 36): 10.0, ("K", 36): 2.0, ("A", 37): 4.0, ("A", 38): 1.0}, {("A", 36): 10, ("A", 37): 5}
    )
    assert [r[0] for r in result.per_slot] == [36, 37, 38]
    # |12 − 10| / 10 and |4 − 5| / 5: 0.2 each; 38 (nobody came) skipped but in the weighted error.
    assert result.mape == pytest.approx(0.2)
    assert result.skipped_slots == 1
    assert result.wape == pytest.approx((2 + 1 + 1) / 15)
    empty = accuracy(day, {("A", 36): 3.0}, {})
    assert empty.mape is None and empty.wape is None and empty.actual_total == 0
