"""自动排班 on the server: the roster problem read from the store (days, staff, leave, the
published roster as ``previous``, the draft's pins kept), and the solve job over HTTP — 202
and a job, progress while it runs, one solve per hall at a time (409 naming the running
job), the answer saved as the draft of its days through the gate (audited) even when it
breaks rules, a failure reported, and every bad request a 4xx naming its field."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from queue_server.auth.service import AuthService
from queue_server.commands import roster_jobs
from queue_server.errors import BadRequest, NotFound
from queue_server.queries.roster_input import roster_problem
from queue_server.rules.roster_demand import staffed_demand
from queue_server.rules.roster_problem import Penalties, RosterAnswer, RosterProblem, RosterStatus
from queue_server.service import QueueService
from queue_server.staffing import Assignment, LeaveKind
from queue_server.storage import Store
from tests.api.conftest import login, make_auth, room_client
from tests.conftest import FakeClock
from tests.staffing_support import MONDAY, at, staffed

H = "/api/halls/t"
SOLVE = f"{H}/rosters/solve"
SUNDAY = MONDAY + timedelta(days=6)


@pytest.fixture
def service(store: Store, clock: FakeClock) -> QueueService:
    """Hall "t" with li (A, B), wang (anything) and zhang (C) on its staff."""
    return staffed(store, clock)


@pytest.fixture
def auth(service: QueueService, clock: FakeClock) -> AuthService:
    return make_auth(service, clock, "li", "boss", "root")


@pytest.fixture
def client(service: QueueService, auth: AuthService) -> Iterator[TestClient]:
    with room_client(service, auth) as c:
        yield c


@pytest.fixture
def boss(client: TestClient) -> dict[str, str]:
    return login(client, "boss")


def duty(login: str, day: date, shift: str = "early", *, pinned: bool = False) -> Assignment:
    hours = {"early": (9, 13), "late": (13, 17)}[shift]
    return Assignment("t", day, login, shift, None, at(day, hours[0]), at(day, hours[1]), pinned=pinned)


def wait_done(client: TestClient, headers: dict[str, str], job: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"{SOLVE}/{job}", headers=headers)
        assert r.status_code == 200, r.text
        if r.json()["state"] != "running":
            return dict(r.json())
        assert time.monotonic() < deadline, r.json()
        time.sleep(0.05)


class Held:
    """A solver that waits to be let go, so a job stays running as long as a test needs."""

    def __init__(self, fail: bool = False) -> None:
        self.go = threading.Event()
        self.problems: list[RosterProblem] = []
        self.fail = fail

    def __call__(self, problem: RosterProblem) -> RosterAnswer:
        self.problems.append(problem)
        assert self.go.wait(30)
        if self.fail:
            raise RuntimeError("the solver broke")
        duties = (duty("li", problem.days[0].day),)
        return RosterAnswer(duties, RosterStatus.FEASIBLE, (0,), (0,), 0.1, (), Penalties())


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[Held]:
    solver = Held()
    monkeypatch.setattr(roster_jobs, "solve", lambda p: solver(p))
    yield solver
    solver.go.set()


# -- the problem from the store ---------------------------------------------------------


def test_the_problem_reads_the_store(service: QueueService) -> None:
    """Days and hours from the calendar, the active staff, leave overlapping the range, the
    published roster in force as ``previous`` and only the draft's pinned duties as ``pinned``."""
    service.add_leave("t", "zhang", LeaveKind.LEAVE, at(MONDAY, 0), at(MONDAY + timedelta(days=1), 0))
    service.add_leave(
        "t", "li", LeaveKind.LEAVE, at(MONDAY + timedelta(days=20), 0), at(MONDAY + timedelta(days=21), 0)
    )
    published = service.save_roster("t", MONDAY, SUNDAY, [duty("wang", MONDAY)]).value
    assert published.id is not None
    service.publish_roster("t", published.id)
    service.save_roster("t", MONDAY, SUNDAY, [duty("li", MONDAY), duty("wang", MONDAY, "late", pinned=True)])
    service.deactivate_staff("t", "zhang")

    problem = roster_problem(service, "t", MONDAY, SUNDAY, 3.0)

    assert [d.day for d in problem.days] == [MONDAY + timedelta(days=i) for i in range(7)]
    assert problem.days[0].hours is not None and problem.days[5].hours is None  # Saturday: closed
    assert [m.login for m in problem.staff] == ["li", "wang"]
    assert [lv.login for lv in problem.leave] == ["zhang"]
    assert [(a.login, a.shift) for a in problem.previous] == [("wang", "early")]
    assert [(a.login, a.shift, a.pinned) for a in problem.pinned] == [("wang", "late", True)]
    assert problem.noon == service.hall("t").noon and problem.demand == staffed_demand(problem)
    assert problem.time_limit_s == 3.0 and problem.templates and problem.posts


