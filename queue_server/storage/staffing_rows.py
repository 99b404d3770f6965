"""Row maps of the staffing records (see rows.py): the staff registry, shift templates,
posts, leave, calendar overrides and rosters."""

from __future__ import annotations

from typing import Any

from ..staffing import Assignment, CalendarDay, Leave, Post, Roster, ShiftTemplate, Skill, StaffMember
from .rows import DB_ASSIGNED, RowMap, Stored
from .staffing_tables import (
    calendar_day_t,
    leave_t,
    post_t,
    roster_assignment_t,
    roster_t,
    shift_template_t,
    staff_skill_t,
    staff_t,
)


def _codes(v: Any) -> tuple[str, ...]:
    return tuple(v or ())


def _code_list(v: tuple[str, ...]) -> list[str]:
    return list(v)


# skills: from staff_skill.
STAFF = RowMap(StaffMember, staff_t, given=("skills",))
SKILL = RowMap(Skill, staff_skill_t)
SHIFT_TEMPLATE = RowMap(ShiftTemplate, shift_template_t)
# services: a JSON list of service codes.
POST = RowMap(Post, post_t, fields={"services": Stored(read=_codes, write=_code_list)})
LEAVE = RowMap(Leave, leave_t, fields={"id": DB_ASSIGNED})
# beyond_data: only the national calendar's guesses have it; an override never does.
CALENDAR_DAY = RowMap(CalendarDay, calendar_day_t, given=("beyond_data",))
# assignments: from roster_assignment.
ROSTER = RowMap(Roster, roster_t, fields={"id": DB_ASSIGNED}, given=("assignments",))
# hall: the roster's (the row has the roster's id instead).
ASSIGNMENT = RowMap(Assignment, roster_assignment_t, given=("hall",))
