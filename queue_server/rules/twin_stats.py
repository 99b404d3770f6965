"""The twin's statistics: queue lengths over time, window time, and a day's records summed up
per 15-minute slot and per service; replications' means with their confidence intervals."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from .twin_model import ALL, Estimate, SlotStats, TicketRecord, TwinDay, TwinResult, WaitStats

_US = 1_000_000

# Student's t, two-sided 95 %, by degrees of freedom (1-30); beyond that the normal's 1.96 is
# close enough (2.04 at 30, 1.98 at 120).
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t95(df: int) -> float:
    return _T95[df - 1] if 1 <= df <= len(_T95) else 1.96


def estimate(values: Sequence[float]) -> Estimate:
    """The mean of independent replications with the half-width of its 95 % interval."""
    n = len(values)
    if n == 0:
        raise ValueError("no replications to estimate from")
    mean = math.fsum(values) / n
    if n == 1:
        return Estimate(mean, math.inf, 1)
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return Estimate(mean, t95(n - 1) * math.sqrt(var / n), n)


class Tracker:
    """Integrates each service's queue length over time, per slot, as the engine moves it;
    and keeps the windows' busy and staffed intervals: (window, from, to) in microseconds from
    the start."""

    def __init__(self, slot_us: int) -> None:
        self.slot_us = slot_us
        self.level: dict[str, int] = defaultdict(int)
        self.since: dict[str, int] = defaultdict(int)
        self.area: dict[tuple[str, int], float] = defaultdict(float)  # length × µs
        self.peak: dict[tuple[str, int], int] = defaultdict(int)
        self.busy: list[tuple[int, int, int]] = []
        self.staffed: list[tuple[int, int, int]] = []

    def queue(self, service: str, t: int, delta: int) -> None:
        self._move(service, t, delta)
        self._move(ALL, t, delta)

    def _move(self, key: str, t: int, delta: int) -> None:
        level = self.level[key]
        if level:
            self._hold(key, level, self.since[key], t)
        self.since[key] = t
        level += delta
        self.level[key] = level
        cell = (key, t // self.slot_us)
        if level > self.peak[cell]:
            self.peak[cell] = level

    def _hold(self, key: str, level: int, t0: int, t1: int) -> None:
        size = self.slot_us
        while t0 < t1:
            slot = t0 // size
            end = min(t1, (slot + 1) * size)
            self.area[(key, slot)] += level * (end - t0)
            if level > self.peak[(key, slot)]:
                self.peak[(key, slot)] = level
            t0 = end

    def flush(self, t: int) -> None:
        for key, level in list(self.level.items()):
            if level:
                self._hold(key, level, self.since[key], t)
                self.since[key] = t


def _per_slot(intervals: Iterable[tuple[int, int, int]], size: int) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for _, t0, t1 in intervals:
        while t0 < t1:
            slot = t0 // size
            end = min(t1, (slot + 1) * size)
            out[slot] += end - t0
            t0 = end
    return out


def _rank(values: Sequence[float], q: float) -> float:
    """The nearest-rank quantile of sorted ``values``."""
    return values[max(0, min(len(values) - 1, math.ceil(q * len(values)) - 1))]


def wait_stats(waits: list[float], target_s: float) -> WaitStats:
    if not waits:
        return WaitStats(0, 0.0, 0.0, 0.0, 0.0, 1.0)
    waits.sort()
    within = sum(1 for w in waits if w <= target_s)
    n = len(waits)
    return WaitStats(n, math.fsum(waits) / n, _rank(waits, 0.5), _rank(waits, 0.9), waits[-1], within / n)


def summarise(
    day: TwinDay,
    records: Sequence[TicketRecord],
    tracker: Tracker,
    waiting_at_closing: Mapping[str, int],
    slot_s: int,
) -> TwinResult:
    size = slot_s * _US
    counted = [r for r in records if r.issued_s >= day.warmup_s]
    arrivals: dict[tuple[str, int], int] = defaultdict(int)
    waits: dict[tuple[str, int], list[float]] = defaultdict(list)
    day_waits: dict[str, list[float]] = defaultdict(list)
    for r in counted:
        slot = int(r.issued_s // slot_s)
        for key in (r.service, ALL):
            arrivals[(key, slot)] += 1
            if r.called_s is not None:
                w = r.called_s - r.issued_s
                waits[(key, slot)].append(w)
                day_waits[key].append(w)
    busy = _per_slot(tracker.busy, size)
    staffed = _per_slot(tracker.staffed, size)
    cells = set(arrivals) | {k for k, a in tracker.area.items() if a > 0} | {(ALL, s) for s in staffed}
    rows = []
    for key, slot in sorted(cells, key=lambda c: (c[1], c[0] != ALL, c[0])):
        util = None
        if key == ALL:
            util = busy.get(slot, 0) / staffed[slot] if staffed.get(slot) else 0.0
        rows.append(
            SlotStats(
                slot=slot,
                start_s=float(slot * slot_s),
                service=key,
                arrivals=arrivals.get((key, slot), 0),
                waits=wait_stats(waits.get((key, slot), []), day.target_s),
                queue_mean=tracker.area.get((key, slot), 0.0) / size,
                queue_max=tracker.peak.get((key, slot), 0),
                utilisation=util,
            )
        )
    services = {key: wait_stats(list(w), day.target_s) for key, w in day_waits.items()}
    services.setdefault(ALL, wait_stats([], day.target_s))
    total_staffed = sum(t1 - t0 for _, t0, t1 in tracker.staffed)
    window_busy: dict[int, int] = defaultdict(int)
    window_staffed: dict[int, int] = defaultdict(int)
    for n, t0, t1 in tracker.busy:
        window_busy[n] += t1 - t0
    for n, t0, t1 in tracker.staffed:
        window_staffed[n] += t1 - t0
    return TwinResult(
        slots=tuple(rows),
        services=services,
        waiting_at_closing=dict(waiting_at_closing),
        not_served=sum(1 for r in records if r.outcome == "not_served"),
        no_shows=sum(1 for r in records if r.outcome == "no_show"),
        utilisation=sum(window_busy.values()) / total_staffed if total_staffed else 0.0,
        windows={n: window_busy[n] / staffed_us for n, staffed_us in sorted(window_staffed.items()) if staffed_us},
        tickets=tuple(records),
    )
