"""The demo's roster: at start, a hall with no published roster for the month gets one (solved
with a short limit in the background, published as the manager "demo", audited through the
gate); a month with one is left alone, across restarts; ``run.py --demo-roster`` (``make run``)
turns it on."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta

import pytest

import run
from queue_server.auth.service import AuthService
from queue_server.commands.gate import Gate
from queue_server.config import demo_config
from queue_server.queries.rosters import roster_range
from queue_server.service import QueueService
from queue_server.staffing import RosterState
from queue_server.storage import Store
from reports.demo_roster import demo_roster_lifespan, ensure_month_roster, month_of, together
from tests.api.conftest import FAST
from tests.conftest import FakeClock

LIMIT = 1.0  # the server uses 5 s; a second is enough to get a roster


@pytest.fixture
def demo(store: Store, clock: FakeClock) -> QueueService:
    config = demo_config()
    store.sync_halls(config)
    return QueueService(store, config, clock=clock)


def published(service: QueueService, slug: str) -> list[int]:
    first, last = month_of(service.business_day(slug))
    found = roster_range(service, slug, first, last)
    return sorted({rid for rid in found.in_force.values()})


@pytest.mark.parametrize(
    ("day", "first", "last"),
    [
        (date(2026, 12, 7), date(2026, 12, 1), date(2026, 12, 31)),
        (date(2028, 2, 29), date(2028, 2, 1), date(2028, 2, 29)),
        (date(2027, 1, 1), date(2027, 1, 1), date(2027, 1, 31)),
    ],
)
def test_the_month_of_a_day(day: date, first: date, last: date) -> None:
    assert month_of(day) == (first, last)


def test_the_month_gets_a_published_roster_once(demo: QueueService, clock: FakeClock) -> None:
    slug = demo.config.halls[0].slug
    auth = AuthService(demo.store.accounts, FAST, clock=clock)
    roster_id = ensure_month_roster(demo, slug, Gate(demo, auth), LIMIT)
    assert roster_id is not None
    first, last = month_of(demo.business_day(slug))
    found = roster_range(demo, slug, first, last)
    (roster,) = found.published
    assert roster.state is RosterState.PUBLISHED and (roster.first, roster.last) == (first, last)
    assert roster.made_by == "demo" and roster.assignments
    assert set(found.in_force) == {first + timedelta(days=i) for i in range((last - first).days + 1)}
    rows = [(r.actor, r.action, r.outcome) for r in reversed(auth.accounts.audit_log(slug))]
    assert rows == [("demo", "roster.save", "ok"), ("demo", "roster.publish", "ok")]
    # A restart (or a second process) leaves it alone.
    assert ensure_month_roster(demo, slug, Gate(demo, auth), LIMIT) is None
    assert published(demo, slug) == [roster_id]


def test_a_month_with_a_published_roster_is_left_alone(demo: QueueService) -> None:
    slug = demo.config.halls[0].slug
    day = demo.business_day(slug) + timedelta(days=1)
    draft = demo.save_roster(slug, day, day, []).value
    assert draft.id is not None
    demo.publish_roster(slug, draft.id)
    assert ensure_month_roster(demo, slug, time_limit_s=LIMIT) is None
    assert published(demo, slug) == [draft.id]


def test_the_lifespan_makes_it_in_the_background(demo: QueueService) -> None:
    """The server starts at once; the roster comes a few seconds later."""
    slug = demo.config.halls[0].slug
    lifespan = together(None, demo_roster_lifespan(demo, time_limit_s=LIMIT))
    assert lifespan is not None

    async def serve() -> float:
        start = time.perf_counter()
        async with lifespan():
            entered = time.perf_counter() - start
            deadline = time.monotonic() + 60
            while not await asyncio.to_thread(published, demo, slug):
                assert time.monotonic() < deadline
                await asyncio.sleep(0.1)
        return entered

    assert asyncio.run(serve()) < 0.5
    assert together(None, None) is None


def test_run_turns_it_on() -> None:
    assert run.parser().parse_args(["--demo-roster"]).demo_roster is True
    assert run.parser().parse_args(["serve", "--demo-roster"]).demo_roster is True
    assert run.parser().parse_args([]).demo_roster is False