def test_a_published_pin_holds_where_no_draft_covers_the_day(service: QueueService) -> None:
    """Pins of the published roster stay pins when the solver is run again over its days."""
    tuesday = MONDAY + timedelta(days=1)
    kept = duty("wang", tuesday, "late", pinned=True)
    published = service.save_roster("t", MONDAY, SUNDAY, [duty("li", MONDAY), kept]).value
    assert published.id is not None
    service.publish_roster("t", published.id)
    problem = roster_problem(service, "t", MONDAY, SUNDAY, 3.0)
    assert [(a.login, a.day, a.shift) for a in problem.pinned] == [("wang", tuesday, "late")]
    # a draft over the days speaks for them instead: its pins, not the published ones
    service.save_roster("t", MONDAY, SUNDAY, [duty("li", tuesday, "late")])
    assert roster_problem(service, "t", MONDAY, SUNDAY, 3.0).pinned == ()


@pytest.mark.parametrize(
    ("first", "last", "limit", "says"),
    [
        (MONDAY, MONDAY - timedelta(days=1), 1.0, "last: "),
        (MONDAY, MONDAY + timedelta(days=62), 1.0, "last: a solve covers at most 62 days"),
        (MONDAY, MONDAY, 0.0, "time_limit_s: must lie between"),
        (MONDAY, MONDAY, 61.0, "time_limit_s: must lie between"),
    ],
)
def test_the_problem_refuses_bad_ranges(
    service: QueueService, first: date, last: date, limit: float, says: str
) -> None:
    with pytest.raises(BadRequest, match=says):
        roster_problem(service, "t", first, last, limit)


# -- the job over HTTP --------------------------------------------------------------------


def test_a_solve_saves_its_answer_as_the_draft_and_keeps_the_pins(
    client: TestClient, boss: dict[str, str], service: QueueService, auth: AuthService
) -> None:
    """A real (short) solve: 202 and a job, then done with the answer; the draft it saved
    replaces the week's draft, keeps its pinned duty exactly, and both steps are audited."""
    pinned = duty("wang", MONDAY, "late", pinned=True)
    old = service.save_roster("t", MONDAY, SUNDAY, [duty("li", MONDAY), pinned]).value

    r = client.post(
        SOLVE, headers=boss, json={"first": MONDAY.isoformat(), "last": SUNDAY.isoformat(), "time_limit_s": 2}
    )
    assert r.status_code == 202, r.text
    assert r.json()["state"] == "running" and r.json()["job"]
    done = wait_done(client, boss, r.json()["job"])

    assert done["state"] == "done" and done["progress"] == 1 and done["error"] is None, done
    answer = done["answer"]
    assert answer["status"] in {s.value for s in RosterStatus}
    assert answer["hard_ok"] == (not answer["violations"])
    assert set(answer["penalties"]) == {"noon_spread", "weekend_spread", "changes", "a_absent"}
    assert [s["name"] for s in answer["stages"]][-1] == "lunch"
    for v in answer["violations"]:  # a small hall cannot keep every window open: they say where
        assert set(v) == {"rule", "day", "slot_start", "slot_end", "service", "post", "login", "zh", "en", "amount"}
    roster = client.get(f"{H}/rosters/{done['roster_id']}", headers=boss).json()
    assert roster["state"] == "draft" and roster["first"] == MONDAY.isoformat() and roster["made_by"] == "boss"
    kept = [a for a in roster["assignments"] if a["pinned"]]
    assert [(a["login"], a["shift"], a["day"]) for a in kept] == [("wang", "late", MONDAY.isoformat())]
    listed = client.get(f"{H}/rosters", headers=boss, params={"from": MONDAY.isoformat(), "to": SUNDAY.isoformat()})
    assert [d["id"] for d in listed.json()["drafts"]] == [done["roster_id"]]  # the old draft replaced
    assert len(roster["assignments"]) == done["answer"]["assignments"] > len(old.assignments)
    rows = [(r.action, r.outcome) for r in auth.accounts.audit_log("t") if r.action.startswith("roster.")]
    assert ("roster.solve", "ok") in rows and ("roster.save", "ok") in rows


