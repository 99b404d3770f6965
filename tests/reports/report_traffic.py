"""Days of a hall's traffic through the real commands on a fake clock, for the 报表 tests: visitors
arrive through the day, the given windows' clerks call, serve (some visitors do not come) and
finish, and most visitors rate the service, now and then badly (a 差评 opens a follow-up case).
Seeded, so a test can compare the report with what it played."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from queue_server.domain import TicketState
from queue_server.service import QueueService
from tests.conftest import FakeClock


@dataclass
class Played:
    """What the days held: tickets issued per business day, and the scores given."""

    issued: Counter[date] = field(default_factory=Counter)
    scores: list[int] = field(default_factory=list)


def _at(day: date, tz: tzinfo, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def play_days(
    service: QueueService,
    clock: FakeClock,
    slug: str,
    days: Sequence[date],
    clerks: dict[int, str],
    services: Sequence[str],
    *,
    per_day: int = 30,
    seed: int = 11,
    follow_ups: bool = False,
) -> Played:
    """``per_day`` visitors (give or take a fifth) on each of ``days`` between 09:00 and 16:30,
    the windows of ``clerks`` open 09:00-17:00 (a clerk of window 1 twenty minutes late on odd
    days); with ``follow_ups`` a manager calls back and resolves each morning about a third of
    the 差评 cases still open. The clock is left at 17:00 of the last day."""
    rng = random.Random(seed)
    tz = service.hall(slug).tz
    played = Played()
    open_cases: list[int] = []
    for day in days:
        clock.now = _at(day, tz, 8, 30)
        service.rollover(slug)
        for ticket_id in [t for t in open_cases if rng.random() < 0.35]:
            service.call_back_case(slug, ticket_id, method="phone", reached=True, response="已解释", by="manager")
            service.resolve_case(slug, ticket_id, text="已当面致歉并办结", satisfied=True, by="manager")
            open_cases.remove(ticket_id)
        n = max(1, round(per_day * rng.uniform(0.8, 1.2)))
        arrivals = sorted(_at(day, tz, 9) + timedelta(minutes=rng.uniform(0, 450)) for _ in range(n))
        late = {1} if day.toordinal() % 2 else set()
        opened: set[int] = set()
        busy: dict[int, datetime] = {}
        clock.now = _at(day, tz, 9)
        while clock.now < _at(day, tz, 17):
            while arrivals and arrivals[0] <= clock.now:
                arrivals.pop(0)
                service.issue(slug, rng.choice(services))
                played.issued[day] += 1
            for w, clerk in clerks.items():
                if w not in opened:
                    if w in late and clock.now < _at(day, tz, 9, 20):
                        continue
                    service.open_window(slug, w, staff=clerk)
                    opened.add(w)
                if busy.get(w, clock.now) > clock.now:
                    continue
                with service.store.reader(slug) as r:
                    current = r.current_ticket(w)
                if current is not None and current.state is TicketState.SERVING:
                    service.finish(slug, w, staff=clerk)
                    if rng.random() < 0.8:
                        score = rng.choices((5, 4, 3, 2, 1), weights=(70, 15, 7, 5, 3))[0]
                        service.evaluate(slug, current.id, score, "pad")
                        played.scores.append(score)
                        if follow_ups and score <= 2:
                            open_cases.append(current.id)
                called = service.call_next(slug, w, staff=clerk).ticket
                if called is None:
                    continue
                if rng.random() < 0.06:
                    service.no_show(slug, w, staff=clerk)
                    continue
                service.start(slug, w, staff=clerk)
                busy[w] = clock.now + timedelta(minutes=rng.uniform(3, 14))
            clock.advance(120)
        for w, clerk in clerks.items():
            with service.store.reader(slug) as r:
                current = r.current_ticket(w)
            if current is not None and current.state is TicketState.SERVING:
                service.finish(slug, w, staff=clerk)
            if w in opened:
                service.close_window(slug, w, staff=clerk)
    return played


__all__ = ["Played", "play_days"]
