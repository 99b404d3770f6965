"""Which post each rostered clerk sits at, once the solver has said who works when.

Posts do not change coverage (a window open is a clerk on duty), so they are placed after
the solve, per day: pinned duties keep their post; an A holder at work takes their post; a
post whose A is away goes to its B if B has no post of their own; what is left goes to a
clerk without a post who can serve everything the post needs. Anyone else floats (post
None): they open a spare window and cover the others' lunch breaks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from ..staffing import Assignment, Post
from .roster_problem import RosterProblem


def place_posts(problem: RosterProblem, assignments: list[Assignment]) -> list[Assignment]:
    by_day: dict[date, list[int]] = defaultdict(list)
    for i, a in enumerate(assignments):
        by_day[a.day].append(i)
    out = list(assignments)
    for indexes in by_day.values():
        placed = _place_day(problem, [assignments[i] for i in indexes])
        for i, a in zip(indexes, placed, strict=True):
            out[i] = a
    return out


def _place_day(problem: RosterProblem, duties: list[Assignment]) -> list[Assignment]:
    taken = {a.post for a in duties if a.pinned and a.post is not None}
    post_of: dict[str, str | None] = {a.login: a.post for a in duties if a.pinned}
    free = {a.login for a in duties if not a.pinned}
    clerks = {c.login: c for c in problem.clerks()}

    def give(post: Post, login: str | None) -> None:
        if login is not None and login in free and post.code not in taken:
            taken.add(post.code)
            free.discard(login)
            post_of[login] = post.code

    for post in problem.posts:
        give(post, post.a)
    for post in problem.posts:
        give(post, post.b)
    for post in problem.posts:
        able = [c for c in sorted(free) if c in clerks and all(clerks[c].can_serve(s) for s in post.services)]
        give(post, able[0] if able else None)
    return [a if a.pinned else replace(a, post=post_of.get(a.login)) for a in duties]
