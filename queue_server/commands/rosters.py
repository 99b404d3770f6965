"""Roster commands (排班表): save a draft (it replaces the hall's draft of those days), publish
it as the next version (superseding the published one on the days they share), pin or unpin
one assignment for the solver to keep. ``roster.saved`` and ``roster.published`` events.

The checks here are what makes a roster storable (who, which shift and post, inside its day,
lunch inside the duty, nobody in two places at once); whether it is a good roster (coverage,
skills, A/B, rest, leave) is ``rules.roster_check``'s to report, not to refuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from ..domain import Event
from ..errors import BadRequest, Conflict, NotFound
from ..queries.staffing_views import plain
from ..staffing import Assignment, Roster, RosterState
from ..text import check_period
from .staffing_checks import Changed, instant
from .unit import Commands, Unit

MAX_DAYS = 93  # a quarter: rosters are made by the week or the month


def roster_head(roster: Roster) -> dict[str, Any]:
    """The roster without its assignments (their count instead), as events carry it."""
    head = plain(replace(roster, assignments=()))
    head["assignments"] = len(roster.assignments)
    return dict(head)


def _period(first: date, last: date) -> None:
    check_period(first, last, MAX_DAYS, ("排班最长", "a roster covers at most"))


@dataclass(frozen=True, slots=True)
class _Known:
    """What assignments may name, read once per roster."""

    active: frozenset[str]
    inactive: frozenset[str]
    shifts: frozenset[str]
    posts: frozenset[str]


def _known(u: Unit) -> _Known:
    staff = u.tx.staff()
    return _Known(
        active=frozenset(s.login for s in staff if s.active),
        inactive=frozenset(s.login for s in staff if not s.active),
        shifts=frozenset(t.code for t in u.tx.shift_templates()),
        posts=frozenset(p.code for p in u.tx.posts()),
    )


def _assignment(u: Unit, known: _Known, a: Assignment, at: str, first: date, last: date) -> Assignment:
    """``a`` checked (times in UTC), or BadRequest naming ``at``'s field."""
    if a.hall != u.hall.slug:
        raise BadRequest(f"{at}.hall: 不是本大厅的排班 / {at}.hall: {a.hall!r} is not {u.hall.slug!r}")
    if a.login not in known.active:
        zh, en = (
            ("已停用", "is no longer active")
            if a.login in known.inactive
            else ("不是本大厅工作人员", "is not on the staff")
        )
        raise BadRequest(f"{at}.login: {a.login} {zh} / {at}.login: {a.login!r} {en} in {u.hall.slug}")
    if a.shift not in known.shifts:
        raise BadRequest(f"{at}.shift: 没有班次 {a.shift} / {at}.shift: no shift template {a.shift!r}")
    if a.post is not None and a.post not in known.posts:
        raise BadRequest(f"{at}.post: 没有岗位 {a.post} / {at}.post: no post {a.post!r}")
    if not first <= a.day <= last:
        raise BadRequest(f"{at}.day: {a.day} 不在排班期内 / {at}.day: {a.day} is outside {first}..{last}")
    tz = u.hall.tz
    start, end = instant(a.start, tz), instant(a.end, tz)
    opens = datetime.combine(a.day, time(0), tzinfo=tz)
    if not (opens <= start < end <= opens + timedelta(days=1)):
        raise BadRequest(
            f"{at}.start, {at}.end: 须在 {a.day} 当天内且结束晚于开始 / "
            f"{at}: {a.start.isoformat()}..{a.end.isoformat()} must lie within {a.day} (hall time) "
            "and end after it starts"
        )
    if (a.lunch_start is None) != (a.lunch_end is None):
        raise BadRequest(f"{at}.lunch_start, {at}.lunch_end: 须同时给出 / {at}: lunch_start and lunch_end go together")
    lunch_start = lunch_end = None
    if a.lunch_start is not None and a.lunch_end is not None:
        lunch_start, lunch_end = instant(a.lunch_start, tz), instant(a.lunch_end, tz)
        if not (start <= lunch_start < lunch_end <= end):
            raise BadRequest(
                f"{at}.lunch_start, {at}.lunch_end: 午休须在当班时间内 / {at}: the lunch break "
                f"{a.lunch_start.isoformat()}..{a.lunch_end.isoformat()} must lie inside the duty"
            )
    return replace(a, start=start, end=end, lunch_start=lunch_start, lunch_end=lunch_end)


