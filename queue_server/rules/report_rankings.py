"""Rankings (周排名, 月通报) of a report's groups by one measure (pure: no I/O).

A measure reads one figure of a report row (``rules.report_view.cell_view``) and says which way
is better; its basis is the count the figure stands on (the tickets called for a wait, the
ratings for 满意率), and a group whose basis is under the threshold is listed after the ranked
ones, unranked and marked ``too_few``, so one lucky ticket does not top a month's table. Equal
values share a rank and the next rank skips (1, 1, 3: competition ranking). The previous period
is the same length just before (a week the week before, a month the month before), ranked the
same way, so each row carries its value and rank then and the change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..config import RANKING_MEASURES, RANKING_OF
from ..errors import BadRequest

PERIODS = ("week", "month", "range")
OF = RANKING_OF
HIGHER, LOWER = "higher", "lower"


@dataclass(frozen=True, slots=True)
class Measure:
    code: str
    better: str  # HIGHER or LOWER
    path: tuple[str, ...]  # where the figure is in a report row
    basis: tuple[str, ...]  # the count it stands on
    unit: str  # count | share | seconds | score
    zh: str
    en: str


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure("within_share", HIGHER, ("within_target", "share"), ("wait", "count"), "share",
                "按时叫号率", "called within target"),
        Measure("wait_mean", LOWER, ("wait", "mean_s"), ("wait", "count"), "seconds", "平均等候", "mean wait"),
        Measure("wait_p90", LOWER, ("wait", "p90_s"), ("wait", "count"), "seconds", "90% 等候", "p90 wait"),
        Measure("served", HIGHER, ("served",), ("issued",), "count", "办结量", "served"),
        Measure("service_mean", LOWER, ("service_time", "mean_s"), ("service_time", "count"), "seconds",
                "平均办理时长", "mean service time"),
        Measure("satisfied_share", HIGHER, ("ratings", "satisfied_share"), ("ratings", "count"), "share",
                "满意率", "satisfaction"),
        Measure("mean_score", HIGHER, ("ratings", "mean_score"), ("ratings", "count"), "score",
                "平均评分", "mean score"),
        Measure("bad", LOWER, ("ratings", "bad"), ("issued",), "count", "差评数", "bad ratings"),
    )
}  # fmt: skip
assert tuple(MEASURES) == RANKING_MEASURES, "the hall file's ranking measures (config) and these must agree"


def check_choice(name: str, value: str | None, allowed: Sequence[str], default: str) -> str:
    """``value`` when it is one of ``allowed`` (``default`` when absent); else a 400 naming ``query.<name>``."""
    if value is None or value == "":
        return default
    if value not in allowed:
        raise BadRequest(
            f"{name}: 只能是 {'、'.join(allowed)} 之一 / query.{name} must be one of {', '.join(allowed)}, "
            f"got {value[:40]!r}"
        )
    return value


def _dig(row: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = row
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def value_of(row: Mapping[str, Any], measure: Measure) -> float | None:
    value = _dig(row, measure.path)
    return float(value) if isinstance(value, int | float) else None


def basis_of(row: Mapping[str, Any], measure: Measure) -> int:
    value = _dig(row, measure.basis)
    return int(value) if isinstance(value, int) else 0


@dataclass(frozen=True, slots=True)
class Ranked:
    group: str
    value: float | None
    basis: int
    rank: int | None  # None: too few to rank (listed last)
    too_few: bool


def rank(rows: Sequence[Mapping[str, Any]], measure: Measure, min_basis: int) -> list[Ranked]:
    """``rows`` (each with its ``group``) best first; ties share a rank; the groups without a
    value or under ``min_basis`` last, unranked, by group. A row of no group (``""``: tickets
    never called have no window or clerk) is left out."""
    ranked: list[tuple[float, str, int]] = []
    rest: list[Ranked] = []
    for row in rows:
        group = str(row.get("group", ""))
        if group == "":
            continue
        value, basis = value_of(row, measure), basis_of(row, measure)
        if value is None or basis < min_basis:
            rest.append(Ranked(group, value, basis, None, True))
        else:
            ranked.append((value, group, basis))
    sign = -1.0 if measure.better == HIGHER else 1.0
    ranked.sort(key=lambda r: (sign * r[0], r[1]))
    out: list[Ranked] = []
    for i, (value, group, basis) in enumerate(ranked):
        shared = out[-1].rank if out and out[-1].value == value else None
        out.append(Ranked(group, value, basis, shared or i + 1, False))
    return out + sorted(rest, key=lambda r: r.group)


def compared(current: Sequence[Ranked], previous: Sequence[Ranked], measure: Measure) -> list[dict[str, Any]]:
    """The current rows with the previous period's value and rank and the change: ``change`` the
    value's difference, ``rank_change`` places moved up (positive) or down, ``improved`` whether
    the value moved the better way (None: nothing to compare)."""
    before = {r.group: r for r in previous}
    out = []
    for r in current:
        p = before.get(r.group)
        prev_value = p.value if p is not None else None
        prev_rank = p.rank if p is not None else None
        change = r.value - prev_value if r.value is not None and prev_value is not None else None
        improved = None if change is None or change == 0 else (change > 0) == (measure.better == HIGHER)
        out.append({
            "group": r.group,
            "value": r.value,
            "basis": r.basis,
            "rank": r.rank,
            "too_few": r.too_few,
            "previous_value": prev_value,
            "previous_rank": prev_rank,
            "change": change,
            "rank_change": prev_rank - r.rank if prev_rank is not None and r.rank is not None else None,
            "improved": improved,
        })  # fmt: skip
    return out


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def periods(period: str, first: date, last: date | None) -> tuple[tuple[date, date], tuple[date, date]]:
    """The period of ``first`` and the one before it: ``week`` the Monday-to-Sunday week holding
    ``first`` and the week before; ``month`` its calendar month and the month before; ``range``
    ``first..last`` and as many days just before."""
    if period == "week":
        monday = first - timedelta(days=first.weekday())
        return (monday, monday + timedelta(days=6)), (monday - timedelta(days=7), monday - timedelta(days=1))
    if period == "month":
        start = month_start(first)
        before = month_start(start - timedelta(days=1))
        return (start, month_end(start)), (before, month_end(before))
    end = last if last is not None else first
    length = (end - first).days + 1
    return (first, end), (first - timedelta(days=length), first - timedelta(days=1))


__all__ = [
    "HIGHER",
    "LOWER",
    "MEASURES",
    "OF",
    "PERIODS",
    "Measure",
    "Ranked",
    "basis_of",
    "check_choice",
    "compared",
    "month_end",
    "month_start",
    "periods",
    "rank",
    "value_of",
]
