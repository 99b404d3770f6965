"""A city at a glance: every hall below a hall (and itself), live and over a period.

Each figure is one of the per-hall queries a hall's own dashboard reads, asked hall by hall:
``hall_view`` (windows open, people waiting), the hall's waiting tickets (the longest wait),
``roster_now`` (缺岗: posts nobody holds), ``case_counts`` (差评 follow-ups overdue), the
devices' health, and ``reports.summary`` (the period's totals), so a city figure always
equals what the hall's manager sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..config import HallConfig, subtree
from ..domain import DeviceState, TicketState
from ..errors import BadRequest, NotFound
from ..service import QueueService
from .cases import case_counts
from .hall import hall_view
from .reports import check_report_range, summary
from .roster_now import roster_now


@dataclass(frozen=True, slots=True)
class Measure:
    """A figure halls are ranked on: where it sits in a report's ``totals`` and which way is better."""

    path: tuple[str, ...]
    higher_is_better: bool


MEASURES: dict[str, Measure] = {
    "issued": Measure(("issued",), True),
    "served": Measure(("served",), True),
    "wait_mean": Measure(("wait", "mean_s"), False),
    "wait_p90": Measure(("wait", "p90_s"), False),
    "within_target": Measure(("within_target", "share"), True),
    "satisfied_share": Measure(("ratings", "satisfied_share"), True),
    "bad": Measure(("ratings", "bad"), False),
    "no_show": Measure(("no_show",), False),
}


def halls_of(service: QueueService, slug: str) -> tuple[HallConfig, ...]:
    """Hall ``slug`` and the halls below it; 404 for a hall the server does not run."""
    service.hall(slug)
    found = subtree(service.config, slug)
    if not found:
        raise NotFound(f"没有这个大厅 / no hall {slug}")
    return found


def _place(hall: HallConfig, depth: dict[str, int]) -> dict[str, Any]:
    return {
        "slug": hall.slug,
        "name_zh": hall.name_zh,
        "name_en": hall.name_en,
        "level": hall.level,
        "parent": hall.parent,
        "depth": depth[hall.slug],
    }


