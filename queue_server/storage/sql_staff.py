"""The hall's staff registry (with skills), its posts, its shift templates and who is on leave."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from ..staffing import Leave, Post, ShiftTemplate, StaffMember
from .sql_hall import HallConnection
from .staffing_rows import LEAVE, POST, SHIFT_TEMPLATE, SKILL, STAFF
from .staffing_tables import leave_t, post_t, shift_template_t, staff_skill_t, staff_t

_s, _k = staff_t.c, staff_skill_t.c
# Each clerk with their skills in one round trip (the clerk's row once per skill, or once with none).
_STAFF = (
    sa.select(staff_t, _k.service, _k.weight)
    .select_from(staff_t.outerjoin(staff_skill_t, sa.and_(_k.hall == _s.hall, _k.login == _s.login)))
    .order_by(_s.login, _k.service)
)


def _members(rows: list[RowMapping]) -> list[StaffMember]:
    out: list[StaffMember] = []
    for _, group in groupby(rows, key=lambda r: r["login"]):
        clerk = list(group)
        skills = tuple(SKILL.read(r) for r in clerk if r["service"] is not None)
        out.append(STAFF.read(clerk[0], skills=skills))
    return out


class SqlStaff(HallConnection):
    # -- the staff registry --------------------------------------------------

    def staff(self) -> list[StaffMember]:
        return _members(list(self.conn.execute(_STAFF.where(_s.hall == self.hall)).mappings()))

    def staff_member(self, login: str) -> StaffMember | None:
        found = _members(list(self.conn.execute(_STAFF.where(_s.hall == self.hall, _s.login == login)).mappings()))
        return found[0] if found else None

    def has_staff(self) -> bool:
        return self.conn.execute(sa.select(_s.login).where(_s.hall == self.hall).limit(1)).first() is not None

    def put_staff(self, member: StaffMember) -> None:
        # Delete-then-insert under the hall lock: a portable upsert of the clerk and their skills.
        self.conn.execute(sa.delete(staff_skill_t).where(_k.hall == self.hall, _k.login == member.login))
        self.conn.execute(sa.delete(staff_t).where(_s.hall == self.hall, _s.login == member.login))
        self.conn.execute(sa.insert(staff_t).values({**STAFF.values(member), "hall": self.hall}))
        if member.skills:
            self.conn.execute(
                sa.insert(staff_skill_t),
                [{**SKILL.values(s), "hall": self.hall, "login": member.login} for s in member.skills],
            )

    # -- posts ---------------------------------------------------------------

    def posts(self) -> list[Post]:
        c = post_t.c
        rows = self.conn.execute(sa.select(post_t).where(c.hall == self.hall).order_by(c.code)).mappings()
        return [POST.read(r) for r in rows]

    def post(self, code: str) -> Post | None:
        c = post_t.c
        row = self.conn.execute(sa.select(post_t).where(c.hall == self.hall, c.code == code)).mappings().first()
        return POST.read(row) if row else None

    def put_post(self, post: Post) -> None:
        c = post_t.c
        self.conn.execute(sa.delete(post_t).where(c.hall == self.hall, c.code == post.code))
        self.conn.execute(sa.insert(post_t).values({**POST.values(post), "hall": self.hall}))

    # -- shift templates -----------------------------------------------------

    def shift_templates(self) -> list[ShiftTemplate]:
        c = shift_template_t.c
        stmt = sa.select(shift_template_t).where(c.hall == self.hall).order_by(c.start, c.code)
        return [SHIFT_TEMPLATE.read(r) for r in self.conn.execute(stmt).mappings()]

    def shift_template(self, code: str) -> ShiftTemplate | None:
        c = shift_template_t.c
        stmt = sa.select(shift_template_t).where(c.hall == self.hall, c.code == code)
        row = self.conn.execute(stmt).mappings().first()
        return SHIFT_TEMPLATE.read(row) if row else None

    def put_shift_template(self, template: ShiftTemplate) -> None:
        self.delete_shift_template(template.code)
        self.conn.execute(sa.insert(shift_template_t).values({**SHIFT_TEMPLATE.values(template), "hall": self.hall}))

    def delete_shift_template(self, code: str) -> None:
        c = shift_template_t.c
        self.conn.execute(sa.delete(shift_template_t).where(c.hall == self.hall, c.code == code))

    # -- leave ---------------------------------------------------------------

    def leave(self, leave_id: int) -> Leave | None:
        c = leave_t.c
        row = self.conn.execute(sa.select(leave_t).where(c.hall == self.hall, c.id == leave_id)).mappings().first()
        return LEAVE.read(row) if row else None

    def leaves(self, since: datetime, until: datetime, login: str | None = None) -> list[Leave]:
        c = leave_t.c
        stmt = sa.select(leave_t).where(c.hall == self.hall, c.start < until, c.end > since)
        if login is not None:
            stmt = stmt.where(c.login == login)
        rows = self.conn.execute(stmt.order_by(c.start, c.login, c.id)).mappings()
        return [LEAVE.read(r) for r in rows]

    def insert_leave(self, leave: Leave) -> Leave:
        values = {**LEAVE.values(leave), "hall": self.hall}
        new_id = self.conn.execute(sa.insert(leave_t).values(values).returning(leave_t.c.id)).scalar_one()
        return replace(leave, id=int(new_id))

    def delete_leave(self, leave_id: int) -> None:
        c = leave_t.c
        self.conn.execute(sa.delete(leave_t).where(c.hall == self.hall, c.id == leave_id))
