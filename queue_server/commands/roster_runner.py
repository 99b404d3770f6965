"""Running the roster (排班执行): bring a hall's windows to what the published roster says now.

``RosterRunner.reconcile`` is idempotent: the scheduler's leader calls it every minute and at
start. It reads the hall (``queries.roster_now.hall_now``), asks ``rules.roster_boundaries``
for the steps, keeps those its boundary still asks for (the window's events since then say
whether the runner, or a clerk, already acted on it: that survives a restart, so a boundary is
neither repeated nor skipped) and takes each through the command gate as ``ROSTER_ACTOR``,
audited like any other command. A ticket called or in service is never cut off: a paused
window serves it to its end and calls nothing new; a window to close while someone is at it
is paused first and closed by a later run.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..errors import HallQError
from ..principal import Principal, Role
from ..queries.roster_now import DutyCache, HallNow, hall_now
from ..queries.window_log import aware, window_events
from ..rules.roster_boundaries import Step, StepKind, plan, still_due
from ..service import Outcome, QueueService
from .gate import Actor, Gate

log = logging.getLogger("hallq.roster")

ROSTER_LOGIN = "roster"  # the system actor's name in the audit log and on its window events
ROSTER_ACTOR = Actor(Principal(name=ROSTER_LOGIN, role=Role.ADMIN))


@dataclass(frozen=True, slots=True)
class Taken:
    """What one run did (``done``) and the steps a clerk's action got in the way of (``failed``,
    with the error's code; the next run looks again)."""

    at: datetime
    done: tuple[Step, ...] = ()
    failed: tuple[tuple[Step, str], ...] = ()


@dataclass
class RosterRunner:
    """The reconcile command for every hall of ``service``."""

    service: QueueService
    gate: Gate
    # Steps found not due any more: the events that decided it stay in the log, so the verdict
    # holds (this only saves reading them again every minute).
    settled: set[tuple[str, Step]] = field(default_factory=set)
    duties: DutyCache = field(default_factory=dict)
    # One run per hall at a time: the minute's job and a new leader's catch-up may meet, and
    # the halls' jobs run side by side in the scheduler's threads.
    _locks: dict[str, threading.Lock] = field(default_factory=dict)

    def reconcile_all(self) -> list[Taken]:
        return [self.reconcile(h.slug) for h in self.service.config.halls]

    def reconcile(self, slug: str) -> Taken:
        with self._locks.setdefault(slug, threading.Lock()):
            return self._reconcile(slug)

    def _reconcile(self, slug: str) -> Taken:
        now = hall_now(self.service, slug, cache=self.duties)
        # A verdict is about one boundary of yesterday or today; older ones are never asked again.
        self.settled -= {k for k in list(self.settled) if k[0] == slug and now.at - k[1].since >= timedelta(days=2)}
        steps = self._due(now, plan(now.at, now.windows, now.busy, now.duties, now.posts, now.noon_duty))
        done: list[Step] = []
        failed: list[tuple[Step, str]] = []
        for step in steps:
            try:
                self._take(slug, step)
            except HallQError as exc:  # a clerk acted meanwhile: the next run sees the new state
                failed.append((step, exc.code))
                log.info("%s: roster %s of window %d not taken: %s", slug, step.kind, step.window, exc.message)
            else:
                done.append(step)
                log.info("%s: roster %s window %d (%s)", slug, step.kind, step.window, step.login)
        return Taken(now.at, tuple(done), tuple(failed))

    def _due(self, now: HallNow, steps: list[Step]) -> list[Step]:
        """The steps their boundaries still ask for, from one read of the windows' events since
        the earliest of them (a boundary of many windows is one search of the log, not one each)."""
        open_ = [s for s in steps if (now.slug, s) not in self.settled]
        if not open_:
            return []
        with self.service.store.reader(now.slug) as r:
            since = window_events(r, min(s.since for s in open_), windows={s.window for s in open_})
        due = []
        for step in open_:
            if still_due(step, (e for e in since if aware(e.at) >= step.since), ROSTER_LOGIN):
                due.append(step)
            else:
                self.settled.add((now.slug, step))
        return due

    def _take(self, slug: str, step: Step) -> Outcome:
        s, n, target = self.service, step.window, f"window {step.window}"
        match step.kind:
            case StepKind.PAUSE:
                reason = step.reason or ""
                return self.gate.perform(
                    ROSTER_ACTOR, slug, "window.pause", target, s.pause_window, slug, n, reason, ROSTER_LOGIN
                )
            case StepKind.RESUME:
                return self.gate.perform(
                    ROSTER_ACTOR, slug, "window.resume", target, s.resume_window, slug, n, ROSTER_LOGIN
                )
            case StepKind.CLOSE:
                return self.gate.perform(
                    ROSTER_ACTOR, slug, "window.close", target, s.close_window, slug, n, ROSTER_LOGIN
                )
