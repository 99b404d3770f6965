"""The hall's twin on its own: the textbook M/M/c case against Erlang C, seeded repeatability,
the server's routing (green channel, aging) and a lunch break showing in the slots."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from queue_server.domain import Tier
from queue_server.rules import twin
from queue_server.rules.erlang import mean_wait, wait_within
from queue_server.rules.twin_model import (
    ALL,
    Arrival,
    Exponential,
    Fixed,
    Forecast,
    LogNormal,
    PriorityShare,
    Transfer,
    TwinDay,
    WindowPlan,
)
from queue_server.staffing import Assignment, Post
from tests.conftest import small_config

# A fixed day: the twin never reads the wall clock, so nothing here depends on today.
START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
HOUR = 3600.0


def _day(**kw: object) -> TwinDay:
    base = TwinDay(
        start=START,
        closes_s=8 * HOUR,
        windows=(WindowPlan(1, {"A": 1.0}, 0, 8 * HOUR),),
        arrivals=(),
        service_times={"A": Fixed(300)},
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_textbook_mmc_agrees_with_erlang_c() -> None:
    # M/M/3 at 75 % load, 5-minute services: Erlang C gives Wq ≈ 227 s. 60 hours of arrivals
    # after a 5-hour warm-up, 30 replications; windows stay open until everyone is served.
    c, mean_s, rho, hours = 3, 300.0, 0.75, 65
    lam = rho * c / mean_s
    per_slot = lam * 900
    day = _day(
        closes_s=hours * HOUR,
        windows=tuple(WindowPlan(n, {"A": 1.0}, 0, (hours + 10) * HOUR) for n in range(1, c + 1)),
        arrivals=Forecast({("A", k): per_slot for k in range(hours * 4)}),
        service_times={"A": Exponential(mean_s)},
        warmup_s=5 * HOUR,
        target_s=300.0,
        aging_minutes=10_000,
    )
    rep = twin.replicate(day, 30, seed=13)
    wq = mean_wait(c, lam, 1 / mean_s)
    assert 220 < wq < 235
    est = rep.measures["mean_wait_s"]
    assert est.covers(wq), (est, wq)
    assert est.half_width < 0.15 * wq  # a real check, not a wide-open interval
    assert rep.measures["within_target"].covers(wait_within(c, lam, 1 / mean_s, 300.0))
    # Busy over staffed time: the windows stay 10 idle hours after the last arrival.
    assert rep.measures["utilisation"].mean == pytest.approx(rho * hours / (hours + 10), abs=0.02)


def _busy_day(**kw: object) -> TwinDay:
    services = ("A", "B", "C")
    return _day(
        windows=(
            WindowPlan(1, {"A": 1.0, "B": 1.0}, 0, 8 * HOUR),
            WindowPlan(2, {"B": 2.0, "C": 1.0}, 0, 8 * HOUR),
            WindowPlan(3, {"C": 1.0}, 0, 8 * HOUR, pauses=((3 * HOUR, 4 * HOUR),)),
        ),
        arrivals=Forecast(
            {(s, k): 4.0 for s in services for k in range(32)},
            (PriorityShare("green", Tier.GREEN, 0.05), PriorityShare("elderly", Tier.PRIORITY, 0.1)),
        ),
        service_times={"A": Exponential(400), "B": LogNormal(500, 300), "C": Exponential(300)},
        no_show_share=0.05,
        transfers={"A": Transfer(0.1, "C")},
        aging_minutes=30,
        **kw,
    )


def test_same_seed_same_day_and_another_seed_another() -> None:
    day = _busy_day()
    first, again, other = twin.simulate(day, 7), twin.simulate(day, 7), twin.simulate(day, 8)
    assert first == again
    assert first.tickets != other.tickets
    assert twin.replicate(day, 3, seed=1).measures == twin.replicate(day, 3, seed=1).measures
    # Another set-up, the same seed: the same visitors (common random numbers), other waits.
    wider = replace(day.windows[2], services={"C": 1.0, "A": 1.0})
    pooled = twin.simulate(replace(day, windows=(*day.windows[:2], wider)), 7)
    assert [(t.issued_s, t.service, t.priority) for t in pooled.tickets] == [
        (t.issued_s, t.service, t.priority) for t in first.tickets
    ]
    assert pooled.services[ALL] != first.services[ALL]
    # Every measure is there and consistent.
    assert first.no_shows > 0 and any(t.transferred_to == "C" for t in first.tickets)
    hall = [s for s in first.slots if s.service == ALL]
    assert sum(s.arrivals for s in hall) == len(first.tickets)
    assert all(0 <= (s.utilisation or 0) <= 1 for s in hall)
    assert set(first.windows) == {1, 2, 3} and all(0 < u <= 1 for u in first.windows.values())
    assert all(s.waits.p50_s <= s.waits.p90_s <= s.waits.max_s for s in first.slots)
    assert first.waiting_at_closing[ALL] == sum(v for k, v in first.waiting_at_closing.items() if k != ALL)


def _one_window(arrivals: tuple[Arrival, ...], aging_minutes: int) -> list[int]:
    day = _day(arrivals=arrivals, aging_minutes=aging_minutes, service_times={"A": Fixed(60)})
    result = twin.simulate(day)
    return [t.id for t in sorted(result.tickets, key=lambda t: t.called_s or 0)]


def test_green_channel_is_called_before_normal_tickets() -> None:
    arrivals = (
        Arrival(0, "A", service_s=600),  # keeps the window busy
        Arrival(10, "A"),
        Arrival(20, "A", "elderly", Tier.PRIORITY),
        Arrival(30, "A", "green", Tier.GREEN),
    )
    assert _one_window(arrivals, 60) == [1, 4, 3, 2]


def test_a_ticket_aged_past_the_bound_goes_before_priority() -> None:
    arrivals = (
        Arrival(0, "A", service_s=40 * 60),
        Arrival(10, "A"),  # has waited 40 minutes when the window is free again
        Arrival(600, "A", "elderly", Tier.PRIORITY),
    )
    assert _one_window(arrivals, 30) == [1, 2, 3]
    assert _one_window(arrivals, 60) == [1, 3, 2]


def test_an_appointment_waits_like_anyone_until_its_slot() -> None:
    arrivals = (
        Arrival(0, "A", service_s=600),
        Arrival(10, "A"),
        Arrival(20, "A", "appointment", Tier.APPOINTMENT, slot_start_s=1800),  # checked in early
        Arrival(30, "A", "appointment", Tier.APPOINTMENT, slot_start_s=300),  # its slot has come
    )
    assert _one_window(arrivals, 60) == [1, 4, 2, 3]


def test_a_lunch_break_shows_in_the_slots() -> None:
    windows = tuple(WindowPlan(n, {"A": 1.0}, 0, 8 * HOUR) for n in (1, 2))
    lunch = (windows[0], replace(windows[1], pauses=((3 * HOUR, 4 * HOUR),)))
    arrivals = Forecast({("A", k): 5.0 for k in range(32)})
    kw: dict[str, object] = {"arrivals": arrivals, "service_times": {"A": Exponential(300)}}
    plain = twin.replicate(_day(windows=windows, **kw), 10, seed=3)
    paused = twin.replicate(_day(windows=lunch, **kw), 10, seed=3)
    noon = range(12, 16)  # 12:00-13:00
    for k in noon:
        assert paused.slots[k]["queue_mean"].mean > plain.slots[k]["queue_mean"].mean
        assert paused.slots[k]["utilisation"].mean > plain.slots[k]["utilisation"].mean
    assert sum(paused.slots[k]["mean_wait_s"].mean for k in noon) > 2 * sum(
        plain.slots[k]["mean_wait_s"].mean for k in noon
    )
    # Window 2 calls nobody over lunch; the visitor it was serving at 12:00 is served to the end.
    run = paused.runs[0]
    assert not [t for t in run.tickets if t.window == 2 and 3 * HOUR <= (t.called_s or 0) < 4 * HOUR]
    assert all(s.utilisation is not None and s.utilisation <= 1 for s in run.slots if s.service == ALL)


def test_bad_input_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="pauses"):
        twin.simulate(_day(windows=(WindowPlan(1, {"A": 1.0}, 0, HOUR, ((2 * HOUR, 3 * HOUR),)),)))
    with pytest.raises(ValueError, match="service_times"):
        twin.simulate(_day(windows=(WindowPlan(1, {"B": 1.0}, 0, HOUR),)))
    with pytest.raises(ValueError, match="no_show_share"):
        twin.simulate(_day(no_show_share=1.5))
    with pytest.raises(ValueError, match="n:"):
        twin.replicate(_day(), 1)


def test_windows_from_the_hall_file_and_a_roster() -> None:
    hall = small_config().halls[0]
    plans = twin.plans_from_hall(hall, 0, 8 * HOUR, {3: ((3 * HOUR, 4 * HOUR),)})
    assert [(p.number, dict(p.services), p.pauses) for p in plans] == [
        (1, {"A": 1.0, "B": 1.0}, ()),
        (2, {"B": 2.0, "C": 1.0}, ()),
        (3, {"C": 1.0}, ((3 * HOUR, 4 * HOUR),)),
    ]
    at = START.replace
    posts = [Post("t", "P1", 1, ("A",)), Post("t", "P2", 2, ("B", "C"))]
    day = START.date()
    assignments = [
        Assignment("t", day, "li", "full", "P1", START, at(hour=9), at(hour=3, minute=30), at(hour=4, minute=30)),
        Assignment("t", day, "wang", "late", "P2", at(hour=5), at(hour=9)),
        Assignment("t", day, "zhao", "full", None, START, at(hour=9)),  # a floater
    ]
    roster = twin.plans_from_roster(hall, posts, assignments, START)
    assert [(p.number, p.opens_s, p.closes_s, p.pauses, p.skills) for p in roster] == [
        (1, 0.0, 8 * HOUR, ((2.5 * HOUR, 3.5 * HOUR),), frozenset({"A"})),
        (2, 4 * HOUR, 8 * HOUR, (), frozenset({"B", "C"})),
    ]
    # The clerk at window 1 has only A's skill: nobody for B is called there.
    twin_day = _day(
        windows=roster,
        arrivals=(Arrival(10, "B"), Arrival(20, "A")),
        service_times={"A": Fixed(60), "B": Fixed(60), "C": Fixed(60)},
    )
    by_id = {t.id: t for t in twin.simulate(twin_day).tickets}
    assert by_id[1].window == 2 and by_id[1].called_s == 4 * HOUR
    assert by_id[2].window == 1 and by_id[2].called_s == 20
    assert timedelta(seconds=by_id[1].called_s) == timedelta(hours=4)


def test_forecast_arrivals_are_poisson_at_the_expected_rate() -> None:
    import random

    forecast = Forecast({("A", k): 100.0 for k in range(32)}, (PriorityShare("green", Tier.GREEN, 0.1),))
    drawn = twin.draw_arrivals(forecast, random.Random(5))
    assert abs(len(drawn) - 3200) < 4 * 3200**0.5
    assert [a.at_s for a in drawn] == sorted(a.at_s for a in drawn) and 0 <= drawn[0].at_s <= drawn[-1].at_s < 8 * HOUR
    greens = sum(a.tier is Tier.GREEN for a in drawn)
    assert abs(greens - 320) < 4 * (3200 * 0.1 * 0.9) ** 0.5
    per_slot = [sum(int(a.at_s // 900) == k for a in drawn) for k in range(32)]
    assert min(per_slot) > 60 and max(per_slot) < 140
    booked = Arrival(3600, "A", "appointment", Tier.APPOINTMENT, slot_start_s=3900)
    with_booked = twin.draw_arrivals(replace(forecast, booked=(booked,)), random.Random(5))
    assert [a for a in with_booked if a is not booked] == drawn and booked in with_booked


def test_service_times_from_the_hall_file() -> None:
    times = twin.service_times_from_hall(small_config().halls[0])
    assert times["A"] == Exponential(600.0) and times["B"] == Exponential(1200.0)


def test_a_transferred_ticket_keeps_its_place_in_the_new_line() -> None:
    day = _day(
        windows=(WindowPlan(1, {"A": 1.0}, 0, 8 * HOUR), WindowPlan(2, {"C": 1.0}, 0, 8 * HOUR)),
        arrivals=(Arrival(0, "A", service_s=60), Arrival(1, "C", service_s=600), Arrival(10, "C", service_s=50)),
        service_times={"A": Fixed(60), "C": Fixed(100)},
        transfers={"A": Transfer(1.0, "C")},
    )
    first, busy, later = twin.simulate(day).tickets
    assert (first.window, first.called_s, first.transferred_to, first.outcome) == (1, 0, "C", "done")
    # Window 2 is free at 601: the transferred ticket (in line since 0) goes first, served 100 s.
    assert (busy.called_s, later.called_s) == (1, 701)


def test_walk_up_and_the_clerks_pause_between_visitors_take_window_time() -> None:
    day = _day(arrivals=(Arrival(0, "A"), Arrival(1, "A"), Arrival(1000, "A")), walk_up_s=8, call_gap_s=3)
    calls = [t.called_s for t in twin.simulate(day).tickets]
    # 0 + 8 walking + 300 served = 308, then 3 s before the next call; a later visitor at a free
    # window is called at once.
    assert calls == [0, 311, 1000]


def test_a_window_serving_out_calls_whoever_still_waits_then_closes() -> None:
    """Three visitors just before closing at one window: without serve-out the last two go home;
    with it they are called after closing, and the window closes once nobody is left (its busy
    time counted, not the rest of the serve-out allowance)."""
    late = (Arrival(8 * HOUR - 30, "A"), Arrival(8 * HOUR - 20, "A"), Arrival(8 * HOUR - 10, "A"))
    plain = twin.simulate(_day(arrivals=late))
    assert [t.called_s for t in plain.tickets] == [8 * HOUR - 30, None, None] and plain.not_served == 2
    served = twin.simulate(_day(arrivals=late, windows=(WindowPlan(1, {"A": 1.0}, 0, 8 * HOUR, serve_out_s=HOUR),)))
    assert [t.called_s for t in served.tickets] == [8 * HOUR - 30, 8 * HOUR + 270, 8 * HOUR + 570]
    assert served.not_served == 0 and served.waiting_at_closing[ALL] == 2
    # Staffed until the last visitor left (8 h + 870 s), not to the end of the allowance: busy 900 s.
    assert served.utilisation == pytest.approx(900 / (8 * HOUR + 870))
    # An allowance too short for everyone: the window closes at its end, the rest unserved.
    short = twin.simulate(_day(arrivals=late, windows=(WindowPlan(1, {"A": 1.0}, 0, 8 * HOUR, serve_out_s=400),)))
    assert [t.called_s for t in short.tickets] == [8 * HOUR - 30, 8 * HOUR + 270, None]
    assert short.not_served == 1
