"""A recorded day replayed: a day run through the real QueueService (on each store, with a fake
clock) and the same arrivals and service times run through the twin call the same tickets, at
the same windows, at the same microsecond.

The tolerance is exact: with the same arrivals, service times and calling discipline (a free
window calls at once; an arrival goes to the lowest-numbered free window that serves it) the
twin runs the server's own rules, so every wait matches, not just their mean.
"""

from __future__ import annotations

import heapq
import random
from datetime import timedelta

import pytest

from queue_server.domain import Ticket, TicketState, Tier
from queue_server.rules import twin
from queue_server.rules.twin_model import ALL, Fixed, TwinDay
from queue_server.service import QueueService
from queue_server.storage.base import Store
from tests.conftest import FakeClock, small_config

HOURS = 3
PRIORITIES = (("green", Tier.GREEN, 0.05), ("elderly", Tier.PRIORITY, 0.10))
MEAN_S = {"A": 400.0, "B": 700.0, "C": 250.0}


Visitor = tuple[float, str, str, float, bool]
LUNCH = (3600.0, 5400.0)  # window 1 pauses from 10:00 to 10:30
RECALL_S = 30.0


def _visitors(rng: random.Random) -> list[Visitor]:
    """(seconds after opening, service, priority, service seconds, no-show): a busy three hours."""
    out = []
    for service, per_hour in (("A", 9.0), ("B", 7.0), ("C", 14.0)):
        t = rng.expovariate(per_hour / 3600)
        while t < HOURS * 3600:
            u, priority = rng.random(), "normal"
            for name, _, share in PRIORITIES:
                if u < share:
                    priority = name
                    break
                u -= share
            out.append((t, service, priority, rng.expovariate(1 / MEAN_S[service]), rng.random() < 0.06))
            t += rng.expovariate(per_hour / 3600)
    return sorted(out)


def _us(seconds: float) -> int:
    return round(seconds * 1_000_000)


_PAUSE, _RESUME, _RECALL, _END, _GONE, _ARRIVE = range(6)
_ORDER = {_PAUSE: 0, _RESUME: 0, _RECALL: 1, _END: 1, _GONE: 1, _ARRIVE: 2}


def _run_the_server(service: QueueService, clock: FakeClock, visitors: list[Visitor]) -> list[int]:
    """The hall's day through the service, clerks calling the way the twin's do: a free window
    calls at once, a newcomer goes to the lowest-numbered free window that serves them, a
    visitor who does not come is recalled every 30 s as often as the hall allows, then marked
    a no-show; window 1 pauses for lunch (the visitor at it is served to the end). Returns the
    tickets' ids."""
    start = clock.now
    hall = service.config.hall("t")
    assert hall is not None
    windows = [w.number for w in hall.windows]
    serves = {w.number: set(w.services) for w in hall.windows}
    for n in windows:
        service.open_window("t", n)
    took: dict[int, Visitor] = {}  # ticket id -> the visitor
    busy: dict[int, bool] = dict.fromkeys(windows, False)
    paused: set[int] = set()
    events: list[tuple[int, int, int, int, int]] = []  # (µs, order, seq, kind, visitor or window)
    seq = 0

    def at(t: int, kind: int, arg: int) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (t, _ORDER[kind], seq, kind, arg))

    for i, visitor in enumerate(visitors):
        at(_us(visitor[0]), _ARRIVE, i)
    at(_us(LUNCH[0]), _PAUSE, 1)
    at(_us(LUNCH[1]), _RESUME, 1)

    def call(n: int, now: int) -> bool:
        if busy[n] or n in paused:
            return False
        ticket = service.call_next("t", n).ticket
        if ticket is None:
            return False
        busy[n] = True
        visitor = took[ticket.id]
        if visitor[4]:
            for k in range(1, hall.recall_limit + 1):
                at(now + _us(RECALL_S) * k, _RECALL, n)
            at(now + _us(RECALL_S) * (hall.recall_limit + 1), _GONE, n)
        else:
            service.start("t", n)
            at(now + _us(visitor[3]), _END, n)
        return True

    while events:
        now, _, _, kind, arg = heapq.heappop(events)
        clock.now = start + timedelta(microseconds=now)
        if kind == _ARRIVE:
            visitor = visitors[arg]
            took[service.issue("t", visitor[1], visitor[2]).ticket.id] = visitor
            for n in windows:
                if visitor[1] in serves[n] and call(n, now):
                    break
        elif kind == _RECALL:
            service.recall("t", arg)
        elif kind == _PAUSE:
            service.pause_window("t", arg, "午休")
            paused.add(arg)
        elif kind == _RESUME:
            service.resume_window("t", arg)
            paused.discard(arg)
            call(arg, now)
        else:
            (service.finish if kind == _END else service.no_show)("t", arg)
            busy[arg] = False
            call(arg, now)
    return list(took)


