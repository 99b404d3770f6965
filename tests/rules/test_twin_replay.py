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
from queue_server.rules.twin_model import ALL, Arrival, Fixed, TwinDay
from queue_server.service import QueueService
from queue_server.storage.base import Store
from tests.conftest import FakeClock, small_config

HOURS = 3
PRIORITIES = (("green", Tier.GREEN, 0.05), ("elderly", Tier.PRIORITY, 0.10))
MEAN_S = {"A": 400.0, "B": 700.0, "C": 250.0}


def _visitors(rng: random.Random) -> list[tuple[float, str, str, float]]:
    """(seconds after opening, service, priority, service seconds): a busy three hours."""
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
            out.append((t, service, priority, rng.expovariate(1 / MEAN_S[service])))
            t += rng.expovariate(per_hour / 3600)
    return sorted(out)


def _us(seconds: float) -> int:
    return round(seconds * 1_000_000)


def _run_the_server(
    service: QueueService, clock: FakeClock, visitors: list[tuple[float, str, str, float]]
) -> list[int]:
    """The hall's day through the service, clerks calling the way the twin's do; the tickets' ids."""
    start = clock.now
    hall = service.config.hall("t")
    assert hall is not None
    windows = [w.number for w in hall.windows]
    serves = {w.number: set(w.services) for w in hall.windows}
    for n in windows:
        service.open_window("t", n)
    took: dict[int, float] = {}  # ticket id -> service seconds
    busy: dict[int, bool] = dict.fromkeys(windows, False)
    events: list[tuple[int, int, int, int]] = []  # (µs, order, seq, window or -visitor-1)
    for i, (t, *_rest) in enumerate(visitors):
        heapq.heappush(events, (_us(t), 2, i, -i - 1))
    seq = len(visitors)

    def call(n: int, now: int) -> bool:
        nonlocal seq
        ticket = service.call_next("t", n).ticket
        if ticket is None:
            return False
        service.start("t", n)
        busy[n] = True
        seq += 1
        heapq.heappush(events, (now + _us(took[ticket.id]), 1, seq, n))
        return True

    while events:
        now, _, _, what = heapq.heappop(events)
        clock.now = start + timedelta(microseconds=now)
        if what < 0:
            _, code, priority, seconds = visitors[-what - 1]
            issued = service.issue("t", code, priority)
            took[issued.ticket.id] = seconds
            for n in windows:
                if not busy[n] and code in serves[n] and call(n, now):
                    break
        else:
            service.finish("t", what)
            busy[what] = False
            call(what, now)
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
    assert all(t.state is TicketState.DONE for t in recorded)

    # The recorded day, as the twin reads it: each ticket's issue time, service, class, and
    # how long its service took (start to finish).
    hall = small_config().halls[0]
    tiers = {p.code: p.tier for p in hall.priority_classes}
    arrivals = tuple(
        Arrival(
            at_s=(t.issued_at - start).total_seconds(),
            service=t.service,
            priority=t.priority,
            tier=tiers[t.priority],
            service_s=(t.finished_at - t.started_at).total_seconds(),  # type: ignore[operator]
        )
        for t in recorded
    )
    day = TwinDay(
        start=start,
        closes_s=HOURS * 3600,
        windows=twin.plans_from_hall(hall, 0, 24 * 3600),
        arrivals=arrivals,
        service_times={s: Fixed(m) for s, m in MEAN_S.items()},
        aging_minutes=hall.aging_minutes,
        recall_limit=hall.recall_limit,
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
