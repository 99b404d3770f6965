"""Noon coverage from duties, without a store: who counts in a slot (all of it at work, not at
lunch, not on leave, active), which services nobody on duty can serve, and short slots."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from queue_server.rules.roster_coverage import noon_coverage, noon_slots, on_duty_through
from queue_server.staffing import Assignment, Leave, LeaveKind, NoonPolicy, Skill, StaffMember

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 23)
NOON = NoonPolicy(start=time(12), end=time(13), min_windows=2)
STAFF = {
    "li": StaffMember("t", "li", "李娜", skills=(Skill("A"), Skill("B"))),
    "zhang": StaffMember("t", "zhang", "张伟", skills=(Skill("C"),)),
    "wang": StaffMember("t", "wang", "王强"),  # no skills on record: anything
    "gone": StaffMember("t", "gone", "离职", active=False),
}


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def duty(login: str, start: datetime, end: datetime, lunch: tuple[datetime, datetime] | None = None) -> Assignment:
    ls, le = lunch if lunch else (None, None)
    return Assignment("t", start.date(), login, "full", None, start, end, ls, le)


def test_the_noon_period_is_cut_into_slots_and_a_last_short_one() -> None:
    assert noon_slots(DAY, TZ, NOON) == [(at(12, m), at(12, m + 15) if m < 45 else at(13)) for m in (0, 15, 30, 45)]
    odd = NoonPolicy(start=time(12), end=time(12, 20), min_windows=1)
    assert noon_slots(DAY, TZ, odd) == [(at(12), at(12, 15)), (at(12, 15), at(12, 20))]


def test_on_duty_means_the_whole_slot_at_work_and_none_of_it_at_lunch() -> None:
    a = duty("li", at(9), at(12, 30), (at(12, 10), at(12, 20)))
    assert not on_duty_through(a, at(12), at(12, 15))  # lunch starts inside the slot
    assert not on_duty_through(a, at(12, 15), at(12, 30))  # lunch ends inside it
    assert on_duty_through(a, at(11, 45), at(12))
    assert not on_duty_through(a, at(12, 30), at(12, 45))  # gone home
    assert not on_duty_through(duty("li", at(12, 5), at(17)), at(12), at(12, 15))  # came in late
    assert on_duty_through(duty("li", at(12), at(12, 15)), at(12), at(12, 15))


def test_coverage_counts_clerks_and_lists_the_services_nobody_can_serve() -> None:
    duties = [
        duty("li", at(9), at(17), (at(12, 30), at(13, 30))),
        duty("zhang", at(9), at(17), (at(13), at(14))),
        duty("gone", at(9), at(17)),  # inactive: does not count
        duty("li", at(9, day=date(2026, 11, 24)), at(17, day=date(2026, 11, 24))),  # another day
    ]
    cover = noon_coverage(DAY, TZ, NOON, duties, STAFF, ["A", "B", "C"])
    assert [s.on_duty for s in cover.slots] == [("li", "zhang"), ("li", "zhang"), ("zhang",), ("zhang",)]
    assert [s.count for s in cover.slots] == [2, 2, 1, 1]
    assert [s.gaps for s in cover.slots] == [(), (), ("A", "B"), ("A", "B")]
    assert not cover.slots[2].serves("A") and cover.slots[2].serves("C")
    assert cover.gaps == ((at(12, 30), "A"), (at(12, 30), "B"), (at(12, 45), "A"), (at(12, 45), "B"))
    assert cover.short == cover.slots[2:]
    assert not cover.covered


def test_a_clerk_without_skills_serves_anything_and_leave_takes_a_clerk_off() -> None:
    duties = [duty("wang", at(9), at(17)), duty("zhang", at(9), at(17))]
    cover = noon_coverage(DAY, TZ, NOON, duties, STAFF, ["A", "B", "C", "D"])
    assert cover.covered and cover.gaps == () and cover.services == ("A", "B", "C", "D")
    away = [Leave(1, "t", "wang", LeaveKind.OUT, at(12, 40), at(15))]
    cover = noon_coverage(DAY, TZ, NOON, duties, STAFF, ["A", "C"], away)
    assert [s.on_duty for s in cover.slots] == [("wang", "zhang"), ("wang", "zhang"), ("zhang",), ("zhang",)]
    assert cover.gaps == ((at(12, 30), "A"), (at(12, 45), "A"))


def test_a_login_the_registry_does_not_know_counts_but_serves_nothing() -> None:
    cover = noon_coverage(DAY, TZ, NOON, [duty("ghost", at(9), at(17))], STAFF, ["A"])
    assert [s.count for s in cover.slots] == [1, 1, 1, 1]
    assert all(s.gaps == ("A",) for s in cover.slots)


def test_no_duties_leave_every_slot_short_and_every_service_uncovered() -> None:
    cover = noon_coverage(DAY, TZ, NOON, [], STAFF, ["A"])
    assert len(cover.short) == 4 and len(cover.gaps) == 4
    empty = noon_coverage(DAY, TZ, NoonPolicy(time(12), time(13), 0), [], STAFF, [])
    assert empty.covered
