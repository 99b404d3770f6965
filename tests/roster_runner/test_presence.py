"""缺岗 and 考勤 with exact figures: who is missing from their post (after the 5 minutes' grace,
not during their lunch) and whom to call in; each clerk's day against their duties; and both
over HTTP for the hall's managers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from queue_server.queries.roster_now import attendance_of, roster_now
from queue_server.rules.roster_presence import Absence
from queue_server.storage import Store
from tests.api.conftest import login, make_auth, room_client
from tests.conftest import FakeClock
from tests.roster_runner.support import HALL, MONDAY, SHANGHAI, Harness, at, duty, hall_with_posts, publish

TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def h(store: Store, clock: FakeClock) -> Harness:
    service = hall_with_posts(store, clock)
    service.set_post_holders(HALL, "W03", "zhang", "wang")
    clock.now = at(MONDAY, 7, 0)
    duties = []
    for d in (MONDAY, TUESDAY):
        duties += [
            duty("li", d, "W01"),
            duty("wang", d, "W02", lunch=((14, 0), (15, 0)), shift="noon"),
            duty("zhang", d, "W03", lunch=((12, 30), (13, 30))),
        ]
    publish(service, MONDAY, TUESDAY, duties)
    service.add_leave(HALL, "zhang", "leave", at(TUESDAY, 0), at(TUESDAY + timedelta(days=1), 0), by="boss")
    return Harness(service, clock)


def absent_at(h: Harness, hour: int, minute: int) -> list[Absence]:
    h.clock.now = at(MONDAY, hour, minute)
    return list(roster_now(h.service, HALL).absences)


def monday(h: Harness) -> None:
    """li in at 08:58, wang late at 09:10, zhang not at all; li covers zhang's window from 15:00
    and leaves at 16:40; the runner closes wang's window at 17:00."""
    s = h.service
    h.to(at(MONDAY, 8, 58))
    s.open_window(HALL, 1, "li")
    assert absent_at(h, 9, 4) == []
    assert absent_at(h, 9, 5) == [
        Absence("wang", 2, "W02", at(MONDAY, 9), None),
        Absence("zhang", 3, "W03", at(MONDAY, 9), "wang"),
    ]
    h.to(at(MONDAY, 9, 10))
    s.open_window(HALL, 2, "wang")
    assert absent_at(h, 10, 0) == [Absence("zhang", 3, "W03", at(MONDAY, 9), "wang")]
    h.every(at(MONDAY, 12, 15), timedelta(minutes=15))
    assert absent_at(h, 12, 45) == []  # zhang's lunch: not missed then
    assert absent_at(h, 13, 30) == [Absence("zhang", 3, "W03", at(MONDAY, 9), "wang")]
    h.every(at(MONDAY, 15, 0), timedelta(minutes=15))
    s.close_window(HALL, 1, "li")
    s.open_window(HALL, 3, "li")  # zhang's window, manned by li now
    assert absent_at(h, 15, 5) == []
    h.to(at(MONDAY, 16, 40))
    s.close_window(HALL, 3, "li")
    h.every(at(MONDAY, 17, 30), timedelta(minutes=5))


def test_absences_name_the_clerk_the_window_since_when_and_the_backup(h: Harness) -> None:
    monday(h)


def test_the_now_view_shows_lunch_cover_and_a_clerk_at_a_window_not_theirs(h: Harness) -> None:
    s = h.service
    h.to(at(MONDAY, 8, 58))
    s.open_window(HALL, 1, "li")
    s.open_window(HALL, 2, "wang")
    h.to(at(MONDAY, 12, 15))  # li's lunch: the runner paused window 1, sending visitors to 2
    rows = {(w.window, w.login): w for w in roster_now(s, HALL).windows}
    lunch = rows[(1, "li")]
    assert (lunch.state, lunch.cover_window, lunch.window_state, lunch.unrostered) == ("lunch", 2, "paused", False)
    assert (lunch.lunch_start, lunch.lunch_end) == (at(MONDAY, 12), at(MONDAY, 13))
    assert (rows[(2, "wang")].state, rows[(3, "zhang")].state) == ("on_duty", "on_duty")
    h.to(at(MONDAY, 13, 5))
    s.close_window(HALL, 1, "li")
    s.open_window(HALL, 3, "li")
    rows = {(w.window, w.login): w for w in roster_now(s, HALL).windows}
    assert (rows[(3, "li")].unrostered, rows[(3, "li")].post, rows[(3, "li")].window_state) == (True, "W01", "open")
    assert (rows[(3, "zhang")].unrostered, rows[(1, "li")].window_state) == (False, "closed")
    h.to(at(MONDAY, 17, 30))
    assert {w.state for w in roster_now(s, HALL).windows} == {"after"}


def test_nobody_is_unrostered_on_a_day_no_roster_rules_nor_a_floater(h: Harness) -> None:
    s = h.service
    wednesday = MONDAY + timedelta(days=2)  # the published roster covers Monday and Tuesday
    h.to(at(wednesday, 9, 0))
    s.open_window(HALL, 3, "li")
    rows = {(w.window, w.login): w for w in roster_now(s, HALL).windows}
    assert rows[(3, "li")].unrostered is False and rows[(3, "li")].state == "off"
    publish(s, wednesday, wednesday, [duty("li", wednesday, None), duty("zhang", wednesday, "W03")])
    rows = {(w.window, w.login): w for w in roster_now(s, HALL).windows}
    assert rows[(3, "li")].unrostered is False  # a floater on duty goes where needed
    s.close_window(HALL, 3, "li")
    s.open_window(HALL, 3, "wang")  # no duty on a day the roster rules
    rows = {(w.window, w.login): w for w in roster_now(s, HALL).windows}
    assert rows[(3, "wang")].unrostered is True


