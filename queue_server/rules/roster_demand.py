"""The windows a roster should keep open per slot when no planner says: what the opening hours
and the noon policy ask for, cut down to what the hall's staff can give.

A hall often has more windows than clerks (the demo: 20 windows, 12 staff), so one window per
post all day would be a demand nobody can meet, and the solver's answer would be a page of
shortfalls instead of a roster. Here each week's clerk-days are shared out: the days the hall
opens on a day off (weekend duty, a rota) get the noon minimum or the few clerks who between them
serve every service, whichever is more, the workdays share what is left
evenly, and no day asks for more posts than the hall has or more clerks than are there.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from .roster_problem import RosterDay, RosterProblem, Slot, lunch_slots, lunch_starts


def clerk_day_minutes(problem: RosterProblem, day: RosterDay) -> int:
    """What one clerk's duty on ``day`` costs of their week: the longest template the day
    allows, or the whole open span when none does."""
    if day.hours is None:
        return 0
    fits = [t.minutes for t in problem.templates if day.allows(t)]
    if fits:
        return max(fits)
    start, end = day.hours
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def present(problem: RosterProblem, day: RosterDay) -> int:
    """Active clerks not away over the whole of ``day``'s hours."""
    bounds = problem.day_bounds(day)
    return sum(1 for c in problem.clerks() if not problem.on_leave(c.login, *bounds))


def daily_windows(problem: RosterProblem) -> dict[date, int]:
    """Windows to keep open on each open day (outside the noon period)."""
    posts = len(problem.posts) or len(problem.clerks())
    rota = max(1, problem.noon.min_windows if problem.noon else 1)
    weeks: dict[date, list[RosterDay]] = defaultdict(list)
    for d in problem.days:
        if d.hours is not None:
            weeks[d.day - timedelta(days=d.day.weekday())].append(d)
    out: dict[date, int] = {}
    for days in weeks.values():
        capacity = 0
        for clerk in problem.clerks():
            there = sum(
                clerk_day_minutes(problem, d) for d in days if not problem.on_leave(clerk.login, *problem.day_bounds(d))
            )
            capacity += min(problem.limits.max_week_minutes, there)
        weekend = [d for d in days if d.weekend_duty]
        workdays = [d for d in days if not d.weekend_duty]
        for d in weekend:
            out[d.day] = min(max(rota, cover_size(problem, d)), posts, present(problem, d))
            capacity -= out[d.day] * clerk_day_minutes(problem, d)
        need = sum(clerk_day_minutes(problem, d) for d in workdays)
        share = capacity // need if need else 0
        for d in workdays:
            out[d.day] = max(0, min(share, posts, present(problem, d)))
    return out


def staffed_demand(problem: RosterProblem) -> dict[Slot, int]:
    """Windows per open slot: the day's share; within the noon period the noon policy's minimum
    (a share below it does not lower the policy); and where lunch breaks may fall outside it,
    half the share, so the breaks have room (an hour's lunch placed within a few hours)."""
    noon = set(problem.noon_slots())
    least = problem.noon.min_windows if problem.noon else 0
    daily = daily_windows(problem)
    out: dict[Slot, int] = {}
    for d in problem.days:
        lunch = lunch_span(problem, d)
        for s in d.slots():
            if problem.noon and s in noon:
                out[d.day, s] = least
            elif s in lunch:
                out[d.day, s] = max(min(least, daily[d.day]), daily[d.day] // 2)
            else:
                out[d.day, s] = daily[d.day]
    return out


def lunch_span(problem: RosterProblem, day: RosterDay) -> set[int]:
    """The slots where a lunch break of a template the day allows may fall."""
    out: set[int] = set()
    for t in problem.templates:
        starts = lunch_starts(t)
        if day.allows(t) and starts:
            out.update(range(starts[0], starts[-1] + lunch_slots(t)))
    return out


def cover_size(problem: RosterProblem, day: RosterDay) -> int:
    """How many of the clerks present on ``day`` serve every service of the posts between them
    (greedy: at most a few more than the fewest; services nobody present serves are left out)."""
    bounds = problem.day_bounds(day)
    skills = [{s.service for s in c.skills} for c in problem.clerks() if not problem.on_leave(c.login, *bounds)]
    left = {svc for p in problem.posts for svc in p.services} & set().union(*skills)
    count = 0
    while left:
        best = max(skills, key=lambda known: len(known & left))
        left -= best
        count += 1
    return count
