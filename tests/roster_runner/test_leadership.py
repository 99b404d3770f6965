"""Exactly one process leads the timed jobs. On PostgreSQL (HALLQ_TEST_PG, a private database
made and dropped for the test): two processes race for the advisory lock, one wins; the leader
is killed with SIGKILL and the other takes over within seconds; a dropped connection loses the
lead. On SQLite a file lock beside the database decides. The scheduler runs the roster per hall
only while leading, and a process that takes the lead catches the halls up at once."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import sqlalchemy as sa
from starlette.testclient import TestClient

from queue_server.app import create_app
from queue_server.commands.gate import Gate, Unaudited
from queue_server.commands.roster_runner import RosterRunner
from queue_server.leadership import Leadership, LocalLeadership, leadership_for
from queue_server.leadership.postgres import PostgresLeadership
from queue_server.scheduler import LEADERSHIP_SECONDS, build_scheduler, lead, reconcile
from queue_server.service import QueueService
from queue_server.storage import Store
from tests.conftest import FakeClock, private_pg_database
from tests.roster_runner.support import MONDAY, at, duty, hall_with_posts, publish

RACER = textwrap.dedent(
    """
    import sys, time
    from queue_server.leadership.postgres import PostgresLeadership
    me = PostgresLeadership(sys.argv[1])
    was = None
    while True:
        now = me.acquire()
        if now != was:
            print("leader" if now else "follower", flush=True)
            was = now
        time.sleep(float(sys.argv[2]))
    """
)


def _racer(url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RACER, url, str(LEADERSHIP_SECONDS)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )


def _first_line(proc: subprocess.Popen[str], timeout: float = 20) -> str:
    """The racer's next line (what it became), or a failure after ``timeout`` seconds."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, f"no word from the racer in {timeout} s"
    return proc.stdout.readline().strip()


def test_two_processes_race_one_leads_and_the_other_takes_over_when_it_is_killed() -> None:
    with private_pg_database("hallq_lead") as url:
        one = _racer(url)
        try:
            assert _first_line(one) == "leader"
            two = _racer(url)
            try:
                assert _first_line(two) == "follower"
                killed = time.monotonic()
                os.kill(one.pid, signal.SIGKILL)
                one.wait(5)
                assert _first_line(two) == "leader"  # blocks until the takeover
                took = time.monotonic() - killed
                print(f"takeover after SIGKILL: {took:.2f} s")
                assert took < LEADERSHIP_SECONDS + 2  # the follower's next try, as the scheduler's job
            finally:
                two.kill()
                two.wait(5)
        finally:
            one.kill()
            one.wait(5)


def test_a_leader_whose_connection_drops_loses_the_lead_to_another() -> None:
    with private_pg_database("hallq_lead") as url:
        first, second = PostgresLeadership(url), PostgresLeadership(url)
        try:
            assert first.acquire() and first.is_leader
            assert not second.acquire() and not second.is_leader
            assert first.acquire()  # keeping it is idempotent
            admin = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"), poolclass=sa.NullPool)
            with admin.connect() as conn:
                conn.execute(
                    sa.text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted")
                )
            admin.dispose()
            assert not first.acquire() and not first.is_leader  # it notices at its next try
            assert second.acquire() and second.is_leader
            assert not first.acquire()
            second.release()
            assert first.acquire()
        finally:
            first.release()
            second.release()


def test_on_sqlite_a_file_lock_beside_the_database_decides(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hallq.db'}"
    one, two = leadership_for(url), leadership_for(url)
    assert isinstance(one, LocalLeadership) and one.lock_path == tmp_path / "hallq.db.leader"
    assert one.acquire() and not two.acquire()
    assert one.acquire() and one.is_leader and not two.is_leader
    one.release()
    assert two.acquire() and two.is_leader
    two.release()
    assert LocalLeadership().acquire()  # a process alone (no file): always the leader


class Switch(Leadership):
    """A leadership the test hands out or takes away."""

    def __init__(self) -> None:
        self.leads = self.was = False

    def acquire(self) -> bool:
        self.was = self.leads
        return self.leads

    @property
    def is_leader(self) -> bool:
        return self.was

    def release(self) -> None:
        self.leads = False


def test_the_scheduler_runs_the_roster_per_hall_only_while_leading(store: Store, clock: FakeClock) -> None:
    service = hall_with_posts(store, clock)
    clock.now = at(MONDAY, 8, 0)
    publish(service, MONDAY, MONDAY, [duty("li", MONDAY, "W01")])
    service.open_window("t", 1, "li")
    clock.now = at(MONDAY, 12, 0)
    runner, switch = RosterRunner(service, Gate(service, Unaudited())), Switch()
    jobs = build_scheduler(service, leadership=switch, runner=runner)
    roster = jobs.get_job("roster:t")
    assert roster is not None and roster.coalesce and roster.misfire_grace_time
    assert jobs.get_job("rollover:t") is not None and jobs.get_job("leadership") is not None

    def state() -> str:
        with service.store.reader("t") as r:
            window = r.window(1)
        assert window is not None
        return window.state.value

    # A follower does nothing, whatever its jobs fire.
    assert not lead(switch, runner)
    reconcile(runner, switch, "t")
    assert state() == "open"
    # Taking the lead catches the hall up at once, before the next minute's job.
    switch.leads = True
    assert lead(switch, runner) and state() == "paused"


def test_health_says_whether_this_process_leads(service: QueueService, tmp_path: Path) -> None:
    with TestClient(create_app(service)) as client:
        assert client.get("/healthz").json() == {"ok": True, "is_leader": True}
