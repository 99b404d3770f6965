"""好差评 scenarios, run on every backend: rating a finished service, once, in time,
and following up the bad ones."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from queue_server.domain import Evaluation, Ticket
from queue_server.errors import BadRequest, Conflict, InvalidTransition, NotEligible, NotFound
from queue_server.service import QueueService
from queue_server.storage import Store
from tests.conftest import TWO_HALLS, FakeClock, refused, with_config

DAY = date(2026, 11, 23)  # FakeClock's Monday


def served(service: QueueService, window: int = 1, code: str = "A", staff: str | None = "li") -> Ticket:
    """A ticket issued, called, served and finished at ``window`` (finish recorded with ``staff``)."""
    issued = service.issue("t", code).ticket
    service.call_next("t", window)
    service.start("t", window)
    out = service.finish("t", window, staff)
    assert out.ticket is not None and out.ticket.id == issued.id
    return out.ticket


def state(service: QueueService, ticket_id: int) -> tuple[int, Evaluation | None, list[Evaluation]]:
    """What a refused command must leave alone: the event feed, the rating, the day's list."""
    with service.store.reader("t") as r:
        seq, one = r.last_seq(), r.evaluation(ticket_id)
    return seq, one, service.evaluations("t", DAY - timedelta(days=1), DAY + timedelta(days=1))


def test_rating_a_finished_service(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1, "wang")
    ticket = served(service, staff="li")
    clock.advance(60)
    out = service.evaluate("t", ticket.id, 5, "pad", "  很满意  ")
    e = out.evaluation
    assert (e.ticket_id, e.score, e.channel, e.comment) == (ticket.id, 5, "pad", "很满意")
    assert (e.service, e.window, e.staff, e.bad) == ("A", 1, "li", False)  # the finisher, not the window's clerk
    assert (e.at, e.follow_up_due, e.followed_up_at) == (clock.now, None, None)
    [event] = out.events
    assert (event.kind, event.ticket_id, event.window, event.at) == ("evaluation.submit", ticket.id, 1, clock.now)
    assert event.detail["score"] == 5 and event.detail["bad"] is False
    assert event.detail["ticket"]["state"] == "done" and event.detail["ticket"]["number"] == "A001"
    assert event.detail["evaluation"]["label_zh"] == "非常满意"
    with service.store.reader("t") as r:
        assert r.evaluation(ticket.id) == e
        assert r.events(after_seq=event.seq - 1)[0].detail == event.detail
        assert [x.kind for x in r.ticket_events(ticket.id)][-1] == "evaluation.submit"


def test_staff_comes_from_the_window_when_finish_named_nobody(service: QueueService) -> None:
    service.open_window("t", 1, "wang")
    ticket = served(service, staff=None)
    assert service.evaluate("t", ticket.id, 4, "kiosk").evaluation.staff == "wang"


def test_bad_rating_is_due_for_follow_up_in_5_working_days(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1)
    ticket = served(service)
    out = service.evaluate("t", ticket.id, 2, "phone", "等太久")
    assert out.evaluation.bad and out.evaluation.follow_up_due == date(2026, 11, 30)
    assert out.events[0].detail["bad"] is True


def test_follow_up_deadline_counts_from_the_local_date(service: QueueService, clock: FakeClock) -> None:
    # Friday 2026-11-27 23:50 in Shanghai is still Friday there (15:50 UTC).
    clock.advance((4 * 24 + 14) * 3600 + 50 * 60)
    service.open_window("t", 1)
    ticket = served(service)
    assert service.evaluate("t", ticket.id, 1, "pad").evaluation.follow_up_due == date(2026, 12, 4)


def test_one_rating_per_ticket(service: QueueService) -> None:
    service.open_window("t", 1)
    ticket = served(service)
    service.evaluate("t", ticket.id, 3, "pad")
    message = refused(lambda: state(service, ticket.id), Conflict, lambda: service.evaluate("t", ticket.id, 5, "phone"))
    assert "A001" in message


def test_only_a_finished_service_can_be_rated(service: QueueService) -> None:
    service.open_window("t", 1)
    waiting = service.issue("t", "A").ticket
    refused(lambda: state(service, waiting.id), InvalidTransition, lambda: service.evaluate("t", waiting.id, 5, "pad"))
    service.call_next("t", 1)
    service.start("t", 1)
    refused(lambda: state(service, waiting.id), InvalidTransition, lambda: service.evaluate("t", waiting.id, 5, "pad"))
    cancelled = service.issue("t", "A").ticket
    service.cancel("t", cancelled.id)
    refused(
        lambda: state(service, cancelled.id), InvalidTransition, lambda: service.evaluate("t", cancelled.id, 5, "pad")
    )


def test_unknown_ticket(service: QueueService) -> None:
    refused(lambda: state(service, 999), NotFound, lambda: service.evaluate("t", 999, 5, "pad"))


@pytest.mark.parametrize(
    ("score", "channel", "comment"),
    [(0, "pad", ""), (6, "pad", ""), (True, "pad", ""), (5, "web", ""), (5, "pad", "评" * 501)],
)
def test_bad_input_is_refused(service: QueueService, score: Any, channel: str, comment: str) -> None:
    service.open_window("t", 1)
    ticket = served(service)
    refused(
        lambda: state(service, ticket.id), BadRequest, lambda: service.evaluate("t", ticket.id, score, channel, comment)
    )
    assert service.evaluate("t", ticket.id, 5, "pad").evaluation.score == 5  # still ratable


