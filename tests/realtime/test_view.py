"""HallView and the channels, on events a real QueueService committed (SQLite)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain import Event, Ticket, TicketState, Tier, Window, WindowKind, WindowState
from queue_server.queries.snapshot import Snapshot
from queue_server.realtime.channels import Channel, HallChannel, TicketChannel, WindowChannel
from queue_server.realtime.view import JSON, BadEvent, Change, Gap, HallView
from queue_server.service import QueueService
from queue_server.views import ticket_view
from tests.conftest import FakeClock
from tests.realtime.conftest import HALL, Recorder, fresh_view

Hall = tuple[QueueService, FakeClock, Recorder]
F = frozenset


def advance(view: HallView, events: list[Event]) -> list[Change]:
    changes = []
    for e in events:
        result = view.apply(e)
        assert isinstance(result, Change), result
        changes.append(result)
    return changes


def follow(view: HallView, events: list[Event], channel: Channel) -> list[JSON]:
    """Apply each event and collect what ``channel`` sends for it, as the hub does."""
    return [m for c in advance_each(view, events) if (m := channel.update(view, c)) is not None]


def advance_each(view: HallView, events: list[Event]) -> Iterator[Change]:
    for e in events:
        result = view.apply(e)
        assert isinstance(result, Change), result
        yield result


def open_all(service: QueueService) -> None:
    for n in (1, 2, 3):
        service.open_window(HALL, n, f"clerk{n}")


def test_snapshot_message_is_compact_json_with_the_seq(hall: Hall) -> None:
    service, clock, _ = hall
    open_all(service)
    for s in "AABC":
        service.issue(HALL, s)
        clock.advance(5)
    service.call_next(HALL, 1)
    view = fresh_view(service)
    msg = view.snapshot_message()
    json.dumps(msg)  # plain JSON all the way down
    assert msg["type"] == "snapshot" and msg["seq"] == 8 and msg["business_day"] == "2026-11-23"
    assert msg["waiting"] == {"A": 1, "B": 1, "C": 1, "D": 0}
    w1 = msg["windows"][0]
    assert (w1["number"], w1["state"], w1["staff"], w1["current"]["number"]) == (1, "open", "clerk1", "A001")
    assert [c["number"] for c in msg["calls"]] == ["A001"]
    assert "tickets" not in msg and "lines" not in msg


def test_applying_events_gives_what_a_fresh_snapshot_gives(hall: Hall) -> None:
    service, _, rec = hall
    view = fresh_view(service)
    open_all(service)
    visitors = [("A", "normal"), ("B", "green"), ("A", "normal"), ("C", "elderly"), ("B", "normal")]
    ids = [service.issue(HALL, s, p).ticket.id for s, p in visitors]
    service.call_next(HALL, 1)  # B001, green channel
    service.recall(HALL, 1)
    service.transfer(HALL, 1, to_window=3)
    service.call_next(HALL, 2)  # C001, elderly
    service.start(HALL, 2)
    service.hold(HALL, 2)
    service.mark_returned(HALL, ids[3])
    service.call_next(HALL, 2)  # C001 again: called back
    service.no_show(HALL, 2)
    service.reactivate(HALL, ids[3])
    service.pause_window(HALL, 3, "午休")
    service.set_window_services(HALL, 1, {"A": 1.0, "C": 2.0})
    service.cancel(HALL, ids[4])
    for e in rec.take():
        assert isinstance(view.apply(e), Change)
        assert view.seq == e.seq
    assert view.state() == fresh_view(service).state()
    with service.store.reader(HALL) as r:
        for t in r.active_tickets(service.business_day(HALL)):
            if t.state is TicketState.WAITING:
                assert view.ahead(t.id) == r.count_ahead(t), t.number


def test_an_event_out_of_order_is_refused_and_changes_nothing(hall: Hall) -> None:
    service, _, rec = hall
    service.open_window(HALL, 1)
    view = fresh_view(service)
    service.issue(HALL, "A")
    service.issue(HALL, "A")
    first, second = rec.take()[-2:]
    before = view.state()
    gap = view.apply(second)
    assert isinstance(gap, Gap) and (gap.expected, gap.got, gap.duplicate) == (2, 3, False)
    assert view.state() == before
    assert isinstance(view.apply(first), Change)
    dup = view.apply(first)
    assert isinstance(dup, Gap) and dup.duplicate
    assert isinstance(view.apply(second), Change) and view.seq == 3


def test_unknown_kinds_only_advance_the_seq(hall: Hall) -> None:
    service, clock, _ = hall
    view = fresh_view(service)
    before = view.state()
    notice = Event(hall=HALL, kind="notice.publish", at=clock(), detail={"text": "今日午间不停歇"}, seq=1)
    change = view.apply(notice)
    assert isinstance(change, Change)
    assert (change.windows, change.touched, dict(change.waiting), change.lines, change.call) == (
        frozenset(),
        frozenset(),
        {},
        frozenset(),
        None,
    )
    assert view.seq == 1 and {**view.state(), "seq": 0} == before
    hall_msg = HallChannel(view).update(view, change)
    assert hall_msg is not None and hall_msg["event"]["kind"] == "notice.publish"
    # A future kind may mention a ticket in its own way: it is forwarded, not misread.
    rating = Event(hall=HALL, kind="evaluation.submit", at=clock(), detail={"ticket": 7, "score": 5}, seq=2)
    assert isinstance(view.apply(rating), Change) and view.seq == 2


def test_a_malformed_detail_is_refused_before_anything_changes(hall: Hall) -> None:
    service, clock, _ = hall
    view = fresh_view(service)
    before = view.state()
    for kind, detail in (
        ("ticket.call", {"ticket": {"id": 1}}),
        ("ticket.call", {"ticket": "A001"}),
        ("window.open", {"window": {"state": "open"}}),
    ):
        with pytest.raises(BadEvent):
            view.apply(Event(hall=HALL, kind=kind, at=clock(), detail=detail, seq=1))
        assert view.state() == before


def test_recent_calls_count_recalls_newest_first_and_keep_the_last_n(hall: Hall) -> None:
    service, clock, rec = hall
    open_all(service)
    for _ in range(4):
        service.issue(HALL, "A")
    view = HallView.from_snapshot(_snapshot_of(service), recent_calls=3)
    for _ in range(3):
        service.call_next(HALL, 1)
        service.recall(HALL, 1)
        clock.advance(30)
        service.no_show(HALL, 1)
    changes = advance(view, rec.take()[-9:])
    calls = [c.call for c in changes if c.call]
    assert [(c["kind"], c["number"]) for c in calls] == [
        ("ticket.call", "A001"),
        ("ticket.recall", "A001"),
        ("ticket.call", "A002"),
        ("ticket.recall", "A002"),
        ("ticket.call", "A003"),
        ("ticket.recall", "A003"),
    ]
    assert [(c["kind"], c["number"], c["window"]) for c in view.calls()] == [
        ("ticket.recall", "A003", 1),
        ("ticket.call", "A003", 1),
        ("ticket.recall", "A002", 1),
    ]


def _snapshot_of(service: QueueService) -> Snapshot:
    from queue_server.queries.snapshot import load_snapshot

    snap, tail = load_snapshot(service, HALL)
    assert not tail
    return snap


def test_a_new_business_day_resets_lines_and_calls_but_not_windows(hall: Hall) -> None:
    service, clock, rec = hall
    open_all(service)
    service.issue(HALL, "A")
    service.issue(HALL, "B")
    service.call_next(HALL, 1)  # A001 stays at window 1 over midnight
    view = fresh_view(service)
    rec.take()
    clock.advance(24 * 3600)
    service.rollover(HALL)  # B001 is not served
    service.issue(HALL, "B")
    changes = advance(view, rec.take())
    assert changes[0].reset and not any(c.reset for c in changes[1:])
    assert view.day == date(2026, 11, 24)
    assert view.waiting() == {"A": 0, "B": 1, "C": 0, "D": 0}
    assert view.calls() == []
    w1 = view.window(1)
    assert w1 is not None and w1["current"]["number"] == "A001"
    assert view.state() == fresh_view(service).state()
    # Yesterday's ticket leaves the window: held or done, the view no longer keeps it.
    a001 = w1["current"]["id"]
    service.hold(HALL, 1)
    advance(view, rec.take())
    assert view.ticket(a001) is None and view.state() == fresh_view(service).state()


def test_turn_day_resets_an_idle_view_once(hall: Hall) -> None:
    service, clock, _ = hall
    open_all(service)
    service.issue(HALL, "A")
    service.call_next(HALL, 1)
    view = fresh_view(service)
    assert not view.turn_day(date(2026, 11, 23))
    clock.advance(24 * 3600)
    assert view.turn_day(service.business_day(HALL))
    assert not view.turn_day(service.business_day(HALL))
    assert view.calls() == [] and view.state() == fresh_view(service).state()


def test_a_change_names_the_windows_counts_and_lines_it_touched(hall: Hall) -> None:
    service, _, rec = hall
    open_all(service)
    service.issue(HALL, "A")
    service.issue(HALL, "A")
    view = fresh_view(service)
    rec.take()
    service.call_next(HALL, 1)
    (call,) = advance(view, rec.take())
    assert (call.windows, call.touched, dict(call.waiting), call.lines) == (F({1}), F({1}), {"A": 1}, F({"A"}))
    assert call.call is not None and call.call["number"] == "A001"
    service.transfer(HALL, 1, to_window=3)
    (transfer,) = advance(view, rec.take())
    assert (transfer.windows, transfer.touched, dict(transfer.waiting), transfer.lines) == (
        F({1}),
        F({1, 3}),
        {"A": 2},
        F({3}),
    )
    assert view.line_of(call.event.ticket_id or 0) == 3 and view.ahead(call.event.ticket_id or 0) == 0
    service.pause_window(HALL, 2, "会议")
    (pause,) = advance(view, rec.take())
    assert (pause.windows, pause.touched, dict(pause.waiting), pause.lines) == (F({2}), F({2}), {}, F())
    w2 = view.window(2)
    assert w2 is not None and (w2["state"], w2["pause_reason"]) == ("paused", "会议")


def test_the_window_channel_sends_its_window_and_its_services_counts_only(hall: Hall) -> None:
    service, _, rec = hall
    open_all(service)
    view = fresh_view(service)
    rec.take()
    w1, w3 = WindowChannel(view, 1), WindowChannel(view, 3)
    assert w1.snapshot(view)["waiting"] == {"A": 0, "B": 0}
    service.issue(HALL, "C")  # window 1 serves A and B: nothing for it
    service.issue(HALL, "A")
    service.call_next(HALL, 3)
    sent: dict[int, list[JSON | None]] = {1: [], 3: []}
    for change in advance_each(view, rec.take()):
        sent[1].append(w1.update(view, change))
        sent[3].append(w3.update(view, change))
    assert sent[1] == [None, {"type": "event", "seq": 5, "prev": 3, "waiting": {"A": 1}}, None]
    issue_c, issue_a, call_c = sent[3]
    assert issue_c == {"type": "event", "seq": 4, "prev": 3, "waiting": {"C": 1}}
    assert issue_a is None
    assert call_c is not None and call_c["event"]["kind"] == "ticket.call" and call_c["prev"] == 4
    assert call_c["window"]["current"]["number"] == "C001" and call_c["window"]["services"] == {"C": 1.0}
    assert call_c["call"]["number"] == "C001" and call_c["waiting"] == {"C": 0}


def test_the_ticket_channel_follows_people_ahead_and_the_window(hall: Hall) -> None:
    service, clock, rec = hall
    open_all(service)
    service.issue(HALL, "A")
    clock.advance(1)
    service.issue(HALL, "A")
    clock.advance(1)
    mine = service.issue(HALL, "A").ticket
    view = fresh_view(service)
    rec.take()
    channel = TicketChannel(view, ticket_view(mine))
    first = channel.snapshot(view)
    assert (first["ticket"]["number"], first["ahead"], first["window"]) == ("A003", 2, None)
    clock.advance(1)
    service.issue(HALL, "A")  # behind me: nothing for my phone
    service.issue(HALL, "B")
    service.call_next(HALL, 1)  # A001: one ahead fewer
    service.start(HALL, 1)
    service.finish(HALL, 1)
    service.call_next(HALL, 1)  # A002
    service.start(HALL, 1)
    service.finish(HALL, 1)
    service.call_next(HALL, 1)  # me
    sent = follow(view, rec.take(), channel)
    assert [(m["seq"], m.get("ahead", "-")) for m in sent] == [(9, 1), (12, 0), (15, None)]
    assert [m["prev"] for m in sent] == [6, 9, 12]
    called = sent[-1]
    assert called["ticket"]["state"] == "called" and called["window"]["number"] == 1
    assert called["window"]["current"]["number"] == "A003" and called["event"]["kind"] == "ticket.call"
    service.start(HALL, 1)
    service.finish(HALL, 1)
    done = follow(view, rec.take(), channel)
    assert [m["ticket"]["state"] for m in done] == ["serving", "done"]
    assert done[-1]["window"] is None  # done: no window to go to any more
    assert view.ticket(mine.id) is None and channel.snapshot(view)["ticket"]["state"] == "done"


# -- scale -------------------------------------------------------------------------

DAY = date(2026, 11, 23)
AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def _ticket(i: int) -> Ticket:
    return Ticket(
        id=i,
        hall=HALL,
        business_day=DAY,
        service="ABC"[i % 3],
        number=f"{'ABC'[i % 3]}{i:05d}",
        priority="normal",
        tier=Tier(1 + (i * 31) % 4),
        state=TicketState.WAITING,
        order_key=(i * 7919) % 40_000,  # many ties: they count as ahead, whatever the id
        issued_at=AT,
        token="x",
        target_window=3 if i % 50 == 0 else None,
    )


def _big_view(n: int) -> tuple[HallView, list[Ticket]]:
    tickets = [_ticket(i) for i in range(1, n + 1)]
    window = Window(HALL, 1, WindowKind.COMPREHENSIVE, WindowState.OPEN, {"A": 1.0, "B": 1.0, "C": 1.0}, "c1")
    snap = Snapshot(HALL, DAY, ZoneInfo("Asia/Shanghai"), n, ("A", "B", "C"), (window,), tuple(tickets))
    return HallView.from_snapshot(snap), tickets


def _brute_ahead(tickets: list[Ticket], me: Ticket) -> int:
    def line(t: Ticket) -> object:
        return t.service if t.target_window is None else t.target_window

    return sum(
        1 for t in tickets if t.id != me.id and line(t) == line(me) and (t.tier, t.order_key) <= (me.tier, me.order_key)
    )


def test_ahead_matches_a_brute_force_count_including_ties() -> None:
    view, tickets = _big_view(3000)
    for me in tickets[::7]:
        assert view.ahead(me.id) == _brute_ahead(tickets, me), me.number


@pytest.mark.slow
def test_a_hundred_thousand_waiting_stay_fast() -> None:
    view, tickets = _big_view(100_000)
    assert view.waiting() == {s: sum(t.service == s for t in tickets) for s in "ABC"}
    # Call 2,000 of them (each leaves its line) and issue 2,000 more (each joins one).
    start = time.perf_counter()
    seq = view.seq
    for i, t in enumerate(tickets[:2000]):
        called = replace(t, state=TicketState.CALLED, window=1 + i % 2, target_window=None)
        seq += 1
        view.apply(
            Event(HALL, "ticket.call", AT, t.id, 1, None, "waiting", "called", {"ticket": ticket_view(called)}, seq)
        )
        seq += 1
        done = replace(called, state=TicketState.DONE)
        view.apply(
            Event(HALL, "ticket.finish", AT, t.id, 1, None, "serving", "done", {"ticket": ticket_view(done)}, seq)
        )
    for i in range(100_001, 102_001):
        seq += 1
        view.apply(
            Event(HALL, "ticket.issue", AT, i, None, None, None, "waiting", {"ticket": ticket_view(_ticket(i))}, seq)
        )
    elapsed = time.perf_counter() - start
    assert view.waiting_count() == 100_000
    aheads = [view.ahead(t.id) for t in tickets[2000:12000]]
    assert elapsed < 3.0, f"6,000 events took {elapsed:.2f} s"
    left = tickets[2000:] + [_ticket(i) for i in range(100_001, 102_001)]
    for me in tickets[5000:100_000:19_000]:
        assert view.ahead(me.id) == _brute_ahead(left, me)
    assert all(a is not None for a in aheads)
