"""Timed jobs: the business-day rollover at each hall's local midnight (run once at
start too, so a server that was down over night closes yesterday's queue before the
first visitor of the day takes a number), and an hourly purge of expired sessions."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from .service import QueueService

log = logging.getLogger("hallq.scheduler")


def rollover_all(service: QueueService) -> None:
    for hall in service.config.halls:
        outcome = service.rollover(hall.slug)
        if outcome.events:
            log.info("%s: %d tickets of earlier days marked not served", hall.slug, len(outcome.events))


def purge_sessions(service: QueueService) -> int:
    """Delete expired staff sessions (an expired one never signs anybody in; this keeps the table small)."""
    return service.store.accounts.delete_expired_sessions(service.clock())


def build_scheduler(service: QueueService) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler()
    # Idempotent, like the rollover: several server processes may each run it.
    scheduler.add_job(purge_sessions, "interval", hours=1, args=[service], id="sessions:purge", coalesce=True)
    for hall in service.config.halls:
        scheduler.add_job(
            service.rollover,
            CronTrigger(hour=0, minute=0, second=5, timezone=hall.tz),
            args=[hall.slug],
            id=f"rollover:{hall.slug}",
            # Several server processes may each run it: the rollover is idempotent.
            coalesce=True,
            misfire_grace_time=3600,
        )
    return scheduler
