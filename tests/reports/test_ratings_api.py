"""What the dashboard's 好差评 panel reads, on both backends: today's ratings and every open
差评 follow-up however old, each with its ticket's number (a manager names the visitor by it)
and its follow-up due date."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from queue_server.service import QueueService
from tests.api.conftest import login
from tests.conftest import FakeClock


def rated(service: QueueService, clock: FakeClock, service_code: str, score: int) -> tuple[int, str]:
    """A ticket served at window 1 and rated ``score`` on the phone: its id and number."""
    ticket = service.issue("t", service_code).ticket
    service.call_next("t", 1, "li")
    service.start("t", 1, "li")
    clock.advance(300)
    service.finish("t", 1, "li")
    service.evaluate("t", ticket.id, score, "phone")
    clock.advance(60)
    return ticket.id, ticket.number


def test_todays_ratings_and_every_open_follow_up(client: TestClient, service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1, "li")
    old_id, old_number = rated(service, clock, "A", 1)  # Monday 2026-11-23
    clock.now += timedelta(days=22)  # Tuesday 2026-12-15: the old one's 5 working days are over
    good_id, _ = rated(service, clock, "A", 5)
    done_id, _ = rated(service, clock, "B", 2)
    open_id, open_number = rated(service, clock, "B", 1)
    boss = login(client, "boss")
    assert (
        client.post(f"/api/halls/t/evaluations/{done_id}/follow-up", headers=boss, json={"note": "已回访"}).status_code
        == 200
    )

    today = client.get("/api/halls/t/evaluations", headers=boss).json()["evaluations"]
    assert [(e["ticket_id"], e["score"], e["bad"]) for e in today] == [
        (good_id, 5, False),
        (done_id, 2, True),
        (open_id, 1, True),
    ]
    assert [e["number"] for e in today] == ["A001", "B001", "B002"]  # numbers start again each day
    assert today[1]["followed_up_at"] is not None

    r = client.get(
        "/api/halls/t/evaluations",
        headers=boss,
        params={"from": "2000-01-01", "to": "2026-12-15", "bad_only": "1", "open_follow_up": "1"},
    )
    assert r.status_code == 200, r.text
    still_open = r.json()["evaluations"]
    assert [(e["ticket_id"], e["number"]) for e in still_open] == [(old_id, old_number), (open_id, open_number)]
    assert (old_number, open_number) == ("A001", "B002")
    # The hall's setting (5 by default) in working days of its calendar from the rating's local date.
    assert [e["follow_up_due"] for e in still_open] == ["2026-11-30", "2026-12-22"]


def test_dates_out_of_range_are_a_400_naming_the_field(client: TestClient) -> None:
    """A day's bounds in the hall's time zone are computed from the date: one at the edge of what
    Python's dates hold must be refused, not overflow into a 500."""
    boss = login(client, "boss")
    for path, params, field in (
        ("/api/halls/t/evaluations", {"from": "0001-01-01"}, "from"),
        ("/api/halls/t/evaluations", {"to": "9999-12-31"}, "to"),
        ("/api/halls/t/reports/daily", {"date": "9999-12-31"}, "date"),
        ("/api/halls/t/reports/daily", {"date": "0001-01-01"}, "date"),
    ):
        r = client.get(path, headers=boss, params=params)
        assert r.status_code == 400, (path, params, r.text)
        assert f"query.{field} must be from 1970-01-01 to 2999-12-31" in r.json()["error"]["message"]
