"""The pure parts of the controller: the hall mirror and the rating questions."""

from __future__ import annotations

from hardware.mirror import HallMirror
from hardware.rating import RatingPrompts

SNAPSHOT = {
    "type": "snapshot",
    "seq": 10,
    "windows": [{"number": 1, "state": "open", "services": {"A": 1.0}, "current": None, "held": []}],
    "waiting": {"A": 2, "B": 5},
    "calls": [],
    "devices": [{"id": "led-1", "state": "online"}],
}


def test_the_mirror_follows_snapshots_and_events_and_asks_for_a_resync_on_a_gap() -> None:
    m = HallMirror("t")
    assert not m.apply({"type": "event", "seq": 11, "prev": 10}).windows  # before any snapshot: ignored
    first = m.apply(SNAPSHOT)
    assert first.snapshot and first.windows == {1}
    assert m.window_waiting(1) == 2 and m.current_number(1) is None
    call = {
        "type": "event",
        "seq": 11,
        "prev": 10,
        "event": {"kind": "ticket.call", "window": 1, "ticket_id": 7, "detail": {}},
        "windows": [{**SNAPSHOT["windows"][0], "current": {"id": 7, "number": "A001", "state": "called"}}],
        "waiting": {"A": 1},
        "call": {"number": "A001", "window": 1},
    }
    changes = m.apply(call)
    assert changes.windows == {1} and changes.waiting and changes.calls
    assert m.current_number(1) == "A001" and m.window_waiting(1) == 1 and m.calls[0]["number"] == "A001"
    health = {"kind": "device.health", "detail": {"device": {"id": "led-1", "state": "offline"}}}
    m.apply({"type": "event", "seq": 12, "prev": 11, "event": health})
    assert m.devices["led-1"]["state"] == "offline"
    assert m.apply({"type": "event", "seq": 14, "prev": 13}).resync
    assert m.seq == 12


def test_a_question_is_answered_once_expires_and_is_replaced() -> None:
    p = RatingPrompts(timeout_s=30)
    assert p.answer(1, now=0) is None  # nobody asked: a stray score is dropped
    assert p.ask(1, 7, now=0) is None
    assert p.next_deadline() == 30
    assert p.answer(1, now=10) == 7
    assert p.answer(1, now=11) is None  # one rating per service
    p.ask(1, 8, now=20)
    replaced = p.ask(1, 9, now=25)  # the next visitor finished before 8 rated: 8 went unrated
    assert replaced is not None and replaced.ticket_id == 8
    assert p.answer(1, now=60) is None  # too late
    assert [q.ticket_id for q in p.expired(now=60)] == [9]
    assert p.expired(now=61) == [] and p.next_deadline() is None
