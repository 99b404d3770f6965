"""What-if variations of a twin day, as pure transformations of a ``TwinDay`` (times in seconds
from the day's opening).

- ``departmental``: each window serves one department's services only, with the same windows
  open at the same hours (so the same staff-hours), the windows' hours shared out across
  departments in proportion to their forecast workload;
- ``add_clerk``: one more open comprehensive window over a span (a negative count: windows
  paused over it);
- ``noon``: off, every window paused over the noon period; on, the day as planned;
- ``service_time``: a service's times scaled by 1 − cut (a process reform).

A variation that cannot be applied raises ``ValueError`` naming its parameter ("count: …"),
so the caller can name the field of the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from ..domain import WindowKind
from .twin_model import Empirical, Exponential, Fixed, LogNormal, ServiceTime, TwinDay, WindowPlan

MAX_CUT = 0.9  # a reform cutting more than nine tenths of a service's time is not a reform


@dataclass(frozen=True, slots=True)
class Departmental:
    """``zones``: service → department; ``workload``: department → forecast minutes of work."""

    zones: Mapping[str, str]
    workload: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class AddClerk:
    from_s: float
    to_s: float
    count: int


@dataclass(frozen=True, slots=True)
class Noon:
    on: bool
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class ServiceTimeCut:
    service: str
    cut: float


Variation = Departmental | AddClerk | Noon | ServiceTimeCut


def open_seconds(plan: WindowPlan) -> float:
    return max(0.0, plan.closes_s - plan.opens_s - sum(b - a for a, b in plan.pauses))


def staff_hours(day: TwinDay) -> float:
    """Hours of open windows over the day (pauses left out): the staff-hours the set-up costs."""
    return sum(open_seconds(p) for p in day.windows) / 3600.0


def open_at(day: TwinDay, t: float) -> int:
    """Windows open (not paused) at ``t``."""
    return sum(1 for p in day.windows if _open(p, t))


def _open(plan: WindowPlan, t: float) -> bool:
    return plan.opens_s <= t < plan.closes_s and not any(a <= t < b for a, b in plan.pauses)


def _pause(plan: WindowPlan, a: float, b: float) -> WindowPlan:
    """``plan`` also paused over ``[a, b)`` (clipped to its hours, merged with its pauses)."""
    a, b = max(a, plan.opens_s), min(b, plan.closes_s)
    if b <= a:
        return plan
    merged: list[tuple[float, float]] = []
    for p0, p1 in sorted((*plan.pauses, (a, b))):
        if merged and p0 <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], p1))
        else:
            merged.append((p0, p1))
    return replace(plan, pauses=tuple(merged))


# -- the variations -------------------------------------------------------------


def departmental(day: TwinDay, v: Departmental) -> TwinDay:
    """Each window given to one department: the longest-open windows first, each to the
    department furthest below its share of the open hours."""
    served = sorted({s for p in day.windows for s in p.services} | set(day.service_times))
    departments: dict[str, list[str]] = {}
    for s in served:
        departments.setdefault(v.zones.get(s, s), []).append(s)
    load = {d: max(0.0, v.workload.get(d, 0.0)) for d in departments}
    total_load = sum(load.values())
    if total_load <= 0:
        load = dict.fromkeys(departments, 1.0)
        total_load = float(len(departments))
    plans = sorted(day.windows, key=lambda p: (-open_seconds(p), p.number))
    hours = sum(open_seconds(p) for p in plans)
    given: dict[str, float] = dict.fromkeys(departments, 0.0)
    out: list[WindowPlan] = []
    for plan in plans:
        # The department with the largest shortfall against its share; a department with none
        # yet goes first while it has load, so none with visitors is left without a window.
        dept = max(
            sorted(departments),
            key=lambda d: (load[d] > 0 and given[d] == 0, load[d] / total_load * hours - given[d]),
        )
        given[dept] += open_seconds(plan)
        weights = {s: 1.0 for s in departments[dept]}
        out.append(replace(plan, services=weights, kind=WindowKind.DEDICATED, skills=None))
    return replace(day, windows=tuple(sorted(out, key=lambda p: p.number)))


def add_clerk(day: TwinDay, v: AddClerk) -> TwinDay:
    """``count`` more comprehensive windows open from ``from_s`` to ``to_s``; a negative count
    pauses that many of the windows open over the whole span (comprehensive ones first)."""
    if v.to_s <= v.from_s:
        raise ValueError("to: must be after from")
    if v.count == 0:
        return day
    if v.count > 0:
        services: dict[str, float] = {}
        for p in day.windows:
            for s in p.services:
                services[s] = 1.0
        for s in day.service_times:
            services.setdefault(s, 1.0)
        first = max((p.number for p in day.windows), default=0) + 1
        extra = tuple(WindowPlan(first + k, services, v.from_s, v.to_s) for k in range(v.count))
        return replace(day, windows=day.windows + extra)
    span = [p for p in day.windows if p.opens_s <= v.from_s and p.closes_s >= v.to_s]
    span = [p for p in span if not any(a < v.to_s and b > v.from_s for a, b in p.pauses)] or span
    if len(span) < -v.count:
        raise ValueError(f"count: only {len(span)} windows are open over that span")
    chosen = sorted(span, key=lambda p: (p.kind is not WindowKind.COMPREHENSIVE, -p.number))[: -v.count]
    numbers = {p.number for p in chosen}
    windows = tuple(_pause(p, v.from_s, v.to_s) if p.number in numbers else p for p in day.windows)
    return replace(day, windows=windows)


def noon(day: TwinDay, v: Noon) -> TwinDay:
    if v.on:
        return day
    return replace(day, windows=tuple(_pause(p, v.start_s, v.end_s) for p in day.windows))


def scaled(time: ServiceTime, factor: float) -> ServiceTime:
    if isinstance(time, Exponential):
        return Exponential(time.mean_s * factor)
    if isinstance(time, LogNormal):
        return LogNormal(time.mean_s * factor, time.sd_s * factor)
    if isinstance(time, Empirical):
        return Empirical(tuple(x * factor for x in time.values_s))
    return Fixed(time.seconds * factor)


def service_time(day: TwinDay, v: ServiceTimeCut) -> TwinDay:
    if not 0 <= v.cut <= MAX_CUT:
        raise ValueError(f"cut: must be between 0 and {MAX_CUT}")
    if v.service not in day.service_times:
        raise ValueError(f"service: no service {v.service!r} in this hall")
    times = dict(day.service_times)
    times[v.service] = scaled(times[v.service], 1.0 - v.cut)
    arrivals = day.arrivals
    if isinstance(arrivals, tuple):  # a recorded day: its own service times are cut too
        arrivals = tuple(
            replace(a, service_s=a.service_s * (1.0 - v.cut))
            if a.service == v.service and a.service_s is not None
            else a
            for a in arrivals
        )
    return replace(day, service_times=times, arrivals=arrivals)


def apply(day: TwinDay, v: Variation) -> TwinDay:
    if isinstance(v, Departmental):
        return departmental(day, v)
    if isinstance(v, AddClerk):
        return add_clerk(day, v)
    if isinstance(v, Noon):
        return noon(day, v)
    return service_time(day, v)


def _clock(start_minutes: int, s: float) -> str:
    m = start_minutes + int(s // 60)
    return f"{m // 60:02d}:{m % 60:02d}"


def label(v: Variation, opens_minutes: int = 0, names: Mapping[str, str] = {}) -> tuple[str, str]:
    """What the variation is, in Chinese and English (``opens_minutes``: the day's opening, from
    midnight, to print clock times)."""
    if isinstance(v, Departmental):
        return "分部门窗口（各窗口只办本部门业务）", "Departmental windows (each serves one department)"
    if isinstance(v, AddClerk):
        span = f"{_clock(opens_minutes, v.from_s)}–{_clock(opens_minutes, v.to_s)}"
        if v.count > 0:
            return f"{span} 增开 {v.count} 个综合窗口", f"{v.count} more comprehensive window(s) {span}"
        return f"{span} 减少 {-v.count} 个窗口", f"{-v.count} window(s) fewer {span}"
    if isinstance(v, Noon):
        if v.on:
            return "中午不停歇（按排班）", "Noon service on (as rostered)"
        return "中午暂停服务", "Noon service off (every window closed over noon)"
    pct = round(v.cut * 100)
    name = names.get(v.service, v.service)
    return f"{name} 办理时间缩短 {pct}%", f"{v.service} service time cut by {pct} %"


__all__ = [
    "MAX_CUT",
    "AddClerk",
    "Departmental",
    "Noon",
    "ServiceTimeCut",
    "Variation",
    "add_clerk",
    "apply",
    "departmental",
    "label",
    "noon",
    "open_at",
    "scaled",
    "service_time",
    "staff_hours",
]
