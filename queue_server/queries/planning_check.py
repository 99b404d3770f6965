"""The planner's day as the twin runs it, and the windows each slot needs as the planner
answers them: Erlang C's first cut, checked and corrected day by day by the twin
(``rules.sizing_check``).

A forecast day becomes a twin day with the hall's own mix: walk-ins drawn from the forecast,
priority classes in the shares history shows, and the appointments already booked for the day
standing in line from their slots (the forecast's walk-ins less those, since history counted
appointment tickets among the arrivals).

Checking a month simulates a few hundred hall days, so days run side by side in worker
processes: forked from a single-threaded fork server that has the rules imported, never from
the server's own threads (a fork of a threaded process may inherit a held lock).
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
import pickle
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from ..config.model import HallConfig, ServiceTarget
from ..domain import APPOINTMENT_CLASS, NORMAL_CLASS, Appointment, Tier
from ..rules.forecast import DayForecast, slot_minutes
from ..rules.forecast import ServiceTime as ForecastTime
from ..rules.sizing import SlotNeed
from ..rules.sizing_check import CHECK_REPLICATIONS, check_sizing
from ..rules.twin_model import SLOT_S, Arrival, Exponential, Forecast, LogNormal, PriorityShare, ServiceTime, TwinDay
from ..service import QueueService
from ..staffing import SLOT_MINUTES
from .planning import Plan, needs

# Fewer days than this are checked in this process: starting workers costs more than they save.
PARALLEL_FROM_DAYS = 3
RULES_MODULE = "queue_server.rules.sizing_check"
CACHE_DAYS = 128  # two months of one hall, or a few days of many


def twin_time(t: ForecastTime) -> ServiceTime:
    """The forecast's service time as the twin draws it: the lognormal fitted to history, or an
    exponential at the mean."""
    if t.log_mu is not None and t.log_sigma is not None:
        mean = math.exp(t.log_mu + t.log_sigma**2 / 2)
        return LogNormal(mean * 60.0, mean * 60.0 * math.sqrt(math.expm1(t.log_sigma**2)))
    return Exponential(max(t.mean_minutes, 0.1) * 60.0)


@dataclass(frozen=True, slots=True)
class PlannedDay:
    """A forecast day as the twin runs it (no windows yet); twin slot k is the day's slot
    ``first_slot + k``."""

    forecast: DayForecast
    twin: TwinDay
    first_slot: int


def priority_shares(hall: HallConfig, issued: Mapping[str, int]) -> tuple[PriorityShare, ...]:
    """The share of walk-ins in each of the hall's priority classes, from the tickets history
    issued per class (appointments come as booked, not as a share)."""
    total = sum(n for p, n in issued.items() if p != APPOINTMENT_CLASS)
    if total <= 0:
        return ()
    out = []
    for p, n in sorted(issued.items()):
        cls = hall.priority_class(p)
        if p in (APPOINTMENT_CLASS, NORMAL_CLASS) or cls is None or cls.tier is Tier.NORMAL or n <= 0:
            continue
        out.append(PriorityShare(p, cls.tier, n / total))
    return tuple(out)


def booked_arrivals(hall: HallConfig, start: datetime, closes_s: float, booked: Sequence[Appointment]) -> list[Arrival]:
    """Appointments of the day as arrivals: each checks in at its slot's start and stands in line
    from it; one outside the opening hours or for a service the hall no longer has is left out."""
    codes = {s.code for s in hall.services}
    out = []
    for a in booked:
        at = (a.slot_start - start).total_seconds()
        if a.cancelled or a.service not in codes or not 0 <= at < closes_s:
            continue
        out.append(
            Arrival(at_s=at, service=a.service, priority=APPOINTMENT_CLASS, tier=Tier.APPOINTMENT, slot_start_s=at)
        )
    return out


def planned_day(p: Plan, f: DayForecast, booked: Sequence[Appointment] = ()) -> PlannedDay | None:
    """Forecast day ``f`` of plan ``p`` as a twin day, or None when the hall is closed or nothing
    can be forecast."""
    hall = p.hall
    hours = p.calendar.opening(f.day)
    if hours is None or f.source in ("closed", "none") or not f.slots:
        return None
    first = f.slots[0]
    start = datetime.combine(f.day, time(0), tzinfo=hall.tz) + timedelta(minutes=first * SLOT_MINUTES)
    closes_s = (slot_minutes(hours[1]) - first * SLOT_MINUTES) * 60.0
    appointments = booked_arrivals(hall, start, closes_s, booked)
    expected = {(svc, s - first): n for (svc, s), n in f.expected.items() if n > 0}
    for a in appointments:  # history counted appointment tickets among the day's arrivals
        key = (a.service, int(a.at_s // SLOT_S))
        if key in expected:
            expected[key] = max(0.0, expected[key] - 1.0)
    total = sum(f.expected.values())
    by_service: dict[str, float] = {}
    for (svc, _), n in f.expected.items():
        by_service[svc] = by_service.get(svc, 0.0) + n
    no_show = sum(n * p.no_show.get(svc, 0.0) for svc, n in by_service.items()) / total if total else 0.0
    twin = TwinDay(
        start=start,
        closes_s=closes_s,
        windows=(),
        arrivals=Forecast(expected, priority_shares(hall, p.history.priorities), tuple(appointments)),
        service_times={code: twin_time(t) for code, t in p.times.items()},
        aging_minutes=hall.aging_minutes,
        recall_limit=hall.recall_limit,
        no_show_share=min(1.0, max(0.0, no_show)),
        target_s=hall.target.called_within_minutes * 60.0,
        hall=hall.slug,
    )
    return PlannedDay(f, twin, first)


def appointments_on(service: QueueService, slug: str, first: date, last: date) -> dict[date, list[Appointment]]:
    """The appointments booked over ``first``..``last``, by local day (a blocking read)."""
    tz = service.hall(slug).tz
    since = datetime.combine(first, time(0), tzinfo=tz)
    until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    with service.store.reader(slug) as r:
        found = r.appointments(since, until)
    out: dict[date, list[Appointment]] = {}
    for a in found:
        out.setdefault(a.slot_start.astimezone(tz).date(), []).append(a)
    return out


def check_cap(hall: HallConfig, erlang: Mapping[int, int]) -> int:
    """The most windows the check may ask for in a slot: twice the hall's, or Erlang C's own."""
    return max(2 * len(hall.windows), max(erlang.values(), default=0))


_Job = tuple[TwinDay, dict[int, int], ServiceTarget, int, str, int]


def _check(job: _Job) -> dict[int, int]:
    twin, erlang, target, replications, seed, cap = job
    return check_sizing(twin, erlang, target, replications=replications, seed=seed, cap=cap)


def _workers(jobs: int, workers: int | None) -> int:
    return max(1, min(jobs, workers if workers is not None else (os.cpu_count() or 1)))


class CheckCache:
    """The answers of recent checks by their inputs: "simulate" and then "compare" on one day,
    or a roster solve after the page showed the month, check each day once. The key is the
    job's pickled bytes, so any change in the forecast, the mix, the target or the seed misses."""

    def __init__(self, size: int = CACHE_DAYS) -> None:
        self.size = size
        self._answers: OrderedDict[bytes, dict[int, int]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(job: _Job) -> bytes:
        return hashlib.sha256(pickle.dumps(job, protocol=5)).digest()

    def get(self, key: bytes) -> dict[int, int] | None:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return None if found is None else dict(found)

    def put(self, key: bytes, answer: dict[int, int]) -> None:
        with self._lock:
            self._answers[key] = dict(answer)
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)


