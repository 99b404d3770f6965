"""好差评: rating a finished service and following up a bad rating, without storage."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from queue_server.config import DEFAULT_HOURS
from queue_server.domain import Evaluation, TicketState
from queue_server.errors import BadRequest, Conflict, InvalidTransition, NotEligible
from queue_server.rules import evaluations as rules
from queue_server.rules.calendar import HallCalendar
from tests.rules.support import DAY, NOW, assert_bilingual, make_ticket

CALENDAR = HallCalendar(DEFAULT_HOURS)
FINISHED = make_ticket(9, state=TicketState.DONE, window=3, finished_at=NOW - timedelta(minutes=5))


def rate(score: object = 5, channel: str = "pad", comment: str = "", **kw: object) -> tuple[Evaluation, object]:
    args: dict[str, object] = {
        "score": score,
        "channel": channel,
        "comment": comment,
        "staff": "li",
        "at": NOW,
        "rated_on": DAY,
        "window_minutes": 30,
        "calendar": CALENDAR,
        "follow_up_days": 15,
    }
    args.update(kw)
    ticket = args.pop("ticket", FINISHED)
    return rules.rate(ticket, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize(("score", "bad"), [(1, True), (2, True), (3, False), (4, False), (5, False)])
def test_only_bad_ratings_get_a_follow_up_deadline(score: int, bad: bool) -> None:
    due = rules.follow_up_due(score, DAY, CALENDAR, 15)
    assert (due is not None) is bad
    evaluation, event = rate(score)
    assert evaluation.bad is bad and evaluation.follow_up_due == due
    assert event.detail == {"score": score, "bad": bad}  # type: ignore[attr-defined]
    if bad:
        assert due == date(2026, 12, 14)


def test_rate_keeps_ticket_facts() -> None:
    evaluation, event = rate(4, "phone", "  办事很快  ")
    assert evaluation == Evaluation(
        ticket_id=9,
        hall="t",
        score=4,
        at=NOW,
        channel="phone",
        service="A",
        window=3,
        staff="li",
        comment="办事很快",
        number="A009",
    )
    assert (event.kind, event.ticket_id, event.window, event.at) == ("evaluation.submit", 9, 3, NOW)  # type: ignore[attr-defined]


@pytest.mark.parametrize("score", [0, 6, -1, True, 4.5, "5", None])
def test_rate_refuses_bad_scores(score: object) -> None:
    with pytest.raises(BadRequest) as info:
        rate(score)
    assert_bilingual(info.value.message, "1", "5")
    assert "非常满意" in info.value.message


@pytest.mark.parametrize("channel", ["", "web", "PAD"])
def test_rate_refuses_unknown_channel(channel: str) -> None:
    with pytest.raises(BadRequest) as info:
        rate(channel=channel)
    assert_bilingual(info.value.message, "kiosk, pad, phone")


def test_rate_comment_length() -> None:
    assert rate(comment="好" * 500)[0].comment == "好" * 500
    with pytest.raises(BadRequest) as info:
        rate(comment="好" * 501)
    assert_bilingual(info.value.message, "500", "501")


@pytest.mark.parametrize("state", [s for s in TicketState if s is not TicketState.DONE])
def test_rate_refuses_unfinished_tickets(state: TicketState) -> None:
    with pytest.raises(InvalidTransition) as info:
        rate(ticket=make_ticket(9, state=state))
    assert_bilingual(info.value.message, "A009")


def test_rating_window_is_inclusive() -> None:
    finished = NOW - timedelta(minutes=30)
    ticket = make_ticket(9, state=TicketState.DONE, finished_at=finished)
    assert rate(ticket=ticket)[0].score == 5
    with pytest.raises(NotEligible) as info:
        rate(ticket=ticket, at=NOW + timedelta(seconds=1))
    assert_bilingual(info.value.message, "A009", "30")
    assert rate(ticket=ticket, at=NOW + timedelta(seconds=1), window_minutes=31)[0].score == 5


def test_follow_up() -> None:
    bad, _ = rate(1)
    later = NOW + timedelta(days=2)
    done, event = rules.follow_up(bad, staff=" mgr ", note=" 已电话回访 ", at=later, today=DAY + timedelta(days=2))
    assert done.followed_up_at == later and bad.followed_up_at is None
    assert (event.kind, event.staff, event.ticket_id, event.window) == ("evaluation.follow_up", "mgr", 9, 3)
    assert event.detail == {"note": "已电话回访", "overdue": False}
    with pytest.raises(Conflict) as twice:
        rules.follow_up(done, staff="mgr", note="再次回访", at=later, today=DAY)
    assert_bilingual(twice.value.message, "9")


def test_follow_up_after_the_deadline_is_marked_overdue() -> None:
    bad, _ = rate(2)
    assert bad.follow_up_due is not None
    _, on_time = rules.follow_up(bad, staff="mgr", note="回访", at=NOW, today=bad.follow_up_due)
    _, late = rules.follow_up(bad, staff="mgr", note="回访", at=NOW, today=bad.follow_up_due + timedelta(days=1))
    assert (on_time.detail["overdue"], late.detail["overdue"]) == (False, True)


@pytest.mark.parametrize(
    ("score", "staff", "note", "error"),
    [
        (3, "mgr", "回访", NotEligible),
        (1, " ", "回访", BadRequest),
        (1, "mgr", "  ", BadRequest),
        (1, "mgr", "长" * 501, BadRequest),
    ],
)
def test_follow_up_refuses(score: int, staff: str, note: str, error: type[Exception]) -> None:
    evaluation, _ = rate(score)
    with pytest.raises(error) as info:
        rules.follow_up(evaluation, staff=staff, note=note, at=NOW, today=DAY)
    assert_bilingual(str(info.value))