def checked_assignments(u: Unit, first: date, last: date, assignments: Sequence[Assignment]) -> tuple[Assignment, ...]:
    """The assignments of a roster of ``[first, last]``, checked and in UTC, by day, login and start."""
    _period(first, last)
    known = _known(u)
    checked = [_assignment(u, known, a, f"assignments[{i}]", first, last) for i, a in enumerate(assignments)]
    by_start = sorted(checked, key=lambda a: (a.login, a.start))
    for before, after in pairwise(by_start):
        if before.login == after.login and after.start < before.end:
            tz = u.hall.tz
            raise BadRequest(
                f"assignments: {after.login} 的两段排班重叠 / assignments: two duties of {after.login} overlap, "
                f"{before.shift} from {before.start.astimezone(tz):%Y-%m-%d %H:%M} and "
                f"{after.shift} from {after.start.astimezone(tz):%Y-%m-%d %H:%M}"
            )
    return tuple(sorted(checked, key=lambda a: (a.day, a.login, a.start)))


def _roster(u: Unit, roster_id: int) -> Roster:
    found = u.tx.roster(roster_id)
    if found is None:
        raise NotFound(f"没有排班表 {roster_id} / roster {roster_id} does not exist in {u.hall.slug}")
    return found


def _draft(u: Unit, roster_id: int) -> Roster:
    roster = _roster(u, roster_id)
    if roster.state is not RosterState.DRAFT:
        raise Conflict(
            f"排班表 {roster_id} 已发布，不能修改，请另存草稿 / roster {roster_id} is published (version "
            f"{roster.version}) and cannot change: save a draft instead"
        )
    return roster


class RosterCommands(Commands):
    def save_roster(
        self, slug: str, first: date, last: date, assignments: Sequence[Assignment], by: str | None = None
    ) -> Changed[Roster]:
        """Store a draft of ``[first, last]``; the hall's drafts overlapping those days are replaced."""
        with self._unit(slug) as u:
            checked = checked_assignments(u, first, last, assignments)
            replaced = [r.id for r in u.tx.rosters(first, last, RosterState.DRAFT)]
            for roster_id in replaced:
                assert roster_id is not None
                u.tx.delete_roster(roster_id)
            draft = Roster(None, slug, first, last, RosterState.DRAFT, 0, checked, by or "", u.now)
            draft = u.tx.insert_roster(draft)
            detail = {"change": "save", "roster": roster_head(draft), "replaced": replaced}
            u.record(Event(hall=slug, kind="roster.saved", at=u.now, staff=by, detail=detail))
        return Changed(draft, u.events)

    def publish_roster(self, slug: str, roster_id: int, by: str | None = None) -> Changed[Roster]:
        """The draft becomes the hall's next version; on the days it covers it supersedes every
        earlier published version (they stay stored, for the history)."""
        with self._unit(slug) as u:
            draft = _draft(u, roster_id)
            # Checked again: a clerk, template or post may have gone since the draft was saved.
            checked_assignments(u, draft.first, draft.last, draft.assignments)
            supersedes = [r.id for r in u.tx.rosters(draft.first, draft.last, RosterState.PUBLISHED)]
            version = u.tx.last_roster_version() + 1
            published = replace(draft, state=RosterState.PUBLISHED, version=version, published_at=u.now)
            u.tx.update_roster(published)
            detail = {"roster": roster_head(published), "supersedes": supersedes}
            u.record(Event(hall=slug, kind="roster.published", at=u.now, staff=by, detail=detail))
        return Changed(published, u.events)

    def pin_assignment(
        self,
        slug: str,
        roster_id: int,
        login: str,
        day: date,
        pinned: bool = True,
        *,
        start: datetime | None = None,
        by: str | None = None,
    ) -> Changed[Assignment]:
        """Pin (or unpin) ``login``'s duty on ``day`` in a draft: the solver keeps a pinned duty
        as it is. ``start`` picks one duty of a day that has several."""
        with self._unit(slug) as u:
            draft = _draft(u, roster_id)
            found = [a for a in draft.assignments if a.login == login and a.day == day]
            if start is not None:
                at = instant(start, u.hall.tz)
                found = [a for a in found if a.start == at]
            if not found:
                raise NotFound(f"{login} 在 {day} 没有排班 / {login} has no duty on {day} in roster {roster_id}")
            if len(found) > 1:
                starts = ", ".join(f"{a.start.astimezone(u.hall.tz):%H:%M}" for a in found)
                raise BadRequest(
                    f"start: {login} 在 {day} 有 {len(found)} 段排班，请指明开始时间 / "
                    f"start: {login} has {len(found)} duties on {day} ({starts}); say which by its start"
                )
            duty = replace(found[0], pinned=pinned)
            u.tx.set_pinned(roster_id, login, duty.start, pinned)
            detail = {"change": "pin" if pinned else "unpin", "roster": roster_head(draft), "assignment": plain(duty)}
            u.record(Event(hall=slug, kind="roster.saved", at=u.now, staff=by, detail=detail))
        return Changed(duty, u.events)
