"""Who is where against the roster: posts left unmanned (缺岗) and attendance (考勤). Pure.

缺岗: a duty on a post with a window whose clerk, ``ABSENT_AFTER`` after the duty's start, holds
no window and whose window nobody else mans; the alert names the B backup to call in.

考勤: per clerk per day, from the windows' open and close events against the published duties:
the first open, the last close, minutes late (first open after the first duty's start),
minutes left early (last close before the last duty's end, if the clerk's last window was
closed that day), absent (a duty day with no open at all), on leave (leave overlapping a duty;
never absent then). Minutes are whole minutes, rounded down.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from ..domain import Event, Window, WindowState
from ..staffing import Assignment, Leave, Post, StaffMember
from .roster_boundaries import at_lunch, post_windows

ABSENT_AFTER = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Absence:
    login: str
    window: int
    post: str
    since: datetime  # the duty's start
    backup: str | None  # the login to call in


def backup_of(login: str, post: Post | None, staff: Mapping[str, StaffMember]) -> str | None:
    """The post's other holder (AB岗), else the clerk's A/B partner."""
    if post is not None:
        if post.a == login and post.b:
            return post.b
        if post.b == login and post.a:
            return post.a
    member = staff.get(login)
    return member.partner if member is not None else None


def absences(
    at: datetime,
    duties: Sequence[Assignment],
    posts: Sequence[Post],
    windows: Sequence[Window],
    staff: Mapping[str, StaffMember],
    grace: timedelta = ABSENT_AFTER,
) -> list[Absence]:
    """Posts unmanned at ``at`` by their rostered clerk, by window. Not during the clerk's lunch."""
    by_code = {p.code: p for p in posts}
    where = post_windows(posts)
    held = {w.staff for w in windows if w.state is not WindowState.CLOSED and w.staff}
    manned = {w.number for w in windows if w.state is not WindowState.CLOSED and w.staff}
    found: list[Absence] = []
    for duty in duties:
        number = where.get(duty.post) if duty.post is not None else None
        if number is None or duty.post is None or not duty.start + grace <= at < duty.end or at_lunch(duty, at):
            continue
        if duty.login in held or number in manned:
            continue
        backup = backup_of(duty.login, by_code.get(duty.post), staff)
        found.append(Absence(duty.login, number, duty.post, duty.start, backup))
    return sorted(found, key=lambda a: (a.window, a.login))


# -- attendance --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attendance:
    """One clerk on one day."""

    login: str
    day: date
    duty_start: datetime | None  # the first duty's start (None: no duty that day)
    duty_end: datetime | None  # the last duty's end
    first_open: datetime | None
    last_close: datetime | None
    late_minutes: int
    early_minutes: int
    absent: bool
    on_leave: bool
    upcoming: bool = False  # the duty has not started yet: neither absent nor late so far


@dataclass(slots=True)
class _Day:
    opens: list[datetime]
    closes: list[datetime]
    still_open: bool = False


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def sessions(events: Iterable[Event], tz: tzinfo) -> dict[tuple[str, date], _Day]:
    """Each clerk's window opens and closes by local day, from window events in log order: an
    open names the clerk; a close (by them, a manager or the runner) ends whoever held it."""
    holder: dict[int, str] = {}
    days: dict[tuple[str, date], _Day] = defaultdict(lambda: _Day([], []))
    for e in events:
        if e.window is None:
            continue
        day = e.at.astimezone(tz).date()
        if e.kind == "window.open" and e.staff:
            holder[e.window] = e.staff
            found = days[(e.staff, day)]
            found.opens.append(e.at)
            found.still_open = True
        elif e.kind == "window.close" and e.window in holder:
            login = holder.pop(e.window)
            found = days[(login, day)]
            found.closes.append(e.at)
            found.still_open = any(h == login for h in holder.values())
    return days


def attendance(
    first: date,
    last: date,
    duties: Sequence[Assignment],
    events: Iterable[Event],
    leave: Sequence[Leave],
    tz: tzinfo,
    now: datetime,
) -> list[Attendance]:
    """Rows for each clerk and day of ``[first, last]`` with a duty or a window opened, by day
    and login. ``events``: the window events from before ``first`` (so a window opened the day
    before is known) in log order. A duty not yet started at ``now`` is ``upcoming``, not absent."""
    seen = {k: v for k, v in sessions(events, tz).items() if first <= k[1] <= last}
    mine: dict[tuple[str, date], list[Assignment]] = defaultdict(list)
    for d in duties:
        if first <= d.day <= last:
            mine[(d.login, d.day)].append(d)
    rows: list[Attendance] = []
    for key in sorted(set(seen) | set(mine), key=lambda k: (k[1], k[0])):
        login, day = key
        work = sorted(mine.get(key, []), key=lambda d: d.start)
        got = seen.get(key)
        first_open = min(got.opens) if got and got.opens else None
        last_close = max(got.closes) if got and got.closes and not got.still_open else None
        start = work[0].start if work else None
        end = max(d.end for d in work) if work else None
        away = any(lv.login == login and lv.covers(d.start, d.end) for lv in leave for d in work)
        late = _minutes(first_open - start) if first_open is not None and start is not None else 0
        early = _minutes(end - last_close) if last_close is not None and end is not None else 0
        rows.append(
            Attendance(
                login,
                day,
                start,
                end,
                first_open,
                last_close,
                late,
                early,
                bool(work) and first_open is None and not away and start is not None and start <= now,
                away,
                start is not None and start > now and first_open is None,
            )
        )
    return rows