def _stored(store: Store, ids: list[int]) -> list[Ticket]:
    with store.reader("t") as r:
        tickets = [r.ticket(i) for i in ids]
    return sorted((t for t in tickets if t is not None), key=lambda t: t.issued_at)


def test_a_recorded_day_replayed_calls_the_same_tickets_at_the_same_time(
    service: QueueService, store: Store, clock: FakeClock
) -> None:
    start = clock.now
    visitors = _visitors(random.Random(2026))
    recorded = _stored(store, _run_the_server(service, clock, visitors))
    assert len(recorded) == len(visitors) > 60
    lunch = (start + timedelta(seconds=LUNCH[0]), start + timedelta(seconds=LUNCH[1]))
    assert not [t for t in recorded if t.window == 1 and lunch[0] <= t.called_at < lunch[1]]  # type: ignore[operator]
    states = [t.state for t in recorded]
    assert set(states) == {TicketState.DONE, TicketState.NO_SHOW} and states.count(TicketState.NO_SHOW) >= 3

    # The recorded day, as the twin reads it: each ticket's issue time, service, class, whether
    # the visitor came, and how long their service took (start to finish).
    hall = small_config().halls[0]
    arrivals = twin.recorded_arrivals(recorded, start)
    assert [a.no_show for a in arrivals] == [t.state is TicketState.NO_SHOW for t in recorded]
    day = TwinDay(
        start=start,
        closes_s=HOURS * 3600,
        windows=twin.plans_from_hall(hall, 0, 24 * 3600, {1: (LUNCH,)}),
        arrivals=arrivals,
        service_times={s: Fixed(m) for s, m in MEAN_S.items()},
        aging_minutes=hall.aging_minutes,
        recall_limit=hall.recall_limit,
        recall_interval_s=RECALL_S,
    )
    result = twin.simulate(day)

    replayed = sorted(result.tickets, key=lambda t: t.issued_s)
    # Every ticket: same window, called at the same microsecond.
    assert [(t.window, _us((t.called_at - start).total_seconds())) for t in recorded] == [  # type: ignore[operator]
        (t.window, _us(t.called_s)) for t in replayed if t.called_s is not None
    ]
    server_waits = [(t.called_at - t.issued_at).total_seconds() for t in recorded]  # type: ignore[operator]
    server_mean = sum(server_waits) / len(server_waits)
    assert result.services[ALL].mean_s == pytest.approx(server_mean, rel=1e-12)  # the sum's rounding
    assert server_mean > 300  # a day where the order of calling matters
    # Priorities did overtake: a green or elderly ticket was called before an earlier normal one.
    order = sorted(recorded, key=lambda t: t.called_at)  # type: ignore[arg-type, return-value]
    assert any(
        a.priority != "normal" and b.priority == "normal" and a.issued_at > b.issued_at
        for i, a in enumerate(order)
        for b in order[i + 1 :]
    )