def test_attendance_per_clerk_per_day(h: Harness) -> None:
    monday(h)
    s = h.service
    h.to(at(TUESDAY, 9, 0) + timedelta(seconds=40))
    s.open_window(HALL, 1, "li")  # 40 seconds late: whole minutes, rounded down
    h.clock.now = at(TUESDAY, 9, 30)
    s.open_window(HALL, 2, "wang")  # and never closes it that day
    h.clock.now = at(TUESDAY, 17, 5)
    s.close_window(HALL, 1, "li")
    rows = attendance_of(s, HALL, MONDAY, TUESDAY)
    got = [
        (r.day.isoformat(), r.login, _t(r.first_open), _t(r.last_close), r.late_minutes, r.early_minutes, r.absent,
         r.on_leave)
        for r in rows
    ]  # fmt: skip
    assert got == [
        ("2026-11-23", "li", "08:58", "16:40", 0, 20, False, False),
        ("2026-11-23", "wang", "09:10", "17:00", 10, 0, False, False),
        ("2026-11-23", "zhang", None, None, 0, 0, True, False),
        ("2026-11-24", "li", "09:00", "17:05", 0, 0, False, False),
        ("2026-11-24", "wang", "09:30", None, 30, 0, False, False),
        ("2026-11-24", "zhang", None, None, 0, 0, False, True),
    ]
    assert [r.login for r in attendance_of(s, HALL, TUESDAY, TUESDAY)] == ["li", "wang", "zhang"]


def test_a_duty_not_yet_begun_is_upcoming_not_absent(h: Harness) -> None:
    h.clock.now = at(MONDAY, 8, 0)  # before anyone's duty
    rows = attendance_of(h.service, HALL, MONDAY, MONDAY)
    assert rows and all(r.upcoming and not r.absent and r.late_minutes == 0 for r in rows if r.first_open is None)
    h.clock.now = at(MONDAY, 9, 1)  # zhang's duty began at 9:00, nobody opened window 3
    zhang = next(r for r in attendance_of(h.service, HALL, MONDAY, MONDAY) if r.login == "zhang")
    assert zhang.absent and not zhang.upcoming


def _t(value: object) -> str | None:
    return None if value is None else f"{value.astimezone(SHANGHAI):%H:%M}"  # type: ignore[attr-defined]


def test_both_over_http_for_managers(h: Harness, clock: FakeClock) -> None:
    h.to(at(MONDAY, 8, 58))
    h.service.open_window(HALL, 1, "li")
    h.to(at(MONDAY, 9, 10))
    h.service.open_window(HALL, 2, "wang")
    h.to(at(MONDAY, 11, 50))
    auth = make_auth(h.service, clock, "li", "boss")
    with room_client(h.service, auth) as client:
        boss, li = login(client, "boss"), login(client, "li")
        # Ahead of her lunch, li's console can already say where her visitors will go.
        assert client.get(f"/api/halls/{HALL}/my/duties", headers=li).json()["cover_window"] == 2
        h.to(at(MONDAY, 12, 10))
        now = client.get(f"/api/halls/{HALL}/rosters/now", headers=boss)
        assert now.status_code == 200, now.text
        body = now.json()
        assert body["at"] == "2026-11-23T12:10:00+08:00"
        assert body["absences"] == [
            {"login": "zhang", "name": "张伟", "window": 3, "post": "W03", "since": "2026-11-23T09:00:00+08:00",
             "backup": {"login": "wang", "name": "王强"}},
        ]  # fmt: skip
        assert body["windows"][0] == {
            "window": 1, "login": "li", "name": "李娜", "post": "W01", "state": "lunch",
            "lunch_start": "2026-11-23T12:00:00+08:00", "lunch_end": "2026-11-23T13:00:00+08:00",
            "cover_window": 2, "window_state": "paused", "unrostered": False,
        }  # fmt: skip
        assert [w["window"] for w in body["windows"]] == [1, 2, 3]
        assert client.get(f"/api/halls/{HALL}/rosters/now", headers=li).status_code == 403
        # The clerk reads where her visitors go during her lunch in her own duties.
        assert client.get(f"/api/halls/{HALL}/my/duties", headers=li).json()["cover_window"] == 2
        later = client.get(f"/api/halls/{HALL}/my/duties", headers=li, params={"day": "2026-11-24"})
        assert later.json()["cover_window"] is None
        got = client.get(f"/api/halls/{HALL}/attendance", params={"from": "2026-11-23"}, headers=boss)
        assert got.status_code == 200, got.text
        rows = got.json()["rows"]
        assert [(r["login"], r["name"], r["late_minutes"], r["absent"], r["last_close"]) for r in rows] == [
            ("li", "李娜", 0, False, None),
            ("wang", "王强", 10, False, None),
            ("zhang", "张伟", 0, True, None),
        ]
        assert rows[0]["first_open"] == "2026-11-23T08:58:00+08:00"
        assert rows[0]["duty_start"] == "2026-11-23T09:00:00+08:00"
        params = {"from": "2026-11-24", "to": "2026-11-23"}
        bad = client.get(f"/api/halls/{HALL}/attendance", params=params, headers=boss)
        assert bad.status_code == 400 and "query.to" in bad.text
        bad = client.get(f"/api/halls/{HALL}/attendance", params={"from": "x"}, headers=boss)
        assert bad.status_code == 400 and "from" in bad.text
        assert client.get(f"/api/halls/{HALL}/attendance", headers=li).status_code == 403
