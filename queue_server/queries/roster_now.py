"""The roster against the hall now: who should be at which window, who is at lunch and where
their visitors go, posts left unmanned (缺岗), and attendance (考勤) for a range of days.

``hall_now`` is the one read both the now-view and the roster runner work from: the windows,
who is being served at each, and the published duties of yesterday and today.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from ..domain import Window, WindowState
from ..errors import BadRequest
from ..rules.roster_boundaries import (
    at_lunch,
    cover_of_reason,
    cover_window,
    covering,
    is_lunch_reason,
    post_windows,
)
from ..rules.roster_presence import Absence, Attendance, absences, attendance
from ..service import QueueService
from ..staffing import Assignment, Leave, Post, StaffMember
from .rosters import rosters_in
from .staffing import check_range
from .window_log import window_events

MAX_ATTENDANCE_DAYS = 93


@dataclass(frozen=True, slots=True)
class HallNow:
    """One hall at ``at``, read in one transaction."""

    slug: str
    at: datetime
    windows: tuple[Window, ...]
    busy: frozenset[int]  # windows with a ticket called or in service
    duties: tuple[Assignment, ...]  # the published duties of yesterday and today
    posts: tuple[Post, ...]
    staff: dict[str, StaffMember]
    noon_duty: frozenset[str]  # clerks on a noon-duty shift today
    leave: tuple[Leave, ...]  # leave overlapping today


# A hall's duties of yesterday and today, with the day and the roster version they were read at.
DutyCache = dict[str, tuple[tuple[date, int], tuple[Assignment, ...]]]


def hall_now(service: QueueService, slug: str, at: datetime | None = None, cache: DutyCache | None = None) -> HallNow:
    """``cache``: the runner's, so a quiet minute does not read the month's duties again; a
    published roster never changes (a new one is a new version), so the version says when to."""
    hall = service.hall(slug)
    now = at or service.clock()
    today = now.astimezone(hall.tz).date()
    yesterday = today - timedelta(days=1)
    with service.store.reader(slug) as r:
        windows = r.windows()
        busy = frozenset(r.current_tickets([w.number for w in windows]))
        key = (today, r.last_roster_version())
        kept = cache.get(slug) if cache is not None else None
        if kept is not None and kept[0] == key:
            duties = kept[1]
        else:
            ruling = rosters_in(r.rosters(yesterday, today), yesterday, today)
            duties = ruling.on(yesterday) + ruling.on(today)
            if cache is not None:
                cache[slug] = (key, duties)
        templates = {t.code: t for t in r.shift_templates()}
        midnight = datetime.combine(today, time(0), tzinfo=hall.tz)
        leave = r.leaves(midnight, midnight + timedelta(days=1))
        staff = {m.login: m for m in r.staff()}
        posts = r.posts()
    noon = frozenset(
        d.login for d in duties if d.day == today and (t := templates.get(d.shift)) is not None and t.noon_duty
    )
    return HallNow(slug, now, tuple(windows), busy, duties, tuple(posts), staff, noon, tuple(leave))


# -- the now-view ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WindowNow:
    window: int
    login: str | None
    post: str | None
    state: str  # on_duty | lunch | before | after | off
    lunch_start: datetime | None
    lunch_end: datetime | None
    cover_window: int | None
    window_state: str
    unrostered: bool


@dataclass(frozen=True, slots=True)
class RosterNow:
    at: datetime
    windows: tuple[WindowNow, ...]
    absences: tuple[Absence, ...]
    staff: dict[str, StaffMember]


def duty_state(duty: Assignment | None, at: datetime) -> str:
    if duty is None:
        return "off"
    if at < duty.start:
        return "before"
    if at >= duty.end:
        return "after"
    return "lunch" if at_lunch(duty, at) else "on_duty"


def todays(now: HallNow, tz_day: date) -> list[Assignment]:
    return [d for d in now.duties if d.day == tz_day]


def pick(duties: list[Assignment], at: datetime) -> Assignment | None:
    """The duty that speaks for now among one window's or one clerk's: the current one, else
    the next, else the last ended."""
    current = next((d for d in duties if d.start <= at < d.end), None)
    upcoming = min((d for d in duties if d.start > at), key=lambda d: d.start, default=None)
    ended = max((d for d in duties if d.end <= at), key=lambda d: d.end, default=None)
    return current or upcoming or ended


def _cover(now: HallNow, window: Window, duty: Assignment | None) -> int | None:
    if window.state is WindowState.PAUSED and is_lunch_reason(window.pause_reason):
        return cover_of_reason(window.pause_reason)
    if duty is None or not at_lunch(duty, now.at):
        return None
    held = window if window.staff == duty.login else replace(window, staff=duty.login)
    return cover_window(held, now.windows, now.duties, now.posts, now.at, now.noon_duty)


def roster_now(service: QueueService, slug: str) -> RosterNow:
    """Each window against the roster now, and the posts unmanned (缺岗)."""
    now = hall_now(service, slug)
    tz = service.hall(slug).tz
    day = now.at.astimezone(tz).date()
    duties = todays(now, day)
    where = post_windows(now.posts)
    rows: list[WindowNow] = []
    for window in now.windows:
        rostered = [d for d in duties if d.post is not None and where.get(d.post) == window.number]
        duty = pick(rostered, now.at)
        holder = window.staff if window.state is not WindowState.CLOSED else None
        if duty is not None:
            rows.append(
                WindowNow(
                    window.number, duty.login, duty.post, duty_state(duty, now.at), duty.lunch_start,
                    duty.lunch_end, _cover(now, window, duty), window.state.value, False,
                )
            )  # fmt: skip
        if holder is not None and (duty is None or holder != duty.login):
            own = pick([d for d in duties if d.login == holder], now.at)
            # Not theirs: a roster rules today and gives them another window, or no duty at all
            # (a floater goes where needed; a hall without a roster today rosters nobody).
            elsewhere = bool(duties) and (own is None or own.post is not None)
            rows.append(
                WindowNow(
                    window.number, holder, own.post if own else None, duty_state(own, now.at),
                    own.lunch_start if own else None, own.lunch_end if own else None,
                    _cover(now, window, own), window.state.value, elsewhere,
                )
            )  # fmt: skip
        elif duty is None:
            rows.append(WindowNow(window.number, None, None, "off", None, None, None, window.state.value, False))
    missing = absences(now.at, duties, now.posts, now.windows, now.staff)
    return RosterNow(now.at, tuple(rows), tuple(missing), now.staff)


def my_cover(service: QueueService, slug: str, login: str) -> int | None:
    """Where ``login``'s visitors go during their lunch: while it lasts, the window the pause
    names; before it (the console warns ahead), the window that would cover it at its start.
    None: no lunch left today, no window of theirs, or none to send anyone to."""
    now = hall_now(service, slug)
    duty = covering(login, now.duties, now.at)
    if duty is None or duty.lunch_start is None or duty.lunch_end is None or duty.lunch_end <= now.at:
        return None
    where = post_windows(now.posts)
    rostered = where.get(duty.post) if duty.post is not None else None
    held = next((w for w in now.windows if w.staff == login and w.state is not WindowState.CLOSED), None)
    held = held or next((w for w in now.windows if w.number == rostered), None)
    if held is None:
        return None
    if held.state is WindowState.PAUSED and is_lunch_reason(held.pause_reason):
        return cover_of_reason(held.pause_reason)
    at = max(now.at, duty.lunch_start)
    return cover_window(replace(held, staff=login), now.windows, now.duties, now.posts, at, now.noon_duty)


# -- attendance --------------------------------------------------------------------------


def attendance_of(service: QueueService, slug: str, first: date, last: date) -> list[Attendance]:
    """考勤 of ``[first, last]``: each clerk's day against their published duties."""
    hall = service.hall(slug)
    check_range(first, last)
    if (last - first).days + 1 > MAX_ATTENDANCE_DAYS:
        raise BadRequest(f"to: 一次最多查询 {MAX_ATTENDANCE_DAYS} 天 / to: at most {MAX_ATTENDANCE_DAYS} days at once")
    since = datetime.combine(first, time(0), tzinfo=hall.tz)
    until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=hall.tz)
    with service.store.reader(slug) as r:
        ruling = rosters_in(r.rosters(first, last), first, last)
        # From the day before: a window opened then and closed in the range is known.
        events = window_events(r, since - timedelta(days=1), until, kinds=("window.open", "window.close"))
        leave = r.leaves(since, until)
    return attendance(first, last, ruling.assignments(), events, leave, hall.tz, service.clock())
