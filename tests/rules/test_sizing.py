"""Sizing the windows per slot: the Erlang C first cut on a forecast, checked by hand, against
the target, the no-shows, the service mix, the roster's caps, and a month sized in well under a
second."""

from __future__ import annotations

import time as walltime
from datetime import date, time, timedelta

import pytest

from queue_server.config import ServiceTarget
from queue_server.rules.erlang import servers_needed, wait_quantile, wait_within
from queue_server.rules.forecast import DayForecast, ServiceSeed, TargetDay, forecast, open_slots
from queue_server.rules.sizing import roster_demand, size_days, size_slot
from queue_server.staffing import DayKind

DAY = date(2026, 3, 2)
TARGET = ServiceTarget(called_within_minutes=10, share=0.8, p90_wait_minutes=15)


def test_a_slot_by_hand() -> None:
    # 15 visitors of a 10-minute service in a quarter hour: 1 a minute, 10 Erlangs.
    need = size_slot(DAY, 40, {"A": 15.0}, {"A": 10.0}, {}, TARGET)
    assert need.rate_per_minute == pytest.approx(1.0) and need.load == pytest.approx(10.0)
    assert need.windows == servers_needed(1.0, 0.1, within=10, share=0.8, p90=15)
    assert need.windows > 10 and need.met
    assert need.within_share >= 0.8 and need.p90_wait_minutes <= 15
    fewer = need.windows - 1  # one window fewer misses the target one way or the other
    assert wait_within(fewer, 1.0, 0.1, 10) < 0.8 or wait_quantile(fewer, 1.0, 0.1, 0.9) > 15


def test_no_shows_and_the_mix_count() -> None:
    plain = size_slot(DAY, 40, {"A": 30.0}, {"A": 10.0, "K": 5.0}, {}, TARGET)
    half_gone = size_slot(DAY, 40, {"A": 30.0}, {"A": 10.0}, {"A": 0.5}, TARGET)
    assert half_gone.rate_per_minute == pytest.approx(1.0)
    assert half_gone.windows < plain.windows
    mixed = size_slot(DAY, 40, {"A": 15.0, "K": 15.0}, {"A": 10.0, "K": 5.0}, {}, TARGET)
    assert mixed.mean_service_minutes == pytest.approx(7.5)
    assert mixed.windows < plain.windows


def test_a_stricter_target_needs_more() -> None:
    loose = size_slot(DAY, 40, {"A": 20.0}, {"A": 12.0}, {}, ServiceTarget(15, 0.7, None))
    strict = size_slot(DAY, 40, {"A": 20.0}, {"A": 12.0}, {}, ServiceTarget(2, 0.95, 3))
    assert strict.windows > loose.windows


def test_nobody_expected_needs_no_window() -> None:
    need = size_slot(DAY, 40, {"A": 0.0}, {"A": 10.0}, {}, TARGET)
    assert need.windows == 0 and need.met and need.within_share == 1.0


def test_an_impossible_slot_says_so() -> None:
    need = size_slot(DAY, 40, {"A": 100_000.0}, {"A": 30.0}, {}, TARGET)
    assert not need.met and need.windows == 200


def test_roster_demand_caps_and_floors() -> None:
    hours = (time(9), time(12))
    days = [
        DayForecast(DAY, DayKind.WORKDAY, {("A", s): 30.0 for s in open_slots(hours)}, "seed", 0, open_slots(hours))
    ]
    needs = size_days(days, {"A": 10.0}, {}, TARGET)
    assert set(needs) == {(DAY, s) for s in open_slots(hours)}
    demand = roster_demand(needs, windows=12, floor={(DAY, 36): 15})
    assert demand[DAY, 37] == 12  # 30 a quarter hour needs more than 12: capped by the windows
    low = roster_demand(size_days(days, {"A": 0.5}, {}, TARGET), windows=12, floor={(DAY, 36): 3})
    assert low[DAY, 36] == 3 and low[DAY, 37] < 3


def test_a_month_sizes_in_well_under_a_second() -> None:
    seeds = [ServiceSeed(chr(ord("A") + i), 5 + i, 40 + 10 * i) for i in range(15)]
    hours = (time(9), time(17))
    targets = [
        TargetDay(DAY + timedelta(days=i), DayKind.WORKDAY, hours)
        for i in range(31)
        if (DAY + timedelta(days=i)).weekday() < 5
    ]
    start = walltime.perf_counter()
    days = forecast([], targets, seeds, hours)
    needs = size_days(days, {s.code: s.expected_minutes for s in seeds}, {}, TARGET)
    elapsed = walltime.perf_counter() - start
    assert len(needs) == len(targets) * 32
    assert max(n.windows for n in needs.values()) > 20
    assert elapsed < 0.5, elapsed
