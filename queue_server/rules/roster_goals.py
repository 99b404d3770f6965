"""The soft rules on the month's model: fairness of noon and weekend duty, then stability
(few changes from the published roster) and A holders at their posts.

Fairness is a spread (max − min of the counts), never a variance: squared terms make CP-SAT
crawl. Only a spread above 1 costs, so the fairness stage's optimum is 0 whenever the rule can
be met, and the solver proves it as soon as it finds it.
"""

from __future__ import annotations

from datetime import date

from .roster_model import FAIR, SOFT, RosterModel, Terms, linear
from .roster_problem import fairness_group

CHANGE_WEIGHT = 2  # a changed clerk-day against an A holder away from their post


def add_goals(rm: RosterModel) -> None:
    noon_days = {d.day for d in rm.days if any(t.noon_duty for t in rm.problem.templates if d.allows(t))}
    _level(rm, "noon", noon_days, noon_only=True)
    _level(rm, "weekend", {d.day for d in rm.days if d.weekend_duty}, noon_only=False)
    add_stability(rm)
    add_a_holders(rm)


def _level(rm: RosterModel, what: str, days: set[date], *, noon_only: bool) -> None:
    """Duty counts over ``days`` within 1 of each other across the fairness group; a clerk with
    leave in the period is held to the group's band pro-rated to the days they can work."""
    if not days:
        return
    group = fairness_group(rm.problem)
    n = len(days)
    hi = rm.model.new_int_var(0, n, f"{what}_hi")
    lo = rm.model.new_int_var(0, n, f"{what}_lo")
    excess = rm.penalty(FAIR, n, len(rm.problem.clerks()), f"{what}_excess")
    rm.model.add(hi - lo <= 1 + excess)
    for clerk in rm.problem.clerks():
        login = clerk.login
        count: Terms = [(v, 1) for d in days for t, v in rm.shifts.get((login, d), ()) if t.noon_duty or not noon_only]
        if login in group:
            rm.model.add(linear(count) <= hi)
            rm.model.add(linear(count) >= lo)
            continue
        share = sum(1 for d in rm.days if d.day in days and not rm.problem.on_leave(login, *rm.problem.day_bounds(d)))
        if share:
            under = rm.penalty(FAIR, n, 1, f"{what}_under_{login}")
            above = rm.penalty(FAIR, n, 1, f"{what}_above_{login}")
            # n·count within [share·lo − (n − 1), share·hi + (n − 1)]: the pro-rated band's floor and ceiling
            rm.model.add(n * linear(count) + n * under >= share * lo - (n - 1))
            rm.model.add(n * linear(count) - n * above <= share * hi + (n - 1))


def add_stability(rm: RosterModel) -> None:
    """Each clerk-day of the days the previous roster covered costs when its shift (or day off)
    changes; the previous roster is also the solver's starting hint."""
    previous = {(a.login, a.day): a.shift for a in rm.problem.previous}
    covered = {a.day for a in rm.problem.previous}
    for day in rm.days:
        if day.day not in covered:
            continue
        for clerk in rm.problem.clerks():
            before = previous.get((clerk.login, day.day))
            for t, v in rm.shifts.get((clerk.login, day.day), ()):
                rm.model.add_hint(v, before == t.code)
                if before == t.code:  # changed = 1 − x
                    changed = rm.penalty(SOFT, 1, CHANGE_WEIGHT, f"changed_{clerk.login}_{day.day:%m%d}")
                    rm.model.add(v + changed >= 1)
                else:  # changed = x
                    rm.terms[SOFT].append((v, CHANGE_WEIGHT))


def add_a_holders(rm: RosterModel) -> None:
    """A post's A holder at work on every open workday they are not on leave (at work, they take
    their post: ``roster_posts``)."""
    for post in rm.problem.posts:
        if post.a is None:
            continue
        for day in (d for d in rm.days if d.open_workday):
            work = rm.works(post.a, day.day)
            if work and not rm.problem.on_leave(post.a, *rm.problem.day_bounds(day)):
                absent = rm.penalty(SOFT, 1, 1, f"absent_{post.code}_{day.day:%m%d}")
                rm.model.add(linear(work) + absent >= 1)
