"""The demo's roster: at the server's start, a hall with no published roster for the current
month gets one, solved with a short time limit in the background (the server serves
meanwhile) and published as the manager ``demo``, so the 排班 page and the roster runner have
something to show. Idempotent: a month with a published roster on any of its days is left
alone, across restarts too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from datetime import date, timedelta

from queue_server import (
    Actor,
    Gate,
    Principal,
    QueueService,
    Role,
    Unaudited,
    roster_problem,
    roster_range,
    solve_and_save,
)

log = logging.getLogger("hallq.demo")

TIME_LIMIT_S = 5.0

Lifespan = Callable[[], AbstractAsyncContextManager[None]]


def month_of(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def ensure_month_roster(
    service: QueueService, slug: str, gate: Gate | None = None, time_limit_s: float = TIME_LIMIT_S
) -> int | None:
    """Solve and publish the current month's roster of ``slug`` unless one is published (blocking:
    from a thread). Returns the published roster's id, or None when there was nothing to do."""
    first, last = month_of(service.business_day(slug))
    if roster_range(service, slug, first, last).in_force:
        return None
    problem = roster_problem(service, slug, first, last, time_limit_s)
    if not problem.staff:
        return None
    gate = gate or Gate(service, Unaudited())
    actor = Actor(Principal(name="demo", role=Role.MANAGER, hall=slug))
    target = f"roster {first}..{last}"
    solved = gate.perform(actor, slug, "roster.save", f"{target} (演示 demo)", solve_and_save, service, problem, "demo")
    if roster_range(service, slug, first, last).in_force:
        return None  # published meanwhile (a manager, or another process)
    roster_id = solved.roster.id
    assert roster_id is not None
    published = gate.perform(
        actor, slug, "roster.publish", f"roster {roster_id}", service.publish_roster, slug, roster_id, "demo"
    )
    log.info(
        "demo roster of %s for %s..%s published (%s, %d duties, %.1f s)",
        slug, first, last, solved.answer.status.value, len(solved.answer.assignments), solved.answer.wall_s,
    )  # fmt: skip
    return published.value.id


def demo_roster_lifespan(
    service: QueueService, gate: Gate | None = None, time_limit_s: float = TIME_LIMIT_S
) -> Lifespan:
    """The plugin lifespan that makes each hall's month roster in the background at start."""

    async def make_all() -> None:
        for hall in service.config.halls:
            try:
                await asyncio.to_thread(ensure_month_roster, service, hall.slug, gate, time_limit_s)
            except Exception:  # the demo must never take the server down
                log.exception("demo roster of %s failed", hall.slug)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        task = asyncio.create_task(make_all(), name="demo-roster")
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    return lifespan


def together(*lifespans: Lifespan | None) -> Lifespan | None:
    """One lifespan entering each given one (None: none given)."""
    given = [ls for ls in lifespans if ls is not None]
    if len(given) <= 1:
        return given[0] if given else None

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for ls in given:
                await stack.enter_async_context(ls())
            yield

    return lifespan


__all__ = ["demo_roster_lifespan", "ensure_month_roster", "month_of", "together"]
