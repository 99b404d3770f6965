"""Noon coverage (中午不停歇) of one day, from its duties: per slot of the noon period, who is
on duty and which services nobody on duty can serve. Pure: the assignments, the staff and the
leave come in, nothing is read.

A clerk counts in a slot only if on duty for all of it: at work, not at lunch, not on leave.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from ..staffing import SLOT_MINUTES, Assignment, Leave, NoonPolicy, StaffMember


@dataclass(frozen=True, slots=True)
class SlotCover:
    """One slot ``[start, end)``: the logins on duty all through it, and the services none of
    them can serve (``gaps``)."""

    start: datetime
    end: datetime
    on_duty: tuple[str, ...]
    gaps: tuple[str, ...]
    min_windows: int

    @property
    def count(self) -> int:
        return len(self.on_duty)

    @property
    def short(self) -> bool:
        """Fewer clerks on duty than the noon policy's windows."""
        return self.count < self.min_windows

    def serves(self, service: str) -> bool:
        return service not in self.gaps


@dataclass(frozen=True, slots=True)
class NoonCoverage:
    day: date
    services: tuple[str, ...]  # what must stay servable through the noon period
    slots: tuple[SlotCover, ...]

    @property
    def gaps(self) -> tuple[tuple[datetime, str], ...]:
        """(slot start, service) for each slot and service nobody on duty can serve."""
        return tuple((s.start, g) for s in self.slots for g in s.gaps)

    @property
    def short(self) -> tuple[SlotCover, ...]:
        """The slots with fewer clerks on duty than the noon policy asks for."""
        return tuple(s for s in self.slots if s.short)

    @property
    def covered(self) -> bool:
        return not self.gaps and not self.short


def on_duty_through(a: Assignment, start: datetime, end: datetime) -> bool:
    """At work for all of ``[start, end)`` and not at lunch in any of it."""
    if not (a.start <= start and end <= a.end):
        return False
    if a.lunch_start is None or a.lunch_end is None:
        return True
    return not (a.lunch_start < end and start < a.lunch_end)


def noon_slots(day: date, tz: tzinfo, noon: NoonPolicy) -> list[tuple[datetime, datetime]]:
    """The noon period of ``day`` cut into ``SLOT_MINUTES`` slots (a last short one if it ends off the grid)."""
    start = datetime.combine(day, noon.start, tzinfo=tz)
    end = datetime.combine(day, noon.end, tzinfo=tz)
    out: list[tuple[datetime, datetime]] = []
    while start < end:
        out.append((start, min(start + timedelta(minutes=SLOT_MINUTES), end)))
        start += timedelta(minutes=SLOT_MINUTES)
    return out


def noon_coverage(
    day: date,
    tz: tzinfo,
    noon: NoonPolicy,
    assignments: Iterable[Assignment],
    staff: Mapping[str, StaffMember],
    services: Sequence[str],
    leave: Iterable[Leave] = (),
) -> NoonCoverage:
    """The coverage of ``day``'s noon period by ``assignments`` (any day's may be given: only
    those on duty in the period count). ``staff``: by login, for skills (an inactive member does
    not count; a login not in it counts but serves nothing)."""
    duties = [a for a in assignments if staff.get(a.login) is None or staff[a.login].active]
    away = list(leave)
    slots: list[SlotCover] = []
    for start, end in noon_slots(day, tz, noon):
        here = sorted(
            {
                a.login
                for a in duties
                if on_duty_through(a, start, end)
                and not any(lv.login == a.login and lv.covers(start, end) for lv in away)
            }
        )
        members = [staff[login] for login in here if login in staff]
        gaps = tuple(s for s in services if not any(m.can_serve(s) for m in members))
        slots.append(SlotCover(start, end, tuple(here), gaps, noon.min_windows))
    return NoonCoverage(day, tuple(services), tuple(slots))
