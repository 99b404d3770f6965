"""自动排班 as a background job: one running solve per hall, its progress while it runs, and
its outcome kept for a while so the page that started it can read it back.

The solve is CPU-bound for up to a minute; it runs in a worker thread (CP-SAT releases the
GIL while it searches) while the event loop goes on serving. The registry is in-process: on a
server of several processes each keeps its own, and a page polls the process it started on.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ..errors import Conflict, NotFound
from ..rules.roster_problem import RosterAnswer, RosterProblem
from ..rules.roster_solver import solve
from ..service import QueueService
from ..staffing import Roster

KEEP_S = 3600.0  # a finished job is kept this long …
KEEP_PER_HALL = 20  # … and at most this many per hall

State = Literal["running", "done", "failed"]


@dataclass(slots=True)
class SolveJob:
    """One solve: what it was asked, where it is (``stage``: solving, saving), and what
    came of it (the answer and the draft saved from it, or the error)."""

    id: str
    hall: str
    first: date
    last: date
    time_limit_s: float
    started: float  # monotonic seconds
    by: str = ""
    state: State = "running"
    stage: str | None = "solving"
    finished: float | None = None
    answer: RosterAnswer | None = None
    roster_id: int | None = None
    error: str | None = None

    def elapsed(self, now: float) -> float:
        return (self.finished if self.finished is not None else now) - self.started

    def progress(self, now: float) -> float:
        """Elapsed over the time limit while running (never quite 1), 1 once finished."""
        if self.state != "running":
            return 1.0
        return min(0.99, self.elapsed(now) / self.time_limit_s) if self.time_limit_s > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Solved:
    answer: RosterAnswer
    roster: Roster


Work = Callable[[SolveJob], Awaitable[Solved]]


def busy_error(running: SolveJob) -> Conflict:
    """The refusal of a second solve while ``running`` runs, naming it."""
    return Conflict(
        f"大厅 {running.hall} 正在自动排班（任务 {running.id}，{running.first}..{running.last}），请等待其完成 / "
        f"job {running.id} is already solving {running.first}..{running.last} for {running.hall}; "
        "wait for it to finish"
    )


@dataclass(slots=True)
class RosterJobs:
    """The solves of this process, by hall. ``monotonic`` is the service clock's."""

    monotonic: Callable[[], float]
    jobs: dict[str, list[SolveJob]] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def running(self, hall: str) -> SolveJob | None:
        return next((j for j in self.jobs.get(hall, []) if j.state == "running"), None)

    def start(self, hall: str, first: date, last: date, time_limit_s: float, by: str, work: Work) -> SolveJob:
        """Start ``work`` as the hall's solve (409 while another one runs); returns at once."""
        busy = self.running(hall)
        if busy is not None:
            raise busy_error(busy)
        self._forget(hall)
        job = SolveJob(secrets.token_hex(6), hall, first, last, time_limit_s, self.monotonic(), by)
        self.jobs.setdefault(hall, []).append(job)
        task = asyncio.get_running_loop().create_task(self._run(job, work), name=f"roster-solve-{job.id}")
        self.tasks.add(task)  # held until done: the loop keeps only weak references
        task.add_done_callback(self.tasks.discard)
        return job

    def job(self, hall: str, job_id: str) -> SolveJob:
        self._forget(hall)
        found = next((j for j in self.jobs.get(hall, []) if j.id == job_id), None)
        if found is None:
            raise NotFound(
                f"没有排班任务 {job_id} / no solve job {job_id!r} in {hall} (finished jobs are kept an hour)"
            )
        return found

    async def _run(self, job: SolveJob, work: Work) -> None:
        try:
            done = await work(job)
        except asyncio.CancelledError:
            self._finish(job, "failed", error="cancelled: the server stopped")
            raise
        except Exception as exc:  # the job reports what failed; the server goes on
            self._finish(job, "failed", error=str(exc) or type(exc).__name__)
        else:
            job.answer, job.roster_id = done.answer, done.roster.id
            self._finish(job, "done")

    def _finish(self, job: SolveJob, state: State, error: str | None = None) -> None:
        job.state, job.error, job.stage, job.finished = state, error, None, self.monotonic()

    def _forget(self, hall: str) -> None:
        now = self.monotonic()
        kept = [j for j in self.jobs.get(hall, []) if j.finished is None or now - j.finished < KEEP_S]
        # The running job is the newest, so trimming the oldest never drops it.
        self.jobs[hall] = kept[-KEEP_PER_HALL:]


def solve_and_save(service: QueueService, problem: RosterProblem, by: str, job: SolveJob | None = None) -> Solved:
    """Solve ``problem`` and save its duties as the draft of its days (blocking: from a worker
    thread; the caller's gate audits it). An answer that breaks rules is saved all the same:
    it is the best roster found, and its violations say what to fix by hand."""
    answer = solve(problem)
    if job is not None:
        job.stage = "saving"
    first, last = problem.days[0].day, problem.days[-1].day
    saved = service.save_roster(problem.hall, first, last, answer.assignments, by)
    return Solved(answer, saved.value)
