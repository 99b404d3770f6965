"""The day's KPIs as pure functions over event rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.domain import Event
from reports.kpis import day_bounds, day_kpis, percentile, quarter

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def ev(kind: str, ticket: int, minute: float, to: str, service: str = "A", day: date = DAY, **detail: Any) -> Event:
    view = {"id": ticket, "service": service, "state": to, "business_day": day.isoformat()}
    return Event(
        hall="t", kind=f"ticket.{kind}", at=T0 + timedelta(minutes=minute), ticket_id=ticket, to_state=to,
        detail={"ticket": view, **detail},
    )  # fmt: skip


def rating(score: int, minute: float) -> Event:
    return Event(hall="t", kind="evaluation.submit", at=T0 + timedelta(minutes=minute), ticket_id=1,
                 detail={"score": score, "bad": score <= 2})  # fmt: skip


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 90) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([float(i) for i in range(1, 11)], 90) == 9.0
    assert percentile([float(i) for i in range(1, 101)], 90) == 90.0


def test_quarter_is_local_time() -> None:
    assert quarter(T0 + timedelta(minutes=14), SH) == "09:00"
    assert quarter(T0 + timedelta(minutes=15), SH) == "09:15"
    assert quarter(datetime(2026, 11, 23, 3, 59), SH) == "11:45"  # naive = UTC


def test_empty_day() -> None:
    k = day_kpis([], DAY, SH)
    assert k["issued"] == k["served"] == k["no_show"] == k["cancelled"] == 0
    assert k["wait_mean_s"] is None and k["wait_p90_s"] is None and k["service_mean_s"] is None
    assert k["satisfaction"] == {"ratings": 0, "satisfied_share": None, "bad": 0, "mean_score": None, "not_rated": 0}
    assert k["quarters"] == []


def test_a_day_of_tickets() -> None:
    events = [
        # 1: waits 10 min, served 5 min
        ev("issue", 1, 0, "waiting"), ev("call", 1, 10, "called"), ev("recall", 1, 11, "called"),
        ev("start", 1, 12, "serving"), ev("finish", 1, 17, "done"),
        # 2: waits 20 min, no-show, never comes back
        ev("issue", 2, 5, "waiting", "B"), ev("call", 2, 25, "called", "B"), ev("no_show", 2, 27, "no_show", "B"),
        # 3: no-show, reactivated and served: not a no-show in the end; wait counts to the first call
        ev("issue", 3, 16, "waiting"), ev("call", 3, 46, "called"), ev("no_show", 3, 47, "no_show"),
        ev("reactivate", 3, 50, "waiting"), ev("call", 3, 55, "called"), ev("start", 3, 56, "serving"),
        ev("finish", 3, 66, "done"),
        # 4: cancelled while waiting
        ev("issue", 4, 20, "waiting"), ev("cancel", 4, 21, "cancelled"),
        # another day's ticket and a window event: ignored
        ev("issue", 9, 1, "waiting", day=date(2026, 11, 22)),
        Event(hall="t", kind="window.open", at=T0, window=1),
        rating(5, 18), rating(4, 19), rating(1, 67), rating(3, 68),
        rating(5, 60 * 24),  # the next day
        # the pad asked about 3 in vain; about 1 too, but 1 was rated (by phone) after all
        Event(hall="t", kind="evaluation.not_rated", at=T0 + timedelta(minutes=70), ticket_id=3),
        Event(hall="t", kind="evaluation.not_rated", at=T0 + timedelta(minutes=20), ticket_id=1),
    ]  # fmt: skip
    k = day_kpis(events, DAY, SH)
    assert (k["issued"], k["served"], k["no_show"], k["cancelled"]) == (4, 2, 1, 1)
    assert k["wait_mean_s"] == 20 * 60  # 10, 20, 30 minutes
    assert k["wait_p90_s"] == 30 * 60
    assert k["service_mean_s"] == 7.5 * 60  # 5 and 10 minutes
    assert k["satisfaction"] == {"ratings": 4, "satisfied_share": 0.5, "bad": 1, "mean_score": 3.2, "not_rated": 1}
    assert k["by_service"] == {"A": {"issued": 3, "served": 2}, "B": {"issued": 1, "served": 0}}
    assert k["quarters"] == [
        {"at": "09:00", "arrivals": 2, "served": 0},
        {"at": "09:15", "arrivals": 2, "served": 1},
        {"at": "10:00", "arrivals": 0, "served": 1},
    ]


def test_day_bounds_are_local_midnights() -> None:
    since, until = day_bounds(DAY, SH)
    assert since == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert until - since == timedelta(days=1)


class LogReader:
    """Just enough of a HallReader: an event log and counts of the reads."""

    def __init__(self, events: list[Event]) -> None:
        self.log = events
        self.reads = 0

    def last_seq(self) -> int:
        return len(self.log)

    def events(self, after_seq: int = 0, limit: int = 1000) -> list[Event]:
        self.reads += 1
        return self.log[after_seq : after_seq + limit]


def test_the_search_skips_earlier_days() -> None:
    from reports.kpis import first_seq_at, read_day_kpis

    old = [ev("issue", i, -60 * 24 * 30 + i, "waiting", day=date(2026, 10, 24)) for i in range(1, 5001)]
    today = [ev("issue", 9000, 0, "waiting"), ev("call", 9000, 3, "called")]
    log = [replace(e, seq=i + 1) for i, e in enumerate(old + today)]
    reader = LogReader(log)
    assert first_seq_at(reader, T0 - timedelta(hours=1)) == 5000
    assert first_seq_at(reader, T0 + timedelta(days=1)) == 5002
    assert first_seq_at(reader, T0 - timedelta(days=60)) == 0
    reader.reads = 0
    k = read_day_kpis(reader, DAY, SH)  # type: ignore[arg-type]
    assert k["issued"] == 1 and k["wait_mean_s"] == 180
    assert reader.reads < 20
    assert first_seq_at(LogReader([]), T0) == 0
