"""The windows' events of a stretch of time, without reading the whole log: a binary search
finds where the stretch begins (events are appended under the hall's lock, so their times
rise with their sequence numbers up to the clock skew between server processes)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import UTC, datetime, timedelta

from ..domain import Event
from ..storage.base import HallReader

PAGE = 1000
SKEW = timedelta(hours=1)  # the search starts this much earlier to be safe
WINDOW_STATES = ("window.open", "window.pause", "window.resume", "window.close")


def aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def first_seq_at(reader: HallReader, at: datetime) -> int:
    """The seq after which the events from ``at`` on begin (O(log n) one-event reads)."""
    lo, hi = 0, reader.last_seq()
    while lo < hi:
        mid = (lo + hi) // 2
        found = reader.events(mid, 1)
        if not found or aware(found[0].at) >= at:
            hi = mid
        else:
            lo = found[0].seq
    return lo


def events_between(reader: HallReader, since: datetime, until: datetime | None = None) -> Iterator[Event]:
    """The hall's events at ``since`` or later (and before ``until``), in log order."""
    seq = first_seq_at(reader, since - SKEW)
    while True:
        batch = reader.events(seq, PAGE)
        for e in batch:
            at = aware(e.at)
            if until is not None and at >= until + SKEW:
                return
            if at >= since and (until is None or at < until):
                yield e
        if len(batch) < PAGE:
            return
        seq = batch[-1].seq


def window_events(
    reader: HallReader,
    since: datetime,
    until: datetime | None = None,
    windows: Collection[int] | None = None,
    kinds: Collection[str] = WINDOW_STATES,
) -> list[Event]:
    """Window state changes in ``[since, until)`` (of ``windows`` only, if given), in log order."""
    return [
        e
        for e in events_between(reader, since, until)
        if e.kind in kinds and e.window is not None and (windows is None or e.window in windows)
    ]
