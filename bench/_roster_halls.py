"""The boundaries half of ``bench.roster``: 200 generated halls with a published roster, and the
server process that runs their roster jobs while a clerk of one hall calls.

    python -m bench._roster_halls URL START [--halls 200] [--windows 8]

The halls: ``h000`` … of ``--windows`` windows (services A and B), ``--windows`` + 2 clerks each
(s1… on the posts W01…, one per window as the hall file seeds them, with the two floaters as the
posts' B holders), the default shift templates, and a published roster for each benchmark day:
every clerk on the ``full`` shift 09:00-17:00 at their own post, lunch 12:00-13:00, except the
measured window (``h000`` window 1), whose clerk eats 13:00-14:00 so that the window keeps
calling through the 12:00 boundary while the rest of its hall pauses.

The server is ``run.build_app``'s app (the rooms' plug-ins, the realtime hub) on ``URL``, built on
a settable clock that starts at ``START`` and runs at the machine's pace; ``create_app`` builds
the scheduler as in production (the leadership, the rollover and the hall's roster jobs in one
``AsyncIOScheduler``). The server then pauses the ``roster:*`` cron jobs, so the real minute
never fires them, and fires them itself on request: a pass adds, for every hall, a one-off job
with the cron job's own function and arguments to the same scheduler, so the reconciles run where
they run every minute (the scheduler's one-thread roster executor, beside the request handlers), and
answers when all have finished. A small layer answers ``/_bench/…`` (everything else goes to the
app):

- ``POST /_bench/day?day=D&tickets=N``: the clock at D 08:55, every closed window of every hall
  opened by its rostered clerk, then at 09:00 N tickets issued at ``h000``; answers a fresh
  bearer token of the hall's manager (its password in ``$HALLQ_BENCH_PASSWORD``).
- ``POST /_bench/clock?at=T``: the clock at T (ISO), running on from there.
- ``POST /_bench/pass[?at=T]``: one run of every hall's roster job, as above (first the clock at
  T); answers its wall time, the steps done and failed by kind, the slowest hall's reconcile and
  any job that failed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import uvicorn
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

import queue_server.app as app_module
from queue_server.api.context import ApiContext
from queue_server.auth.service import AuthService
from queue_server.commands.roster_runner import RosterRunner, Taken
from queue_server.config import Config, parse_config
from queue_server.domain import WindowState
from queue_server.errors import HallQError
from queue_server.principal import Role
from queue_server.realtime import Hub, bus_for, realtime_plugin
from queue_server.scheduler import build_scheduler
from queue_server.service import QueueService
from queue_server.staffing import Assignment
from queue_server.storage import open_store
from queue_server.storage.staffing_seed import post_code
from run import plugins

from ._http_server import serve_listening

TZ = ZoneInfo("Asia/Shanghai")
MEASURED = "h000"  # the hall whose clerk calls
MEASURED_WINDOW = 1  # eats 13:00-14:00, so it is not paused at 12:00
MANAGER = "bench_manager"
PASSWORD_ENV = "HALLQ_BENCH_PASSWORD"
FIRST_DAY = date(2026, 11, 23)  # a Monday; the benchmark days are the workdays from here (no holiday)
SHIFT = "full"  # a default template, 09:00-17:00


def slug(i: int) -> str:
    return f"h{i:03d}"


def hall_toml(i: int, windows: int) -> str:
    parts = [f'[[hall]]\nslug = "{slug(i)}"\nname_zh = "测试大厅{i}"\nname_en = "Bench hall {i}"\n']
    parts += [f'[[hall.services]]\ncode = "{c}"\nname_zh = "事项{c}"\nname_en = "Service {c}"\n' for c in "AB"]
    parts += [f"[[hall.windows]]\nnumber = {n}\nservices = {{ A = 1.0, B = 1.0 }}\n" for n in range(1, windows + 1)]
    parts += [
        f'[[hall.staff]]\nlogin = "s{s}"\nname = "工作人员{s}"\nskills = ["A", "B"]\n' for s in range(1, windows + 3)
    ]
    return "\n".join(parts)


def halls_config(halls: int, windows: int) -> Config:
    return parse_config("\n".join(hall_toml(i, windows) for i in range(halls)), "bench/_roster_halls.py")


def bench_days(count: int) -> list[date]:
    days: list[date] = []
    day = FIRST_DAY
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, clock_time(hour, minute, second), tzinfo=TZ)


def duties(hall: str, day: date, windows: int) -> list[Assignment]:
    out = []
    for n in range(1, windows + 1):
        lunch = local(day, 13) if (hall, n) == (MEASURED, MEASURED_WINDOW) else local(day, 12)
        start, end = local(day, 9), local(day, 17)
        out.append(Assignment(hall, day, f"s{n}", SHIFT, post_code(n), start, end, lunch, lunch + timedelta(hours=1)))
    return out


@dataclass(frozen=True)
class Prepared:
    seconds: float
    assignments: int


def prepare(url: str, config: Config, days: list[date], windows: int, password: str) -> Prepared:
    """Migrate, sync the halls, set the posts' holders, publish each hall's roster of ``days``
    and make the measured hall's manager (the clock: the day before the first)."""
    started = time.perf_counter()
    store = open_store(url)
    try:
        store.sync_halls(config)
        before = local(days[0] - timedelta(days=1), 18)
        service = QueueService(store, config, clock=lambda: before)
        count = 0
        for hall in config.halls:
            for n in range(1, windows + 1):
                floater = f"s{windows + 1 + n % 2}"
                service.set_post_holders(hall.slug, post_code(n), f"s{n}", floater)
            roster = [a for day in days for a in duties(hall.slug, day, windows)]
            count += len(roster)
            draft = service.save_roster(hall.slug, days[0], days[-1], roster).value
            assert draft.id is not None
            service.publish_roster(hall.slug, draft.id)
        AuthService(store.accounts, clock=service.clock).create_user(MANAGER, password, Role.MANAGER, MEASURED)
    finally:
        store.close()
    return Prepared(time.perf_counter() - started, count)


