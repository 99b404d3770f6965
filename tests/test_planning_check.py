"""The planner's twin day built from the store, and the checked sizing the roster solver covers:
booked appointments come as booked (and the walk-ins less them), priority classes in history's
shares, the windows of the day's last slot serve out their queue, and a range checked in
worker processes gives exactly what one process gives.

Days are fixed relative to the fake clock's Monday 2026-11-23, not to today's date.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from queue_server.config.model import ServiceTarget
from queue_server.domain import Tier
from queue_server.queries import planning_check
from queue_server.queries.planning import needs, plan
from queue_server.queries.planning_check import CheckCache, check_cap, checked_needs, priority_shares, run_checks
from queue_server.queries.planning_sim import sim_day
from queue_server.rules.sizing_check import CHECK_REPLICATIONS, SERVE_OUT_S, check_sizing, windows_for
from queue_server.rules.twin import simulate
from queue_server.rules.twin_model import Exponential, Forecast, TwinDay
from queue_server.service import QueueService
from queue_server.storage import Store
from tests.conftest import FakeClock, with_config
from tests.staffing_support import STAFF
from tests.test_planning_sim_api import HALL

DAY = date(2026, 11, 24)  # Tuesday, the day after the fake clock's Monday


@pytest.fixture
def service(store: Store, clock: FakeClock) -> QueueService:
    return with_config(store, clock, STAFF, halls=HALL)


def test_booked_appointments_stand_in_line_from_their_slots(service: QueueService) -> None:
    for i, hhmm in enumerate(("10:00", "10:05", "14:30")):
        h, m = map(int, hhmm.split(":"))
        start = datetime(DAY.year, DAY.month, DAY.day, h, m)
        service.create_appointment("t", f"Y{i}", "A", start, start + timedelta(minutes=30))
    service.create_appointment("t", "X9", "A", datetime(2026, 11, 24, 11), datetime(2026, 11, 24, 11, 30))
    service.cancel_appointment("t", "X9")
    plain = sim_day(service, "t", DAY, "published")
    assert isinstance(plain.twin.arrivals, Forecast)
    booked = plain.twin.arrivals.booked
    assert [(a.at_s, a.service, a.tier, a.slot_start_s) for a in booked] == [
        (3600.0, "A", Tier.APPOINTMENT, 3600.0),
        (3900.0, "A", Tier.APPOINTMENT, 3900.0),
        (5.5 * 3600, "A", Tier.APPOINTMENT, 5.5 * 3600),
    ]  # the cancelled one is left out
    # The forecast counted appointment tickets among its arrivals: the walk-ins are one fewer
    # in each booked slot (10:00 holds two), and as forecast elsewhere.
    forecast = plan(service, "t", DAY, DAY).days[0]
    first = forecast.slots[0]
    walk_ins = plain.twin.arrivals.expected
    assert walk_ins[("A", 4)] == pytest.approx(max(0.0, forecast.expected[("A", first + 4)] - 2))
    assert walk_ins[("A", 22)] == pytest.approx(max(0.0, forecast.expected[("A", first + 22)] - 1))
    assert walk_ins[("A", 5)] == pytest.approx(forecast.expected[("A", first + 5)])


def test_priority_classes_come_in_historys_shares(service: QueueService, clock: FakeClock) -> None:
    for k in range(20):
        service.issue("t", "A", "elderly" if k < 4 else ("green" if k < 5 else "normal"))
    clock.advance(86400)  # Tuesday: Monday is history now
    shares = {s.priority: (s.tier, s.share) for s in priority_shares(service.hall("t"), {"elderly": 4, "green": 1})}
    assert shares == {"elderly": (Tier.PRIORITY, 1.0 * 4 / 5), "green": (Tier.GREEN, 1.0 / 5)}
    day = sim_day(service, "t", DAY + timedelta(days=1), "published")
    assert isinstance(day.twin.arrivals, Forecast)
    got = {s.priority: s.share for s in day.twin.arrivals.priorities}
    assert got == pytest.approx({"elderly": 4 / 20, "green": 1 / 20})
    drawn = [t.priority for t in simulate(day.twin, 3).tickets]
    assert "elderly" in drawn and drawn.count("normal") > drawn.count("elderly")


def test_the_last_slots_windows_serve_out_their_queue() -> None:
    plans = windows_for({0: 2, 1: 3, 2: 1}, {"A": 1.0})
    assert [(p.opens_s, p.closes_s, p.pauses, p.serve_out_s) for p in plans] == [
        (0.0, 2700.0, (), SERVE_OUT_S),
        (0.0, 1800.0, (), 0.0),
        (900.0, 1800.0, (), 0.0),
    ]
    assert windows_for({0: 1}, {"A": 1.0}, serve_out_s=0.0)[0].serve_out_s == 0.0


def test_a_checked_day_is_cached_by_its_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    day = TwinDay(
        start=datetime(2026, 11, 24, 1, tzinfo=UTC),
        closes_s=3600.0,
        windows=(),
        arrivals=Forecast({("A", s): 8.0 for s in range(4)}),
        service_times={"A": Exponential(300.0)},
    )
    target = ServiceTarget()
    ran: list[str] = []
    real = planning_check._check
    monkeypatch.setattr(planning_check, "_check", lambda job: ran.append(job[4]) or real(job))
    cache = CheckCache(size=2)
    jobs = [(day, {s: 2 for s in range(4)}, target, 2, seed, 10) for seed in ("a", "b", "c")]
    first = run_checks(jobs[:2], workers=1, cache=cache)
    assert run_checks(jobs[:2], workers=1, cache=cache) == first and ran == ["a", "b"]
    assert first[0] == check_sizing(day, {s: 2 for s in range(4)}, target, replications=2, seed="a", cap=10)
    run_checks(jobs[2:], workers=1, cache=cache)  # the oldest answer ("a") makes room
    run_checks(jobs[:1], workers=1, cache=cache)
    assert ran == ["a", "b", "c", "a"]
    # Another forecast is another key, however alike.
    busier = replace(day, arrivals=Forecast({("A", s): 9.0 for s in range(4)}))
    run_checks([(busier, *jobs[0][1:])], workers=1, cache=cache)
    assert ran[-1] == "a" and len(ran) == 5


def test_a_range_checked_in_worker_processes_equals_one_process(service: QueueService) -> None:
    p = plan(service, "t", DAY, DAY + timedelta(days=3))  # Tuesday to Friday: four open days
    side_by_side = checked_needs(service, "t", p, workers=2)
    alone = checked_needs(service, "t", p, workers=1)
    assert side_by_side == alone
    erlang = needs(p)
    assert side_by_side.keys() == erlang.keys()
    assert all(side_by_side[k].windows >= erlang[k].windows for k in erlang)
    # The checked day is what check_sizing answers for it.
    first = p.days[0].slots[0]
    twin = sim_day(service, "t", DAY, "published").twin
    one = {s - first: n.windows for (d, s), n in erlang.items() if d == DAY}
    hall = service.hall("t")
    direct = check_sizing(
        replace(twin, windows=()), one, hall.target, replications=CHECK_REPLICATIONS, seed="check:1",
        cap=check_cap(hall, one),
    )  # fmt: skip
    assert {s - first: n.windows for (d, s), n in side_by_side.items() if d == DAY} == direct
    assert run_checks([], workers=2) == []
