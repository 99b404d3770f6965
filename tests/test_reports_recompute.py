"""THE recomputation test: a month of a hall's traffic through the real commands, on both
backends; the month's report read through the per-day cells, and every figure recomputed here
from the raw event log by a separate, straightforward implementation. Counts exact, means to
1e-9, p50/p90 within the documented histogram bound, maxima exact (in microseconds). A folder
restarted mid-stream counts nothing twice, and a rebuild from the log equals the incremental
cells."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from queue_server.commands.report_fold import ReportFolder
from queue_server.domain import Event, TicketState
from queue_server.errors import HallQError
from queue_server.queries.reports import summary
from queue_server.rules.report_hist import BUCKET_LIMIT_S, PERCENTILE_ERROR_S
from queue_server.rules.report_view import GROUPS
from queue_server.service import QueueService
from queue_server.storage import Store, open_store
from queue_server.storage.sql_reports import ReportStore
from queue_server.storage.sqlite import SqliteStore
from tests.conftest import FakeClock, with_config

SH = ZoneInfo("Asia/Shanghai")
FIRST = date(2026, 10, 1)  # relative to nothing but itself: the fake clock is set to these days
DAYS = 31  # the whole of October: the report reads its month cells
WINDOWS = {1: ("li", "qian"), 2: ("wang",), 3: ("zhao", "sun")}
ZONES = """
[[hall.zones]]
code = "y"
name_zh = "社会事务"
name_en = "Social"
"""


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SH).astimezone(UTC)


# -- the month, through the commands ------------------------------------------------------------


@dataclass
class Month:
    """A seeded month of a small hall: visitors, three windows with changing clerks, recalls,
    no-shows and late comers, holds, transfers, cancellations, ratings, appointments."""

    service: QueueService
    clock: FakeClock
    rng: random.Random = field(default_factory=lambda: random.Random(20261001))
    held: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    no_shows: list[int] = field(default_factory=list)
    issued: list[int] = field(default_factory=list)
    booked: list[tuple[str, datetime]] = field(default_factory=list)
    codes: int = 0
    at: dict[int, Any] = field(default_factory=dict)  # the ticket at each window, as last answered
    nobody_waits: bool = False  # call-next found nobody, and nobody came since: do not ask again

    def _try(self, fn: Any, *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except HallQError:
            return None  # a random step the hall refuses (nothing changes): the month goes on

    def current(self, window: int) -> Any:
        if window not in self.at:
            with self.service.store.reader("t") as r:
                self.at[window] = r.current_ticket(window)
        return self.at[window]

    def book(self, day: date) -> None:
        for _ in range(self.rng.randint(0, 3)):
            ahead = day + timedelta(days=self.rng.randint(1, 4))
            start = local(ahead, self.rng.randint(9, 15), self.rng.choice((0, 30)))
            self.codes += 1
            code = f"Y{self.codes:05d}"
            if self._try(self.service.create_appointment, "t", code, self.rng.choice("ABC"), start,
                         start + timedelta(minutes=30)):  # fmt: skip
                self.booked.append((code, start))
        if self.booked and self.rng.random() < 0.2:
            code, _ = self.booked.pop(self.rng.randrange(len(self.booked)))
            self._try(self.service.cancel_appointment, "t", code)

    def check_ins(self) -> None:
        now = self.clock()
        for code, start in list(self.booked):
            if start - timedelta(minutes=25) <= now and self.rng.random() < 0.3:
                self.booked.remove((code, start))
                if now <= start + timedelta(minutes=40):
                    self._try(self.service.check_in, "t", code)
                    self.nobody_waits = False

    def act(self, w: int, fn: Any, *args: Any, **kw: Any) -> Any:
        """A window command; what it answers is what stands at window ``w`` now (a refusal:
        read it again next time)."""
        outcome = self._try(fn, "t", *args, **kw)
        if outcome is None:
            self.at.pop(w, None)
            return None
        t = outcome.ticket
        self.at[w] = t if t is not None and t.state.at_window and t.window == w else None
        return outcome

    def window_step(self, w: int, clerk: str) -> None:
        rng, now = self.rng, self.clock()
        s = self.service
        ticket = self.current(w)
        if ticket is None:
            if self.held[w] and rng.random() < 0.5:
                self.act(w, s.call_back, w, self.held[w].pop(0), staff=clerk)
            elif not self.nobody_waits:
                called = self.act(w, s.call_next, w, staff=clerk)
                self.nobody_waits = called is not None and called.ticket is None
        elif ticket.state is TicketState.CALLED:
            r = rng.random()
            if r < 0.08:
                if self.act(w, s.no_show, w, staff=clerk):
                    self.no_shows.append(ticket.id)
            elif r < 0.14 and ticket.recall_count < 2:
                self.act(w, s.recall, w, staff=clerk)
            elif r < 0.16:
                self.act(w, s.cancel, ticket.id, staff=clerk)
                self.at[w] = None
            else:
                self.act(w, s.start, w, staff=clerk)
        elif ticket.state is TicketState.SERVING and ticket.started_at is not None:
            if (now - ticket.started_at).total_seconds() < rng.uniform(60, 1200):
                return
            r = rng.random()
            if r < 0.04:
                if self.act(w, s.hold, w, staff=clerk):
                    self.held[w].append(ticket.id)
            elif r < 0.08:
                self.act(w, s.transfer, w, service=rng.choice("BC"), staff=clerk)
                self.nobody_waits = False
            elif self.act(w, s.finish, w, staff=clerk) and rng.random() < 0.6:
                score = rng.choices((5, 4, 3, 2, 1), weights=(60, 20, 10, 6, 4))[0]
                s.evaluate("t", ticket.id, score, rng.choice(("pad", "phone")))

    def day(self, day: date, folder: ReportFolder | None) -> None:
        s, rng = self.service, self.rng
        self.clock.now = local(day, 8, 30)
        s.rollover("t")
        if folder is not None:
            folder.fold("t", max_pages=2)  # behind on purpose: the rest is folded on later days
        self.book(day)
        clerks = {w: rng.choice(names) for w, names in WINDOWS.items()}
        for w, clerk in clerks.items():
            s.open_window("t", w, staff=clerk)
        self.clock.now = local(day, 9, 0)
        while self.clock() < local(day, 17, 0):
            self.clock.advance(rng.uniform(40, 320))
            if rng.random() < 0.25:
                issued = s.issue("t", rng.choices("ABC", weights=(3, 2, 2))[0])
                self.issued.append(issued.ticket.id)
                self.nobody_waits = False
            if rng.random() < 0.03 and self.issued:
                self._try(s.cancel, "t", rng.choice(self.issued[-15:]))
                self.at.clear()  # a called visitor may have given up: read the windows again
            if rng.random() < 0.05 and self.no_shows:
                self._try(s.reactivate, "t", self.no_shows.pop(0))
                self.nobody_waits = False
            self.check_ins()
            for w in rng.sample(sorted(clerks), len(clerks)):
                self.window_step(w, clerks[w])
        for w, clerk in clerks.items():  # the day's end: whoever is at a window is seen out
            ticket = self.current(w)
            if ticket is not None and ticket.state is TicketState.SERVING:
                s.finish("t", w, staff=clerk)
            elif ticket is not None:
                s.no_show("t", w, staff=clerk)
            s.close_window("t", w, staff=clerk)
        self.held.clear()
        self.at.clear()


def run_month(service: QueueService, clock: FakeClock, folders: Iterator[ReportFolder | None]) -> list[date]:
    month = Month(service, clock)
    days = [FIRST + timedelta(days=i) for i in range(DAYS)]
    for day in days:
        if day.weekday() < 5:
            month.day(day, next(folders))
    clock.now = local(days[-1] + timedelta(days=1), 8, 0)
    service.rollover("t")  # the month's last open tickets: not served
    return days


# -- the month again, straight from the raw log -------------------------------------------------


def all_events(store: Store) -> list[Event]:
    out: list[Event] = []
    with store.reader("t") as r:
        while batch := r.events(out[-1].seq if out else 0, 1000):
            out.extend(batch)
    return out


def us(a: datetime, b: datetime) -> int:
    return (b - a) // timedelta(microseconds=1)


@dataclass
class Group:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    waits: list[int] = field(default_factory=list)
    services: list[int] = field(default_factory=list)
    noon_waits: list[int] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)


AT_WINDOW = ("ticket.call", "ticket.call_back", "ticket.start", "ticket.finish", "ticket.no_show")


def recompute(
    events: list[Event], zones: dict[str, str], target_s: float, noon: tuple[time, time], days: tuple[date, date]
) -> dict[str, Any]:
    """Every figure of the tickets and appointments of ``days`` from their own events, grouped
    every way a report groups them."""
    first, last = days[0].isoformat(), days[1].isoformat()
    by_ticket: dict[int, list[Event]] = defaultdict(list)
    for e in events:
        if e.kind.startswith("ticket.") and e.ticket_id is not None:
            by_ticket[e.ticket_id].append(e)
    groups: dict[str, dict[str, Group]] = {g: defaultdict(Group) for g in (*GROUPS, "total")}
    keys_of: dict[int, dict[str, str]] = {}

    def is_noon(at: datetime) -> bool:
        return noon[0] <= at.astimezone(SH).time() < noon[1]

    for tid, life in by_ticket.items():
        issue = next(e for e in life if e.kind == "ticket.issue")
        calls = [e for e in life if e.kind == "ticket.call"]
        starts = [e for e in life if e.kind == "ticket.start"]
        finish = [e for e in life if e.kind == "ticket.finish"]
        at_window = [e for e in life if e.kind in AT_WINDOW and e.window is not None]
        state = life[-1].to_state
        no_show = any(e.kind == "ticket.no_show" for e in life)
        service = life[-1].detail["ticket"]["service"]
        local_issue = issue.at.astimezone(SH)
        slot = local_issue.hour * 4 + local_issue.minute // 15
        keys = {
            "day": life[-1].detail["ticket"]["business_day"], "service": service, "zone": zones[service],
            "window": str(at_window[-1].window) if at_window else "",
            "clerk": (at_window[-1].staff or "") if at_window else "",
            "hour": f"{slot // 4:02d}:00", "quarter": f"{slot // 4:02d}:{slot % 4 * 15:02d}", "total": "",
        }  # fmt: skip
        if state not in ("done", "cancelled", "not_served") or not first <= keys["day"] <= last:
            continue  # open (no month-end ticket is), or of another day
        keys_of[tid] = keys
        outcome = {"done": "served", "cancelled": "cancelled"}.get(state or "") or (
            "no_show" if no_show else "not_served"
        )
        for g, key in keys.items():
            group = groups[g][key]
            group.counts["issued"] += 1
            group.counts[outcome] += 1
            group.counts["transferred"] += any(e.kind == "ticket.transfer" for e in life)
            group.counts["noon_issued"] += is_noon(issue.at)
            if calls:
                wait = us(issue.at, calls[0].at)
                group.waits.append(wait)
                group.counts["within"] += wait <= target_s * 1e6
                if is_noon(calls[0].at):
                    group.noon_waits.append(wait)
            if finish:
                group.services.append(us(starts[-1].at, finish[-1].at))
                group.counts["noon_served"] += is_noon(starts[-1].at)
    for e in events:
        if e.kind == "evaluation.submit" and e.ticket_id in keys_of:
            for g, key in keys_of[e.ticket_id].items():
                groups[g][key].scores.append(e.detail["score"])
        if e.kind in ("appointment.create", "appointment.import", "appointment.cancel", "appointment.check_in"):
            views = e.detail.get("appointments") or [e.detail.get("appointment")]
            for view in views:
                if not isinstance(view, dict):
                    continue
                start = datetime.fromisoformat(view["slot_start"]).astimezone(SH)
                slot = start.hour * 4 + start.minute // 15
                keys = {"day": start.date().isoformat(), "service": view["service"], "zone": zones[view["service"]],
                        "hour": f"{slot // 4:02d}:00", "quarter": f"{slot // 4:02d}:{slot % 4 * 15:02d}",
                        "total": ""}  # fmt: skip
                if not first <= keys["day"] <= last:
                    continue
                for g, key in keys.items():
                    group = groups[g][key]
                    if e.kind in ("appointment.create", "appointment.import"):
                        group.counts["booked"] += 1
                    elif e.kind == "appointment.cancel":
                        group.counts["appt_cancelled"] += 1
                    elif e.kind == "appointment.check_in":
                        group.counts["kept"] += 1
                        group.counts[e.detail["arrival"]] += 1
                        group.offsets.append(us(start, e.at))
    return groups


def nearest_rank(values: list[int], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1] / 1e6


def check_measure(got: dict[str, Any], values: list[int], what: str) -> None:
    assert got["count"] == len(values), what
    if not values:
        assert got["mean_s"] is None and got["p50_s"] is None and got["max_s"] is None, what
        return
    assert abs(got["mean_s"] - sum(values) / len(values) / 1e6) <= 1e-9, what
    assert round(got["max_s"] * 1e6) == max(values), what
    for p in (50, 90):
        exact = nearest_rank(values, p)
        if exact < BUCKET_LIMIT_S:
            assert abs(got[f"p{p}_s"] - exact) <= PERCENTILE_ERROR_S, (what, p, got, exact)
        else:
            assert got[f"p{p}_s"] == max(values) / 1e6, what


def check_row(got: dict[str, Any], want: Group, what: str) -> None:
    c = want.counts
    for name in ("issued", "served", "no_show", "cancelled", "not_served", "transferred"):
        assert got[name] == c[name], (what, name, got[name], c[name])
    check_measure(got["wait"], want.waits, f"{what} wait")
    check_measure(got["service_time"], want.services, f"{what} service")
    check_measure(got["noon"]["wait"], want.noon_waits, f"{what} noon wait")
    assert got["within_target"]["count"] == c["within"], what
    assert got["noon"]["issued"] == c["noon_issued"] and got["noon"]["served"] == c["noon_served"], what
    a = got["appointments"]
    assert (a["booked"], a["cancelled"], a["kept"]) == (c["booked"] - c["appt_cancelled"], c["appt_cancelled"],
                                                         c["kept"]), what  # fmt: skip
    assert (a["on_time"], a["late"], a["too_late"]) == (c["on_time"], c["late"], c["too_late"]), what
    if want.offsets:
        assert abs(a["offset_mean_s"] - sum(want.offsets) / len(want.offsets) / 1e6) <= 1e-9, what
    ratings = got["ratings"]
    assert ratings["count"] == len(want.scores), what
    assert ratings["by_score"] == {str(s): want.scores.count(s) for s in (5, 4, 3, 2, 1)}, what
    assert ratings["satisfied"] == sum(1 for s in want.scores if s >= 3), what
    assert ratings["bad"] == sum(1 for s in want.scores if s <= 2), what


def check_month(service: QueueService, days: list[date]) -> dict[str, Any]:
    hall = service.hall("t")
    events = all_events(service.store)
    zones = {s.code: s.zone for s in hall.services}
    target, noon = hall.target.called_within_minutes * 60, (hall.noon.start, hall.noon.end)
    groups = recompute(events, zones, target, noon, (days[0], days[-1]))
    for first, last in ((days[0] - timedelta(days=9), days[-1] + timedelta(days=3)), (days[2], days[20])):
        # A month and days either side of it; days inside a month only.
        part = recompute(events, zones, target, noon, (first, last))
        for by in ("service", "day", "quarter"):
            got = summary(service, "t", first, last, by)
            check_row(got["totals"], part["total"][""], f"{first}..{last} totals")
            assert [r["group"] for r in got["rows"]] == sorted(part[by]), (first, last, by)
            for row in got["rows"]:
                check_row(row, part[by][row["group"]], f"{first}..{last} {by}={row['group']}")
    total = None
    for by in GROUPS:
        got = summary(service, "t", days[0], days[-1], by)
        assert got["complete"] and got["folded_seq"] == got["through_seq"]
        check_row(got["totals"], groups["total"][""], "totals")
        want = groups[by]
        assert [r["group"] for r in got["rows"]] == sorted(want), by
        for row in got["rows"]:
            check_row(row, want[row["group"]], f"{by}={row['group']}")
        total = got["totals"]
    assert total is not None
    return total


# -- the tests ----------------------------------------------------------------------------------


def cell_rows(store: Store) -> list[dict[str, Any]]:
    with ReportStore(store).reading("t") as r:
        return sorted(r.cell_rows(date(2000, 1, 1), date(2100, 1, 1)), key=lambda x: (x["day"], x["dim"], x["key"]))


@pytest.fixture
def month_store(db_url: str) -> Iterator[Store]:
    """The backend's store, without waiting for the disk at each commit (a month of commands in
    seconds, not a minute: durability is not what this test checks)."""
    if db_url.startswith("sqlite"):
        store: Store = SqliteStore(db_url, synchronous="OFF")
    else:
        store = open_store(db_url, migrate=False)
        engine: sa.Engine = store.engine  # type: ignore[attr-defined]

        @sa.event.listens_for(engine, "connect")
        def _no_wait_for_disk(dbapi_conn: Any, _record: Any) -> None:
            with dbapi_conn.cursor() as cur:
                cur.execute("SET synchronous_commit TO OFF")
            dbapi_conn.commit()

    store.migrate()
    try:
        yield store
    finally:
        store.close()


def test_a_month_through_the_cells_equals_the_raw_log(month_store: Store, clock: FakeClock) -> None:
    store = month_store
    # Service C in a second zone, so grouping by zone has more than one row.
    service = with_config(store, clock, halls=month_hall())

    def folders() -> Iterator[ReportFolder | None]:
        # A folder that pages in small steps, then a new one (the server restarted mid-month),
        # and days with no fold at all (the leader was down).
        first = ReportFolder(service, page=97)
        for i in range(DAYS):
            if i < 8:
                yield first
            elif i < 12:
                yield None
            else:
                yield ReportFolder(service, page=131)

    days = run_month(service, clock, folders())
    reports = ReportStore(store)
    with reports.reading("t") as r:
        mark, last = r.mark(), r.last_seq()
    assert 0 < mark < last  # behind: the report folds the rest in memory, and says so
    behind = summary(service, "t", days[0], days[-1], None)
    assert behind["folded_seq"] == mark and behind["through_seq"] == last and behind["complete"]

    # A stale writer (an old leader that read the mark before the new one moved it) writes nothing.
    folder = ReportFolder(service, page=200)
    assert folder.fold_page("t") > 0
    before = cell_rows(store)
    assert not reports.put("t", mark, last, [], clock())
    assert cell_rows(store) == before

    assert folder.fold("t") > 0
    assert folder.fold("t") == 0
    totals = check_month(service, days)
    assert totals["issued"] > 500 and totals["served"] > 300
    assert min(totals[k] for k in ("no_show", "cancelled", "not_served", "transferred")) > 0
    assert totals["ratings"]["count"] > 100 and totals["ratings"]["bad"] > 0
    assert totals["appointments"]["kept"] > 0 and totals["appointments"]["cancelled"] > 0
    assert totals["noon"]["served"] > 0 and totals["wait"]["count"] > 0

    incremental = cell_rows(store)
    done = folder.rebuild("t")
    assert done == {"from": None, "to": None, "cells": len(incremental), "mark": last}
    assert cell_rows(store) == incremental
    some = folder.rebuild("t", days[5], days[12])
    assert (some["from"], some["to"], some["mark"]) == ("2026-10-01", "2026-10-31", last)  # whole months
    assert cell_rows(store) == incremental
    check_month(service, days)


def month_hall() -> str:
    from tests.conftest import SMALL_HALL

    return SMALL_HALL.replace('zone = "z"\nexpected_minutes = 5\n\n[[hall.services]]\ncode = "D"',
                              'zone = "y"\nexpected_minutes = 5\n\n[[hall.services]]\ncode = "D"') + ZONES  # fmt: skip