def test_one_solve_per_hall_at_a_time(
    client: TestClient, boss: dict[str, str], held: Held, clock: FakeClock, auth: AuthService
) -> None:
    """While a solve runs: progress is elapsed over the limit, a second solve is 409 naming the
    running job (audited as rejected); once it is done the next may start."""
    body = {"first": MONDAY.isoformat(), "last": SUNDAY.isoformat(), "time_limit_s": 4}
    first = client.post(SOLVE, headers=boss, json=body)
    assert first.status_code == 202, first.text
    job = first.json()["job"]
    clock.advance(1)
    running = client.get(f"{SOLVE}/{job}", headers=boss).json()
    assert running["state"] == "running" and running["stage"] == "solving", running
    assert running["progress"] == pytest.approx(0.25) and running["elapsed_s"] == pytest.approx(1)
    assert running["answer"] is None and running["roster_id"] is None

    second = client.post(SOLVE, headers=boss, json=body)
    assert second.status_code == 409, second.text
    assert job in second.json()["error"]["message"]
    assert any(r.action == "roster.solve" and r.outcome == "rejected" for r in auth.accounts.audit_log("t"))

    held.go.set()
    done = wait_done(client, boss, job)
    assert done["state"] == "done" and done["roster_id"] and done["answer"]["assignments"] == 1
    assert client.post(SOLVE, headers=boss, json=body).status_code == 202


def test_a_failed_solve_says_why(client: TestClient, boss: dict[str, str], held: Held) -> None:
    held.fail = True
    held.go.set()
    r = client.post(SOLVE, headers=boss, json={"first": MONDAY.isoformat(), "last": MONDAY.isoformat()})
    assert r.status_code == 202, r.text
    done = wait_done(client, boss, r.json()["job"])
    assert done["state"] == "failed" and "the solver broke" in done["error"] and done["roster_id"] is None
    assert held.problems[0].time_limit_s == 10.0  # the default


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"first": "2026-11-30", "last": "2026-11-23"}, 400, "last: "),
        ({"first": "2026-11-01", "last": "2027-01-05"}, 400, "last: a solve covers at most 62 days"),
        ({"first": "2026-11-23", "last": "2026-11-23", "time_limit_s": 0}, 400, "time_limit_s"),
        ({"first": "2026-11-23", "last": "2026-11-23", "time_limit_s": 600}, 400, "time_limit_s"),
        ({"first": "2026-11-23", "last": "2026-11-23", "time_limit_s": "5"}, 400, "time_limit_s"),
        ({"first": "2026-11-23"}, 400, "last"),
        ({"first": "23.11.2026", "last": "2026-11-23"}, 400, "first"),
        ({"first": "2026-11-23", "last": "2026-11-23", "demand": 3}, 400, "demand"),
    ],
)
def test_bad_requests_name_the_field(
    client: TestClient, boss: dict[str, str], held: Held, body: dict[str, Any], status: int, says: str
) -> None:
    r = client.post(SOLVE, headers=boss, json=body)
    assert r.status_code == status, r.text
    assert says in r.json()["error"]["message"]
    assert not held.problems


def test_who_may_solve(client: TestClient, boss: dict[str, str], held: Held) -> None:
    body = {"first": MONDAY.isoformat(), "last": MONDAY.isoformat()}
    assert client.post(SOLVE, json=body).status_code == 401
    assert client.post(SOLVE, headers=login(client, "li"), json=body).status_code == 403
    assert client.post("/api/halls/nope/rosters/solve", headers=boss, json=body).status_code == 404
    assert client.get(f"{SOLVE}/abc", headers=boss).status_code == 404
    job = client.post(SOLVE, headers=boss, json=body).json()["job"]
    assert client.get(f"{SOLVE}/{job}", headers=login(client, "li")).status_code == 403
    assert client.get(f"{SOLVE}/{job}", headers=login(client, "root")).status_code == 200


def test_the_server_answers_while_it_solves(client: TestClient, boss: dict[str, str], service: QueueService) -> None:
    """The solve runs beside the event loop: reads are answered while a month is being solved."""
    last = MONDAY + timedelta(days=27)
    r = client.post(
        SOLVE, headers=boss, json={"first": MONDAY.isoformat(), "last": last.isoformat(), "time_limit_s": 3}
    )
    assert r.status_code == 202, r.text
    slowest = 0.0
    while client.get(f"{SOLVE}/{r.json()['job']}", headers=boss).json()["state"] == "running":
        start = time.perf_counter()
        assert client.get(H).status_code == 200
        slowest = max(slowest, time.perf_counter() - start)
    assert slowest < 1.0, slowest


def test_jobs_are_forgotten_after_a_while() -> None:
    now = [0.0]
    jobs = roster_jobs.RosterJobs(lambda: now[0])
    job = roster_jobs.SolveJob("x", "t", MONDAY, MONDAY, 1.0, 0.0)
    jobs.jobs["t"] = [replace(job, state="done", finished=0.0)]
    assert jobs.job("t", "x").state == "done"
    now[0] = roster_jobs.KEEP_S + 1
    with pytest.raises(NotFound, match="no solve job 'x'"):
        jobs.job("t", "x")
