"""Timed jobs: the business-day rollover at each hall's local midnight.

Runs once at start too, so a server that was down over night closes
yesterday's queue before the first visitor of the day takes a number.
"""

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


def build_scheduler(service: QueueService) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler()
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
