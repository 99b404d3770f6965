"""Roster commands and reads on every backend: drafts saved (replacing the draft of their
days), published as versions (the newest in force on each day), duties pinned; and what
people read of them: the roster of a range, my duties, the week grid, the noon coverage."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from queue_server.errors import BadRequest, Conflict, NotFound
from queue_server.queries.rosters import my_duties, noon_coverage_of, roster, roster_range, week_grid
from queue_server.service import QueueService
from queue_server.staffing import Assignment, LeaveKind, RosterState
from queue_server.storage import Store
from tests.conftest import FakeClock, refused
from tests.staffing_support import HALL, MONDAY, at, kinds, snapshot, staffed

SUNDAY = MONDAY + timedelta(days=6)


def day_of(n: int) -> date:
    return MONDAY + timedelta(days=n)


def duty(
    login: str,
    day: date,
    shift: str = "full",
    post: str | None = "W01",
    hours: tuple[int, int] = (9, 17),
    lunch: tuple[int, int] | None = (12, 13),
) -> Assignment:
    return Assignment(
        HALL,
        day,
        login,
        shift,
        post,
        at(day, hours[0]),
        at(day, hours[1]),
        at(day, lunch[0]) if lunch else None,
        at(day, lunch[1]) if lunch else None,
    )


@pytest.fixture
def service(store: Store, clock: FakeClock) -> QueueService:
    return staffed(store, clock)


def week(*logins: str) -> list[Assignment]:
    return [duty(login, day_of(n), post=f"W0{i + 1}") for n in range(5) for i, login in enumerate(logins)]


# -- drafts ----------------------------------------------------------------------------


def test_save_roster_stores_a_draft_and_replaces_the_draft_of_its_days(service: QueueService) -> None:
    first = service.save_roster(HALL, MONDAY, SUNDAY, week("li", "zhang"), by="boss")
    draft = first.value
    assert draft.id is not None and draft.state is RosterState.DRAFT and draft.version == 0
    assert (draft.made_by, draft.made_at) == ("boss", service.clock())
    assert len(draft.assignments) == 10 and draft.assignments[0] == duty("li", MONDAY)
    assert kinds(first.events) == ["roster.saved"]
    assert first.events[0].detail["roster"]["assignments"] == 10
    assert roster(service, HALL, draft.id) == draft
    # The next week's draft stands beside it; a new draft of overlapping days replaces it.
    later = service.save_roster(HALL, day_of(7), day_of(13), []).value
    again = service.save_roster(HALL, day_of(2), day_of(3), [duty("wang", day_of(2))])
    assert again.events[0].detail["replaced"] == [draft.id]
    assert roster(service, HALL, draft.id) is None
    assert [r.id for r in roster_range(service, HALL, MONDAY, day_of(13)).drafts] == [again.value.id, later.id]


@pytest.mark.parametrize(
    ("first", "last", "duties", "says"),
    [
        (MONDAY, MONDAY - timedelta(days=1), [], "last: 2026-11-22 is before first 2026-11-23"),
        (MONDAY, MONDAY + timedelta(days=93), [], "a roster covers at most 93 days"),
        (MONDAY, SUNDAY, [replace(duty("li", MONDAY), hall="u")], "assignments[0].hall: 'u' is not 't'"),
        (MONDAY, SUNDAY, [duty("nobody", MONDAY)], "assignments[0].login: 'nobody' is not on the staff in t"),
        (MONDAY, SUNDAY, [duty("li", MONDAY, shift="night")], "assignments[0].shift: no shift template 'night'"),
        (MONDAY, SUNDAY, [duty("li", MONDAY, post="W09")], "assignments[0].post: no post 'W09'"),
        (MONDAY, MONDAY, [duty("li", day_of(1))], "assignments[0].day: 2026-11-24 is outside 2026-11-23..2026-11-23"),
        (MONDAY, SUNDAY, [duty("li", MONDAY, hours=(17, 9), lunch=None)], "must lie within 2026-11-23"),
        (MONDAY, SUNDAY, [replace(duty("li", MONDAY), end=at(day_of(1), 1))], "must lie within 2026-11-23"),
        (MONDAY, SUNDAY, [replace(duty("li", MONDAY), day=day_of(1))], "must lie within 2026-11-24"),
        (MONDAY, SUNDAY, [duty("li", MONDAY, lunch=(8, 9))], "the lunch break"),
        (MONDAY, SUNDAY, [duty("li", MONDAY, lunch=(13, 13))], "must lie inside the duty"),
        (MONDAY, SUNDAY, [replace(duty("li", MONDAY), lunch_end=None)], "lunch_start and lunch_end go together"),
        (
            MONDAY,
            SUNDAY,
            [duty("wang", MONDAY), duty("li", MONDAY, hours=(8, 12), lunch=None), duty("li", MONDAY, hours=(11, 17))],
            "assignments: two duties of li overlap, early from 2026-11-23 08:00 and full from 2026-11-23 11:00",
        ),
    ],
)
def test_save_roster_refuses_what_cannot_be_stored(
    service: QueueService, store: Store, first: date, last: date, duties: list[Assignment], says: str
) -> None:
    service.save_roster(HALL, MONDAY, SUNDAY, week("li"))  # a draft the refused one must not replace
    if "two duties" in says:
        duties = [duties[0], replace(duties[1], shift="early"), duties[2]]
    assert says in refused(snapshot(store), BadRequest, lambda: service.save_roster(HALL, first, last, duties))


def test_an_inactive_clerk_cannot_be_rostered(service: QueueService, store: Store) -> None:
    service.deactivate_staff(HALL, "wang")
    message = refused(snapshot(store), BadRequest, lambda: service.save_roster(HALL, MONDAY, SUNDAY, week("wang")))
    assert "assignments[0].login: 'wang' is no longer active in t" in message


def test_two_duties_of_one_clerk_on_a_day_may_follow_each_other(service: QueueService) -> None:
    duties = [
        duty("li", MONDAY, "early", hours=(8, 12), lunch=None),
        duty("li", MONDAY, "late", hours=(12, 17), lunch=None),
    ]
    assert len(service.save_roster(HALL, MONDAY, MONDAY, duties).value.assignments) == 2


# -- publishing ---------------------------------------------------------------------------


def test_publishing_makes_versions_and_the_newest_is_in_force(service: QueueService, store: Store) -> None:
    month = service.save_roster(HALL, MONDAY, SUNDAY, week("li")).value
    assert month.id is not None
    done = service.publish_roster(HALL, month.id, by="boss")
    v1 = done.value
    assert (v1.state, v1.version, v1.published_at) == (RosterState.PUBLISHED, 1, service.clock())
    assert kinds(done.events) == ["roster.published"] and done.events[0].detail["supersedes"] == []
    message = refused(snapshot(store), Conflict, lambda: service.publish_roster(HALL, v1.id or 0))
    assert "is published (version 1)" in message
    refused(snapshot(store), NotFound, lambda: service.publish_roster(HALL, 999))

    # Tuesday and Wednesday again, with wang instead: version 2 rules those days only.
    patch = service.save_roster(HALL, day_of(1), day_of(2), [duty("wang", day_of(1)), duty("wang", day_of(2))]).value
    assert patch.id is not None
    v2 = service.publish_roster(HALL, patch.id)
    assert v2.value.version == 2 and v2.events[0].detail["supersedes"] == [v1.id]
    found = roster_range(service, HALL, MONDAY, SUNDAY)
    assert [found.in_force[day_of(n)] for n in range(5)] == [v1.id, v2.value.id, v2.value.id, v1.id, v1.id]
    assert found.in_force[SUNDAY] == v1.id and found.on(SUNDAY) == ()  # in force, nobody on duty
    assert day_of(7) not in roster_range(service, HALL, MONDAY, day_of(7)).in_force
    assert [(a.day, a.login) for a in found.assignments()] == [(day_of(0), "li")] + [
        (day_of(n), "wang") for n in (1, 2)
    ] + [(day_of(n), "li") for n in (3, 4)]
    assert found.drafts == ()


def test_publishing_checks_the_draft_again(service: QueueService, store: Store) -> None:
    draft = service.save_roster(HALL, MONDAY, SUNDAY, week("li", "zhang")).value
    service.deactivate_staff(HALL, "zhang")
    message = refused(snapshot(store), BadRequest, lambda: service.publish_roster(HALL, draft.id or 0))
    assert "'zhang' is no longer active" in message


# -- pins -------------------------------------------------------------------------------


def test_pin_and_unpin_a_duty_of_a_draft(service: QueueService, store: Store) -> None:
    duties = [duty("li", MONDAY), duty("zhang", MONDAY, "early", hours=(8, 12), lunch=None)]
    duties.append(duty("zhang", MONDAY, "late", hours=(13, 17), lunch=None))
    draft = service.save_roster(HALL, MONDAY, SUNDAY, duties).value
    rid = draft.id or 0
    done = service.pin_assignment(HALL, rid, "li", MONDAY, by="boss")
    assert done.value.pinned and kinds(done.events) == ["roster.saved"]
    assert done.events[0].detail["change"] == "pin"
    stored = roster(service, HALL, rid)
    assert stored is not None and [a.pinned for a in stored.assignments] == [True, False, False]
    message = refused(snapshot(store), BadRequest, lambda: service.pin_assignment(HALL, rid, "zhang", MONDAY))
    assert "zhang has 2 duties on 2026-11-23 (08:00, 13:00)" in message
    assert service.pin_assignment(HALL, rid, "zhang", MONDAY, start=datetime(2026, 11, 23, 13)).value.shift == "late"
    assert not service.pin_assignment(HALL, rid, "li", MONDAY, False).value.pinned
    message = refused(snapshot(store), NotFound, lambda: service.pin_assignment(HALL, rid, "li", day_of(1)))
    assert "li has no duty on 2026-11-24" in message
    refused(snapshot(store), NotFound, lambda: service.pin_assignment(HALL, 999, "li", MONDAY))
    service.publish_roster(HALL, rid)
    message = refused(snapshot(store), Conflict, lambda: service.pin_assignment(HALL, rid, "li", MONDAY))
    assert "cannot change: save a draft instead" in message


# -- what people read ------------------------------------------------------------------


def publish(service: QueueService, first: date, last: date, duties: list[Assignment]) -> int:
    rid = service.save_roster(HALL, first, last, duties).value.id
    assert rid is not None
    service.publish_roster(HALL, rid)
    return rid


def test_my_duties_are_the_published_ones_of_the_day_and_its_week(service: QueueService) -> None:
    publish(service, MONDAY, SUNDAY, week("li", "zhang"))
    service.save_roster(HALL, MONDAY, SUNDAY, [duty("li", day_of(5))])  # a draft: not mine yet
    service.add_leave(HALL, "li", LeaveKind.TRAINING, at(day_of(5), 9), at(day_of(5), 17))
    mine = my_duties(service, HALL, "li", day_of(2))
    assert mine.today == (duty("li", day_of(2)),)
    assert [(d, len(a)) for d, a in mine.week] == [(day_of(n), 1 if n < 5 else 0) for n in range(7)]
    assert [lv.kind for lv in mine.leave] == [LeaveKind.TRAINING]
    assert my_duties(service, HALL, "wang", MONDAY).today == ()


def test_week_grid_shows_shifts_posts_and_leave(service: QueueService) -> None:
    publish(service, MONDAY, SUNDAY, week("li", "zhang"))
    service.save_roster(HALL, MONDAY, SUNDAY, [duty("wang", day_of(1), "early", "W03", (8, 12), None)])
    service.add_leave(HALL, "wang", LeaveKind.LEAVE, at(MONDAY, 0), at(day_of(1), 0))
    service.add_staff(HALL, "zhao", "赵六")
    service.deactivate_staff(HALL, "zhao")  # no duty, no leave, inactive: not shown
    grid = week_grid(service, HALL, day_of(3))
    assert grid.monday == MONDAY and len(grid.days) == 7 and not grid.draft
    rows = {r.login: r for r in grid.rows}
    assert list(rows) == ["li", "wang", "zhang"]
    assert [c.shifts for c in rows["li"].cells] == [("full",)] * 5 + [()] * 2
    assert rows["zhang"].cells[0].posts == ("W02",)
    assert rows["wang"].cells[0].leave == (LeaveKind.LEAVE,) and rows["wang"].cells[1].leave == ()
    preview = {r.login: r for r in week_grid(service, HALL, MONDAY, draft=True).rows}
    # The draft covers the whole week: where it stands in, only its duties show.
    assert preview["wang"].cells[1].shifts == ("early",) and preview["li"].cells[1].shifts == ()


def test_noon_coverage_of_a_day(service: QueueService) -> None:
    # li (A, B) eats 12-13; zhang (C) is on noon duty and eats 14-15; nobody knows D.
    publish(
        service,
        MONDAY,
        MONDAY,
        [duty("li", MONDAY), duty("zhang", MONDAY, "noon", "W03", lunch=(14, 15))],
    )
    cover = noon_coverage_of(service, HALL, MONDAY)
    assert [s.start for s in cover.slots] == [at(MONDAY, 12, m) for m in (0, 15, 30, 45)] + [
        at(MONDAY, 13, m) for m in (0, 15, 30, 45)
    ]
    assert [s.count for s in cover.slots] == [1] * 4 + [2] * 4
    assert cover.slots[0].gaps == ("A", "B", "D") and cover.slots[4].gaps == ("D",)
    assert not cover.covered and cover.short == ()  # the small hall asks for one window at noon
    # li's leave that day takes them off the afternoon too.
    service.add_leave(HALL, "li", LeaveKind.OUT, at(MONDAY, 13), at(MONDAY, 17))
    assert [s.on_duty for s in noon_coverage_of(service, HALL, MONDAY).slots][4] == ("zhang",)
    assert noon_coverage_of(service, HALL, day_of(1)).short == noon_coverage_of(service, HALL, day_of(1)).slots
