"""Property: a HallView advanced by the committed events is the view a fresh snapshot gives.

Random command sequences (valid or not: refused ones commit nothing) run through
a real QueueService on SQLite. After every command the view that applied the
listener's events must equal one rebuilt from the store, and ``ahead`` must
agree with ``HallReader.count_ahead`` for every waiting ticket of the day.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queue_server.domain import TicketState
from queue_server.errors import HallQError
from queue_server.realtime.view import Change, HallView
from queue_server.service import QueueService
from queue_server.storage import open_store
from tests.conftest import FakeClock, small_config
from tests.realtime.conftest import HALL, Recorder, copy_sqlite, fresh_view


@dataclass(frozen=True)
class Step:
    op: str
    window: int = 1
    pick: int = 0  # which ticket issued so far (modulo their number)
    arg: Any = None


WINDOW = st.integers(1, 3)
PICK = st.integers(0, 1000)
STEPS = st.one_of(
    st.builds(
        Step, st.just("issue"), arg=st.tuples(st.sampled_from("ABCD"), st.sampled_from(["normal", "green", "elderly"]))
    ),
    st.builds(Step, st.just("appointment"), arg=st.tuples(st.sampled_from("ABC"), st.integers(-30, 60))),
    st.builds(Step, st.sampled_from(["call_next", "recall", "start", "finish", "no_show", "hold"]), WINDOW),
    st.builds(Step, st.sampled_from(["open", "pause", "resume", "close"]), WINDOW),
    st.builds(Step, st.just("call_ticket"), WINDOW, PICK),
    st.builds(Step, st.just("call_back"), WINDOW, PICK),
    st.builds(Step, st.sampled_from(["mark_returned", "reactivate", "cancel"]), pick=PICK),
    st.builds(
        Step,
        st.just("transfer"),
        WINDOW,
        arg=st.tuples(st.sampled_from(["A", "B", "C", None]), st.sampled_from([1, 2, 3, None])),
    ),
    st.builds(
        Step, st.just("services"), WINDOW, arg=st.sampled_from([{"A": 1.0}, {"B": 2.0, "C": 1.0}, {"D": 1.0, "A": 3.0}])
    ),
    st.builds(Step, st.just("wait"), arg=st.sampled_from([1, 30, 600, 4 * 3600, 24 * 3600])),
    st.builds(Step, st.just("rollover")),
)


def run(service: QueueService, clock: FakeClock, step: Step, ids: list[int]) -> None:
    s, w = service, step.window
    tid = ids[step.pick % len(ids)] if ids else 10**9
    match step.op:
        case "issue":
            ids.append(s.issue(HALL, *step.arg).ticket.id)
        case "appointment":
            svc, minutes = step.arg
            slot = clock() + timedelta(minutes=minutes)
            ids.append(s.issue(HALL, svc, appointment=f"YY{minutes}", slot_start=slot).ticket.id)
        case "call_next":
            s.call_next(HALL, w, f"clerk{w}")
        case "recall" | "start" | "finish" | "no_show" | "hold":
            getattr(s, step.op)(HALL, w)
        case "open":
            s.open_window(HALL, w, f"clerk{w}")
        case "pause":
            s.pause_window(HALL, w, "午休")
        case "resume":
            s.resume_window(HALL, w)
        case "close":
            s.close_window(HALL, w)
        case "call_ticket":
            s.call_ticket(HALL, w, tid, "窗口指定")
        case "call_back":
            s.call_back(HALL, w, tid)
        case "mark_returned" | "reactivate" | "cancel":
            getattr(s, step.op)(HALL, tid)
        case "transfer":
            service_code, to_window = step.arg
            s.transfer(HALL, w, service=service_code, to_window=to_window)
        case "services":
            s.set_window_services(HALL, w, step.arg)
        case "wait":
            clock.advance(step.arg)
        case "rollover":
            s.rollover(HALL)
        case _:
            raise AssertionError(step.op)


def check(service: QueueService, view: HallView) -> None:
    # What the hub's day watch does: an idle midnight still starts a new day.
    view.turn_day(service.business_day(HALL))
    assert view.state() == fresh_view(service).state()
    day = service.business_day(HALL)
    with service.store.reader(HALL) as r:
        for t in r.active_tickets(day):
            if t.state is TicketState.WAITING:
                assert view.ahead(t.id) == r.count_ahead(t), t.number
            else:
                assert view.ahead(t.id) is None


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(STEPS, min_size=1, max_size=35))
def test_events_and_snapshots_agree(sqlite_template: Path, steps: list[Step]) -> None:
    with tempfile.TemporaryDirectory(prefix="hallq-view-") as tmp:
        store = open_store(copy_sqlite(sqlite_template, Path(tmp) / "hallq.db"), migrate=False)
        try:
            clock = FakeClock()
            service = QueueService(store, small_config(), clock=clock)
            recorder = Recorder()
            service.listeners.append(recorder)
            # Two windows open and people waiting, so that most sequences do something.
            service.open_window(HALL, 1, "clerk1")
            service.open_window(HALL, 2, "clerk2")
            ids = [service.issue(HALL, s).ticket.id for s in "ABCA"]
            view = fresh_view(service)
            recorder.take()
            for step in steps:
                with contextlib.suppress(HallQError):  # refused: nothing was committed
                    run(service, clock, step, ids)
                for e in recorder.take():
                    assert isinstance(view.apply(e), Change)
                check(service, view)
        finally:
            store.close()
