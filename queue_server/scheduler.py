"""Timed jobs: the business-day rollover at each hall's local midnight (run once at
start too, so a server that was down over night closes yesterday's queue before the
first visitor of the day takes a number), an hourly purge of expired sessions, and the
roster runner bringing each hall's windows to the published roster every minute.

Only the leader runs the rollover and the roster runner (``leadership``: one process on
PostgreSQL holds an advisory lock, the others retry every few seconds and take over when
it dies); both are idempotent, so a run repeated by a new leader changes nothing.
"""

from __future__ import annotations

import logging

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from .commands.gate import Gate, Unaudited
from .commands.report_fold import ReportFolder
from .commands.roster_runner import RosterRunner
from .leadership import Leadership, LocalLeadership
from .service import QueueService

log = logging.getLogger("hallq.scheduler")

LEADERSHIP_SECONDS = 5  # how often a follower tries to take the lead (and the leader checks it still holds it)
# The roster jobs run one at a time on a thread of their own: every hall's job fires in the
# same second, and many threads of reconcile work on a small machine starve the event loop
# and the request threads (a clerk's call-next p99 rose from ~15 to ~87 ms under 200 halls'
# lunch boundary with six; with one it stays within a few ms of idle, bench.roster). The
# halls wait their turn instead: a 200-hall boundary takes ~12 s of the minute.
ROSTER_EXECUTOR = "roster"
# The report folds run on a thread of their own too (one hall after another), so reports never
# wait behind the roster or delay it; each fold writes in short transactions of a page each.
REPORT_EXECUTOR = "reports"
REPORT_SECONDS = 15


def rollover_all(service: QueueService) -> None:
    for hall in service.config.halls:
        outcome = service.rollover(hall.slug)
        if outcome.events:
            log.info("%s: %d tickets of earlier days marked not served", hall.slug, len(outcome.events))


def purge_sessions(service: QueueService) -> int:
    """Delete expired staff sessions (an expired one never signs anybody in; this keeps the table small)."""
    return service.store.accounts.delete_expired_sessions(service.clock())


def lead(leadership: Leadership, runner: RosterRunner | None = None) -> bool:
    """Keep or take the lead; a process that has just taken it brings every hall to the roster
    at once (a boundary passed while nobody led is caught up now, not a minute later)."""
    was = leadership.is_leader
    now = leadership.acquire()
    if now and not was and runner is not None:
        reconcile_all(runner, leadership)
    return now


def reconcile_all(runner: RosterRunner, leadership: Leadership) -> None:
    if leadership.is_leader:
        for hall in runner.service.config.halls:
            reconcile(runner, leadership, hall.slug)


def reconcile(runner: RosterRunner, leadership: Leadership, slug: str) -> None:
    if not leadership.is_leader:
        return
    try:
        runner.reconcile(slug)
    except Exception:  # one hall's failure (a database hiccup) must not stop the others' jobs
        log.exception("%s: the roster runner failed; the next minute tries again", slug)


def rollover(service: QueueService, leadership: Leadership, slug: str) -> None:
    if leadership.is_leader:
        service.rollover(slug)


def fold_reports(folder: ReportFolder, leadership: Leadership, slug: str) -> None:
    if not leadership.is_leader:
        return
    try:
        folder.fold(slug)
    except Exception:  # a database hiccup: the mark has not moved, the next run folds the same events
        log.exception("%s: the report fold failed; the next run tries again", slug)


def build_scheduler(
    service: QueueService,
    *,
    gate: Gate | None = None,
    leadership: Leadership | None = None,
    runner: RosterRunner | None = None,
) -> AsyncIOScheduler:
    """The jobs; ``leadership`` decides who runs the rollover and the roster (default: this
    process alone), ``gate`` audits the roster's window commands (default: unaudited)."""
    leadership = leadership or LocalLeadership()
    runner = runner or RosterRunner(service, gate or Gate(service, Unaudited()))
    scheduler = AsyncIOScheduler(
        executors={ROSTER_EXECUTOR: ThreadPoolExecutor(1), REPORT_EXECUTOR: ThreadPoolExecutor(1)}
    )
    folder = ReportFolder(service)
    # Idempotent, like the rollover: several server processes may each run it.
    scheduler.add_job(purge_sessions, "interval", hours=1, args=[service], id="sessions:purge", coalesce=True)
    scheduler.add_job(
        lead,
        "interval",
        seconds=LEADERSHIP_SECONDS,
        args=[leadership, runner],
        id="leadership",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=LEADERSHIP_SECONDS,
    )
    for hall in service.config.halls:
        scheduler.add_job(
            rollover,
            CronTrigger(hour=0, minute=0, second=5, timezone=hall.tz),
            args=[service, leadership, hall.slug],
            id=f"rollover:{hall.slug}",
            coalesce=True,
            misfire_grace_time=3600,
        )
        # Each minute (shifts and lunches start on whole minutes); a missed run is simply
        # caught up by the next, which reads the roster and the windows afresh.
        scheduler.add_job(
            reconcile,
            CronTrigger(second=2, timezone=hall.tz),
            args=[runner, leadership, hall.slug],
            id=f"roster:{hall.slug}",
            executor=ROSTER_EXECUTOR,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=50,
        )
        scheduler.add_job(
            fold_reports,
            "interval",
            seconds=REPORT_SECONDS,
            args=[folder, leadership, hall.slug],
            id=f"reports:{hall.slug}",
            executor=REPORT_EXECUTOR,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=REPORT_SECONDS,
        )
    return scheduler
