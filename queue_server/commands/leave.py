"""Who is away and which days are off: a clerk's leave (请假, 外出, 培训) and the hall's own
calendar dates set from the dashboard (beside the hall file's). ``leave.changed`` and
``calendar.changed`` events."""

from __future__ import annotations

from datetime import date, datetime

from ..domain import Event
from ..errors import BadRequest, Conflict, NotFound
from ..queries.staffing_views import plain
from ..staffing import CalendarDay, DayKind, Leave, LeaveKind
from ..storage.base import DASHBOARD_SOURCE
from ..text import date_problem
from .staffing_checks import MAX_NOTE, Changed, instant, named_member, text_field
from .unit import Commands, Unit


def _kind(kind: LeaveKind | str) -> LeaveKind:
    try:
        return LeaveKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in LeaveKind)
        raise BadRequest(f"kind: 没有这种请假类别 / kind: unknown kind {kind!r} (allowed: {allowed})") from None


def _day_kind(kind: DayKind | str) -> DayKind:
    try:
        return DayKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in DayKind)
        raise BadRequest(f"kind: 没有这种日期类别 / kind: unknown kind {kind!r} (allowed: {allowed})") from None


def _day(day: date) -> date:
    problem = date_problem(day)
    if problem:
        raise BadRequest(f"day: 日期{problem[0]} / day: {problem[1]}")
    return day


def _recorded_leave(u: Unit, change: str, leave: Leave, by: str | None) -> None:
    # The note stays out of the event: the hall channel sends every event to the hall's screens.
    shown = {k: v for k, v in plain(leave).items() if k != "note"}
    detail = {"change": change, "leave": shown}
    u.record(Event(hall=u.hall.slug, kind="leave.changed", at=u.now, staff=by, detail=detail))


class LeaveCommands(Commands):
    # -- leave ---------------------------------------------------------------

    def add_leave(
        self,
        slug: str,
        login: str,
        kind: LeaveKind | str,
        start: datetime,
        end: datetime,
        note: str = "",
        by: str | None = None,
    ) -> Changed[Leave]:
        """``login`` away over ``[start, end)`` (naive times: the hall's local time); leave that
        overlaps the same person's other leave is refused."""
        with self._unit(slug) as u:
            named_member(u, login, "login", active=False)
            leave = Leave(
                id=None,
                hall=slug,
                login=login,
                kind=_kind(kind),
                start=instant(start, u.hall.tz),
                end=instant(end, u.hall.tz),
                note=text_field(note, "note", "备注", max_len=MAX_NOTE),
            )
            for value, field in ((leave.start, "start"), (leave.end, "end")):
                problem = date_problem(value.date())
                if problem:
                    raise BadRequest(f"{field}: 日期{problem[0]} / {field}: {problem[1]}")
            if leave.end <= leave.start:
                raise BadRequest(
                    f"end: 结束须晚于开始 / end: {leave.end:%Y-%m-%d %H:%M} UTC is not after the start "
                    f"{leave.start:%Y-%m-%d %H:%M} UTC"
                )
            clash = u.tx.leaves(leave.start, leave.end, login)
            if clash:
                other = clash[0]
                tz = u.hall.tz
                shown = f"{other.start.astimezone(tz):%Y-%m-%d %H:%M}–{other.end.astimezone(tz):%Y-%m-%d %H:%M}"
                raise Conflict(
                    f"{login} 在 {shown} 已有请假（{other.id}） / "
                    f"{login} already has leave {other.id} over {shown}, which this one overlaps"
                )
            leave = u.tx.insert_leave(leave)
            _recorded_leave(u, "add", leave, by)
        return Changed(leave, u.events)

    def delete_leave(self, slug: str, leave_id: int, by: str | None = None) -> Changed[Leave]:
        with self._unit(slug) as u:
            leave = u.tx.leave(leave_id)
            if leave is None:
                raise NotFound(f"没有请假记录 {leave_id} / leave {leave_id} does not exist in {slug}")
            u.tx.delete_leave(leave_id)
            _recorded_leave(u, "delete", leave, by)
        return Changed(leave, u.events)

    # -- the hall's own calendar dates ---------------------------------------

    def set_calendar_day(
        self, slug: str, day: date, kind: DayKind | str, name: str = "", by: str | None = None
    ) -> Changed[CalendarDay]:
        """What ``day`` is for this hall, from the dashboard (it beats the hall file's date)."""
        with self._unit(slug) as u:
            override = CalendarDay(
                day=_day(day), kind=_day_kind(kind), name=text_field(name, "name", "名称"), source=DASHBOARD_SOURCE
            )
            u.tx.put_calendar_day(override)
            detail = {"change": "set", "day": plain(override)}
            u.record(Event(hall=slug, kind="calendar.changed", at=u.now, staff=by, detail=detail))
        return Changed(override, u.events)

    def clear_calendar_day(self, slug: str, day: date, by: str | None = None) -> Changed[date]:
        """Drop the dashboard's date: the hall file's (or the national calendar) holds again."""
        with self._unit(slug) as u:
            if not u.tx.delete_calendar_day(day, DASHBOARD_SOURCE):
                raise NotFound(f"{day} 没有手动设置的日期 / {day} has no date set from the dashboard in {slug}")
            detail = {"change": "clear", "day": {"day": day.isoformat(), "source": DASHBOARD_SOURCE}}
            u.record(Event(hall=slug, kind="calendar.changed", at=u.now, staff=by, detail=detail))
        return Changed(day, u.events)
