"""Staffing commands on every backend: the staff registry (and the queue reading it), posts,
shift templates, leave and the hall's calendar dates. Every refusal answers the precise error,
names what is wrong and stores nothing; every change records its event."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from queue_server.errors import BadRequest, Conflict, HallQError, NotEligible, NotFound, NotOnStaff
from queue_server.queries.staffing import calendar_days, leave_between, posts, staff_list
from queue_server.service import QueueService
from queue_server.staffing import DayKind, LeaveKind, Post, ShiftTemplate, Skill, StaffMember
from queue_server.storage import Store
from tests.conftest import FakeClock, refused
from tests.staffing_support import HALL, MONDAY, at, kinds, snapshot, staffed


@pytest.fixture
def service(store: Store, clock: FakeClock) -> QueueService:
    return staffed(store, clock)


def member(service: QueueService, login: str) -> StaffMember:
    found = next((m for m in staff_list(service, HALL) if m.login == login), None)
    assert found is not None
    return found


# -- the staff registry -------------------------------------------------------------


def test_add_staff_stores_the_member_and_records_it(service: QueueService) -> None:
    done = service.add_staff(
        HALL, "zhao", " 赵六 ", department="社保", skills=[Skill("C", 2.0), Skill("A", 0.5)], by="boss"
    )
    zhao = StaffMember(HALL, "zhao", "赵六", "社保", (Skill("A", 0.5), Skill("C", 2.0)))
    assert done.value == zhao and member(service, "zhao") == zhao
    assert kinds(done.events) == ["staff.changed"]
    assert done.events[0].staff == "boss" and done.events[0].detail["change"] == "add"
    assert done.events[0].detail["staff"]["login"] == "zhao"


@pytest.mark.parametrize(
    ("kwargs", "error", "says"),
    [
        ({"login": "a b"}, BadRequest, "login"),
        ({"login": ""}, BadRequest, "login"),
        ({"login": "li"}, Conflict, "already on the staff"),
        ({"name": "  "}, BadRequest, "name must not be empty"),
        ({"name": "赵\x00六"}, BadRequest, "name holds a control character"),
        ({"name": "x" * 101}, BadRequest, "name must be at most 100"),
        ({"department": "\u202e"}, BadRequest, "department holds a text-direction mark"),
        ({"skills": [Skill("Z")]}, BadRequest, "skills: 'Z' is not a service of t"),
        ({"skills": [Skill("A"), Skill("A", 2)]}, BadRequest, "'A' is listed twice"),
        ({"skills": [Skill("A", 0)]}, BadRequest, "the weight of A must be over 0 and at most 2"),
        ({"skills": [Skill("A", 2.01)]}, BadRequest, "the weight of A must be over 0"),
        ({"partner": "nobody"}, BadRequest, "partner: 'nobody' is not on the staff of t"),
        ({"partner": "zhao"}, BadRequest, "cannot be their own partner"),
    ],
)
def test_add_staff_refuses_bad_input(
    service: QueueService, store: Store, kwargs: dict[str, object], error: type[HallQError], says: str
) -> None:
    args: dict[str, object] = {"login": "zhao", "name": "赵六", **kwargs}
    login, name = str(args.pop("login")), str(args.pop("name"))
    message = refused(snapshot(store), error, lambda: service.add_staff(HALL, login, name, **args))  # type: ignore[arg-type]
    assert says in message


def test_an_inactive_partner_is_refused(service: QueueService, store: Store) -> None:
    service.deactivate_staff(HALL, "wang")
    message = refused(snapshot(store), BadRequest, lambda: service.add_staff(HALL, "zhao", "赵六", partner="wang"))
    assert "partner: 'wang' is no longer active" in message


def test_partners_are_mutual_and_a_new_pair_frees_the_old_partners(service: QueueService) -> None:
    paired = service.update_staff(HALL, "li", partner="wang")
    assert member(service, "li").partner == "wang" and member(service, "wang").partner == "li"
    assert kinds(paired.events) == ["staff.changed", "staff.changed"]
    # zhang takes li: wang, li's partner until now, is left without one.
    service.update_staff(HALL, "zhang", partner="li")
    assert (member(service, "zhang").partner, member(service, "li").partner, member(service, "wang").partner) == (
        "li",
        "zhang",
        None,
    )
    # A newcomer paired with zhang: li loses zhang.
    service.add_staff(HALL, "zhao", "赵六", partner="zhang")
    assert member(service, "zhang").partner == "zhao" and member(service, "li").partner is None
    # Clearing unpairs both sides; leaving the partner out keeps it.
    service.update_staff(HALL, "zhao", name="赵六六")
    assert member(service, "zhao").partner == "zhang"
    service.update_staff(HALL, "zhang", partner=None)
    assert member(service, "zhang").partner is None and member(service, "zhao").partner is None


def test_update_staff_changes_what_is_given(service: QueueService, store: Store) -> None:
    done = service.update_staff(HALL, "li", department="不动产", skills=[Skill("B", 1.5)])
    assert done.value == StaffMember(HALL, "li", "李娜", "不动产", (Skill("B", 1.5),))
    assert member(service, "li") == done.value
    refused(snapshot(store), NotFound, lambda: service.update_staff(HALL, "nobody", name="x"))
    message = refused(snapshot(store), BadRequest, lambda: service.update_staff(HALL, "li", skills=[Skill("Q")]))
    assert "'Q' is not a service" in message
    message = refused(snapshot(store), BadRequest, lambda: service.update_staff(HALL, "li", partner="li"))
    assert "own partner" in message


def test_deactivate_frees_the_partner_and_the_posts(service: QueueService, store: Store) -> None:
    service.update_staff(HALL, "li", partner="wang")
    service.set_post_holders(HALL, "W01", "li", "wang")
    service.set_post_holders(HALL, "W02", "wang", "li")
    done = service.deactivate_staff(HALL, "li", by="boss")
    assert not done.value.active and done.value.partner is None
    assert member(service, "wang").partner is None
    held = {p.code: (p.a, p.b) for p in posts(service, HALL)}
    assert held["W01"] == (None, "wang") and held["W02"] == ("wang", None)
    assert sorted(kinds(done.events)) == ["post.changed", "post.changed", "staff.changed", "staff.changed"]
    assert [m.login for m in staff_list(service, HALL, active_only=True)] == ["wang", "zhang"]
    message = refused(snapshot(store), Conflict, lambda: service.deactivate_staff(HALL, "li"))
    assert "already inactive" in message
    refused(snapshot(store), NotFound, lambda: service.deactivate_staff(HALL, "nobody"))


# -- the registry drives the queue ------------------------------------------------------


def test_the_registry_decides_who_may_open_a_window(service: QueueService, store: Store) -> None:
    service.add_staff(HALL, "zhao", "赵六")
    assert service.open_window(HALL, 1, "zhao").window is not None  # not in the hall file, but registered
    message = refused(snapshot(store), NotOnStaff, lambda: service.open_window(HALL, 2, "nobody"))
    assert "not on the staff of t" in message and "registry" in message
    service.deactivate_staff(HALL, "li")
    message = refused(snapshot(store), NotOnStaff, lambda: service.open_window(HALL, 2, "li"))
    assert "no longer active" in message


def test_routing_reads_the_clerks_skills_from_the_registry(service: QueueService) -> None:
    service.issue(HALL, "A")
    service.open_window(HALL, 1, "li")  # window 1 serves A and B; li knows A and B
    service.update_staff(HALL, "li", skills=[Skill("C")])  # now only C
    with pytest.raises(NotEligible, match="no skill"):
        service.call_next(HALL, 1)
    service.update_staff(HALL, "li", skills=[])  # no skills on record: anything
    outcome = service.call_next(HALL, 1)
    assert outcome.ticket is not None and outcome.ticket.number == "A001"


def test_a_hall_without_a_registry_opens_windows_for_anyone(store: Store, clock: FakeClock) -> None:
    from tests.conftest import with_config

    service = with_config(store, clock)
    assert service.open_window(HALL, 1, "anyone").window is not None


# -- posts ---------------------------------------------------------------------------


def test_set_post_holders_needs_the_posts_skills_between_a_and_b(service: QueueService, store: Store) -> None:
    done = service.set_post_holders(HALL, "W02", "li", "zhang", by="boss")  # B (li) and C (zhang)
    assert done.value == Post(HALL, "W02", 2, ("B", "C"), "li", "zhang")
    assert kinds(done.events) == ["post.changed"]
    message = refused(snapshot(store), BadRequest, lambda: service.set_post_holders(HALL, "W03", "li", None))
    assert "nobody of li can serve C, which post W03 serves" in message
    message = refused(snapshot(store), BadRequest, lambda: service.set_post_holders(HALL, "W01", "zhang", None))
    assert "can serve A, B" in message
    assert service.set_post_holders(HALL, "W03", "wang", None).value.a == "wang"  # no skills on record: anything
    assert service.set_post_holders(HALL, "W03", None, None).value == Post(HALL, "W03", 3, ("C",))


@pytest.mark.parametrize(
    ("code", "a", "b", "error", "says"),
    [
        ("W09", "li", None, NotFound, "post 'W09' does not exist"),
        ("W01", "nobody", None, BadRequest, "a: 'nobody' is not on the staff"),
        ("W01", "li", "nobody", BadRequest, "b: 'nobody' is not on the staff"),
        ("W01", "li", "li", BadRequest, "a and b must be two people"),
    ],
)
def test_set_post_holders_refuses(
    service: QueueService, store: Store, code: str, a: str | None, b: str | None, error: type[HallQError], says: str
) -> None:
    assert says in refused(snapshot(store), error, lambda: service.set_post_holders(HALL, code, a, b))


def test_an_inactive_clerk_cannot_hold_a_post(service: QueueService, store: Store) -> None:
    service.deactivate_staff(HALL, "wang")
    message = refused(snapshot(store), BadRequest, lambda: service.set_post_holders(HALL, "W01", "li", "wang"))
    assert "b: 'wang' is no longer active" in message


# -- shift templates -------------------------------------------------------------------

SHORT = ShiftTemplate(HALL, "short", "短班", "Short", time(10), time(15), 30, time(11), time(12))


def test_shift_templates_are_added_changed_and_deleted(service: QueueService, store: Store) -> None:
    done = service.add_shift_template(HALL, replace(SHORT, hall="elsewhere"), by="boss")
    assert done.value == SHORT and kinds(done.events) == ["shift.changed"]
    anywhere = replace(SHORT, lunch_earliest=None, lunch_latest=None, name_en="")
    changed = service.change_shift_template(HALL, anywhere).value
    # No lunch window: the break may fall anywhere in the shift; no English name: the code.
    assert (changed.lunch_earliest, changed.lunch_latest, changed.name_en) == (time(10), time(15), "short")
    deleted = service.delete_shift_template(HALL, "short")
    assert deleted.value == changed and deleted.events[0].detail["change"] == "delete"
    with store.reader(HALL) as r:
        assert r.shift_template("short") is None
    refused(snapshot(store), NotFound, lambda: service.delete_shift_template(HALL, "short"))
    refused(snapshot(store), NotFound, lambda: service.change_shift_template(HALL, SHORT))
    message = refused(snapshot(store), Conflict, lambda: service.add_shift_template(HALL, replace(SHORT, code="full")))
    assert "code: shift template 'full' already exists" in message


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"code": "a b"}, "code: use letters"),
        ({"name_zh": ""}, "name_zh must not be empty"),
        ({"start": time(10, 5)}, "start: 10:05:00 is not on the 15-minute grid"),
        ({"end": time(10)}, "end: 10:00 is not after the start 10:00"),
        ({"lunch_minutes": 20}, "lunch_minutes: must be a multiple of 15"),
        ({"lunch_minutes": 300}, "lunch_minutes: must be a multiple of 15 from 0 to 285"),
        ({"lunch_earliest": None}, "lunch_earliest and lunch_latest go together"),
        ({"lunch_earliest": time(9), "lunch_latest": time(11)}, "must lie inside the shift 10:00-15:00"),
        ({"lunch_latest": time(16)}, "must lie inside the shift"),
        ({"lunch_minutes": 90}, "a 90-minute lunch does not fit between 11:00 and 12:00"),
        ({"lunch_minutes": 0}, "set lunch_minutes too"),
        ({"noon_duty": True, "end": time(13, 30)}, "noon_duty: the shift must cover 12:00-14:00"),
        (
            {
                "noon_duty": True,
                "start": time(9),
                "end": time(17),
                "lunch_earliest": time(13),
                "lunch_latest": time(15),
            },
            "a noon-duty lunch window must lie outside the noon period 12:00-14:00",
        ),
    ],
)
def test_shift_templates_are_held_to_the_hall_files_rules(
    service: QueueService, store: Store, change: dict[str, object], says: str
) -> None:
    bad = replace(SHORT, **change)  # type: ignore[arg-type]
    assert says in refused(snapshot(store), BadRequest, lambda: service.add_shift_template(HALL, bad))


# -- leave -------------------------------------------------------------------------------


def test_leave_is_added_and_deleted(service: QueueService, store: Store) -> None:
    done = service.add_leave(
        HALL, "li", "out", datetime(2026, 11, 23, 9), datetime(2026, 11, 23, 12), " 外出 ", by="boss"
    )
    leave = done.value
    assert leave.id is not None and leave.kind is LeaveKind.OUT and leave.note == "外出"
    assert leave.start == at(MONDAY, 9) and leave.end == at(MONDAY, 12)  # naive: the hall's time
    assert kinds(done.events) == ["leave.changed"]
    assert done.events[0].detail["leave"]["login"] == "li" and "note" not in done.events[0].detail["leave"]
    # Another person's leave, and li's own right after the first (leave is [start, end)), are fine.
    service.add_leave(HALL, "wang", LeaveKind.LEAVE, at(MONDAY, 0), at(MONDAY + timedelta(days=2), 0))
    service.add_leave(HALL, "li", LeaveKind.TRAINING, at(MONDAY, 12), at(MONDAY, 17))
    assert [lv.login for lv in leave_between(service, HALL, at(MONDAY, 11), at(MONDAY, 13))] == ["wang", "li", "li"]
    assert len(leave_between(service, HALL, at(MONDAY, 0), at(MONDAY, 23), "li")) == 2
    deleted = service.delete_leave(HALL, leave.id)
    assert deleted.value == leave and deleted.events[0].detail["change"] == "delete"
    refused(snapshot(store), NotFound, lambda: service.delete_leave(HALL, leave.id or 0))


@pytest.mark.parametrize(
    ("login", "kind", "start", "end", "note", "error", "says"),
    [
        ("nobody", "leave", 9, 12, "", BadRequest, "login: 'nobody' is not on the staff of t"),
        ("li", "holiday", 9, 12, "", BadRequest, "kind: unknown kind 'holiday' (allowed: leave, out, training)"),
        ("li", "leave", 12, 12, "", BadRequest, "end: 2026-11-23 04:00 UTC is not after the start"),
        ("li", "leave", 12, 9, "", BadRequest, "is not after the start"),
        ("li", "leave", 9, 12, "x\x07", BadRequest, "note holds a control character"),
        ("li", "leave", 10, 11, "", Conflict, "li already has leave"),
        ("li", "training", 8, 15, "", Conflict, "which this one overlaps"),
    ],
)
def test_add_leave_refuses(
    service: QueueService,
    store: Store,
    login: str,
    kind: str,
    start: int,
    end: int,
    note: str,
    error: type[HallQError],
    says: str,
) -> None:
    service.add_leave(HALL, "li", "leave", at(MONDAY, 9), at(MONDAY, 12))
    call = lambda: service.add_leave(HALL, login, kind, at(MONDAY, start), at(MONDAY, end), note)  # noqa: E731
    assert says in refused(snapshot(store), error, call)


def test_an_inactive_clerk_may_still_be_given_leave(service: QueueService) -> None:
    service.deactivate_staff(HALL, "zhang")
    assert service.add_leave(HALL, "zhang", "leave", at(MONDAY, 9), at(MONDAY, 12)).value.login == "zhang"


# -- the hall's calendar dates ---------------------------------------------------------

FILE_DATE = '\n[[hall.calendar]]\ndate = 2026-12-31\nkind = "closed"\n'


def test_calendar_dates_from_the_dashboard_beat_the_hall_files(store: Store, clock: FakeClock) -> None:
    service = staffed(store, clock, FILE_DATE)
    eve, day = date(2026, 12, 30), date(2026, 12, 31)
    assert [(d.kind, d.source) for d in calendar_days(service, HALL, eve, day)] == [
        (DayKind.WORKDAY, "chinese_calendar"),
        (DayKind.HOLIDAY, "hall"),
    ]
    done = service.set_calendar_day(HALL, day, "workday", "照常上班", by="boss")
    assert done.value.source == "dashboard" and kinds(done.events) == ["calendar.changed"]
    service.set_calendar_day(HALL, eve, DayKind.HOLIDAY, "提前放假")
    found = calendar_days(service, HALL, eve, day)
    assert [(d.kind, d.name, d.source) for d in found] == [
        (DayKind.HOLIDAY, "提前放假", "dashboard"),
        (DayKind.WORKDAY, "照常上班", "dashboard"),
    ]
    cleared = service.clear_calendar_day(HALL, day)
    assert cleared.events[0].detail["change"] == "clear"
    assert calendar_days(service, HALL, day, day)[0].source == "hall"  # the file's date holds again
    message = refused(snapshot(store), NotFound, lambda: service.clear_calendar_day(HALL, day))
    assert "has no date set from the dashboard" in message
    message = refused(snapshot(store), BadRequest, lambda: service.set_calendar_day(HALL, day, "party"))
    assert "kind: unknown kind 'party'" in message
    message = refused(snapshot(store), BadRequest, lambda: service.set_calendar_day(HALL, day, "holiday", "\x00"))
    assert "name holds a control character" in message


def test_staffing_commands_on_an_unknown_hall_are_not_found(service: QueueService) -> None:
    with pytest.raises(NotFound, match="unknown hall"):
        service.add_staff("nowhere", "zhao", "赵六")
    with pytest.raises(NotFound, match="unknown hall"):
        staff_list(service, "nowhere")
