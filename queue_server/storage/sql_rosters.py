"""What the hall's days are (its calendar overrides) and who works them (rosters)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime

import sqlalchemy as sa

from ..staffing import Assignment, CalendarDay, Roster, RosterState
from .base import DASHBOARD_SOURCE, FILE_SOURCE
from .sql_hall import HallConnection
from .staffing_rows import ASSIGNMENT, CALENDAR_DAY, ROSTER
from .staffing_tables import calendar_day_t, roster_assignment_t, roster_t

# Which override wins on a day both name: the dashboard's is the later word.
_PRECEDENCE = {DASHBOARD_SOURCE: 0, FILE_SOURCE: 1}


class SqlRosters(HallConnection):
    # -- calendar overrides --------------------------------------------------

    def calendar_overrides(self, first: date, last: date) -> list[CalendarDay]:
        c = calendar_day_t.c
        stmt = sa.select(calendar_day_t).where(c.hall == self.hall, c.day >= first, c.day <= last).order_by(c.day)
        best: dict[date, CalendarDay] = {}
        for row in self.conn.execute(stmt).mappings():
            day = CALENDAR_DAY.read(row, beyond_data=False)
            held = best.get(day.day)
            if held is None or _PRECEDENCE.get(day.source, 2) < _PRECEDENCE.get(held.source, 2):
                best[day.day] = day
        return [best[d] for d in sorted(best)]

    def put_calendar_day(self, day: CalendarDay) -> None:
        self.delete_calendar_day(day.day, day.source)
        self.conn.execute(sa.insert(calendar_day_t).values({**CALENDAR_DAY.values(day), "hall": self.hall}))

    def delete_calendar_day(self, day: date, source: str) -> bool:
        c = calendar_day_t.c
        stmt = sa.delete(calendar_day_t).where(c.hall == self.hall, c.day == day, c.source == source)
        return bool(self.conn.execute(stmt).rowcount)

    def replace_file_calendar(self, days: list[CalendarDay]) -> None:
        """The hall file's overrides become exactly ``days`` (the dashboard's are kept)."""
        c = calendar_day_t.c
        self.conn.execute(sa.delete(calendar_day_t).where(c.hall == self.hall, c.source == FILE_SOURCE))
        if days:
            rows = [{**CALENDAR_DAY.values(replace(d, source=FILE_SOURCE)), "hall": self.hall} for d in days]
            self.conn.execute(sa.insert(calendar_day_t), rows)

    # -- rosters -------------------------------------------------------------

    def _with_assignments(self, rows: list[sa.RowMapping]) -> list[Roster]:
        if not rows:
            return []
        a = roster_assignment_t.c
        ids = [r["id"] for r in rows]
        found: dict[int, list[Assignment]] = defaultdict(list)
        stmt = sa.select(roster_assignment_t).where(a.roster.in_(ids)).order_by(a.day, a.login, a.start)
        for r in self.conn.execute(stmt).mappings():
            found[r["roster"]].append(ASSIGNMENT.read(r, hall=self.hall))
        return [ROSTER.read(r, assignments=tuple(found[r["id"]])) for r in rows]

    def roster(self, roster_id: int) -> Roster | None:
        c = roster_t.c
        rows = self.conn.execute(sa.select(roster_t).where(c.hall == self.hall, c.id == roster_id)).mappings()
        found = self._with_assignments(list(rows))
        return found[0] if found else None

    def rosters(self, first: date, last: date, state: RosterState | None = None) -> list[Roster]:
        c = roster_t.c
        stmt = sa.select(roster_t).where(c.hall == self.hall, c.first <= last, c.last >= first)
        if state is not None:
            stmt = stmt.where(c.state == state.value)
        rows = self.conn.execute(stmt.order_by(c.first, c.version, c.id)).mappings()
        return self._with_assignments(list(rows))

    def last_roster_version(self) -> int:
        c = roster_t.c
        return int(self.conn.execute(sa.select(sa.func.max(c.version)).where(c.hall == self.hall)).scalar() or 0)

    def insert_roster(self, roster: Roster) -> Roster:
        values = {**ROSTER.values(roster), "hall": self.hall}
        new_id = int(self.conn.execute(sa.insert(roster_t).values(values).returning(roster_t.c.id)).scalar_one())
        if roster.assignments:
            rows = [{**ASSIGNMENT.values(a), "roster": new_id} for a in roster.assignments]
            self.conn.execute(sa.insert(roster_assignment_t), rows)
        return replace(roster, id=new_id)

    def update_roster(self, roster: Roster) -> None:
        """Store the roster's state, version and publication (its assignments stay as they are)."""
        c = roster_t.c
        values = {"state": roster.state.value, "version": roster.version, "published_at": roster.published_at}
        if (
            self.conn.execute(sa.update(roster_t).where(c.hall == self.hall, c.id == roster.id).values(values)).rowcount
            != 1
        ):
            raise LookupError(f"roster {roster.id} vanished during the transaction")

    def delete_roster(self, roster_id: int) -> None:
        c, a = roster_t.c, roster_assignment_t.c
        if self.conn.execute(sa.delete(roster_t).where(c.hall == self.hall, c.id == roster_id)).rowcount:
            self.conn.execute(sa.delete(roster_assignment_t).where(a.roster == roster_id))

    def set_pinned(self, roster_id: int, login: str, start: datetime, pinned: bool) -> None:
        a = roster_assignment_t.c
        stmt = (
            sa.update(roster_assignment_t)
            .where(a.roster == roster_id, a.login == login, a.start == start)
            .values(pinned=pinned)
        )
        if self.conn.execute(stmt).rowcount != 1:
            raise LookupError(f"assignment of {login} at {start} in roster {roster_id} vanished")
