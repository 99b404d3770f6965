"""A hall day for the twin, built from the store: the planner's forecast of the day, service times
and no-show shares from history (or the hall file), and the windows of the roster (published,
or the draft) or the windows the planner requires (Erlang C checked by simulation).

Twin times are seconds from ``start``, the quarter hour holding the day's opening; twin slot k
is the day's slot ``first_slot + k``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, time

from ..errors import BadRequest
from ..rules.forecast import slot_minutes
from ..rules.sizing_check import windows_for
from ..rules.twin import plans_from_hall, plans_from_roster
from ..rules.twin_model import SLOT_S, TwinDay
from ..service import QueueService
from ..staffing import SLOT_MINUTES
from .planning import Plan, needs, plan
from .planning_check import appointments_on, check_day_windows, planned_day
from .rosters import roster_range
from .staffing import posts

ROSTERS = ("published", "draft", "required")
REACH_DAYS = 366  # a day further from today than this has no forecast worth simulating


@dataclass(frozen=True, slots=True)
class SimDay:
    """A day ready to simulate, with what the answers need to print it."""

    plan: Plan
    day: date
    twin: TwinDay
    first_slot: int  # the day's slot (from midnight) of twin slot 0
    slots: int  # open slots of the day
    required: Mapping[int, int]  # twin slot → windows the planner requires
    windows_from: str  # "roster", "draft", "hall" (no roster that day) or "required"
    noon_s: tuple[float, float]  # the noon period, seconds from start

    @property
    def opens_minutes(self) -> int:
        return self.first_slot * SLOT_MINUTES

    def clock(self, slot: int) -> str:
        m = (self.first_slot + slot) * SLOT_MINUTES
        return f"{m // 60:02d}:{m % 60:02d}"

    def seconds(self, hhmm: time) -> float:
        """A clock time of the day as twin seconds."""
        return (slot_minutes(hhmm) - self.opens_minutes) * 60.0


def check_day(service: QueueService, slug: str, day: date) -> None:
    today = service.business_day(slug)
    if abs((day - today).days) > REACH_DAYS:
        raise BadRequest(
            f"day: 只能模拟前后 {REACH_DAYS} 天内的日子 / body.day must be within {REACH_DAYS} days of today ({today})"
        )


def sim_day(service: QueueService, slug: str, day: date, roster: str, *, seed: int = 1) -> SimDay:
    """``day`` of hall ``slug`` as the twin runs it, with ``roster``'s windows (a blocking read)."""
    if roster not in ROSTERS:
        raise BadRequest(f"roster: 应为 {'/'.join(ROSTERS)} / body.roster must be one of {', '.join(ROSTERS)}")
    check_day(service, slug, day)
    p = plan(service, slug, day, day)
    f = p.days[0]
    hall = p.hall
    planned = planned_day(p, f, appointments_on(service, slug, day, day).get(day, ()))
    if planned is None:
        if f.source == "none" and p.calendar.opening(day) is not None:
            raise BadRequest(f"day: 该日没有可用的预测 / body.day: no forecast can be made for {day}")
        raise BadRequest(f"day: 该日不营业 / body.day: the hall is closed on {day}")
    twin, first, start, closes_s = planned.twin, planned.first_slot, planned.twin.start, planned.twin.closes_s
    erlang = {s - first: n.windows for (_, s), n in needs(p).items()}
    # Its own seeds: the windows are not fitted to the very visitors the answer then shows.
    required = check_day_windows(p, planned, erlang, seed)
    if roster == "required":
        windows, source = windows_for(required, {s.code: 1.0 for s in hall.services}), "required"
    else:
        duties = roster_range(service, slug, day, day).on(day, draft=roster == "draft")
        windows = plans_from_roster(hall, posts(service, slug), duties, start)
        source = "roster" if roster == "published" else "draft"
        if not windows:
            windows, source = plans_from_hall(hall, 0.0, closes_s), "hall"
    noon = (
        (slot_minutes(hall.noon.start) - first * SLOT_MINUTES) * 60.0,
        (slot_minutes(hall.noon.end) - first * SLOT_MINUTES) * 60.0,
    )
    return SimDay(p, day, replace(twin, windows=windows), first, len(f.slots), required, source, noon)


def workload(sim: SimDay) -> dict[str, float]:
    """Forecast minutes of service per department (a service's department is its zone)."""
    zones = {s.code: s.zone for s in sim.plan.hall.services}
    out: dict[str, float] = {}
    for (svc, _), n in sim.plan.days[0].expected.items():
        t = sim.plan.times.get(svc)
        minutes = t.mean_minutes if t else 10.0
        dept = zones.get(svc, svc)
        out[dept] = out.get(dept, 0.0) + n * minutes
    return out


__all__ = ["REACH_DAYS", "ROSTERS", "SLOT_S", "SimDay", "check_day", "sim_day", "workload"]
