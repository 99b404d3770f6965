"""规划 (planning) as the dashboard and the roster solver read it: the forecast of a range of
days, the forecast against what happened on past days, and the windows each slot needs.

A day is forecast from the ``HISTORY_DAYS`` recorded before it, or before today for a day
ahead: a past day is forecast as it would have been on its eve, so its error is honest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..config.model import HallConfig
from ..config.staffing_reader import usual_hours
from ..rules.calendar import HallCalendar
from ..rules.forecast import (
    DayForecast,
    Forecaster,
    ServiceSeed,
    ServiceTime,
    TargetDay,
    accuracy,
    no_show_share,
    service_times,
)
from ..rules.sizing import SlotNeed, size_days
from ..service import QueueService
from ..staffing import SLOT_MINUTES
from ..text import check_period
from .history import HallHistory, hall_calendar, read_history
from .staffing import days_of

HISTORY_DAYS = 56  # eight weeks: enough of each weekday, recent enough to follow a trend
MAX_PLAN_DAYS = 62  # two months, as a roster solve


def check_plan_range(first: date, last: date) -> None:
    """BadRequest naming the field when ``first..last`` cannot be planned at once."""
    check_period(first, last, MAX_PLAN_DAYS, start="from", end="to", given=False)


def hhmm(slot: int) -> str:
    minutes = slot * SLOT_MINUTES
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _r(value: float | None, digits: int = 2) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def seeds(hall: HallConfig) -> list[ServiceSeed]:
    return [ServiceSeed(s.code, s.expected_minutes, s.expected_daily) for s in hall.services]


@dataclass
class Plan:
    """The forecast of ``days`` with what it was made from."""

    hall: HallConfig
    today: date
    history: HallHistory
    calendar: HallCalendar
    days: list[DayForecast]
    times: dict[str, ServiceTime]
    no_show: dict[str, float]


def plan(service: QueueService, slug: str, first: date, last: date) -> Plan:
    """Forecast ``first``..``last`` in hall ``slug`` (a blocking read of the log)."""
    hall = service.hall(slug)
    check_plan_range(first, last)
    today = service.business_day(slug)
    start = min(first, today) - timedelta(days=HISTORY_DAYS)
    recorded_until = min(last, today - timedelta(days=1))
    history = read_history(service, slug, start, recorded_until) if recorded_until >= start else HallHistory()
    calendar = hall_calendar(service, slug, first, last)
    usual = usual_hours(hall.hours)
    own = seeds(hall)
    ahead = Forecaster(history.before(today, HISTORY_DAYS), own, usual)
    out: list[DayForecast] = []
    for day in days_of(first, last):
        target = TargetDay(day, calendar.day(day).kind, calendar.opening(day))
        f = ahead if day >= today else Forecaster(history.before(day, HISTORY_DAYS), own, usual)
        out.append(f.day(target))
    times = service_times(history.durations, own)
    no_show = {s.code: no_show_share(history.issued.get(s.code, 0), history.no_shows.get(s.code, 0)) for s in own}
    return Plan(hall, today, history, calendar, out, times, no_show)


def _slots_view(f: DayForecast) -> list[dict[str, Any]]:
    totals = f.per_slot()
    return [
        {
            "at": hhmm(s),
            "total": _r(totals.get(s, 0.0)),
            "services": {svc: _r(v) for svc, v in sorted(f.per_service(s).items()) if v > 0},
        }
        for s in f.slots
    ]


def _day_head(f: DayForecast) -> dict[str, Any]:
    return {
        "date": f.day.isoformat(),
        "kind": f.kind.value,
        "source": f.source,
        "basis_days": f.basis_days,
        "total": _r(f.total, 1),
        "seeded_services": list(f.seeded),
    }


def forecast_view(p: Plan) -> dict[str, Any]:
    return {
        "today": p.today.isoformat(),
        "history_days": len(p.history.days),
        "days": [{**_day_head(f), "slots": _slots_view(f)} for f in p.days],
        "service_times": {
            code: {
                "mean_minutes": _r(t.mean_minutes),
                "p90_minutes": _r(t.p90_minutes),
                "observed": t.observed,
                "source": t.source,
            }
            for code, t in p.times.items()
        },
        "no_show_share": {code: _r(v, 4) for code, v in p.no_show.items()},
    }


NO_PAST = ("这段日期没有可比较的记录（尚未营业或均为未来日期）", "no recorded days in this range to compare with")


def accuracy_view(p: Plan) -> dict[str, Any]:
    """Past open days with records: forecast (as made on the eve) against the arrivals."""
    out: list[dict[str, Any]] = []
    for f in p.days:
        recorded = p.history.day(f.day)
        if f.day >= p.today or recorded is None or f.source == "closed":
            continue
        a = accuracy(f.day, f.expected, recorded.counts)
        out.append(
            {
                **_day_head(f),
                "forecast_total": _r(a.forecast_total, 1),
                "actual_total": a.actual_total,
                "mape": _r(a.mape, 4),
                "wape": _r(a.wape, 4),
                "skipped_slots": a.skipped_slots,
                "slots": [{"at": hhmm(s), "forecast": _r(fc), "actual": n} for s, fc, n in a.per_slot],
            }
        )
    view: dict[str, Any] = {
        "today": p.today.isoformat(),
        "days": out,
        "method": "MAPE over the slots with arrivals (hall total per quarter hour); WAPE = Σ|F−A| / ΣA",
    }
    if not out:
        view["note"] = {"zh": NO_PAST[0], "en": NO_PAST[1]}
    return view


def needs(p: Plan) -> dict[tuple[date, int], SlotNeed]:
    means = {code: t.mean_minutes for code, t in p.times.items()}
    return size_days(p.days, means, p.no_show, p.hall.target)


def required_view(p: Plan, checked: Mapping[tuple[date, int], int] | None = None) -> dict[str, Any]:
    """The windows per slot by Erlang C; with ``checked`` (the twin's corrected windows), each
    slot's ``checked_windows`` too, and the day's peak and window-hours by them."""
    sized = needs(p)
    target = p.hall.target
    days: list[dict[str, Any]] = []
    for f in p.days:
        keys = [(f.day, s) for s in f.slots if (f.day, s) in sized]
        rows = [_need_view(sized[k]) for k in keys]
        counts = [sized[k].windows for k in keys]
        if checked is not None:
            counts = [checked.get(k, sized[k].windows) for k in keys]
            for row, n in zip(rows, counts, strict=True):
                row["checked_windows"] = n
        days.append(
            {
                **_day_head(f),
                "peak_windows": max(counts, default=0),
                "window_hours": _r(sum(counts) * SLOT_MINUTES / 60, 2),
                "slots": rows,
            }
        )
    method = "Erlang C (M/M/c) per quarter hour on the pooled windows, no-shows excluded"
    if checked is not None:
        method += "; checked_windows: corrected by the twin's simulation of each day (the roster solver's demand)"
    return {
        "today": p.today.isoformat(),
        "target": {
            "called_within_minutes": target.called_within_minutes,
            "share": target.share,
            "p90_wait_minutes": target.p90_wait_minutes,
        },
        "windows_in_hall": len(p.hall.windows),
        "method": method,
        "checked": checked is not None,
        "days": days,
    }


def _need_view(n: SlotNeed) -> dict[str, Any]:
    return {
        "at": hhmm(n.slot),
        "arrivals": _r(n.arrivals),
        "windows": n.windows,
        "load": _r(n.load),
        "mean_service_minutes": _r(n.mean_service_minutes),
        "within_share": _r(n.within_share, 4),
        "p90_wait_minutes": _r(n.p90_wait_minutes),
        "met": n.met,
    }


__all__ = [
    "MAX_PLAN_DAYS",
    "Plan",
    "accuracy_view",
    "check_plan_range",
    "forecast_view",
    "plan",
    "required_view",
]