def _depths(halls: tuple[HallConfig, ...]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for h in halls:  # parents come before their children
        depth[h.slug] = depth[h.parent] + 1 if h.parent in depth else 0
    return depth


def longest_wait_s(service: QueueService, slug: str, now: datetime) -> int:
    """Seconds the longest-waiting ticket of the hall's business day has waited (0: nobody waits)."""
    day = service.business_day(slug)
    with service.store.reader(slug) as r:
        waiting = [t.issued_at for t in r.active_tickets(day) if t.state is TicketState.WAITING]
    if not waiting:
        return 0
    first = min(waiting)
    first = first if first.tzinfo is not None else first.replace(tzinfo=UTC)  # stored as UTC
    return max(0, int((now - first).total_seconds()))


def wait_level(hall: HallConfig, seconds: int) -> str:
    if seconds >= hall.thresholds.red_minutes * 60:
        return "red"
    return "yellow" if seconds >= hall.thresholds.yellow_minutes * 60 else "green"


def hall_live(service: QueueService, hall: HallConfig, now: datetime) -> dict[str, Any]:
    """One hall's live columns: windows, waiting, longest wait, and its alerts."""
    view = hall_view(service, hall.slug)
    windows = [w["state"] for w in view["windows"]]
    absent = len(roster_now(service, hall.slug).absences)
    overdue = case_counts(service, hall.slug)["overdue"]
    offline = sum(1 for d in service.devices(hall.slug) if d.state is DeviceState.OFFLINE)
    longest = longest_wait_s(service, hall.slug, now)
    return {
        "windows": len(windows),
        "open_windows": windows.count("open"),
        "paused_windows": windows.count("paused"),
        "waiting": sum(s["waiting"] for s in view["services"]),
        "longest_wait_s": longest,
        # Red and yellow as the hall's own dashboard colours a wait ([hall.thresholds]).
        "longest_wait_level": wait_level(hall, longest),
        "alerts": {"absent": absent, "overdue_cases": overdue, "devices_offline": offline},
        "alert_count": absent + overdue + offline,
    }


def city_live(service: QueueService, slug: str) -> dict[str, Any]:
    """Every hall of ``slug``'s tree, each with its live columns, the top hall first and every
    hall right after its parent."""
    halls = halls_of(service, slug)
    depth = _depths(halls)
    now = service.clock()
    return {
        "hall": slug,
        "at": now.isoformat(),
        "halls": [{**_place(h, depth), **hall_live(service, h, now)} for h in halls],
    }


def check_measure(measure: str | None) -> str:
    if measure is None or measure == "":
        return "served"
    if measure not in MEASURES:
        raise BadRequest(
            f"measure: 只能按 {'、'.join(MEASURES)} 排名 / query.measure must be one of "
            f"{', '.join(MEASURES)}, got {measure[:40]!r}"
        )
    return measure


def value_of(totals: dict[str, Any], measure: str) -> float | None:
    found: Any = totals
    for part in MEASURES[measure].path:
        found = found.get(part) if isinstance(found, dict) else None
    return float(found) if isinstance(found, int | float) else None


def ranks(values: dict[str, float | None], measure: str) -> dict[str, int | None]:
    """1 for the best value (ties share a rank, the next rank skips); None for a hall without
    a value (no ratings yet, nobody called), which is not ranked."""
    better = MEASURES[measure].higher_is_better
    known = {s: v for s, v in values.items() if v is not None}
    return {
        s: (None if v is None else 1 + sum(1 for o in known.values() if (o > v if better else o < v)))
        for s, v in values.items()
    }


def previous_period(first: date, last: date) -> tuple[date, date]:
    """The period of the same length that ends the day before ``first``."""
    length = (last - first).days + 1
    return first - timedelta(days=length), first - timedelta(days=1)


def _totals(service: QueueService, slugs: list[str], first: date, last: date) -> dict[str, dict[str, Any]] | None:
    try:
        check_report_range(first, last)
    except BadRequest:
        return None  # a previous period before the dates a report may cover: nothing to compare
    return {s: summary(service, s, first, last, None)["totals"] for s in slugs}


def city_reports(service: QueueService, slug: str, first: date, last: date, measure: str) -> dict[str, Any]:
    """Each hall's report totals over ``first..last`` side by side, ranked on ``measure``, with
    its rank over the previous period of the same length and how many places it moved up."""
    check_report_range(first, last)
    measure = check_measure(measure)
    halls = halls_of(service, slug)
    depth = _depths(halls)
    slugs = [h.slug for h in halls]
    now = _totals(service, slugs, first, last)
    assert now is not None
    before_first, before_last = previous_period(first, last)
    before = _totals(service, slugs, before_first, before_last)
    values = {s: value_of(now[s], measure) for s in slugs}
    rank_now = ranks(values, measure)
    previous_values = {s: value_of(before[s], measure) for s in slugs} if before else dict.fromkeys(slugs)
    rank_before = ranks(previous_values, measure)
    rows = []
    for h in halls:
        r, p = rank_now[h.slug], rank_before[h.slug]
        rows.append(
            {
                **_place(h, depth),
                "value": values[h.slug],
                "rank": r,
                "previous_value": previous_values[h.slug],
                "previous_rank": p,
                "change": p - r if r is not None and p is not None else None,
                "totals": now[h.slug],
            }
        )
    rows.sort(key=lambda row: (row["rank"] is None, row["rank"] or 0, slugs.index(row["slug"])))
    return {
        "hall": slug,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "previous": {"from": before_first.isoformat(), "to": before_last.isoformat()},
        "measure": measure,
        "higher_is_better": MEASURES[measure].higher_is_better,
        "measures": list(MEASURES),
        "halls": rows,
    }


__all__ = ["MEASURES", "check_measure", "city_live", "city_reports", "halls_of", "previous_period", "ranks"]
