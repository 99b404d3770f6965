"""What-if variations as pure transformations of a twin day, and the simulation check of Erlang C's
sizing: what each variation changes (and only that), that the twin sees its effect with one
seed, and that a slot sized too thin gets windows until it meets the target."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from queue_server.config import ServiceTarget
from queue_server.domain import WindowKind
from queue_server.rules import whatif
from queue_server.rules.erlang import servers_needed
from queue_server.rules.sizing_check import check_sizing, slot_checks, windows_for
from queue_server.rules.twin import simulate
from queue_server.rules.twin_model import ALL, Exponential, Forecast, LogNormal, ServiceTime, TwinDay, WindowPlan

HOUR = 3600.0
DAY_S = 8 * HOUR
START = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai; any fixed day does
ALL_SERVICES = {"A": 1.0, "B": 1.0, "C": 1.0}


def day(windows: int = 6, per_slot: float = 6.0, noon: tuple[float, float] | None = None) -> TwinDay:
    """Three services, A twice as busy as B and C, on ``windows`` comprehensive windows all day
    (paused over ``noon`` if given)."""
    pauses = (noon,) if noon else ()
    plans = tuple(WindowPlan(n, dict(ALL_SERVICES), 0.0, DAY_S, pauses) for n in range(1, windows + 1))
    expected = {(svc, k): per_slot * share for k in range(32) for svc, share in (("A", 0.5), ("B", 0.25), ("C", 0.25))}
    times: dict[str, ServiceTime] = {"A": Exponential(600.0), "B": LogNormal(600.0, 300.0), "C": Exponential(600.0)}
    return TwinDay(START, DAY_S, plans, Forecast(expected), times)


DEPTS = whatif.Departmental({"A": "business", "B": "social", "C": "social"}, {"business": 2.0, "social": 2.0})


def test_departmental_keeps_the_windows_and_hours_and_shares_them_by_workload() -> None:
    base = day(windows=8)
    dep = whatif.departmental(base, DEPTS)
    assert [p.number for p in dep.windows] == [p.number for p in base.windows]
    assert whatif.staff_hours(dep) == whatif.staff_hours(base) == 64
    assert all(p.kind is WindowKind.DEDICATED for p in dep.windows)
    served = [frozenset(p.services) for p in dep.windows]
    assert served.count(frozenset({"A"})) == 4 and served.count(frozenset({"B", "C"})) == 4
    # Three to one: six windows for business, two for social.
    lopsided = whatif.departmental(base, replace(DEPTS, workload={"business": 3.0, "social": 1.0}))
    assert [frozenset(p.services) for p in lopsided.windows].count(frozenset({"A"})) == 6
    # A department with work is never left without a window, however small its share.
    tiny = whatif.departmental(day(windows=2), replace(DEPTS, workload={"business": 100.0, "social": 0.1}))
    assert {frozenset(p.services) for p in tiny.windows} == {frozenset({"A"}), frozenset({"B", "C"})}


def test_departmental_windows_wait_longer_than_pooled_ones_on_the_same_visitors() -> None:
    base = day(windows=6, per_slot=7.0)
    dep = whatif.departmental(base, DEPTS)
    pooled, split = simulate(base, 3), simulate(dep, 3)
    assert [t.issued_s for t in pooled.tickets] == [t.issued_s for t in split.tickets]  # the same visitors
    assert split.services[ALL].mean_s > pooled.services[ALL].mean_s
    assert split.services[ALL].within_target < pooled.services[ALL].within_target


def test_a_clerk_more_or_fewer_over_a_span() -> None:
    base = day(windows=3)
    more = whatif.add_clerk(base, whatif.AddClerk(HOUR, 3 * HOUR, 2))
    assert whatif.staff_hours(more) == whatif.staff_hours(base) + 4
    assert (whatif.open_at(more, 0), whatif.open_at(more, 2 * HOUR), whatif.open_at(more, 3 * HOUR)) == (3, 5, 3)
    assert [p.number for p in more.windows] == [1, 2, 3, 4, 5]
    fewer = whatif.add_clerk(base, whatif.AddClerk(HOUR, 2 * HOUR, -1))
    assert (whatif.open_at(fewer, HOUR), whatif.open_at(fewer, 2 * HOUR)) == (2, 3)
    assert whatif.staff_hours(fewer) == whatif.staff_hours(base) - 1
    assert whatif.add_clerk(base, whatif.AddClerk(0, HOUR, 0)) == base
    none_left = whatif.add_clerk(base, whatif.AddClerk(HOUR, 2 * HOUR, -3))
    assert whatif.open_at(none_left, 1.5 * HOUR) == 0
    with pytest.raises(ValueError, match=r"^count: only 3 windows"):
        whatif.add_clerk(base, whatif.AddClerk(HOUR, 2 * HOUR, -4))
    with pytest.raises(ValueError, match=r"^to: "):
        whatif.add_clerk(base, whatif.AddClerk(2 * HOUR, 2 * HOUR, 1))
    # A pause over the span merges with the window's own pauses.
    lunch = day(windows=1, noon=(3 * HOUR, 4 * HOUR))
    merged = whatif.add_clerk(lunch, whatif.AddClerk(3.5 * HOUR, 5 * HOUR, -1))
    assert merged.windows[0].pauses == ((3 * HOUR, 5 * HOUR),)


def test_a_clerk_more_shortens_the_waits() -> None:
    base = day(windows=4, per_slot=7.0)
    more = whatif.add_clerk(base, whatif.AddClerk(0, DAY_S, 1))
    assert simulate(more, 5).services[ALL].mean_s < simulate(base, 5).services[ALL].mean_s


def test_noon_off_closes_every_window_over_noon_and_on_is_the_day_as_planned() -> None:
    base = day(windows=3, noon=(3 * HOUR, 3.5 * HOUR))
    off = whatif.noon(base, whatif.Noon(False, 3 * HOUR, 5 * HOUR))
    assert whatif.open_at(off, 4 * HOUR) == 0 and whatif.open_at(off, 5 * HOUR) == 3
    assert whatif.staff_hours(off) == whatif.staff_hours(base) - 3 * 1.5
    assert whatif.noon(base, whatif.Noon(True, 3 * HOUR, 5 * HOUR)) == base
    # The same seed, nothing changed: the same day to the ticket.
    assert simulate(whatif.noon(base, whatif.Noon(True, 0, 1)), 9).tickets == simulate(base, 9).tickets
    assert simulate(off, 9).services[ALL].p90_s > simulate(base, 9).services[ALL].p90_s


def test_a_service_time_cut() -> None:
    base = day()
    cut = whatif.service_time(base, whatif.ServiceTimeCut("B", 0.25))
    assert cut.service_times["B"] == LogNormal(450.0, 225.0)
    assert cut.service_times["A"] == base.service_times["A"]
    assert whatif.staff_hours(cut) == whatif.staff_hours(base)
    faster = whatif.service_time(base, whatif.ServiceTimeCut("A", 0.5))
    assert simulate(faster, 2).services[ALL].mean_s < simulate(base, 2).services[ALL].mean_s
    with pytest.raises(ValueError, match=r"^cut: "):
        whatif.service_time(base, whatif.ServiceTimeCut("A", 1.0))
    with pytest.raises(ValueError, match=r"^service: "):
        whatif.service_time(base, whatif.ServiceTimeCut("Z", 0.1))


def test_labels_in_chinese_and_english() -> None:
    zh, en = whatif.label(whatif.AddClerk(HOUR, 2 * HOUR, 1), opens_minutes=9 * 60)
    assert zh == "10:00–11:00 增开 1 个综合窗口" and en == "1 more comprehensive window(s) 10:00–11:00"
    assert whatif.label(whatif.ServiceTimeCut("A", 0.2), names={"A": "企业开办"})[0] == "企业开办 办理时间缩短 20%"


def test_windows_for_opens_the_required_windows_per_slot() -> None:
    required = {0: 1, 1: 3, 2: 1, 3: 2}
    plans = windows_for(required, ALL_SERVICES, 900)
    probe = TwinDay(START, 3600, plans, (), {})
    assert [whatif.open_at(probe, s * 900 + 450) for s in range(4)] == [1, 3, 1, 2]
    assert plans[1].pauses == ((1800.0, 2700.0),)


def test_check_sizing_adds_windows_where_the_simulation_misses_the_target() -> None:
    target = ServiceTarget(called_within_minutes=10, share=0.8, p90_wait_minutes=15)
    busy = day(per_slot=9.0)  # 36 an hour, 10 minutes each: 6 Erlangs
    erlang = servers_needed(9 / 15, 1 / 10, within=10, share=0.8, p90=15, max_servers=50)
    thin = {s: erlang - 2 for s in range(32)}
    checked = check_sizing(busy, thin, target, replications=3, seed=1)
    assert all(checked[s] >= thin[s] for s in range(32)) and sum(checked.values()) > sum(thin.values())
    services = dict.fromkeys(busy.service_times, 1.0)
    before = slot_checks(replace(busy, windows=windows_for(thin, services)), 3, 1)
    after = slot_checks(replace(busy, windows=windows_for(checked, services)), 3, 1)
    missed = sum(1 for c in before.values() if c.within_share < 0.8)
    assert missed > 0 and sum(1 for c in after.values() if c.within_share < 0.8) < missed
    # Enough already: nothing added.
    plenty = {s: erlang + 3 for s in range(32)}
    assert check_sizing(busy, plenty, target, replications=2, seed=1) == plenty
    # The cap holds.
    assert max(check_sizing(busy, {s: 1 for s in range(32)}, target, replications=2, seed=1, cap=3).values()) <= 3