CACHE = CheckCache()


def run_checks(
    jobs: Sequence[_Job], workers: int | None = None, cache: CheckCache | None = CACHE
) -> list[dict[int, int]]:
    """``check_sizing`` of each job (from ``cache`` when it holds the answer), side by side in
    worker processes when enough are left to run."""
    keys = [CheckCache.key(j) for j in jobs]
    answers = [cache.get(k) if cache is not None else None for k in keys]
    todo = [i for i, a in enumerate(answers) if a is None]
    n = _workers(len(todo), workers)
    if n == 1 or len(todo) < PARALLEL_FROM_DAYS:
        done = [_check(jobs[i]) for i in todo]
    else:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([RULES_MODULE])
        with ProcessPoolExecutor(max_workers=n, mp_context=context) as pool:
            done = list(pool.map(_check, [jobs[i] for i in todo]))
    for i, answer in zip(todo, done, strict=True):
        answers[i] = answer
        if cache is not None:
            cache.put(keys[i], answer)
    return [a if a is not None else {} for a in answers]


def checked_needs(
    service: QueueService, slug: str, p: Plan, *, seed: int = 1, workers: int | None = None
) -> dict[tuple[date, int], SlotNeed]:
    """Erlang C's sizing of ``p`` with each open day's windows checked by the twin (a slot's
    other figures stay Erlang C's, for the windows it asked)."""
    sized = needs(p)
    booked = appointments_on(service, slug, p.days[0].day, p.days[-1].day) if p.days else {}
    days: list[PlannedDay] = []
    jobs: list[_Job] = []
    for f in p.days:
        planned = planned_day(p, f, booked.get(f.day, ()))
        if planned is None:
            continue
        erlang = {s - planned.first_slot: sized[f.day, s].windows for s in f.slots if (f.day, s) in sized}
        jobs.append(
            (planned.twin, erlang, p.hall.target, CHECK_REPLICATIONS, f"check:{seed}", check_cap(p.hall, erlang))
        )
        days.append(planned)
    out = dict(sized)
    for planned, checked in zip(days, run_checks(jobs, workers), strict=True):
        for s, n in checked.items():
            key = (planned.forecast.day, s + planned.first_slot)
            if key in out:
                out[key] = replace(out[key], windows=n)
    return out


def check_day_windows(p: Plan, planned: PlannedDay, erlang: Mapping[int, int], seed: int) -> dict[int, int]:
    """One planned day's windows per twin slot, Erlang C's ``erlang`` checked (cached)."""
    job = (planned.twin, dict(erlang), p.hall.target, CHECK_REPLICATIONS, f"check:{seed}", check_cap(p.hall, erlang))
    return run_checks([job], workers=1)[0]


__all__ = [
    "CACHE",
    "CheckCache",
    "PlannedDay",
    "appointments_on",
    "booked_arrivals",
    "check_cap",
    "check_day_windows",
    "checked_needs",
    "planned_day",
    "priority_shares",
    "run_checks",
    "twin_time",
]
