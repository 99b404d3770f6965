"""The demo hall's traffic, recorded and replayed: the demo's clerks (reports.demo) run an hour of
the demo hall through the real QueueService on a fake clock, one step a second; the twin replays
the stored tickets (arrivals, service times, no-shows) with the demo's walk-up time and pause
between visitors.

Stated tolerance: the mean wait within 2 %, and every ticket called within 5 s of its recorded
call (measured: 211 tickets, mean 192.4 s recorded against 191.4 s replayed, no call more than
2 s apart). The two differ only in what the twin does not copy: the demo works in whole-second
steps and an idle demo clerk tries again every 3 s instead of calling the moment someone comes.
"""

from __future__ import annotations

from queue_server.config import demo_config
from queue_server.domain import Ticket, TicketState
from queue_server.rules import twin
from queue_server.rules.twin_model import ALL, Fixed, TwinDay, WindowPlan
from queue_server.service import QueueService
from queue_server.storage.base import Store
from reports.demo import DemoRunner, params_for
from tests.conftest import FakeClock

SECONDS = 3600


def _tickets(store: Store) -> list[Ticket]:
    out: list[Ticket] = []
    with store.reader("demo") as r:
        while (t := r.ticket(len(out) + 1)) is not None:
            out.append(t)
    return out


def test_an_hour_of_demo_traffic_replayed_reproduces_its_waits(store: Store, clock: FakeClock) -> None:
    config = demo_config()
    store.sync_halls(config)
    service = QueueService(store, config, clock=clock)
    hall = service.hall("demo")
    params = params_for(hall, 1.0)
    runner = DemoRunner(service, "demo", params, seed=11, clock=clock)
    start = clock.now
    for _ in range(SECONDS):
        runner.run_once()
        clock.advance(1)
    assert runner.state is not None
    seated = {w.number: w.staff for w in runner.state.windows}
    skills = {m.login: frozenset(k.service for k in m.skills) for m in service.staff("demo")}

    recorded = [t for t in _tickets(store) if t.called_at is not None and t.state is not TicketState.CALLED]
    assert len(recorded) > 200
    assert any(t.state is TicketState.NO_SHOW for t in recorded)
    # Each ticket's first call: a no-show is not reactivated by the demo, so called_at is the call.
    arrivals = twin.recorded_arrivals(recorded, start)
    day = TwinDay(
        start=start,
        closes_s=SECONDS,
        windows=tuple(
            WindowPlan(w.number, dict(w.services), 0, 10 * SECONDS, kind=w.kind, skills=skills.get(seated[w.number]))
            for w in hall.windows
            if w.number in seated
        ),
        arrivals=arrivals,
        service_times={s.code: Fixed(s.expected_minutes * params.minute_s) for s in hall.services},
        aging_minutes=hall.aging_minutes,
        # The demo's no-show: called, not come by the time they should have started, given up.
        recall_limit=0,
        recall_interval_s=params.call_to_start_s,
        walk_up_s=params.call_to_start_s,
        call_gap_s=params.break_s,
    )
    result = twin.simulate(day)

    server = [(t.called_at - t.issued_at).total_seconds() for t in recorded]  # type: ignore[operator]
    server_mean = sum(server) / len(server)
    assert server_mean > 60  # lines formed: the order of calling matters
    assert abs(result.services[ALL].mean_s - server_mean) <= 0.02 * server_mean
    replayed = sorted(result.tickets, key=lambda t: t.issued_s)
    assert len(replayed) == len(recorded)
    offsets = [
        abs((r.called_s or 0) - (t.called_at - start).total_seconds())  # type: ignore[operator]
        for r, t in zip(replayed, sorted(recorded, key=lambda t: t.issued_at), strict=True)
    ]
    assert max(offsets) <= 5
