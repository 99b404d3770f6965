"""The staffing tables: the staff registry and skills, shift templates, posts, leave, the
hall's calendar overrides and rosters. Times of day are the hall's wall clock; instants are
stored in UTC. Every row belongs to one hall and is read and written under that hall's lock."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import BigId, utc


class StaffRow(SQLModel, table=True):
    """The hall's staff registry (工作人员): seeded from the hall file on the first start, the
    database's from then on."""

    __tablename__ = "staff"

    hall: str = Field(primary_key=True, max_length=63)
    login: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=100)
    department: str = Field(default="", max_length=100)
    partner: str | None = Field(default=None, max_length=64)  # the A/B partner's login
    active: bool = True


class StaffSkillRow(SQLModel, table=True):
    __tablename__ = "staff_skill"

    hall: str = Field(primary_key=True, max_length=63)
    login: str = Field(primary_key=True, max_length=64)
    service: str = Field(primary_key=True, max_length=1)
    weight: float = 1.0


class ShiftTemplateRow(SQLModel, table=True):
    __tablename__ = "shift_template"

    hall: str = Field(primary_key=True, max_length=63)
    code: str = Field(primary_key=True, max_length=32)
    name_zh: str = Field(max_length=100)
    name_en: str = Field(default="", max_length=100)
    start: time
    end: time
    lunch_minutes: int = 0
    lunch_earliest: time | None = None
    lunch_latest: time | None = None
    noon_duty: bool = False


class PostRow(SQLModel, table=True):
    __tablename__ = "post"

    hall: str = Field(primary_key=True, max_length=63)
    code: str = Field(primary_key=True, max_length=32)
    window: int | None = None
    services: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    a: str | None = Field(default=None, max_length=64)
    b: str | None = Field(default=None, max_length=64)


class LeaveRow(SQLModel, table=True):
    """Someone away (请假, 外出, 培训) over [start, end)."""

    __tablename__ = "leave"
    __table_args__ = (sa.Index("ix_leave_hall_login_start", "hall", "login", "start"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    hall: str = Field(max_length=63)
    login: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    start: datetime = utc()
    end: datetime = utc()
    note: str = Field(default="", max_length=200)


class CalendarDayRow(SQLModel, table=True):
    """The hall's overrides of what a date is: the hall file's (source "hall", synced at each
    start) and the dashboard's (source "dashboard") side by side."""

    __tablename__ = "calendar_day"

    hall: str = Field(primary_key=True, max_length=63)
    day: date = Field(primary_key=True)
    source: str = Field(primary_key=True, max_length=16)
    kind: str = Field(max_length=16)
    name: str = Field(default="", max_length=100)


class RosterRow(SQLModel, table=True):
    """A roster of [first, last]: a draft, or a published version; a newer published version
    supersedes an older one on the days they share."""

    __tablename__ = "roster"
    __table_args__ = (sa.Index("ix_roster_hall_first", "hall", "first"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    hall: str = Field(max_length=63)
    first: date
    last: date
    state: str = Field(max_length=16)
    version: int = 0
    made_by: str = Field(default="", max_length=64)
    made_at: datetime = utc()
    published_at: datetime | None = utc(default=None)


class RosterAssignmentRow(SQLModel, table=True):
    """One clerk's duty in a roster (its hall is the roster's)."""

    __tablename__ = "roster_assignment"
    __table_args__ = (sa.Index("ix_roster_assignment_login_day", "login", "day"),)

    roster: int = Field(primary_key=True, sa_type=sa.BigInteger)
    login: str = Field(primary_key=True, max_length=64)
    start: datetime = utc(primary_key=True)
    day: date
    shift: str = Field(max_length=32)
    post: str | None = Field(default=None, max_length=32)
    end: datetime = utc()
    lunch_start: datetime | None = utc(default=None)
    lunch_end: datetime | None = utc(default=None)
    pinned: bool = False


staff_t: sa.Table = StaffRow.__table__  # type: ignore[attr-defined]
staff_skill_t: sa.Table = StaffSkillRow.__table__  # type: ignore[attr-defined]
shift_template_t: sa.Table = ShiftTemplateRow.__table__  # type: ignore[attr-defined]
post_t: sa.Table = PostRow.__table__  # type: ignore[attr-defined]
leave_t: sa.Table = LeaveRow.__table__  # type: ignore[attr-defined]
calendar_day_t: sa.Table = CalendarDayRow.__table__  # type: ignore[attr-defined]
roster_t: sa.Table = RosterRow.__table__  # type: ignore[attr-defined]
roster_assignment_t: sa.Table = RosterAssignmentRow.__table__  # type: ignore[attr-defined]
