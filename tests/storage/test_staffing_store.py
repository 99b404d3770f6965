"""The staffing records in the store, on both backends: round trips of the registry, posts,
shift templates, leave, calendar overrides and rosters; what the hall file seeds (once) and
syncs (each start); the migration from 0005 up on a database that already holds a hall."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext

from queue_server.config import Config, parse_config
from queue_server.staffing import (
    Assignment,
    CalendarDay,
    DayKind,
    Leave,
    LeaveKind,
    Post,
    Roster,
    RosterState,
    ShiftTemplate,
    Skill,
    StaffMember,
)
from queue_server.storage import Store, open_store
from queue_server.storage.base import DASHBOARD_SOURCE, FILE_SOURCE
from queue_server.storage.tables import metadata
from tests.conftest import SMALL_HALL, TWO_HALLS

from ._util import engine

HALL = "t"
SHANGHAI = ZoneInfo("Asia/Shanghai")
STAFFING_TABLES = {
    "staff",
    "staff_skill",
    "shift_template",
    "post",
    "leave",
    "calendar_day",
    "roster",
    "roster_assignment",
}
STAFF = """
[[hall.staff]]
login = "li"
name = "李娜"
skills = ["A", "B"]

[[hall.staff]]
login = "wang"
name = "王强"
skills = []
"""
CALENDAR = """
[[hall.calendar]]
date = 2026-12-31
kind = "closed"
"""


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def duty(login: str, day: date, shift: str = "full", post: str | None = "W01", pinned: bool = False) -> Assignment:
    return Assignment(HALL, day, login, shift, post, at(day, 9), at(day, 17), at(day, 12), at(day, 13), pinned)


def synced(store: Store, extra: str = "", halls: str = SMALL_HALL) -> Config:
    config = parse_config(halls + extra)
    store.sync_halls(config)
    return config


# -- round trips ------------------------------------------------------------------


def test_staff_round_trip_with_skills_partner_and_replacement(store: Store) -> None:
    synced(store)
    li = StaffMember(HALL, "li", "李娜", "不动产", (Skill("A", 1.5), Skill("B")), partner="wang")
    bare = StaffMember(HALL, "wang", "王强", partner="li")
    with store.transaction(HALL) as tx:
        assert not tx.has_staff()
        tx.put_staff(li)
        tx.put_staff(bare)
    with store.reader(HALL) as r:
        assert r.has_staff()
        assert r.staff() == [li, bare]
        assert r.staff_member("li") == li and r.staff_member("nobody") is None
    fewer = replace(li, skills=(Skill("C", 0.5),), active=False, partner=None, department="")
    with store.transaction(HALL) as tx:
        tx.put_staff(fewer)
    with store.reader(HALL) as r:
        assert r.staff_member("li") == fewer  # exactly the new skills: A and B are gone
        assert [m.login for m in r.staff()] == ["li", "wang"]


def test_posts_and_shift_templates_round_trip(store: Store) -> None:
    synced(store)
    post = Post(HALL, "X1", None, ("A", "C"), a="li", b=None)
    bare = ShiftTemplate(HALL, "short", "短班", "Short", time(10), time(12))
    with store.transaction(HALL) as tx:
        tx.put_post(post)
        tx.put_shift_template(bare)
        tx.put_shift_template(replace(bare, code="zz", start=time(7), end=time(8)))
        tx.put_post(replace(post, a=None, b="wang"))
    with store.reader(HALL) as r:
        assert r.post("X1") == replace(post, a=None, b="wang")
        assert r.post("nope") is None
        assert "X1" in [p.code for p in r.posts()]
        assert r.shift_template("short") == bare
        codes = [t.code for t in r.shift_templates()]
        assert codes[0] == "zz"  # by start time
    with store.transaction(HALL) as tx:
        tx.delete_shift_template("short")
    with store.reader(HALL) as r:
        assert r.shift_template("short") is None


def test_leave_round_trip_and_overlap_reads(store: Store) -> None:
    synced(store)
    day = date(2026, 11, 23)
    morning = Leave(None, HALL, "li", LeaveKind.OUT, at(day, 9), at(day, 12), "外出办事")
    week = Leave(None, HALL, "wang", LeaveKind.TRAINING, at(day, 0), at(day + timedelta(days=5), 0))
    with store.transaction(HALL) as tx:
        morning = tx.insert_leave(morning)
        week = tx.insert_leave(week)
    assert morning.id is not None and week.id is not None
    with store.reader(HALL) as r:
        assert r.leave(morning.id) == morning
        assert r.leaves(at(day, 12), at(day, 13)) == [week]  # [start, end): the morning ended at 12
        assert r.leaves(at(day, 11), at(day, 13)) == [week, morning]
        assert r.leaves(at(day, 11), at(day, 13), "li") == [morning]
    with store.transaction(HALL) as tx:
        tx.delete_leave(morning.id)
    with store.reader(HALL) as r:
        assert r.leave(morning.id) is None
        assert r.leaves(at(day, 0), at(day, 23)) == [week]


def test_calendar_overrides_the_dashboard_beats_the_file(store: Store) -> None:
    synced(store)
    d1, d2 = date(2026, 12, 30), date(2026, 12, 31)
    with store.transaction(HALL) as tx:
        tx.replace_file_calendar([CalendarDay(d1, DayKind.HOLIDAY, "盘点"), CalendarDay(d2, DayKind.HOLIDAY, "闭厅")])
        tx.put_calendar_day(CalendarDay(d2, DayKind.WORKDAY, "照常", source=DASHBOARD_SOURCE))
    with store.reader(HALL) as r:
        assert r.calendar_overrides(d1, d2) == [
            CalendarDay(d1, DayKind.HOLIDAY, "盘点", source=FILE_SOURCE),
            CalendarDay(d2, DayKind.WORKDAY, "照常", source=DASHBOARD_SOURCE),
        ]
        assert r.calendar_overrides(d2 + timedelta(days=1), d2 + timedelta(days=9)) == []
    with store.transaction(HALL) as tx:
        tx.replace_file_calendar([])  # the file's go, the dashboard's stays
        assert not tx.delete_calendar_day(d1, DASHBOARD_SOURCE)
    with store.reader(HALL) as r:
        assert [d.source for d in r.calendar_overrides(d1, d2)] == [DASHBOARD_SOURCE]
    with store.transaction(HALL) as tx:
        assert tx.delete_calendar_day(d2, DASHBOARD_SOURCE)
    with store.reader(HALL) as r:
        assert r.calendar_overrides(d1, d2) == []


def test_roster_round_trip_publish_pin_and_delete(store: Store) -> None:
    synced(store)
    mon = date(2026, 11, 23)
    made = datetime(2026, 11, 20, 8, tzinfo=UTC)
    duties = (duty("li", mon), duty("wang", mon, post=None), duty("li", mon + timedelta(days=1), pinned=True))
    draft = Roster(None, HALL, mon, mon + timedelta(days=6), RosterState.DRAFT, 0, duties, "boss", made)
    with store.transaction(HALL) as tx:
        draft = tx.insert_roster(draft)
        later = replace(draft, id=None, first=mon + timedelta(days=7), last=mon + timedelta(days=13), assignments=())
        empty = tx.insert_roster(later)
    assert draft.id is not None and empty.id is not None
    with store.reader(HALL) as r:
        assert r.roster(draft.id) == draft  # instants read back in UTC are the same instants
        assert r.roster(empty.id) == empty
        assert [x.id for x in r.rosters(mon, mon)] == [draft.id]
        assert [x.id for x in r.rosters(mon, mon + timedelta(days=30))] == [draft.id, empty.id]
        assert r.rosters(mon, mon + timedelta(days=30), RosterState.PUBLISHED) == []
        assert r.last_roster_version() == 0
    published = replace(draft, state=RosterState.PUBLISHED, version=1, published_at=made + timedelta(hours=1))
    with store.transaction(HALL) as tx:
        tx.update_roster(published)
        tx.set_pinned(draft.id, "li", duties[0].start, True)
        tx.delete_roster(empty.id)
    with store.reader(HALL) as r:
        stored = r.roster(draft.id)
        assert stored is not None and stored.state is RosterState.PUBLISHED and stored.version == 1
        assert stored.published_at == published.published_at
        assert [a.pinned for a in stored.assignments] == [True, False, True]
        assert r.roster(empty.id) is None
        assert r.last_roster_version() == 1
    with pytest.raises(LookupError), store.transaction(HALL) as tx:
        tx.set_pinned(draft.id, "nobody", duties[0].start, True)


def test_staffing_records_belong_to_their_hall(store: Store) -> None:
    synced(store, halls=TWO_HALLS)
    with store.transaction(HALL) as tx:
        tx.put_staff(StaffMember(HALL, "li", "李娜"))
        tx.insert_leave(Leave(None, HALL, "li", LeaveKind.LEAVE, at(date(2026, 11, 23), 9), at(date(2026, 11, 24), 9)))
        tx.put_calendar_day(CalendarDay(date(2026, 12, 1), DayKind.HOLIDAY, source=DASHBOARD_SOURCE))
        tx.insert_roster(
            Roster(
                None,
                HALL,
                date(2026, 11, 23),
                date(2026, 11, 23),
                RosterState.DRAFT,
                0,
                (),
                "",
                at(date(2026, 11, 20), 9),
            )
        )
    with store.reader("u") as r:
        assert r.staff() == [] and not r.has_staff()
        assert r.leaves(at(date(2026, 11, 1), 0), at(date(2026, 12, 1), 0)) == []
        assert r.calendar_overrides(date(2026, 12, 1), date(2026, 12, 1)) == []
        assert r.rosters(date(2026, 11, 1), date(2026, 12, 1)) == []


# -- what the hall file seeds and syncs ---------------------------------------------


def test_first_start_seeds_staff_posts_and_shifts_from_the_hall_file(store: Store) -> None:
    config = synced(store, STAFF + CALENDAR)
    hall = config.halls[0]
    with store.reader(HALL) as r:
        assert r.staff() == [
            StaffMember(HALL, "li", "李娜", skills=(Skill("A"), Skill("B"))),
            StaffMember(HALL, "wang", "王强"),
        ]
        assert r.posts() == [
            Post(HALL, "W01", 1, ("A", "B")),
            Post(HALL, "W02", 2, ("B", "C")),
            Post(HALL, "W03", 3, ("C",)),
        ]
        assert sorted(t.code for t in r.shift_templates()) == sorted(t.code for t in hall.shifts)
        assert r.shift_template("full") == hall.shift("full")
        assert r.calendar_overrides(date(2026, 12, 1), date(2026, 12, 31)) == [
            CalendarDay(date(2026, 12, 31), DayKind.HOLIDAY, "闭厅", source=FILE_SOURCE)
        ]


def test_later_starts_keep_the_database_but_sync_the_file_calendar(store: Store) -> None:
    synced(store, STAFF + CALENDAR)
    with store.transaction(HALL) as tx:
        tx.put_staff(StaffMember(HALL, "zhao", "赵六"))
        tx.delete_shift_template("early")
    # The next start's file lists someone else, no calendar date and other shifts: only the calendar follows it.
    other = (
        STAFF.replace('"li"', '"liu"')
        + '\n[[hall.shifts]]\ncode = "x"\nname_zh = "X"\nstart = "09:00"\nend = "10:00"\n'
    )
    synced(store, other)
    with store.reader(HALL) as r:
        assert [m.login for m in r.staff()] == ["li", "wang", "zhao"]
        assert "early" not in [t.code for t in r.shift_templates()] and r.shift_template("x") is None
        assert [p.code for p in r.posts()] == ["W01", "W02", "W03"]
        assert r.calendar_overrides(date(2026, 12, 1), date(2026, 12, 31)) == []


def test_a_hall_file_without_staff_seeds_no_registry(store: Store) -> None:
    synced(store)
    with store.reader(HALL) as r:
        assert r.staff() == [] and not r.has_staff()
    synced(store, STAFF)  # a staff list appears while the registry is still empty: it seeds it
    with store.reader(HALL) as r:
        assert [m.login for m in r.staff()] == ["li", "wang"]


# -- the migration from 0005 -------------------------------------------------------


def alembic(store: Store, *, upgrade: str | None = None, downgrade: str | None = None) -> None:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", "queue_server.storage:migrations")
    with engine(store).begin() as conn:
        cfg.attributes["connection"] = conn
        if upgrade:
            command.upgrade(cfg, upgrade)
        if downgrade:
            command.downgrade(cfg, downgrade)


def test_migration_from_0005_adds_the_staffing_tables_and_seeds_an_existing_hall(fresh_db_url: str) -> None:
    store = open_store(fresh_db_url, migrate=False)
    try:
        alembic(store, upgrade="0005")
        with engine(store).begin() as conn:
            assert not STAFFING_TABLES & set(sa.inspect(conn).get_table_names())
            conn.execute(
                sa.text(
                    "INSERT INTO hall (slug, name_zh, name_en, timezone) VALUES ('t', '旧', 'Old', 'Asia/Shanghai')"
                )
            )
        store.migrate()
        with engine(store).connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) >= STAFFING_TABLES
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        # The hall existed before the upgrade: its first start after it seeds the registry.
        synced(store, STAFF)
        with store.reader(HALL) as r:
            assert [m.login for m in r.staff()] == ["li", "wang"]
            assert len(r.posts()) == 3
        alembic(store, downgrade="0005")
        with engine(store).connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            assert not STAFFING_TABLES & names and "hall" in names
    finally:
        store.close()