# -- the server ----------------------------------------------------------------------------


class SettableClock:
    """The service's clock: an instant set by the benchmark, running on at the machine's pace."""

    def __init__(self, start: datetime) -> None:
        self._at = (start.astimezone(UTC), time.monotonic())

    def set(self, at: datetime) -> None:
        self._at = (at.astimezone(UTC), time.monotonic())

    def __call__(self) -> datetime:
        base, mono = self._at
        return base + timedelta(seconds=time.monotonic() - mono)


@dataclass
class Jobs:
    """What ``create_app`` built: its scheduler (caught on its way out of ``build_scheduler``) and
    its roster runner, whose reconciles are recorded during a pass."""

    scheduler: AsyncIOScheduler | None = None
    runner: RosterRunner | None = None
    threads: int = 0  # > 0: the passes run on a pool of this many threads instead (an experiment)
    taken: list[tuple[str, Taken, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def catch(self, build: Callable[..., AsyncIOScheduler]) -> Callable[..., AsyncIOScheduler]:
        def building(service: QueueService, **kwargs: Any) -> AsyncIOScheduler:
            scheduler = build(service, **kwargs)
            for job in scheduler.get_jobs():
                if job.id.startswith("roster:"):
                    job.pause()  # the benchmark fires them; the real minute must not
            runner: RosterRunner = kwargs["runner"]
            reconcile = runner.reconcile

            def recorded(hall: str) -> Taken:
                started = time.perf_counter()
                taken = reconcile(hall)
                with self.lock:
                    self.taken.append((hall, taken, time.perf_counter() - started))
                return taken

            runner.reconcile = recorded  # type: ignore[method-assign,assignment]
            self.scheduler, self.runner = scheduler, runner
            return scheduler

        return building

    async def run_pass(self) -> dict[str, Any]:
        """Every hall's roster job once, in the scheduler, as the minute's cron trigger runs them."""
        scheduler = self.scheduler
        if scheduler is None:
            return {"error": "no scheduler: is this process the leader?"}
        loop = asyncio.get_running_loop()
        finished = asyncio.Event()
        crons = [j for j in scheduler.get_jobs() if j.id.startswith("roster:")]
        pending = {f"bench:{j.id}" for j in crons}
        failures: list[str] = []

        def on_event(event: JobExecutionEvent) -> None:
            if event.job_id in pending:
                pending.discard(event.job_id)
                if event.code != EVENT_JOB_EXECUTED:
                    failures.append(f"{event.job_id}: {event.exception or 'missed'}")
                if not pending:
                    loop.call_soon_threadsafe(finished.set)

        executor = crons[0].executor if crons else "default"  # where the minute's jobs run
        if self.threads > 0:
            executor = f"bench{self.threads}"
            if executor not in scheduler._executors:
                scheduler.add_executor(ThreadPoolExecutor(self.threads), executor)
        with self.lock:
            self.taken.clear()
        scheduler.add_listener(on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        started = time.perf_counter()
        try:
            for job in crons:
                scheduler.add_job(
                    job.func,
                    "date",
                    args=job.args,
                    id=f"bench:{job.id}",
                    replace_existing=True,
                    misfire_grace_time=50,
                    executor=executor,
                )
            await asyncio.wait_for(finished.wait(), timeout=600)
        finally:
            scheduler.remove_listener(on_event)
        wall = time.perf_counter() - started
        with self.lock:
            taken = list(self.taken)
        done = Counter(str(s.kind) for _, t, _ in taken for s in t.done)
        failed = Counter(f"{s.kind}:{code}" for _, t, _ in taken for s, code in t.failed)
        slowest = max(taken, key=lambda x: x[2], default=None)
        return {
            "wall_s": wall,
            "halls": len(taken),
            "done": dict(done),
            "failed": dict(failed),
            "slowest_hall_s": slowest[2] if slowest else 0.0,
            "job_failures": failures[:5],
        }


def server_app(url: str, start: datetime, halls: int, windows: int, threads: int = 0) -> ASGIApp:
    config = halls_config(halls, windows)
    store = open_store(url, migrate=False)
    clock = SettableClock(start)
    service = QueueService(store, config, clock=clock)
    auth = AuthService(store.accounts, clock=service.clock)
    hub = Hub(service, bus_for(store.url))
    api = ApiContext(service, auth)
    jobs = Jobs(threads=threads)
    app_module.build_scheduler = jobs.catch(build_scheduler)  # type: ignore[attr-defined]
    # As run.build_app: the realtime hub and the rooms' plug-ins.
    app = app_module.create_app(service, [realtime_plugin(hub, api.authenticate), *plugins(service, api, hub)], api=api)
    password = os.environ.get(PASSWORD_ENV, "")

    def open_day(day: date, tickets: int) -> dict[str, Any]:
        clock.set(local(day, 8, 55))
        opened, refused = 0, 0
        for hall in config.halls:
            with store.reader(hall.slug) as r:
                closed = [w.number for w in r.windows() if w.state is WindowState.CLOSED]
            for number in closed:
                try:
                    service.open_window(hall.slug, number, f"s{number}")
                    opened += 1
                except HallQError:
                    refused += 1
        clock.set(local(day, 9))
        for i in range(tickets):
            service.issue(MEASURED, "AB"[i % 2])
        bearer = auth.login(MANAGER, password, "127.0.0.1", bearer=True).secret
        return {"opened": opened, "refused": refused, "bearer": bearer}

    async def bench(request: Request) -> Response:
        q = request.query_params
        if request.url.path == "/_bench/day":
            day = date.fromisoformat(q["day"])
            return JSONResponse(await run_in_threadpool(open_day, day, int(q.get("tickets", "0"))))
        if "at" in q:
            clock.set(datetime.fromisoformat(q["at"]))
        if request.url.path == "/_bench/clock":
            return JSONResponse({"at": clock().isoformat()})
        if request.url.path == "/_bench/pass":
            return JSONResponse(await jobs.run_pass())
        return JSONResponse({"error": "unknown"}, status_code=404)

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith("/_bench/"):
            response = await bench(Request(scope, receive))
            await response(scope, receive, send)
        else:
            await app(scope, receive, send)

    return wrapped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._roster_halls", description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("start", type=datetime.fromisoformat)
    parser.add_argument("--halls", type=int, default=200)
    parser.add_argument("--windows", type=int, default=8)
    parser.add_argument("--roster-threads", type=int, default=0, help="run the passes on a pool of N threads")
    args = parser.parse_args(argv)
    app = server_app(args.url, args.start, args.halls, args.windows, args.roster_threads)
    config = uvicorn.Config(
        app, host="127.0.0.1", workers=1, loop="auto", http="auto", log_level="warning", access_log=False
    )
    serve_listening(config)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
