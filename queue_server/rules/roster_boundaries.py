"""What the published roster asks of a hall's windows now: the steps that bring them there.

Pure: the runner (``commands.roster_runner``) reads the windows, who is serving at each and
the duties of yesterday and today, asks ``plan`` for the steps, and checks each against the
window's events since the step's boundary (``still_due``) before taking it. The plan is a
function of the state and the clock only, so running it twice, after a restart or after a
server was down over a boundary, brings the hall to the same place.

The boundaries: at a clerk's lunch start their window stops taking calls (paused with a
reason naming where to go instead; a ticket already called or in service is served to its end,
a paused window only calls nothing new); at lunch end the runner resumes a window it paused;
at the end of the clerk's shift the window closes, or, while someone is still at it, stops
calling first and closes once they are done. The runner never opens a window: a clerk does,
by signing in.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..domain import Event, Window, WindowState
from ..staffing import Assignment, Post

LUNCH_ZH = "午休"
_TO_WINDOW = re.compile(r"^午休，请到 (\d+) 号窗口办理")


def lunch_reason(cover: int | None) -> str:
    """The pause reason the screens show while a clerk is at lunch (exact texts: screens and
    tests match them, and the runner knows its own pauses by them)."""
    if cover is None:
        return "午休，请到其他窗口办理 / Lunch break, please go to another window"
    return f"午休，请到 {cover} 号窗口办理 / Lunch break, please go to window {cover}"


SHIFT_OVER_REASON = "下班，请到其他窗口办理 / Shift over, please go to another window"


def is_lunch_reason(reason: str | None) -> bool:
    """A pause the runner made for lunch (a clerk's own pause has some other reason)."""
    return reason is not None and reason.startswith(LUNCH_ZH + "，请到")


def cover_of_reason(reason: str | None) -> int | None:
    """The window a lunch pause sends visitors to, if it names one."""
    found = _TO_WINDOW.match(reason or "")
    return int(found.group(1)) if found else None


# -- duties at an instant --------------------------------------------------------------


def covering(login: str, duties: Iterable[Assignment], at: datetime) -> Assignment | None:
    """``login``'s duty that ``at`` falls in (its lunch included)."""
    return next((d for d in duties if d.login == login and d.start <= at < d.end), None)


def at_lunch(duty: Assignment | None, at: datetime) -> bool:
    return (
        duty is not None
        and duty.lunch_start is not None
        and duty.lunch_end is not None
        and duty.lunch_start <= at < duty.lunch_end
    )


def last_ended(login: str, duties: Iterable[Assignment], at: datetime) -> Assignment | None:
    """``login``'s latest duty that ended by ``at``."""
    return max((d for d in duties if d.login == login and d.end <= at), key=lambda d: d.end, default=None)


def post_windows(posts: Iterable[Post]) -> dict[str, int]:
    """Post code → its window, for the posts that have one."""
    return {p.code: p.window for p in posts if p.window is not None}


# -- where visitors go during a lunch --------------------------------------------------


def cover_window(
    window: Window,
    windows: Sequence[Window],
    duties: Sequence[Assignment],
    posts: Sequence[Post],
    at: datetime,
    noon_duty: Collection[str] = (),
) -> int | None:
    """The open window to send ``window``'s visitors to while its clerk is at lunch: one whose
    clerk is working (not at lunch) and serves what ``window`` serves (all of it before some
    of it), the post's B holder's or a noon-duty clerk's first, then the lowest number."""
    clerk = window.staff
    backups = {p.b for p in posts if p.window == window.number and p.b} | {
        p.a for p in posts if p.window == window.number and p.a and p.a != clerk
    }
    wanted = set(window.services)
    best: tuple[tuple[int, int, int], int] | None = None
    for other in windows:
        if other.number == window.number or other.state is not WindowState.OPEN or other.staff is None:
            continue
        if at_lunch(covering(other.staff, duties, at), at):
            continue
        shared = wanted & set(other.services)
        if not shared:
            continue
        rank = (
            0 if shared == wanted else 1,
            0 if other.staff in backups else (1 if other.staff in noon_duty else 2),
            other.number,
        )
        if best is None or rank < best[0]:
            best = (rank, other.number)
    return best[1] if best else None


# -- the steps --------------------------------------------------------------------------


class StepKind(enum.StrEnum):
    PAUSE = "pause"  # lunch starts
    RESUME = "resume"  # lunch is over
    CLOSE = "close"  # the shift is over


@dataclass(frozen=True, slots=True)
class Step:
    """One thing to do to window ``window`` because of ``login``'s duty: ``since`` is the
    boundary that asks for it (a lunch start, a shift's end)."""

    kind: StepKind
    window: int
    login: str
    since: datetime
    reason: str | None = None  # a pause's


def plan(
    at: datetime,
    windows: Sequence[Window],
    busy: Collection[int],
    duties: Sequence[Assignment],
    posts: Sequence[Post],
    noon_duty: Collection[str] = (),
) -> list[Step]:
    """The steps that bring ``windows`` to what ``duties`` (yesterday's and today's published
    duties) say at ``at``. ``busy``: windows with a ticket called or in service: they are
    paused rather than closed at a shift's end, and closed by a later run once free.

    A window is the duty of whoever is signed in at it, wherever they were rostered: their
    lunch pauses it, their shift's end closes it. A clerk with no duty ending by now (not
    rostered today, or before their shift) is left alone."""
    steps: list[Step] = []
    for window in windows:
        login = window.staff
        if login is None or window.state is WindowState.CLOSED:
            continue
        duty = covering(login, duties, at)
        if duty is None:
            ended = last_ended(login, duties, at)
            if ended is None:
                continue
            if window.number not in busy:
                steps.append(Step(StepKind.CLOSE, window.number, login, ended.end))
            elif window.state is WindowState.OPEN:  # no new calls; closed once the ticket is done
                steps.append(Step(StepKind.PAUSE, window.number, login, ended.end, SHIFT_OVER_REASON))
            continue
        if at_lunch(duty, at):
            if window.state is WindowState.OPEN:
                assert duty.lunch_start is not None
                cover = cover_window(window, windows, duties, posts, at, noon_duty)
                steps.append(Step(StepKind.PAUSE, window.number, login, duty.lunch_start, lunch_reason(cover)))
        elif window.state is WindowState.PAUSED and is_lunch_reason(window.pause_reason):
            # Lunch is over (or this clerk has none now): ``still_due`` lifts only the runner's pause.
            since = duty.lunch_start if duty.lunch_start is not None and duty.lunch_start <= at else duty.start
            steps.append(Step(StepKind.RESUME, window.number, login, since))
    return steps


def still_due(step: Step, since_boundary: Iterable[Event], runner: str) -> bool:
    """``step`` given the window's events from ``step.since`` on (``runner``: the login on the
    runner's own events). A lunch pause is taken once (not again after the runner paused and
    someone resumed, nor after the clerk opened or resumed the window during their lunch: they
    chose to work); a resume only lifts the runner's own pause (a clerk may pause with the same
    lunch text from their console: theirs is left for them to lift); a close once per shift end
    (a clerk who opens again afterwards works on, unrostered)."""
    mine = [e for e in since_boundary if e.window == step.window]
    if step.kind is StepKind.PAUSE:
        return not any(
            (e.kind == "window.pause" and e.staff == runner) or e.kind in ("window.open", "window.resume") for e in mine
        )
    if step.kind is StepKind.RESUME:
        pauses = [e for e in mine if e.kind == "window.pause"]
        return bool(pauses) and pauses[-1].staff == runner
    return not any(e.kind == "window.open" for e in mine)


def rostered_window(duty: Assignment, post_window: Mapping[str, int]) -> int | None:
    return post_window.get(duty.post) if duty.post is not None else None