def test_rating_window_closes_after_30_minutes(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1)
    on_time, late = served(service), served(service)
    clock.advance(30 * 60)
    assert service.evaluate("t", on_time.id, 4, "pad").evaluation.score == 4  # exactly 30 minutes: still open
    clock.advance(1)
    message = refused(lambda: state(service, late.id), NotEligible, lambda: service.evaluate("t", late.id, 4, "pad"))
    assert "30" in message and "A002" in message


def test_rating_window_is_configured_per_hall(store: Store, clock: FakeClock) -> None:
    service = with_config(store, clock, "\n[hall.evaluation]\nrating_window_minutes = 5\n")
    assert service.config.halls[0].evaluation.rating_window_minutes == 5
    service.open_window("t", 1)
    ticket = served(service)
    clock.advance(5 * 60 + 1)
    refused(lambda: state(service, ticket.id), NotEligible, lambda: service.evaluate("t", ticket.id, 5, "pad"))


def test_follow_up_of_a_bad_rating(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1)
    ticket = served(service)
    service.evaluate("t", ticket.id, 1, "pad", "态度差")
    clock.advance(2 * 24 * 3600)
    out = service.record_follow_up("t", ticket.id, "mgr", "已电话回访，窗口人员已道歉")
    assert out.evaluation.followed_up_at == clock.now
    event, resolved = out.events  # the rating's follow-up, then its case resolved
    assert (event.kind, event.staff, event.ticket_id, event.window) == ("evaluation.follow_up", "mgr", ticket.id, 1)
    assert (resolved.kind, resolved.detail["case"]["state"]) == ("case.resolve", "resolved")
    assert event.detail["note"] == "已电话回访，窗口人员已道歉" and event.detail["overdue"] is False
    assert event.detail["evaluation"]["followed_up_at"] == clock.now.isoformat()
    with service.store.reader("t") as r:
        assert r.evaluation(ticket.id) == out.evaluation
    refused(
        lambda: state(service, ticket.id), Conflict, lambda: service.record_follow_up("t", ticket.id, "mgr", "再次回访")
    )


def test_follow_up_after_the_deadline_is_flagged(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1)
    ticket = served(service)
    service.evaluate("t", ticket.id, 2, "pad")
    clock.advance(22 * 24 * 3600)  # Tuesday 2026-12-15, a day after the due date
    assert service.record_follow_up("t", ticket.id, "mgr", "回访").events[0].detail["overdue"] is True


def test_follow_up_refusals(service: QueueService) -> None:
    service.open_window("t", 1)
    good, bad = served(service), served(service)
    service.evaluate("t", good.id, 4, "pad")
    service.evaluate("t", bad.id, 1, "pad")
    refused(lambda: state(service, good.id), NotEligible, lambda: service.record_follow_up("t", good.id, "mgr", "回访"))
    refused(lambda: state(service, 999), NotFound, lambda: service.record_follow_up("t", 999, "mgr", "回访"))
    refused(lambda: state(service, bad.id), BadRequest, lambda: service.record_follow_up("t", bad.id, "mgr", "  "))
    refused(lambda: state(service, bad.id), BadRequest, lambda: service.record_follow_up("t", bad.id, "", "回访"))


def test_listing_ratings_of_a_day_and_a_range(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1)
    scores = {}
    for score in (5, 2, 1):
        ticket = served(service)
        service.evaluate("t", ticket.id, score, "pad")
        scores[ticket.id] = score
    done_id = next(i for i, s in scores.items() if s == 1)
    service.record_follow_up("t", done_id, "mgr", "回访")
    clock.advance(24 * 3600)
    tomorrow = served(service)
    service.evaluate("t", tomorrow.id, 2, "phone")

    def listed(first: date, last: date | None = None, **kw: bool) -> list[int]:
        return [e.score for e in service.evaluations("t", first, last, **kw)]

    assert listed(DAY) == [5, 2, 1]
    assert listed(DAY, bad_only=True) == [2, 1]
    assert listed(DAY, open_follow_up=True) == [2]
    assert listed(DAY + timedelta(days=1)) == [2]
    assert listed(DAY, DAY + timedelta(days=1), open_follow_up=True) == [2, 2]
    assert listed(DAY - timedelta(days=1)) == []
    with pytest.raises(BadRequest):
        service.evaluations("t", DAY, DAY - timedelta(days=1))


def test_the_day_is_the_halls_local_day(service: QueueService, clock: FakeClock) -> None:
    # 23:30 in Shanghai on Monday is 15:30 UTC: still Monday's rating.
    clock.advance(14 * 3600 + 30 * 60)
    service.open_window("t", 1)
    ticket = served(service)
    service.evaluate("t", ticket.id, 5, "pad")
    assert [e.ticket_id for e in service.evaluations("t", DAY)] == [ticket.id]
    assert service.evaluations("t", DAY + timedelta(days=1)) == []


def test_ratings_belong_to_their_hall(store: Store, clock: FakeClock) -> None:
    service = with_config(store, clock, halls=TWO_HALLS)
    service.open_window("t", 1)
    ticket = served(service)
    with pytest.raises(NotFound):
        service.evaluate("u", ticket.id, 5, "pad")
    service.evaluate("t", ticket.id, 1, "pad")
    with pytest.raises(NotFound):
        service.record_follow_up("u", ticket.id, "mgr", "回访")
    assert service.evaluations("u", DAY) == []
    assert [e.ticket_id for e in service.evaluations("t", DAY)] == [ticket.id]
