"""The roster to make for a hall and a range, read from the store: what the solver needs
(``RosterProblem``) in one read, so staff, posts, leave and rosters agree with each other.

The days come from the hall's calendar and opening hours, the staff and templates from its
registry; ``previous`` is the published roster in force over the range (changes from it
cost), ``pinned`` the pinned duties of the range's drafts, or of the published roster on
days no draft covers (kept exactly). Demand is what the
opening hours and the noon policy ask, cut to what the staff can give (``rules.roster_demand``),
or with ``demand="planner"`` the windows the planner sizes per slot for the hall's target
(Erlang C checked by the twin, ``queries.planning_check``), at least the noon minimum and at most the posts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from ..errors import BadRequest
from ..rules.calendar import HallCalendar
from ..rules.roster_demand import staffed_demand
from ..rules.roster_problem import RosterProblem, Slot, roster_days
from ..rules.sizing import SlotNeed, roster_demand
from ..service import QueueService
from ..text import check_period
from .planning import plan
from .planning_check import checked_needs
from .rosters import rosters_in
from .staffing import days_of

MAX_SOLVE_DAYS = 62  # two months: a roster is made by the week or the month
DEFAULT_TIME_LIMIT_S = 10.0
DEMANDS = ("staffed", "planner")
MAX_TIME_LIMIT_S = 60.0
MIN_TIME_LIMIT_S = 0.1


def check_solve_range(first: date, last: date) -> None:
    """BadRequest naming the field when ``first..last`` cannot be solved at once."""
    check_period(first, last, MAX_SOLVE_DAYS, ("自动排班一次最多", "a solve covers at most"))


def check_time_limit(seconds: float) -> None:
    if not MIN_TIME_LIMIT_S <= seconds <= MAX_TIME_LIMIT_S:
        raise BadRequest(
            f"time_limit_s: 须在 {MIN_TIME_LIMIT_S:g} 到 {MAX_TIME_LIMIT_S:g} 秒之间 / time_limit_s: must lie "
            f"between {MIN_TIME_LIMIT_S:g} and {MAX_TIME_LIMIT_S:g} seconds, got {seconds:g}"
        )


def check_demand(demand: str) -> None:
    if demand not in DEMANDS:
        raise BadRequest(f"demand: 须为 staffed 或 planner / demand: must be 'staffed' or 'planner', got {demand!r}")


def planner_demand(problem: RosterProblem, sized: dict[Slot, SlotNeed]) -> dict[Slot, int]:
    """The planner's windows on the problem's open slots, floored by the noon minimum and capped
    by the posts (no more windows can be staffed than are held)."""
    noon = set(problem.noon_slots())
    least = problem.noon.min_windows if problem.noon else 0
    slots = [(d.day, s) for d in problem.days for s in d.slots()]
    floor = {key: least for key in slots if key[1] in noon}
    posts = len(problem.posts) or len(problem.clerks())
    wanted = {key: sized[key] for key in slots if key in sized}
    out = roster_demand(wanted, windows=posts, floor=floor)
    return {key: out.get(key, min(floor.get(key, 0), posts)) for key in slots}


def roster_problem(
    service: QueueService,
    slug: str,
    first: date,
    last: date,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    demand: str = "staffed",
) -> RosterProblem:
    """The roster problem of ``[first, last]`` in hall ``slug`` as the store has it now."""
    hall = service.hall(slug)
    check_solve_range(first, last)
    check_time_limit(time_limit_s)
    check_demand(demand)
    tz = hall.tz
    since = datetime.combine(first, time(0), tzinfo=tz)
    until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    with service.store.reader(slug) as r:
        overrides = r.calendar_overrides(first, last)
        staff = tuple(m for m in r.staff() if m.active)
        templates = tuple(r.shift_templates())
        posts = tuple(r.posts())
        leave = tuple(r.leaves(since, until))
        rosters = rosters_in(r.rosters(first, last), first, last)
    calendar = HallCalendar(hall.hours, overrides)
    # A day's pins are its draft's, or the published roster's where no draft covers the day.
    pinned = tuple(a for a in rosters.assignments(draft=True) if a.pinned)
    problem = RosterProblem(
        hall=slug,
        tz=tz,
        days=roster_days((calendar.day(d) for d in days_of(first, last)), hall.hours),
        staff=staff,
        templates=templates,
        posts=posts,
        leave=leave,
        noon=hall.noon,
        previous=rosters.assignments(),
        pinned=pinned,
        time_limit_s=time_limit_s,
    )
    if demand == "planner":
        sized = checked_needs(service, slug, plan(service, slug, first, last))
        return replace(problem, demand=planner_demand(problem, sized))
    return replace(problem, demand=staffed_demand(problem))
